package glob

import "testing"

// FuzzMatch checks the matcher against the memoized reference model and
// that the byte and string entry points agree.
func FuzzMatch(f *testing.F) {
	seeds := []struct {
		pattern, s string
		nocase     bool
	}{
		{"*", "abc", false},
		{"a*b*c", "aXbYc", false},
		{"[^a-c]?", "dz", false},
		{"[z-a\\]]*", "]x", true},
		{"\\*[", "*[", false},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa", false},
		{"[a-\xff]", "\x80", false},
		{"H*[^", "hello", true},
	}
	for _, sd := range seeds {
		f.Add(sd.pattern, sd.s, sd.nocase)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, nocase bool) {
		// The reference is quadratic in memory; keep inputs modest. The
		// nesting guard cannot trigger below 1000 stars.
		if len(pattern) > 256 || len(s) > 256 {
			return
		}
		got := MatchString(pattern, s, nocase)
		if b := Match([]byte(pattern), []byte(s), nocase); b != got {
			t.Fatalf("Match and MatchString disagree on (%q, %q, %v)", pattern, s, nocase)
		}
		if want := reference(pattern, s, nocase); got != want {
			t.Fatalf("MatchString(%q, %q, %v) = %v, reference says %v", pattern, s, nocase, got, want)
		}
	})
}
