package store

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

type zm struct {
	m string
	s float64
}

func sortedModel(model map[string]float64) []zm {
	out := make([]zm, 0, len(model))
	for m, s := range model {
		out = append(out, zm{m, s})
	}
	sort.Slice(out, func(i, j int) bool { return zLess(out[i].s, out[i].m, out[j].s, out[j].m) })
	return out
}

func TestZSetModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lim := ZSetLimits{
			MaxListpackEntries: rapid.SampledFrom([]int{0, 4, 128}).Draw(t, "entries"),
			MaxListpackValue:   rapid.SampledFrom([]int{3, 64}).Draw(t, "value"),
		}
		z := NewZSet(lim, 0)
		model := map[string]float64{}
		nMembers := rapid.IntRange(1, 400).Draw(t, "members")
		member := rapid.Custom(func(t *rapid.T) string {
			return "m" + strconv.Itoa(rapid.IntRange(0, nMembers).Draw(t, "k"))
		})
		score := rapid.Custom(func(t *rapid.T) float64 {
			switch rapid.IntRange(0, 10).Draw(t, "sk") {
			case 0:
				return math.Inf(1)
			case 1:
				return math.Inf(-1)
			case 2:
				return rapid.Float64().Draw(t, "f")
			}
			return float64(rapid.IntRange(-5, 5).Draw(t, "i"))
		})
		wasBig := false
		for step := rapid.IntRange(1, 600).Draw(t, "steps"); step > 0; step-- {
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0, 1, 2:
				m, s := member.Draw(t, "m"), score.Draw(t, "s")
				_, had := model[m]
				if added := z.Add([]byte(m), s, lim); added == had {
					t.Fatalf("Add(%q) added=%v had=%v", m, added, had)
				}
				if z.Encoding() == "listpack" && s == 0 {
					s = 0 // the small form stores -0 as 0, as Redis's listpack
				}
				if old, ok := model[m]; ok && old == s {
					s = old
				}
				model[m] = s
			case 3:
				m := member.Draw(t, "m")
				_, had := model[m]
				if z.Remove([]byte(m)) != had {
					t.Fatalf("Remove(%q)", m)
				}
				delete(model, m)
			case 4:
				if z.Len() > 0 {
					a := rapid.IntRange(0, z.Len()-1).Draw(t, "a")
					b := rapid.IntRange(a, z.Len()-1).Draw(t, "b")
					sm := sortedModel(model)
					if n := z.DeleteRanks(a, b); n != b-a+1 {
						t.Fatalf("DeleteRanks %d", n)
					}
					for _, it := range sm[a : b+1] {
						delete(model, it.m)
					}
				}
			case 5:
				c := z.Clone().(*ZSet)
				if c.Encoding() != z.Encoding() || c.Len() != z.Len() {
					t.Fatalf("clone")
				}
				z = c
			}
			if wasBig && z.Encoding() != "skiplist" {
				t.Fatalf("converted back")
			}
			wasBig = z.Encoding() == "skiplist"
			// check against the model
			sm := sortedModel(model)
			if z.Len() != len(sm) {
				t.Fatalf("len %d want %d", z.Len(), len(sm))
			}
			i := 0
			z.Each(func(m []byte, s float64) bool {
				if string(m) != sm[i].m || s != sm[i].s {
					t.Fatalf("rank %d: %q %v want %q %v", i, m, s, sm[i].m, sm[i].s)
				}
				i++
				return true
			})
			if len(sm) == 0 {
				continue
			}
			r := rapid.IntRange(0, len(sm)-1).Draw(t, "r")
			if got, ok := z.Rank([]byte(sm[r].m)); !ok || got != r {
				t.Fatalf("Rank(%q)=%d want %d", sm[r].m, got, r)
			}
			if s, ok := z.Score([]byte(sm[r].m)); !ok || s != sm[r].s {
				t.Fatalf("Score")
			}
			if m, _ := z.At(r); string(m) != sm[r].m {
				t.Fatalf("At(%d)=%q", r, m)
			}
			min := sm[r].s
			first := sort.Search(len(sm), func(i int) bool { return sm[i].s >= min })
			if got := z.FirstWhere(func(_ []byte, s float64) bool { return s >= min }); got != first {
				t.Fatalf("FirstWhere(>=%v)=%d want %d", min, got, first)
			}
			last := sort.Search(len(sm), func(i int) bool { return sm[i].s > min }) - 1
			if got := z.LastWhere(func(_ []byte, s float64) bool { return s <= min }); got != last {
				t.Fatalf("LastWhere(<=%v)=%d want %d", min, got, last)
			}
			var rev []string
			z.Range(r, true, func(_ int, m []byte, _ float64) bool { rev = append(rev, string(m)); return true })
			if len(rev) != r+1 || rev[r] != sm[0].m {
				t.Fatalf("reverse range")
			}
		}
	})
}

// TestZSetScanGuaranteeWithScoreChanges: members present for the whole scan
// are returned at least once even when every score changes and the table
// grows and shrinks between calls.
func TestZSetScanGuaranteeWithScoreChanges(t *testing.T) {
	lim := ZSetLimits{MaxListpackEntries: 128, MaxListpackValue: 64}
	z := NewZSet(lim, 0)
	for i := 0; i < 1000; i++ {
		z.Add([]byte(fmt.Sprintf("stable%d", i)), float64(i), lim)
	}
	seen := map[string]bool{}
	var cursor uint64
	for round := 0; ; round++ {
		cursor = z.Scan(cursor, func(m []byte, _ float64) { seen[string(m)] = true })
		// Move every stable member to the other end of the order.
		for i := 0; i < 1000; i++ {
			z.Add([]byte(fmt.Sprintf("stable%d", i)), float64(-i-round*1000), lim)
		}
		switch {
		case round < 10:
			for j := 0; j < 300; j++ {
				z.Add([]byte(fmt.Sprintf("tmp%d-%d", round, j)), 0, lim)
			}
		case round < 20:
			for j := 0; j < 300; j++ {
				z.Remove([]byte(fmt.Sprintf("tmp%d-%d", round-10, j)))
			}
		}
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 1000; i++ {
		if k := fmt.Sprintf("stable%d", i); !seen[k] {
			t.Fatalf("%s was in the set for the whole scan but never returned", k)
		}
	}
}
