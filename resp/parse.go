package resp

import "bytes"

// parse tries to complete the command starting at buf[r] from the buffered
// input. It reports whether a command is ready in r.args; if not, want is
// the number of bytes from buf[r] it needs to complete a bulk argument
// whose length is known, or 0.
func (r *Reader) parse() (done bool, want int, err error) {
	for {
		data := r.buf[r.r:r.w]
		st := &r.cmd
		if !st.inMulti {
			if len(data) == 0 {
				return false, 0, nil
			}
			switch {
			case data[0] == '*':
				ok, err := r.parseHeader(data)
				if err != nil || !ok {
					return false, 0, err
				}
				if !st.inMulti { // "*0" or negative: nothing to run
					r.consume(st.p)
					continue
				}
			case data[0] == '#' && r.annotation != nil:
				ok, err := r.parseAnnotation(data)
				if err != nil || !ok {
					return false, 0, err
				}
				continue
			case r.strict:
				return false, 0, expectedErr(msgExpectedStar, data[0])
			default:
				n, ok, err := r.parseInline(data)
				if err != nil || !ok {
					return false, 0, err
				}
				if n == 0 {
					continue // empty line
				}
				return true, 0, nil
			}
		}
		for st.argc > 0 {
			if st.bulk < 0 {
				end, next, err := r.findCR(data, st.p, msgTooBigBulkCount)
				if err != nil || end < 0 {
					return false, 0, err
				}
				if data[st.p] != '$' {
					return false, 0, expectedErr(msgExpectedDollar, data[st.p])
				}
				n, ok := parseInt(data[st.p+1 : end])
				// The second bound only matters for a MaxBulkLen near
				// MaxInt64: the argument must fit in a buffer.
				if !ok || n < 0 || n > r.lim.MaxBulkLen || n > int64(maxInt/2) {
					return false, 0, &ProtocolError{Msg: msgInvalidBulkLen}
				}
				if r.lim.Unauthenticated && n > unauthMaxBulkLen {
					return false, 0, &ProtocolError{Msg: msgUnauthBulkLen}
				}
				st.bulk = n
				st.p = next
			}
			need := st.p + int(st.bulk) + 2
			if len(data) < need {
				return false, need, nil
			}
			end := st.p + int(st.bulk)
			// Redis skips the two bytes after a bulk without looking at
			// them; only strict mode insists they are CRLF.
			if r.strict && (data[end] != '\r' || data[end+1] != '\n') {
				return false, 0, &ProtocolError{Msg: msgBadBulkEnd}
			}
			r.spans = append(r.spans, span{st.p, end})
			st.p, st.scan = need, need
			st.bulk = -1
			st.argc--
		}
		r.finish(st.p)
		return true, 0, nil
	}
}

// parseHeader parses the "*<count>" line at the start of data. It reports
// false if the line is not complete yet.
func (r *Reader) parseHeader(data []byte) (bool, error) {
	st := &r.cmd
	end, next, err := r.findCR(data, 0, msgTooBigMbulkCount)
	if err != nil || end < 0 {
		return false, err
	}
	n, ok := parseInt(data[1:end])
	if !ok || n > r.lim.MaxMultibulkLen || (r.strict && n <= 0) {
		return false, &ProtocolError{Msg: msgInvalidMbulkLen}
	}
	if r.lim.Unauthenticated && n > unauthMaxMultibulkLen {
		return false, &ProtocolError{Msg: msgUnauthMbulkLen}
	}
	st.p, st.scan = next, next
	if n > 0 {
		// The argument list grows as arguments arrive: a forged count
		// allocates nothing up front.
		st.inMulti, st.argc, st.bulk = true, n, -1
		r.spans = r.spans[:0]
	}
	return true, nil
}

// findCR finds the end of the length line starting at data[start] the way
// Redis does: the line ends at the first '\r', which must be followed by
// one more byte (any byte; strict mode requires '\n'). It returns the index
// of the '\r' and of the byte after the line, or end < 0 if the line is
// incomplete. A line longer than Limits.MaxInlineLen is an error with the
// text tooBig.
//
// Redis checks the length only while the '\r' has not arrived, so whether
// it accepts a long line depends on how the bytes were split into reads.
// Here the rule is the same for every split: the line may hold at most
// MaxInlineLen bytes (counting the '*' or '$') before its '\r'.
func (r *Reader) findCR(data []byte, start int, tooBig string) (end, next int, err error) {
	st := &r.cmd
	from := max(start, st.scan)
	i := bytes.IndexByte(data[from:], '\r')
	if i < 0 {
		st.scan = len(data)
		if len(data)-start > r.lim.MaxInlineLen {
			return -1, 0, &ProtocolError{Msg: tooBig}
		}
		return -1, 0, nil
	}
	end = from + i
	if end-start > r.lim.MaxInlineLen {
		return -1, 0, &ProtocolError{Msg: tooBig}
	}
	if end+1 >= len(data) {
		st.scan = end
		return -1, 0, nil
	}
	if r.strict && data[end+1] != '\n' {
		return -1, 0, &ProtocolError{Msg: msgBadLineEnd}
	}
	return end, end + 2, nil
}

// findLF finds the '\n' ending an inline or annotation line at the start
// of data. It returns the index of the '\n', or -1 if it has not arrived.
func (r *Reader) findLF(data []byte) (int, error) {
	st := &r.cmd
	i := bytes.IndexByte(data[st.scan:], '\n')
	if i < 0 {
		st.scan = len(data)
		if len(data) > r.lim.MaxInlineLen {
			return -1, &ProtocolError{Msg: msgTooBigInline}
		}
		return -1, nil
	}
	i += st.scan
	if i > r.lim.MaxInlineLen {
		return -1, &ProtocolError{Msg: msgTooBigInline}
	}
	return i, nil
}

// parseInline parses an inline command at the start of data. It returns
// the number of arguments (0 for a blank line, which is consumed) and
// whether the line was complete.
func (r *Reader) parseInline(data []byte) (int, bool, error) {
	i, err := r.findLF(data)
	if err != nil || i < 0 {
		return 0, false, err
	}
	line := data[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	spans, ok := splitInline(line, r.spans[:0])
	r.spans = spans
	if !ok {
		return 0, false, &ProtocolError{Msg: msgUnbalancedQuotes}
	}
	if len(spans) == 0 {
		r.consume(i + 1)
		return 0, true, nil
	}
	r.finish(i + 1)
	return len(spans), true, nil
}

// parseAnnotation hands a '#' line to the annotation handler.
func (r *Reader) parseAnnotation(data []byte) (bool, error) {
	i, err := r.findLF(data)
	if err != nil || i < 0 {
		return false, err
	}
	line := data[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if err := r.annotation(line); err != nil {
		return false, err
	}
	r.consume(i + 1)
	return true, nil
}

// finish builds r.args from r.spans for a command of n bytes and consumes
// it. The arguments stay valid because the buffer is only compacted or
// replaced at the next ReadCommand.
func (r *Reader) finish(n int) {
	base := r.r
	r.args = r.args[:0]
	for _, s := range r.spans {
		r.args = append(r.args, r.buf[base+s.start:base+s.end:base+s.end])
	}
	r.consume(n)
}
