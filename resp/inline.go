package resp

// span locates one argument inside the reader's buffer, relative to the
// start of the command being parsed, so that it survives the buffer being
// compacted or reallocated while the rest of the command arrives.
type span struct{ start, end int }

// isSpace is C's isspace in the "C" locale, which sdssplitargs uses to skip
// blanks between arguments and to check what follows a closing quote.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// splitInline splits an inline command line (without its line ending) into
// arguments with Redis's sdssplitargs rules, appending their positions to
// spans. It reports false for unbalanced quotes.
//
// The rules: arguments are separated by blanks; outside quotes an argument
// ends at ' ', '\t', '\r' or '\n' (but not '\v' or '\f', which only count
// as blanks between arguments). A double or single quote anywhere in an
// argument opens a quoted section that continues the same argument. Inside
// double quotes \xHH (two hex digits), \n \r \t \b \a and \<any other
// byte> (that byte) are escapes; inside single quotes only \' is. A closing
// quote must be followed by a blank or the end of the line, and a quote
// must be closed.
//
// Decoding happens in place: every rule consumes at least as many input
// bytes as it produces, so the write cursor never passes the read cursor
// and the arguments can alias the input buffer without any allocation.
//
// One deliberate difference: sdssplitargs works on C strings, so a NUL byte
// ends the line for it. Redis never gets that far, though, because its
// search for the '\n' stops at the NUL too and the request just waits until
// it exceeds the inline limit. Here NUL is an ordinary byte.
func splitInline(line []byte, spans []span) ([]span, bool) {
	i, o := 0, 0 // read and write cursors
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return spans, true
		}
		start := o
		inDouble, inSingle := false, false
	token:
		for {
			switch {
			case inDouble:
				if i == len(line) {
					return spans, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					line[o] = unhex(line[i+2])<<4 | unhex(line[i+3])
					o++
					i += 4
				case c == '\\' && i+1 < len(line):
					line[o] = unescape(line[i+1])
					o++
					i += 2
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return spans, false
					}
					i++
					break token
				default:
					line[o] = c
					o++
					i++
				}
			case inSingle:
				if i == len(line) {
					return spans, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					line[o] = '\''
					o++
					i += 2
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return spans, false
					}
					i++
					break token
				default:
					line[o] = c
					o++
					i++
				}
			default:
				if i == len(line) {
					break token
				}
				c := line[i]
				i++
				switch c {
				case ' ', '\t', '\r', '\n':
					break token
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					line[o] = c
					o++
				}
			}
		}
		spans = append(spans, span{start, o})
	}
}

// unescape maps the byte after a backslash inside double quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// SplitArgs splits line into arguments with Redis's sdssplitargs rules (the
// rules of inline commands, above), as redis.conf lines are split too. It
// reports false for unbalanced quotes. The arguments share one new buffer;
// line is not modified.
func SplitArgs(line []byte) ([][]byte, bool) {
	buf := append([]byte(nil), line...)
	spans, ok := splitInline(buf, nil)
	if !ok {
		return nil, false
	}
	args := make([][]byte, len(spans))
	for i, sp := range spans {
		args[i] = buf[sp.start:sp.end:sp.end]
	}
	return args, true
}
