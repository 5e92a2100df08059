package command

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/kevy-db/kevy/internal/glob"
)

// Helpers shared by the hash and set families.

// Errors of the hash and set families, verbatim from Redis 7.0.
const (
	ErrHashNotInt       = "ERR hash value is not an integer"
	ErrHashNotFloat     = "ERR hash value is not a float"
	ErrIncrIsNaN        = "ERR value is NaN or Infinity"
	ErrOutOfRange       = "ERR value is out of range"
	ErrCountRange       = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	ErrInvalidCursor    = "ERR invalid cursor"
	ErrNumKeysPositive  = "ERR numkeys should be greater than 0"
	ErrNumKeysTooMany   = "ERR Number of keys can't be greater than number of args"
	ErrLimitNonNegative = "ERR LIMIT can't be negative"
)

// parseCollCursor parses an HSCAN/SSCAN cursor exactly as Redis 7.0's
// parseScanCursorOrReply does with strtoul: no leading space, an optional
// sign (a '-' negates modulo 2^64, so "-1" is the largest cursor), decimal
// digits, nothing after them, no overflow. The empty string is cursor 0.
func (c *Ctx) parseCollCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	if isSpace(b[0]) {
		c.Err(ErrInvalidCursor)
		return 0, false
	}
	neg := false
	s := b
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		c.Err(ErrInvalidCursor)
		return 0, false
	}
	v, err := strconv.ParseUint(string(s), 10, 64)
	if err != nil {
		c.Err(ErrInvalidCursor)
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// randCountArg parses the count of HRANDFIELD and SRANDMEMBER (a long in
// [-LONG_MAX, LONG_MAX]).
func (c *Ctx) randCountArg(b []byte) (int64, bool) {
	v, ok := c.intArg(b)
	if !ok {
		return 0, false
	}
	if v == math.MinInt64 {
		c.Err(ErrCountRange)
		return 0, false
	}
	return v, true
}

// writeScanReply writes [cursor, [elements…]].
func (c *Ctx) writeScanReply(cursor uint64, elems [][]byte) {
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(nil, cursor, 10))
	c.W.Array(len(elems))
	for _, e := range elems {
		c.W.Bulk(e)
	}
}

var emptyScanReply = []byte("*2\r\n$1\r\n0\r\n*0\r\n")

func scanMatch(o scanOpts, b []byte) bool {
	return o.match == nil || glob.Match(o.match, b, false)
}

// shufflePrefix moves k random elements of xs to its front, in random
// order, and returns them (a partial Fisher-Yates shuffle).
func shufflePrefix[T any](r *rand.Rand, xs []T, k int) []T {
	for i := 0; i < k; i++ {
		j := i + r.IntN(len(xs)-i)
		xs[i], xs[j] = xs[j], xs[i]
	}
	return xs[:k]
}
