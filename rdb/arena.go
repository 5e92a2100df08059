package rdb

import "strconv"

// arena hands out byte slices for a Reader in ReuseEntry mode: copies of
// strings and the decimal form of integers are appended to one buffer that
// is reset before each entry, so decoding an entry allocates nothing once
// the buffer has grown to the entry's size. A slice handed out stays valid
// until the next reset, even when a later append moves the buffer (the old
// array lives on as long as something references it).
//
// A nil *arena allocates every slice separately, which is what readers that
// hand entries over to their callers need.
type arena struct {
	buf []byte
}

const (
	arenaInitSize = 4 << 10
	// arenaMaxKeep bounds the buffer kept across entries: after a large
	// entry the next one starts with a small buffer again, so one big value
	// does not stay pinned for the rest of the load.
	arenaMaxKeep = 1 << 20
)

// reset makes the slices handed out so far invalid.
func (a *arena) reset() {
	if a == nil {
		return
	}
	if cap(a.buf) > arenaMaxKeep {
		a.buf = nil
	}
	a.buf = a.buf[:0]
}

// copy returns a copy of b, never nil.
func (a *arena) copy(b []byte) []byte {
	if a == nil || len(b) == 0 {
		return append([]byte{}, b...)
	}
	a.grow(len(b))
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[start:len(a.buf):len(a.buf)]
}

// int returns v in decimal.
func (a *arena) int(v int64) []byte {
	if a == nil {
		return strconv.AppendInt(nil, v, 10)
	}
	a.grow(20)
	start := len(a.buf)
	a.buf = strconv.AppendInt(a.buf, v, 10)
	return a.buf[start:len(a.buf):len(a.buf)]
}

// grow makes room for n more bytes. Slices already handed out keep the
// old array.
func (a *arena) grow(n int) {
	if cap(a.buf)-len(a.buf) >= n {
		return
	}
	nb := make([]byte, 0, max(2*cap(a.buf), n, arenaInitSize))
	a.buf = nb
}
