package command

import (
	"math"
	"strconv"
	"strings"
)

// Redis 7.0's sorted-set error replies.
const (
	ErrZMinMaxFloat   = "ERR min or max is not a float"
	ErrZMinMaxLex     = "ERR min or max not valid string range item"
	ErrZNaN           = "ERR resulting score is not a number (NaN)"
	ErrZXXNX          = "ERR XX and NX options at the same time are not compatible"
	ErrZGTLTNX        = "ERR GT, LT, and/or NX options at the same time are not compatible"
	ErrZIncrPair      = "ERR INCR option supports a single increment-element pair"
	ErrZWeightFloat   = "ERR weight value is not a float"
	ErrZLimitNeg      = "ERR LIMIT can't be negative"
	ErrZLimitRank     = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	ErrZWithScoresLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	ErrZRandRange     = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	ErrZRandScores    = "ERR value is out of range"
)

// strtod scans b as C's strtod does and returns the value, the number of
// bytes it consumed (0 when no number was found) and whether strtod would
// have set ERANGE (overflow, or underflow of a non-zero number).
func strtod(b []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	numStart := i
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	neg := numStart < len(b) && b[numStart] == '-'
	rest := strings.ToLower(string(b[i:min(len(b), i+8)]))
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return math.Inf(sign(neg)), i + 8, false
	case strings.HasPrefix(rest, "inf"):
		return math.Inf(sign(neg)), i + 3, false
	case strings.HasPrefix(rest, "nan"):
		j := i + 3
		if j < len(b) && b[j] == '(' {
			k := j + 1
			for k < len(b) && (isAlnum(b[k]) || b[k] == '_') {
				k++
			}
			if k < len(b) && b[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), j, false
	}
	// hexadecimal
	if i+1 < len(b) && b[i] == '0' && (b[i+1] == 'x' || b[i+1] == 'X') {
		j := i + 2
		digits := 0
		for j < len(b) && isHex(b[j]) {
			j++
			digits++
		}
		if j < len(b) && b[j] == '.' {
			k := j + 1
			for k < len(b) && isHex(b[k]) {
				k++
				digits++
			}
			if digits > 0 {
				j = k
			}
		}
		if digits > 0 {
			mant := string(b[numStart:j])
			exp := "p0"
			if j < len(b) && (b[j] == 'p' || b[j] == 'P') {
				k := j + 1
				if k < len(b) && (b[k] == '+' || b[k] == '-') {
					k++
				}
				ds := k
				for k < len(b) && isDigit(b[k]) {
					k++
				}
				if k > ds {
					exp = string(b[j:k])
					j = k
				}
			}
			f, err := strconv.ParseFloat(mant+exp, 64)
			return f, j, rangeErr(f, err, mant)
		}
		// "0x" without digits: strtod reads the "0".
	}
	j := i
	digits := 0
	for j < len(b) && isDigit(b[j]) {
		j++
		digits++
	}
	if j < len(b) && b[j] == '.' {
		j++
		for j < len(b) && isDigit(b[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	mantEnd := j
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		k := j + 1
		if k < len(b) && (b[k] == '+' || b[k] == '-') {
			k++
		}
		ds := k
		for k < len(b) && isDigit(b[k]) {
			k++
		}
		if k > ds {
			j = k
		}
	}
	s := string(b[numStart:j])
	f, err := strconv.ParseFloat(s, 64)
	return f, j, rangeErr(f, err, string(b[numStart:mantEnd]))
}

func sign(neg bool) int {
	if neg {
		return -1
	}
	return 1
}

// rangeErr tells whether strtod would report ERANGE: the result overflowed,
// or a mantissa with a non-zero digit came out as zero or subnormal.
func rangeErr(f float64, err error, mant string) bool {
	if err != nil {
		return true
	}
	if f == 0 {
		m := strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(mant), "-"), "+")
		m = strings.TrimPrefix(m, "0x")
		return strings.ContainsAny(m, "123456789abcdef")
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// parseScore parses a double as Redis's getDoubleFromObject does: the whole
// argument, no leading space, no NaN, no overflow or underflow to zero.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	v, n, erange := strtod(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false
	}
	if erange && (math.IsInf(v, 0) || v == 0) {
		return 0, false
	}
	return v, true
}

// scoreArg parses a score argument or writes "not a valid float".
func (c *Ctx) scoreArg(b []byte, msg string) (float64, bool) {
	v, ok := parseScore(b)
	if !ok {
		c.Err(msg)
	}
	return v, ok
}

// scoreRange is a ZRANGEBYSCORE-style interval.
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

// parseRangeBound parses one end of a score range as zslParseRange does:
// strtod over the rest of the argument (leading space allowed, overflow to
// infinity allowed), NaN refused.
func parseRangeBound(b []byte) (v float64, ex bool, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		b, ex = b[1:], true
	}
	v, n, _ := strtod(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

func parseScoreRange(minb, maxb []byte) (r scoreRange, ok bool) {
	var ok1, ok2 bool
	r.min, r.minex, ok1 = parseRangeBound(minb)
	r.max, r.maxex, ok2 = parseRangeBound(maxb)
	return r, ok1 && ok2
}

func (r scoreRange) empty() bool {
	return r.min > r.max || (r.min == r.max && (r.minex || r.maxex))
}

func (r scoreRange) gteMin(_ []byte, s float64) bool {
	if r.minex {
		return s > r.min
	}
	return s >= r.min
}

func (r scoreRange) lteMax(_ []byte, s float64) bool {
	if r.maxex {
		return s < r.max
	}
	return s <= r.max
}

// lexBound is one end of a ZRANGEBYLEX interval: "-" (inf = -1), "+"
// (inf = 1) or a string, inclusive or exclusive.
type lexBound struct {
	inf int
	s   []byte
	ex  bool
}

type lexRange struct{ min, max lexBound }

func parseLexBound(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '+':
		return lexBound{inf: 1, ex: true}, len(b) == 1
	case '-':
		return lexBound{inf: -1, ex: true}, len(b) == 1
	case '(':
		return lexBound{s: b[1:], ex: true}, true
	case '[':
		return lexBound{s: b[1:]}, true
	}
	return lexBound{}, false
}

func parseLexRange(minb, maxb []byte) (r lexRange, ok bool) {
	var ok1, ok2 bool
	r.min, ok1 = parseLexBound(minb)
	r.max, ok2 = parseLexBound(maxb)
	return r, ok1 && ok2
}

// cmpLex compares bounds as Redis's sdscmplex does, with "-" below and "+"
// above every string (and equal to themselves).
func cmpLex(a, b lexBound) int {
	if a.inf != 0 || b.inf != 0 {
		switch {
		case a.inf == b.inf:
			return 0
		case a.inf == -1 || b.inf == 1:
			return -1
		default:
			return 1
		}
	}
	return strings.Compare(string(a.s), string(b.s))
}

func (r lexRange) empty() bool {
	c := cmpLex(r.min, r.max)
	return c > 0 || (c == 0 && (r.min.ex || r.max.ex))
}

func (r lexRange) gteMin(m []byte, _ float64) bool {
	c := cmpLex(lexBound{s: m}, r.min)
	if r.min.ex {
		return c > 0
	}
	return c >= 0
}

func (r lexRange) lteMax(m []byte, _ float64) bool {
	c := cmpLex(lexBound{s: m}, r.max)
	if r.max.ex {
		return c < 0
	}
	return c <= 0
}
