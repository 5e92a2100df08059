package resp

import (
	"bytes"
	"fmt"
	"io"
)

// maxReplyDepth bounds the nesting of aggregate replies, so a hostile
// stream of "*1\r\n*1\r\n..." cannot drive the parser arbitrarily deep.
// Redis's deepest replies (COMMAND DOCS) nest well under ten levels.
const maxReplyDepth = 512

// Value is one decoded reply.
//
// Kind is the type byte: '+' simple string, '-' error, ':' integer, '$'
// bulk string, '*' array, '%' map, '~' set, '>' push, '_' null, ','
// double, '#' boolean, '=' verbatim string, '(' big number, '!' bulk error
// and '|' attribute.
//
// Str holds the payload of strings, errors (without the '-'), doubles and
// big numbers (their text), booleans ("t" or "f") and verbatim strings
// (including the "txt:" prefix). Int holds integers and booleans (1 or 0).
// Elems holds the elements of aggregates; maps and attributes are flattened
// to key, value, key, value. Null is set for '_' and for the RESP2 nulls
// "$-1" and "*-1".
//
// An attribute ('|') is returned as a Value of its own; the reply it
// annotates is read by the next ReadReply.
type Value struct {
	Kind  byte
	Str   []byte
	Int   int64
	Elems []Value
	Null  bool
}

// ReplyReader reads replies from a server: every RESP2 and RESP3 type. Like
// Reader it only grows its buffer as bytes arrive, so forged lengths and
// counts cost nothing up front. It is not safe for concurrent use.
type ReplyReader struct {
	rd   io.Reader
	buf  []byte // len(buf) == cap(buf); unconsumed input is buf[r:w]
	r, w int
	off  int64 // stream offset of buf[r]
	rerr error
	scan int // where the search for the current line's end resumes
}

// NewReplyReader returns a ReplyReader reading from rd.
func NewReplyReader(rd io.Reader) *ReplyReader {
	return &ReplyReader{rd: rd}
}

// ReadReply reads one complete reply. The returned Value owns its memory
// (one copy of the reply's bytes, shared by all its strings).
func (r *ReplyReader) ReadReply() (Value, error) {
	raw, err := r.ReadRaw()
	if err != nil {
		return Value{}, err
	}
	v, _, err := decodeValue(raw, 0)
	return v, err
}

// ReadRaw returns the exact bytes of one complete reply, nested aggregates
// included, in a new slice. At a clean end of input between replies it
// returns io.EOF; input ending inside a reply gives an error wrapping
// io.ErrUnexpectedEOF; malformed input a *ProtocolError.
func (r *ReplyReader) ReadRaw() ([]byte, error) {
	n, err := r.skip(0, 0)
	if err != nil {
		return nil, err
	}
	raw := bytes.Clone(r.buf[r.r : r.r+n])
	r.r += n
	r.off += int64(n)
	r.scan = 0
	return raw, nil
}

// more reads more input; want is the number of bytes from buf[r] needed.
func (r *ReplyReader) more(want int) error {
	if r.rerr != nil {
		if r.rerr == io.EOF {
			if r.w == r.r {
				return io.EOF
			}
			return fmt.Errorf("resp: input ends inside the reply at offset %d: %w", r.off, io.ErrUnexpectedEOF)
		}
		err := r.rerr
		r.rerr = nil
		return err
	}
	r.buf, r.r, r.w = makeRoom(r.buf, r.r, r.w, want)
	for range maxEmptyReads {
		m, err := r.rd.Read(r.buf[r.w:])
		if m < 0 || m > len(r.buf)-r.w {
			return fmt.Errorf("resp: underlying reader returned invalid count %d", m)
		}
		r.w += m
		if err != nil {
			r.rerr = err
			return nil
		}
		if m > 0 {
			return nil
		}
	}
	r.rerr = io.ErrNoProgress
	return nil
}

// line returns the end (index of '\r', relative to buf[r]) of the
// CRLF-terminated line starting at p, reading as needed.
func (r *ReplyReader) line(p int) (int, error) {
	for {
		data := r.buf[r.r:r.w]
		from := max(p, r.scan)
		if i := bytes.IndexByte(data[from:], '\n'); i >= 0 {
			end := from + i
			r.scan = end + 1
			if end-1 <= p || data[end-1] != '\r' {
				return 0, r.errorf(p, "reply line not terminated by CRLF or without a type")
			}
			return end - 1, nil
		}
		r.scan = len(data)
		if err := r.more(0); err != nil {
			return 0, err
		}
	}
}

// need makes sure n bytes from buf[r] are buffered.
func (r *ReplyReader) need(n int) error {
	for r.w-r.r < n {
		if err := r.more(n); err != nil {
			if err == io.EOF {
				err = fmt.Errorf("resp: input ends inside the reply at offset %d: %w", r.off, io.ErrUnexpectedEOF)
			}
			return err
		}
	}
	return nil
}

func (r *ReplyReader) errorf(p int, format string, args ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf("Protocol error: "+format+" (reply at offset %d, byte %d)",
		append(args, r.off, r.off+int64(p))...)}
}

// skip validates the reply starting at p (relative to buf[r]), reading
// until it is complete, and returns the offset just past it.
func (r *ReplyReader) skip(p, depth int) (int, error) {
	if depth > maxReplyDepth {
		return 0, r.errorf(p, "replies nested deeper than %d", maxReplyDepth)
	}
	end, err := r.line(p)
	if err != nil {
		return 0, err
	}
	data := r.buf[r.r:r.w]
	kind, text, next := data[p], data[p+1:end], end+2
	switch kind {
	case '+', '-', ',', '(':
		return next, nil
	case ':':
		if _, ok := parseInt(text); !ok {
			return 0, r.errorf(p, "invalid integer %q", text)
		}
		return next, nil
	case '_':
		if len(text) != 0 {
			return 0, r.errorf(p, "invalid null")
		}
		return next, nil
	case '#':
		if len(text) != 1 || (text[0] != 't' && text[0] != 'f') {
			return 0, r.errorf(p, "invalid boolean %q", text)
		}
		return next, nil
	case '$', '!', '=':
		n, ok := parseInt(text)
		if ok && n == -1 && kind == '$' {
			return next, nil
		}
		if !ok || n < 0 || n > int64(maxInt)-int64(next)-2 {
			return 0, r.errorf(p, "invalid bulk length %q", text)
		}
		if kind == '=' && n < 4 {
			return 0, r.errorf(p, "invalid verbatim string length %d", n)
		}
		stop := next + int(n) + 2
		if err := r.need(stop); err != nil {
			return 0, err
		}
		data = r.buf[r.r:r.w]
		if data[stop-2] != '\r' || data[stop-1] != '\n' {
			return 0, r.errorf(p, "bulk not terminated by CRLF")
		}
		if kind == '=' && data[next+3] != ':' {
			return 0, r.errorf(p, "invalid verbatim string format")
		}
		r.scan = stop
		return stop, nil
	case '*', '%', '~', '>', '|':
		n, ok := parseInt(text)
		if ok && n == -1 && kind == '*' {
			return next, nil
		}
		if !ok || n < 0 || n > int64(maxInt/4) {
			return 0, r.errorf(p, "invalid aggregate length %q", text)
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		for ; n > 0; n-- {
			if next, err = r.skip(next, depth+1); err != nil {
				return 0, err
			}
		}
		return next, nil
	}
	return 0, r.errorf(p, "invalid reply type byte %q", kind)
}

// decodeValue decodes the reply at raw[p:], which skip has validated, and
// returns it with the offset just past it. Strings alias raw.
func decodeValue(raw []byte, p int) (Value, int, error) {
	i := bytes.IndexByte(raw[p:], '\n')
	if i < 2 {
		return Value{}, 0, fmt.Errorf("resp: malformed reply at byte %d", p)
	}
	end := p + i - 1
	v := Value{Kind: raw[p]}
	text, next := raw[p+1:end], end+2
	switch v.Kind {
	case '+', '-', ',', '(':
		v.Str = text[:len(text):len(text)]
	case ':':
		v.Int, _ = parseInt(text)
	case '_':
		v.Null = true
	case '#':
		v.Str = text[:len(text):len(text)]
		if text[0] == 't' {
			v.Int = 1
		}
	case '$', '!', '=':
		n, _ := parseInt(text)
		if n < 0 {
			v.Null = true
			return v, next, nil
		}
		stop := next + int(n)
		if stop+2 > len(raw) {
			return Value{}, 0, fmt.Errorf("resp: malformed reply at byte %d", p)
		}
		v.Str = raw[next:stop:stop]
		next = stop + 2
	case '*', '%', '~', '>', '|':
		n, _ := parseInt(text)
		if n < 0 {
			v.Null = true
			return v, next, nil
		}
		if v.Kind == '%' || v.Kind == '|' {
			n *= 2
		}
		// skip has seen all n elements in raw, so n is bounded by its
		// size and this allocation by what actually arrived.
		v.Elems = make([]Value, n)
		for j := range v.Elems {
			var err error
			if v.Elems[j], next, err = decodeValue(raw, next); err != nil {
				return Value{}, 0, err
			}
		}
	default:
		return Value{}, 0, fmt.Errorf("resp: malformed reply at byte %d", p)
	}
	return v, next, nil
}
