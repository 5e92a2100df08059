package glob

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestDifferentialKEYS prepares a keyspace of short keys over an alphabet
// rich in pattern syntax and high bytes, then checks that KEYS in
// redis-server and Match agree on a few thousand random patterns.
func TestDifferentialKEYS(t *testing.T) {
	rc := startRedis(t)
	const alphabet = "ab-^[]\\*?A\x80\xff0"
	seed := uint64(rand.Uint32())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	randString := func(max int) string {
		var b strings.Builder
		for n := rng.IntN(max + 1); n > 0; n-- {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}

	keys := map[string]bool{"": true, strings.Repeat("a", 3000): true}
	for len(keys) < 600 {
		keys[randString(4)] = true
	}
	args := []string{"MSET"}
	for k := range keys {
		args = append(args, k, "1")
	}
	if _, err := rc.Do(args...); err != nil {
		t.Fatalf("MSET: %v", err)
	}

	patterns := []string{
		strings.Repeat("a*", 1001), strings.Repeat("a*", 1002),
		strings.Repeat("*a", 1000), strings.Repeat("*a", 1001),
		"[", "[^", "[a-", "[a-]", "\\", "**", "?",
	}
	for range 2000 {
		patterns = append(patterns, randString(7))
	}
	for _, p := range patterns {
		reply, err := rc.Do("KEYS", p)
		if err != nil {
			t.Fatalf("KEYS %q: %v", p, err)
		}
		var got []string
		for _, k := range reply.([]any) {
			got = append(got, k.(string))
		}
		var want []string
		for k := range keys {
			// KEYS treats the lone "*" as "all keys" without matching.
			if p == "*" || MatchString(p, k, false) {
				want = append(want, k)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("KEYS %q: redis %q, glob %q", p, got, want)
		}
	}
}
