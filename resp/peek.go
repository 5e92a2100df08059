package resp

// PeekArgs looks at the complete multibulk commands buffered after the
// last command ReadCommand returned, up to max of them. For each it
// appends the second argument to keys and the third (nil when there is
// none) to members, and it returns both. It stops at the first command
// that is incomplete, has fewer than two arguments, or is not plainly
// formed (inline, oversized headers): it gives hints for prefetching, it is
// not a parser, and it reads nothing from the underlying reader. The
// slices alias the buffer and are valid until the next ReadCommand.
//
// A server that runs pipelined commands one at a time uses it to start the
// cache misses of the next commands' lookups together rather than one
// after another.
func (r *Reader) PeekArgs(keys, members [][]byte, max int) ([][]byte, [][]byte) {
	b := r.buf[r.r:r.w]
	for n := 0; n < max; n++ {
		if len(b) < 4 || b[0] != '*' {
			break
		}
		argc, rest, ok := peekNumber(b[1:])
		if !ok || argc < 2 {
			break
		}
		b = rest
		var args [2][]byte
		for i := int64(0); i < argc; i++ {
			if len(b) == 0 || b[0] != '$' {
				return keys, members
			}
			l, rest, ok := peekNumber(b[1:])
			if !ok || int64(len(rest)) < l+2 {
				return keys, members
			}
			if i == 1 || i == 2 {
				args[i-1] = rest[:l:l]
			}
			b = rest[l+2:]
		}
		keys = append(keys, args[0])
		members = append(members, args[1])
	}
	return keys, members
}

// peekNumber parses a non-negative decimal of at most 9 digits followed by
// CRLF at the start of b.
func peekNumber(b []byte) (v int64, rest []byte, ok bool) {
	i := 0
	for ; i < len(b) && i < 10; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int64(c-'0')
	}
	if i == 0 || i == 10 || i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' {
		return 0, nil, false
	}
	return v, b[i+2:], true
}
