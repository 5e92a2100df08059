package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

func setContents(s *Set) []string {
	var out []string
	s.Each(func(m []byte) bool { out = append(out, string(m)); return true })
	sort.Strings(out)
	return out
}

func modelContents(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestSetModel runs random operations against a Set and a Go map and checks
// they agree, including on when the encoding changes.
func TestSetModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		maxIntset := rapid.IntRange(0, 12).Draw(rt, "maxIntset")
		member := rapid.OneOf(
			rapid.Map(rapid.Int64Range(-40000, 40000), func(v int64) string { return strconv.FormatInt(v, 10) }),
			rapid.Map(rapid.SampledFrom([]int64{math.MinInt64, math.MaxInt64, math.MinInt32 - 1, math.MaxInt32 + 1, 0}),
				func(v int64) string { return strconv.FormatInt(v, 10) }),
			rapid.SampledFrom([]string{"a", "b", "-0", "+1", "01", "", " 1"}),
		)
		first := member.Draw(rt, "first")
		s := NewSetFor([]byte(first))
		_, isInt := ParseInt([]byte(first))
		converted := !isInt
		model := map[string]bool{}
		var snap *Set
		var snapModel []string
		for i := rapid.IntRange(0, 150).Draw(rt, "n"); i > 0; i-- {
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0, 1:
				m := member.Draw(rt, "m")
				if _, ok := ParseInt([]byte(m)); !ok {
					converted = true
				}
				if s.Add([]byte(m), maxIntset) == model[m] {
					rt.Fatalf("Add(%q) result wrong", m)
				}
				model[m] = true
				if len(model) > maxIntset {
					converted = true
				}
			case 2:
				m := member.Draw(rt, "m")
				if s.Remove([]byte(m)) != model[m] {
					rt.Fatalf("Remove(%q) result wrong", m)
				}
				delete(model, m)
			case 3:
				m := member.Draw(rt, "m")
				if s.Has([]byte(m)) != model[m] {
					rt.Fatalf("Has(%q) wrong", m)
				}
			case 4:
				snap = s.Clone().(*Set)
				snapModel = modelContents(model)
			}
			if s.Len() != len(model) {
				rt.Fatalf("Len %d, model %d", s.Len(), len(model))
			}
			want := "intset"
			if converted {
				want = "hashtable"
			}
			if s.Encoding() != want {
				rt.Fatalf("encoding %s, want %s", s.Encoding(), want)
			}
			if s.Len() > 0 {
				if r := s.Random(rand.New(rand.NewPCG(2, uint64(i)))); !model[string(r)] {
					rt.Fatalf("Random gave %q, not a member", r)
				}
			}
		}
		if got, want := setContents(s), modelContents(model); fmt.Sprint(got) != fmt.Sprint(want) {
			rt.Fatalf("contents %v, want %v", got, want)
		}
		if snap != nil && fmt.Sprint(setContents(snap)) != fmt.Sprint(snapModel) {
			rt.Fatalf("clone changed with the original")
		}
		if s.IsIntset() {
			// An intset iterates in ascending numeric order.
			var prev int64 = math.MinInt64
			first := true
			s.Each(func(m []byte) bool {
				v, _ := ParseInt(m)
				if !first && v <= prev {
					rt.Fatalf("intset not sorted at %d", v)
				}
				prev, first = v, false
				return true
			})
		}
	})
}

func TestIntsetWidths(t *testing.T) {
	s := NewSet()
	for _, v := range []int64{5, -3, 40000, -5000000000, 7} {
		s.Add([]byte(strconv.FormatInt(v, 10)), 512)
	}
	if s.w != 8 || s.Len() != 5 {
		t.Fatalf("width %d len %d", s.w, s.Len())
	}
	if got := fmt.Sprint(func() []string {
		var o []string
		s.Each(func(m []byte) bool { o = append(o, string(m)); return true })
		return o
	}()); got != "[-5000000000 -3 5 7 40000]" {
		t.Fatal(got)
	}
}

// TestSetScanGuarantee: members present for the whole iteration are returned
// even while the table grows or shrinks between calls.
func TestSetScanGuarantee(t *testing.T) {
	for _, grow := range []bool{true, false} {
		s := NewSetFor([]byte("x"))
		stable := map[string]bool{}
		for i := 0; i < 300; i++ {
			m := fmt.Sprintf("s%d", i)
			s.Add([]byte(m), 512)
			stable[m] = true
		}
		var extra []string
		if !grow {
			for i := 0; i < 8000; i++ {
				m := fmt.Sprintf("e%d", i)
				s.Add([]byte(m), 512)
				extra = append(extra, m)
			}
		}
		n := 0
		seen := scanAll(func(cur uint64, fn func(string)) uint64 {
			return s.Scan(cur, func(m []byte) { fn(string(m)) })
		}, func(step int) {
			if step > 60 {
				return
			}
			if grow {
				for i := 0; i < 60; i++ {
					s.Add([]byte(fmt.Sprintf("n%d", n)), 512)
					n++
				}
				return
			}
			for i := 0; i < 200 && len(extra) > 0; i++ {
				s.Remove([]byte(extra[len(extra)-1]))
				extra = extra[:len(extra)-1]
			}
		})
		for m := range stable {
			if !seen[m] {
				t.Fatalf("grow=%v: member %s present throughout was never returned", grow, m)
			}
		}
	}
}

// TestSetScanRapid: random interleavings of adds and removes during a scan
// never lose a member that stays in the set.
func TestSetScanRapid(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := NewSetFor([]byte("x"))
		base := rapid.IntRange(1, 300).Draw(rt, "base")
		for i := 0; i < base; i++ {
			s.Add([]byte(fmt.Sprintf("k%d", i)), 512)
		}
		seen := map[string]bool{}
		cur := uint64(0)
		next, steps := base, 0
		for {
			cur = s.Scan(cur, func(m []byte) { seen[string(m)] = true })
			if cur == 0 {
				break
			}
			delta := 0
			if steps++; steps < 50 {
				delta = rapid.IntRange(-200, 200).Draw(rt, "delta")
			}
			for ; delta > 0; delta-- {
				s.Add([]byte(fmt.Sprintf("k%d", next)), 512)
				next++
			}
			for ; delta < 0; delta++ {
				// Only members added during the scan are removed.
				if next > base {
					next--
					s.Remove([]byte(fmt.Sprintf("k%d", next)))
				}
			}
		}
		for i := 0; i < base; i++ {
			if !seen[fmt.Sprintf("k%d", i)] {
				rt.Fatalf("k%d missed", i)
			}
		}
	})
}
