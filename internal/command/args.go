package command

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/kevy-db/kevy/internal/store"
)

// Argument parsing with Redis's rules and error texts.

// lookupKind finds key, counting a hit or miss unless write (Redis's
// lookupKeyRead and lookupKeyWrite), and checks that it holds kind, whose
// value type is T. ok is false when a WRONGTYPE error was written; e is nil
// for a missing key. The typed lookups of every collection family use it.
func lookupKind[T any](c *Ctx, key []byte, write bool, kind store.Kind) (e *store.Entry, v T, ok bool) {
	if write {
		e = c.DB.LookupNoStats(key)
	} else {
		e = c.DB.Lookup(key)
	}
	if e == nil {
		return nil, v, true
	}
	if e.Kind() != kind {
		c.Err(ErrWrongType)
		return nil, v, false
	}
	return e, e.Obj().(T), true
}

func parseInt(b []byte) (int64, bool) { return store.ParseInt(b) }

// intArgs parses two integer arguments (a range's start and end, say),
// writing Redis's error for the first bad one.
func (c *Ctx) intArgs(a, b []byte) (x, y int64, ok bool) {
	if x, ok = c.intArg(a); !ok {
		return 0, 0, false
	}
	y, ok = c.intArg(b)
	return x, y, ok
}

// intArg parses an integer argument or writes Redis's error.
func (c *Ctx) intArg(b []byte) (int64, bool) {
	v, ok := store.ParseInt(b)
	if !ok {
		c.Err(ErrNotInt)
	}
	return v, ok
}

// parseFloat parses a double as Redis's getDoubleFromObject does (strtod
// over the whole argument: hex and subnormals accepted, no leading space,
// NaN and overflow refused); parseScore holds the strtod emulation.
func parseFloat(b []byte) (float64, bool) { return parseScore(b) }

// parseLongDouble parses like Redis's string2ld (strtold): INCRBYFLOAT works
// in 80-bit long double, whose 64-bit mantissa big.Float reproduces exactly,
// so results are formatted digit for digit as Redis formats them.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || isSpace(b[0]) || strings.ContainsRune(string(b), '_') {
		return nil, false
	}
	s := strings.ToLower(string(b))
	switch strings.TrimPrefix(s, "+") {
	case "inf", "infinity":
		return new(big.Float).SetInf(false), true
	case "-inf", "-infinity":
		return new(big.Float).SetInf(true), true
	}
	if strings.Contains(s, "nan") {
		return nil, false
	}
	f, _, err := big.ParseFloat(string(b), 0, 64, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	return f, true
}

// formatLongDouble formats as Redis's ld2string in human mode: "%.17Lf" with
// trailing zeros (and a trailing dot) removed.
func formatLongDouble(f *big.Float) string {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// is reports whether arg equals the lower-case word w, ignoring case.
func is(arg []byte, w string) bool {
	if len(arg) != len(w) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// clone copies an argument the store will keep (arguments alias the
// connection's read buffer).
func clone(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

func itob(v int64) []byte { return strconv.AppendInt(nil, v, 10) }

// rankWindow sanitises an index range (LRANGE, LTRIM, ZRANGE by rank …)
// as Redis does and returns the first
// rank (from the range's start side) and the count.
func rankWindow(n int, start, end int64) (int, int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= ln {
		return 0, 0
	}
	if end >= ln {
		end = ln - 1
	}
	return int(start), int(end - start + 1)
}

// removeMembers deletes members from the collection held by e (HDEL, SREM,
// ZREM) and replies with how many it removed. The entry is marked as
// modified before the first change — a running snapshot must copy the old
// value first — and the key is deleted once the collection is empty, as
// Redis does.
func (c *Ctx) removeMembers(e *store.Entry, members [][]byte, has func([]byte) bool, remove func([]byte) bool, size func() int) {
	var n int64
	for _, m := range members {
		if !has(m) {
			continue
		}
		if n == 0 {
			c.DB.Touched(e)
		}
		remove(m)
		n++
		if size() == 0 {
			c.DB.Remove(e)
			break
		}
	}
	c.Dirty(n)
	c.W.Int(n)
}
