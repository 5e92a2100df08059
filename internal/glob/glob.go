// Package glob implements Redis's glob-style pattern matching, the
// semantics of stringmatchlen in Redis 7.0, as used by KEYS, SCAN MATCH,
// CONFIG GET, PSUBSCRIBE and PUBSUB CHANNELS.
//
// Supported syntax:
//
//   - any run of bytes
//     ?        exactly one byte
//     [abc]    one byte from the set; [^abc] one byte not in the set
//     [a-z]    a byte range; reversed ranges such as [z-a] are accepted
//     \x       the byte x literally, outside or inside brackets
//
// Redis's quirks are kept on purpose, because clients can observe them:
//
//   - "*" does not match the empty string (an empty subject never reaches the
//     star). KEYS and SCAN special-case the pattern "*" before calling the
//     matcher; callers that want the same must do so too.
//   - An unterminated "[" set runs to the end of the pattern; "[" alone
//     matches nothing and "[^" matches any single byte.
//   - Range bounds compare as signed chars (as in C on x86), so bytes >= 0x80
//     sort before ASCII inside ranges: "[a-\xff]" matches '0' but not 'b'.
//   - With nocase, only ASCII letters fold, and an escaped byte inside
//     brackets is compared case-sensitively.
//   - A pattern whose subject match would need more than maxNesting nested
//     stars fails, as Redis's recursion guard makes it fail.
//
// Matching runs in O(len(pattern) * len(s)) time: Redis 7.0 stops retrying
// an outer star once an inner star has scanned to the end of the subject
// without success ("skip longer matches"). That rule means only the most
// recent star can ever be resumed, so the matcher keeps a single backtrack
// point instead of recursing, which gives the same answers without the
// stack depth.
package glob

// maxNesting mirrors Redis's guard against abusive patterns: the matcher
// recursion for the pattern after a star is entered with a nesting level
// equal to the number of star groups before it, and a level above 1000
// fails.
const maxNesting = 1000

// Match reports whether s matches the glob pattern. With nocase, ASCII
// letters compare case-insensitively.
func Match(pattern, s []byte, nocase bool) bool {
	return match(pattern, s, nocase)
}

// MatchString is Match for strings; it does not allocate.
func MatchString(pattern, s string, nocase bool) bool {
	return match(pattern, s, nocase)
}

// outcome is the result of one linear scan of the pattern.
type outcome int

const (
	matched outcome = iota
	failed
	atStar // stopped at a star group that is not the end of the pattern
)

func match[T string | []byte](p, s T, nocase bool) bool {
	pi, si := 0, 0
	// The backtrack point: the pattern index just after the latest star
	// group and the subject index that star currently swallows up to.
	backP, backS := -1, 0
	stars := 0
	for {
		var r outcome
		r, pi, si = scan(p, s, pi, si, nocase)
		switch r {
		case matched:
			return true
		case atStar:
			stars++
			if pi == len(p)-1 {
				return true // a trailing star swallows the rest
			}
			if stars > maxNesting || si == len(s) {
				return false
			}
			backP, backS = pi+1, si
		case failed:
			if backP < 0 {
				return false
			}
			backS++
			if backS == len(s) {
				// The latest star tried every suffix; by Redis's
				// skip-longer-matches rule no earlier star can do better.
				return false
			}
		}
		pi, si = backP, backS
	}
}

// scan matches p[pi:] against s[si:] without backtracking. It stops at the
// end of either input, at a mismatch, or at a star group, returning the
// index of the group's last star.
func scan[T string | []byte](p, s T, pi, si int, nocase bool) (outcome, int, int) {
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			for pi+1 < len(p) && p[pi+1] == '*' {
				pi++
			}
			return atStar, pi, si
		case '?':
			si++
		case '[':
			var ok bool
			ok, pi = matchSet(p, pi, s[si], nocase)
			if !ok {
				return failed, pi, si
			}
			si++
		default:
			if p[pi] == '\\' && pi+1 < len(p) {
				pi++
			}
			if !sameByte(p[pi], s[si], nocase) {
				return failed, pi, si
			}
			si++
		}
		pi++
		if si == len(s) {
			// Trailing stars match the empty rest of the subject.
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			break
		}
	}
	if pi == len(p) && si == len(s) {
		return matched, pi, si
	}
	return failed, pi, si
}

// matchSet matches the byte c against the bracket set starting at p[open]
// == '['. It returns whether c is accepted and the index of the set's
// closing ']' (or of the last pattern byte when the set is unterminated).
func matchSet[T string | []byte](p T, open int, c byte, nocase bool) (bool, int) {
	// at returns the pattern byte at i, or 0 past the end, as Redis reads
	// the NUL terminator of its pattern string there.
	at := func(i int) byte {
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	pi := open + 1
	negate := at(pi) == '^'
	if negate {
		pi++
	}
	found := false
	for {
		rest := len(p) - pi
		switch {
		case at(pi) == '\\' && rest >= 2:
			pi++
			if p[pi] == c {
				found = true
			}
		case at(pi) == ']':
			return found != negate, pi
		case rest == 0:
			return found != negate, pi - 1
		case rest >= 3 && p[pi+1] == '-':
			if inRange(p[pi], p[pi+2], c, nocase) {
				found = true
			}
			pi += 2
		default:
			if sameByte(p[pi], c, nocase) {
				found = true
			}
		}
		pi++
	}
}

// inRange reports whether c lies between the range bounds lo and hi in
// either order. Bytes compare as signed chars, as Redis's C code does.
func inRange(lo, hi, c byte, nocase bool) bool {
	a, b, x := int(int8(lo)), int(int8(hi)), int(int8(c))
	if a > b {
		a, b = b, a
	}
	if nocase {
		a, b, x = lower(a), lower(b), lower(x)
	}
	return x >= a && x <= b
}

func sameByte(a, b byte, nocase bool) bool {
	if a == b {
		return true
	}
	return nocase && lower(int(a)) == lower(int(b))
}

// lower folds ASCII upper-case letters only, like tolower in the C locale.
func lower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
