package resp

import (
	"io"
	"strconv"
)

// maxIdleWriteBuf: a reply buffer that grew beyond this for one large
// reply is released after it has been flushed.
const maxIdleWriteBuf = 1 << 20

// Writer encodes replies into an internal buffer that is written to the
// underlying io.Writer only by Flush. Encoding never allocates once the
// buffer has grown to the connection's usual reply size. It speaks RESP2
// unless SetProto(3) is called, and each method picks the RESP2 fallback
// Redis uses for RESP3-only types. It is not safe for concurrent use.
type Writer struct {
	w     io.Writer
	buf   []byte
	proto int
}

// NewWriter returns a RESP2 Writer that flushes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, proto: 2}
}

// SetProto selects the protocol version: 3 for RESP3, anything else RESP2.
func (w *Writer) SetProto(v int) {
	if v != 3 {
		v = 2
	}
	w.proto = v
}

// Proto returns the protocol version in use, 2 or 3.
func (w *Writer) Proto() int { return w.proto }

// header appends "<kind><n>\r\n".
func (w *Writer) header(kind byte, n int64) { w.buf = appendHeader(w.buf, kind, n) }

// SimpleString appends "+s\r\n". s must not contain '\r' or '\n'.
func (w *Writer) SimpleString(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// Error appends "-msg\r\n". msg carries its own code ("ERR ...",
// "WRONGTYPE ..."). Any '\r' or '\n' in msg becomes a space, as Redis does,
// so the reply cannot break the protocol.
func (w *Writer) Error(msg string) {
	w.buf = append(w.buf, '-')
	start := len(w.buf)
	w.buf = append(w.buf, msg...)
	for i := start; i < len(w.buf); i++ {
		if c := w.buf[i]; c == '\r' || c == '\n' {
			w.buf[i] = ' '
		}
	}
	w.buf = append(w.buf, '\r', '\n')
}

// Int appends ":n\r\n".
func (w *Writer) Int(n int64) { w.header(':', n) }

// Bulk appends b as a bulk string. A nil b is still an empty string; use
// Null for a missing value.
func (w *Writer) Bulk(b []byte) {
	w.header('$', int64(len(b)))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkString appends s as a bulk string.
func (w *Writer) BulkString(s string) {
	w.header('$', int64(len(s)))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkInt appends the decimal form of n as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null appends a null: "$-1\r\n" (the RESP2 null bulk string) or "_\r\n".
func (w *Writer) Null() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// NullArray appends a null aggregate: "*-1\r\n" in RESP2, "_\r\n" in RESP3.
func (w *Writer) NullArray() {
	if w.proto == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

// Array appends the header of an array of n elements.
func (w *Writer) Array(n int) { w.header('*', int64(n)) }

// Map appends the header of a map of n key/value pairs, which the caller
// follows with 2n elements. RESP2 has no map: it is a flat array of 2n.
func (w *Writer) Map(n int) {
	if w.proto == 3 {
		w.header('%', int64(n))
		return
	}
	w.header('*', 2*int64(n))
}

// Set appends the header of a set of n elements (an array in RESP2).
func (w *Writer) Set(n int) {
	if w.proto == 3 {
		w.header('~', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Push appends the header of an out-of-band push message of n elements (an
// array in RESP2, as pub/sub messages have always been).
func (w *Writer) Push(n int) {
	if w.proto == 3 {
		w.header('>', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Double appends f formatted as Redis 7.0 formats a double reply (see
// AppendDouble): ",<f>\r\n" in RESP3, a bulk string in RESP2.
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	d := AppendDouble(tmp[:0], f)
	if w.proto == 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, d...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.Bulk(d)
}

// Bool appends "#t\r\n" or "#f\r\n" in RESP3, ":1\r\n" or ":0\r\n" in RESP2.
func (w *Writer) Bool(b bool) {
	switch {
	case w.proto == 3 && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.proto == 3:
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.buf = append(w.buf, ":1\r\n"...)
	default:
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// Verbatim appends a verbatim string: "=<n>\r\n<format>:<s>\r\n" in RESP3,
// where format is the three-byte type ("txt", "mkd"); a plain bulk string
// of s in RESP2.
func (w *Writer) Verbatim(format, s string) {
	if w.proto != 3 {
		w.BulkString(s)
		return
	}
	w.header('=', int64(len(format)+1+len(s)))
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BigNumber appends the decimal integer s as "(<s>\r\n" in RESP3, a bulk
// string in RESP2.
func (w *Writer) BigNumber(s string) {
	if w.proto != 3 {
		w.BulkString(s)
		return
	}
	w.buf = append(w.buf, '(')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// Raw appends pre-encoded protocol bytes.
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// Buffered returns the number of bytes waiting for Flush.
func (w *Writer) Buffered() int { return len(w.buf) }

// Truncate drops buffered bytes beyond the first n, so that replies
// appended after a known point can be replaced. It panics if n is negative
// or more than Buffered.
func (w *Writer) Truncate(n int) { w.buf = w.buf[:n] }

// Pending returns the buffered bytes, for a caller that sends them by
// other means and then calls Consumed. They are valid until the next call
// that appends, flushes or resets.
func (w *Writer) Pending() []byte { return w.buf }

// Consumed drops the first n buffered bytes, sent by the caller of
// Pending. It panics if n is negative or more than Buffered.
func (w *Writer) Consumed(n int) {
	if n == len(w.buf) {
		w.reuse()
		return
	}
	w.buf = w.buf[:copy(w.buf, w.buf[n:])]
}

// Flush writes the buffered bytes to the underlying writer. On error the
// bytes not written stay buffered and the error is returned.
func (w *Writer) Flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.w.Write(w.buf)
	if err == nil && n < len(w.buf) {
		err = io.ErrShortWrite
	}
	if n > 0 {
		w.Consumed(n)
	}
	return err
}

// reuse empties the buffer, keeping it unless it grew large.
func (w *Writer) reuse() {
	if cap(w.buf) > maxIdleWriteBuf {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
}

// Reset discards any buffered bytes, switches to dst and back to RESP2,
// keeping the buffer for reuse.
func (w *Writer) Reset(dst io.Writer) {
	w.w = dst
	w.buf = w.buf[:0]
	w.proto = 2
}
