package glob

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"", "", false, true},
		{"", "a", false, false},
		{"a", "", false, false},
		{"*", "", false, false}, // Redis quirk: callers special-case "*"
		{"**", "", false, false},
		{"*", "anything", false, true},
		{"**", "x", false, true},
		{"a*", "a", false, true},
		{"a**", "a", false, true},
		{"a*b", "ab", false, true},
		{"a*b", "axxb", false, true},
		{"a*b", "axxbc", false, false},
		{"*b", "abcb", false, true},
		{"*bc*", "abcd", false, true},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"?", "", false, false},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true}, // reversed range
		{"h[a-b]llo", "hcllo", false, false},
		{"[", "[", false, false},
		{"[", "", false, false},
		{"[^", "x", false, true},
		{"[^", "", false, false},
		{"[a", "a", false, true},
		{"[a-", "a", false, true},
		{"[a-", "-", false, true},
		{"[a-]", "]", false, true}, // "a-]" is a range up to ']'
		{"[]]", "]", false, false},
		{"[\\]]", "]", false, true},
		{"[\\", "\\", false, true},
		{"\\*", "*", false, true},
		{"\\*", "a", false, false},
		{"\\", "\\", false, true},
		{"a\\", "a\\", false, true},
		{"\\?", "?", false, true},
		{"\\[a]", "[a]", false, true},
		{"[a-\xff]", "0", false, true}, // signed char ordering
		{"[a-\xff]", "\xff", false, true},
		{"[a-\xff]", "\x80", false, false},
		{"[a-\xff]", "b", false, false},
		{"HELLO", "hello", false, false},
		{"HELLO", "hello", true, true},
		{"h[A-C]llo", "hbllo", true, true},
		{"h[a-c]llo", "hBllo", true, true},
		{"h[B]llo", "hbllo", true, true},
		{"h[\\B]llo", "hbllo", true, false}, // escaped bytes ignore nocase
		{"h[^B]llo", "hbllo", true, false},
		{"*Max*", "maxmemory", true, true},
		{"a\x00b", "a\x00b", false, true},
		{"a?b", "a\x00b", false, true},
	}
	for _, tt := range tests {
		if got := MatchString(tt.pattern, tt.s, tt.nocase); got != tt.want {
			t.Errorf("MatchString(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.want)
		}
		if got := Match([]byte(tt.pattern), []byte(tt.s), tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.pattern, tt.s, tt.nocase, got, tt.want)
		}
		if got := reference(tt.pattern, tt.s, tt.nocase); got != tt.want {
			t.Errorf("reference(%q, %q, %v) = %v, want %v (test table or reference is wrong)", tt.pattern, tt.s, tt.nocase, got, tt.want)
		}
	}
}

// TestPathological checks that patterns that make naive backtracking
// exponential finish; an exponential matcher would hang here until the test
// binary's timeout.
func TestPathological(t *testing.T) {
	subject := strings.Repeat("a", 10000)
	for _, pattern := range []string{
		strings.Repeat("a*", 40) + "b",
		strings.Repeat("*a", 40) + "*b",
		strings.Repeat("*?", 40) + "b",
		strings.Repeat("*[a-z]", 40) + "b",
	} {
		if MatchString(pattern, subject, false) {
			t.Errorf("%q matched a subject without b", pattern)
		}
	}
}

// TestNestingLimit checks Redis 7.0's recursion guard: a match that needs a
// star group beyond the 1000th (other than a trailing one) fails.
func TestNestingLimit(t *testing.T) {
	subject := strings.Repeat("a", 3000)
	tests := []struct {
		pattern string
		want    bool
	}{
		{strings.Repeat("a*", 1001), true},
		{strings.Repeat("a*", 1002), false},
		{strings.Repeat("*a", 1000), true},
		{strings.Repeat("*a", 1001), false},
	}
	for _, tt := range tests {
		if got := MatchString(tt.pattern, subject, false); got != tt.want {
			t.Errorf("pattern of %d bytes starting %q: got %v, want %v", len(tt.pattern), tt.pattern[:4], got, tt.want)
		}
	}
}

func TestMatchStringDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		MatchString("user:*:[a-z]?", "user:1234:x1", false)
	})
	if allocs != 0 {
		t.Errorf("MatchString allocated %v times per call", allocs)
	}
}

// reference is a direct model of Redis's recursive matcher without the
// skip-longer-matches shortcut and without the nesting guard, memoized on
// (pattern index, subject index) so it stays polynomial. It exists to check
// that the single-backtrack-point matcher gives the same answers.
func reference(p, s string, nocase bool) bool {
	memo := make(map[[2]int]bool)
	var rec func(pi, si int) bool
	rec = func(pi, si int) bool {
		key := [2]int{pi, si}
		if v, ok := memo[key]; ok {
			return v
		}
		v := func() bool {
			for pi < len(p) && si < len(s) {
				switch p[pi] {
				case '*':
					for pi+1 < len(p) && p[pi+1] == '*' {
						pi++
					}
					if pi == len(p)-1 {
						return true
					}
					for ; si < len(s); si++ {
						if rec(pi+1, si) {
							return true
						}
					}
					return false
				case '?':
					si++
				case '[':
					var ok bool
					ok, pi = matchSet(p, pi, s[si], nocase)
					if !ok {
						return false
					}
					si++
				default:
					if p[pi] == '\\' && pi+1 < len(p) {
						pi++
					}
					if !sameByte(p[pi], s[si], nocase) {
						return false
					}
					si++
				}
				pi++
				if si == len(s) {
					for pi < len(p) && p[pi] == '*' {
						pi++
					}
					break
				}
			}
			return pi == len(p) && si == len(s)
		}()
		memo[key] = v
		return v
	}
	return rec(0, 0)
}
