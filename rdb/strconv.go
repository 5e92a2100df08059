package rdb

import (
	"math"
	"strconv"
)

// parseCanonicalInt parses b as a base-10 int64 only when formatting the
// result gives back exactly b: no sign on positives, no leading zeros, no
// "-0", no spaces. This is the test Redis applies (string2ll) before it
// stores a string as an integer, and it guarantees that decoding the
// integer reproduces the original bytes.
func parseCanonicalInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] == '0' {
		return 0, n == 1 // "0" only; "-0" and "01" are not canonical
	}
	var u uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// formatScore formats a sorted-set score the way Redis 7.0 stores it in a
// listpack (d2string): integral values in (-2^52, 2^52) without a decimal
// point, infinities as "inf"/"-inf", negative zero as "-0", everything else
// with 17 significant digits (%.17g), which reads back to the same double.
func formatScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// parseScore parses a score stored as text (listpack, ziplist, zset type 3).
func parseScore(b []byte) (float64, bool) {
	if v, ok := parseCanonicalInt(b); ok {
		return float64(v), true
	}
	switch string(b) {
	case "inf", "+inf":
		return math.Inf(1), true
	case "-inf":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
