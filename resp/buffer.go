package resp

// Buffer sizing, shared by Reader and ReplyReader. The buffer starts at
// Redis's PROTO_IOBUF_LEN.
const (
	initialBufSize = 16 << 10
	// minReadSize is the least free space offered to a Read, so that a
	// nearly full buffer does not degrade into tiny reads.
	minReadSize = 4 << 10
	// maxIdleBufSize: a buffer that grew beyond this for a big command is
	// released once it is empty instead of being held for an idle client.
	maxIdleBufSize = 1 << 20
	// maxEmptyReads bounds consecutive (0, nil) results from the
	// underlying reader before giving up with io.ErrNoProgress.
	maxEmptyReads = 100
)

// maxInt is the largest int, bounding lengths that must fit in a buffer.
const maxInt = int(^uint(0) >> 1)

// makeRoom prepares buf (whose live bytes are buf[r:w]) for another Read
// and returns the buffer and positions to use. want is how many live bytes
// the caller knows it needs, 0 if unknown.
//
// The policy keeps a forged length from allocating anything: the buffer
// starts at initialBufSize and only doubles when it is mostly full of
// bytes that have actually arrived, so it never exceeds about twice the
// live data (or initialBufSize). A large legitimate argument costs a
// linear amount of copying in total. A known want caps the growth step so
// that the last doubling does not overshoot a bulk whose end is in sight.
func makeRoom(buf []byte, r, w, want int) ([]byte, int, int) {
	n := w - r
	if n == 0 {
		r, w = 0, 0
		if len(buf) > maxIdleBufSize {
			buf = nil
		}
	}
	switch {
	case buf == nil:
		return make([]byte, initialBufSize), 0, 0
	case len(buf)-w >= minReadSize:
		return buf, r, w // enough room at the end
	case r > 0 && n <= len(buf)/2:
		// Slide the live bytes to the front: every byte copied reclaims
		// at least one byte of space.
		copy(buf, buf[r:w])
		return buf, 0, n
	}
	size := max(2*n, n+minReadSize, initialBufSize)
	if want > n {
		size = min(size, max(want, n+minReadSize))
	}
	nb := make([]byte, size)
	copy(nb, buf[r:w])
	return nb, 0, n
}
