package command

import (
	"bytes"
	"math"
	"math/big"

	"github.com/kevy-db/kevy/internal/store"
)

// cString is b as C string functions see it: up to the first NUL byte.
// Redis scans SORT's patterns with strchr/strstr and compares ALPHA
// elements with strcoll, all of which stop there.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// sortLookup resolves a BY or GET pattern for one element, as Redis's SORT
// does: "#" is the element itself; otherwise the first '*' is replaced by
// the element and the resulting key must hold a string, or, when the
// pattern goes on with "->field" after the '*', a hash with that field. A
// pattern without '*' finds nothing. found is false when there is no value.
func (c *Ctx) sortLookup(pat, elem []byte) (val []byte, found bool) {
	if len(pat) > 0 && pat[0] == '#' && (len(pat) == 1 || pat[1] == 0) {
		return elem, true
	}
	cs := cString(pat)
	star := bytes.IndexByte(cs, '*')
	if star < 0 {
		return nil, false
	}
	keyEnd := len(pat)
	var field []byte
	if f := bytes.Index(cs[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(cs) {
		keyEnd = star + 1 + f
		field = pat[keyEnd+2:]
	}
	key := make([]byte, 0, keyEnd-1+len(elem))
	key = append(key, pat[:star]...)
	key = append(key, elem...)
	key = append(key, pat[star+1:keyEnd]...)
	e := c.DB.Lookup(key)
	if e == nil {
		return nil, false
	}
	if field != nil {
		if e.Kind() != store.KindHash {
			return nil, false
		}
		return e.Obj().(*store.Hash).Get(field)
	}
	if e.Kind() != store.KindString {
		return nil, false
	}
	return e.Str(), true
}

// sortScore parses a numeric SORT weight as Redis does, with strtod over the
// C string: leading white space, hexadecimal and "inf" are fine, an empty
// string is 0; trailing bytes, NaN and ERANGE (overflow, and any result
// below the smallest normal double that is not exact) are not.
func sortScore(b []byte) (float64, bool) {
	s := cString(b)
	v, n, erange := strtod(s)
	if n != len(s) || math.IsNaN(v) || erange {
		return 0, false
	}
	if v != 0 && math.Abs(v) < 0x1p-1022 && !exactTiny(s) {
		return 0, false
	}
	return v, true
}

// exactTiny reports whether a number strtod read as a subnormal double is
// exactly that double (glibc sets ERANGE only for inexact tiny results).
// Only hexadecimal input can be: a decimal fraction that equals a subnormal
// needs hundreds of digits, which this treats as inexact.
func exactTiny(s []byte) bool {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	t := s[i:]
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		t = t[1:]
	}
	if len(t) < 2 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X') {
		return false
	}
	f, _, err := big.ParseFloat(string(s[i:]), 0, uint(4*len(t)+64), big.ToNearestEven)
	if err != nil {
		return false
	}
	_, acc := f.Float64()
	return acc == big.Exact
}
