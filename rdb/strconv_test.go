package rdb

import (
	"math"
	"strconv"
	"testing"
)

func TestParseCanonicalInt(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "9223372036854775807", "-9223372036854775808", "123456"} {
		v, ok := parseCanonicalInt([]byte(s))
		if !ok || strconv.FormatInt(v, 10) != s {
			t.Errorf("%q: %d %v", s, v, ok)
		}
	}
	for _, s := range []string{"", "-", "-0", "00", "01", "+1", " 1", "1 ", "9223372036854775808",
		"-9223372036854775809", "99999999999999999999", "1.0", "1e3", "0x10"} {
		if v, ok := parseCanonicalInt([]byte(s)); ok {
			t.Errorf("%q accepted as %d", s, v)
		}
	}
}

// TestFormatScore pins Redis's d2string output (checked byte for byte
// against Redis DUMP payloads in TestDumpBytesMatchRedis).
func TestFormatScore(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0", 1: "1", -3: "-3", 1.5: "1.5", 0.1: "0.10000000000000001",
		1e20: "1e+20", 4503599627370495: "4503599627370495", 4503599627370496: "4503599627370496",
		1e16: "10000000000000000", math.Inf(1): "inf", math.Inf(-1): "-inf", math.Copysign(0, -1): "-0",
		1.0 / 3: "0.33333333333333331", 1e-5: "1.0000000000000001e-05",
	} {
		got := string(formatScore(nil, f))
		if got != want {
			t.Errorf("%v: got %q, want %q", f, got, want)
		}
		back, ok := parseScore([]byte(got))
		if !ok || back != f || math.Signbit(back) != math.Signbit(f) {
			t.Errorf("%q parses back as %v", got, back)
		}
	}
	for _, bad := range []string{"nan", "", "abc", "1e999"} {
		if _, ok := parseScore([]byte(bad)); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
