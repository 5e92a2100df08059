package resp

// maxIntLineLen mirrors Redis's LONG_STR_SIZE (21): string2ll rejects any
// string of that length or longer before looking at it.
const maxIntLineLen = 21

// parseInt parses b the way Redis's string2ll does: an optional '-', then
// either a lone "0" or a digit 1-9 followed by digits; no '+', no spaces,
// no leading zeros, no "-0", and the value must fit in an int64. It is the
// parser for every length Redis reads from a client, so lengths that Redis
// rejects are rejected here too.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= maxIntLineLen {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false // overflows uint64
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true // v == 1<<63 wraps to MinInt64, as intended
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
