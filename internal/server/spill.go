package server

import "io"

// spillAt is how many encoded bytes a background walk holds before it
// writes them to the file while still encoding. A chunk of the walk is
// encoded under the execution lock and written after it is let go, so its
// bytes wait in memory; a chunk of small keys is about 100 KB, but one key
// is encoded whole (the point in time allows no pause inside it), and the
// buffer, with its rotation copy, grew to twice the largest key's encoding
// and stayed that size for the rest of the job: a rewrite of a 1M-element
// list of 200-byte values held about 400 MB, and auto rewrites under
// SET/LPUSH/MSET -P 16 with 200-byte values pushed RSS to 2.6-3.0 GB
// against Redis's 835 MB. Past spillAt the bytes go to the file at once,
// from under the lock: a few milliseconds of page-cache writing per 4 MB,
// paid only by keys that large, whose encoding holds the lock longer
// anyway.
const spillAt = 4 << 20

// spillBuffer is the encoders' destination during a walk: it collects
// bytes for the chunk, and once it holds spillAt of them writes them to
// to (if set) and starts again. A write error is kept and returned by
// every later Write, so the encoders stop, and by err for the job.
type spillBuffer struct {
	buf     []byte
	to      io.Writer
	err     error
	spilled int // bytes written to to; its reader resets it
}

func (b *spillBuffer) Write(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	b.buf = append(b.buf, p...)
	if b.to != nil && len(b.buf) >= spillAt {
		if _, err := b.to.Write(b.buf); err != nil {
			b.err = err
			return 0, err
		}
		b.spilled += len(b.buf)
		b.buf = b.buf[:0]
		if cap(b.buf) > 2*spillAt {
			b.buf = nil // one huge Write grew it: do not keep that
		}
	}
	return len(p), nil
}

// take returns the bytes collected since the last take (or spill) in out's
// memory, which the caller hands to the file writer, and empties the
// buffer; out is the slice the previous take returned, reused.
func (b *spillBuffer) take(out []byte) []byte {
	out = append(out[:0], b.buf...)
	b.buf = b.buf[:0]
	return out
}
