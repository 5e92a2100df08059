package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func hashContents(h *Hash) map[string]string {
	m := map[string]string{}
	h.Each(func(f, v []byte) bool {
		m[string(f)] = string(v)
		return true
	})
	return m
}

// TestHashModel runs random operations against a Hash and a Go map and
// checks they agree, including on when the encoding changes.
func TestHashModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		lim := HashLimits{
			MaxListpackEntries: rapid.IntRange(0, 10).Draw(rt, "maxEntries"),
			MaxListpackValue:   rapid.IntRange(0, 8).Draw(rt, "maxValue"),
		}
		h := NewHash()
		model := map[string]string{}
		converted := false
		field := rapid.StringMatching(`[a-d]{0,3}`)
		value := rapid.StringMatching(`[x-z0-9]{0,10}`)
		var snap *Hash
		var snapModel map[string]string
		for i := rapid.IntRange(0, 120).Draw(rt, "n"); i > 0; i-- {
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 0, 1:
				f, v := field.Draw(rt, "f"), value.Draw(rt, "v")
				_, existed := model[f]
				if len(f) > lim.MaxListpackValue || len(v) > lim.MaxListpackValue {
					converted = true
				}
				if created := h.Set([]byte(f), []byte(v), lim); created == existed {
					rt.Fatalf("Set(%q) created=%v, existed=%v", f, created, existed)
				}
				model[f] = v
				if len(model) > lim.MaxListpackEntries {
					converted = true
				}
			case 2:
				f := field.Draw(rt, "f")
				_, existed := model[f]
				if h.Delete([]byte(f)) != existed {
					rt.Fatalf("Delete(%q) != %v", f, existed)
				}
				delete(model, f)
			case 3:
				f := field.Draw(rt, "f")
				v, ok := h.Get([]byte(f))
				mv, mok := model[f]
				if ok != mok || string(v) != mv {
					rt.Fatalf("Get(%q) = %q,%v; want %q,%v", f, v, ok, mv, mok)
				}
			case 4:
				snap = h.Clone().(*Hash)
				snapModel = map[string]string{}
				for k, v := range model {
					snapModel[k] = v
				}
			case 5:
				if h.Len() > 0 {
					f, v := h.Random(rand.New(rand.NewPCG(1, uint64(i))))
					if model[string(f)] != string(v) {
						rt.Fatalf("Random gave %q=%q, not in model", f, v)
					}
				}
			}
			if h.Len() != len(model) {
				rt.Fatalf("Len %d, model %d", h.Len(), len(model))
			}
			want := "listpack"
			if converted {
				want = "hashtable"
			}
			if h.Encoding() != want {
				rt.Fatalf("encoding %s, want %s", h.Encoding(), want)
			}
		}
		if got := hashContents(h); fmt.Sprint(got) != fmt.Sprint(model) {
			rt.Fatalf("contents %v, model %v", got, model)
		}
		if snap != nil && fmt.Sprint(hashContents(snap)) != fmt.Sprint(snapModel) {
			rt.Fatalf("clone changed with the original: %v vs %v", hashContents(snap), snapModel)
		}
	})
}

// TestHashListpackOrder: the packed form keeps insertion order, as Redis's
// listpack does, and overwrites in place.
func TestHashListpackOrder(t *testing.T) {
	h := NewHash()
	for _, kv := range [][2]string{{"b", "1"}, {"a", "2"}, {"c", "3"}, {"a", "22"}, {"b", ""}} {
		h.Set([]byte(kv[0]), []byte(kv[1]), DefaultHashLimits)
	}
	h.Delete([]byte("a"))
	h.Set([]byte("a"), []byte("x"), DefaultHashLimits)
	var got []string
	h.Each(func(f, v []byte) bool { got = append(got, string(f)+"="+string(v)); return true })
	if s := strings.Join(got, ","); s != "b=,c=3,a=x" {
		t.Fatalf("order %s", s)
	}
	if h.Encoding() != "listpack" {
		t.Fatal(h.Encoding())
	}
}

// scanAll runs a full SCAN-style iteration, calling mutate between steps,
// and returns the set of elements seen.
func scanAll(scan func(cur uint64, fn func(string)) uint64, mutate func(step int)) map[string]bool {
	seen := map[string]bool{}
	cur := uint64(0)
	for step := 0; ; step++ {
		cur = scan(cur, func(s string) { seen[s] = true })
		if cur == 0 {
			return seen
		}
		mutate(step)
	}
}

// TestHashScanGuarantee: fields present for the whole iteration are returned
// even while the table grows several times or shrinks between calls.
func TestHashScanGuarantee(t *testing.T) {
	for _, mode := range []string{"grow", "shrink", "churn"} {
		t.Run(mode, func(t *testing.T) {
			h := NewHash()
			h.ConvertToTable()
			stable := map[string]bool{}
			for i := 0; i < 200; i++ {
				f := fmt.Sprintf("stable%d", i)
				h.Set([]byte(f), []byte("v"), DefaultHashLimits)
				stable[f] = true
			}
			var extra []string
			if mode != "grow" {
				for i := 0; i < 5000; i++ {
					f := fmt.Sprintf("extra%d", i)
					h.Set([]byte(f), []byte("v"), DefaultHashLimits)
					extra = append(extra, f)
				}
			}
			n := 0
			seen := scanAll(func(cur uint64, fn func(string)) uint64 {
				return h.Scan(cur, func(f, _ []byte) { fn(string(f)) })
			}, func(step int) {
				if step > 60 {
					return // let the iteration finish
				}
				switch mode {
				case "grow":
					for i := 0; i < 50; i++ {
						h.Set([]byte(fmt.Sprintf("new%d", n)), []byte("v"), DefaultHashLimits)
						n++
					}
				case "shrink":
					for i := 0; i < 100 && len(extra) > 0; i++ {
						h.Delete([]byte(extra[len(extra)-1]))
						extra = extra[:len(extra)-1]
					}
				case "churn":
					if step%2 == 0 {
						for i := 0; i < 300 && len(extra) > 0; i++ {
							h.Delete([]byte(extra[len(extra)-1]))
							extra = extra[:len(extra)-1]
						}
					} else {
						for i := 0; i < 400; i++ {
							h.Set([]byte(fmt.Sprintf("new%d", n)), []byte("v"), DefaultHashLimits)
							n++
						}
					}
				}
			})
			for f := range stable {
				if !seen[f] {
					t.Fatalf("%s: field %s present throughout was never returned", mode, f)
				}
			}
		})
	}
}

func TestHashScanListpackIsOneCall(t *testing.T) {
	h := NewHash()
	h.Set([]byte("a"), []byte("1"), DefaultHashLimits)
	h.Set([]byte("b"), []byte("2"), DefaultHashLimits)
	n := 0
	if cur := h.Scan(12345, func(_, _ []byte) { n++ }); cur != 0 || n != 2 {
		t.Fatalf("cursor %d, %d fields", cur, n)
	}
}

// TestHashTableOverwriteInPlace: HSET of a same-length value over a field
// of the hashtable form allocates nothing (no garbage per overwrite).
func TestHashTableOverwriteInPlace(t *testing.T) {
	lim := HashLimits{MaxListpackEntries: 128, MaxListpackValue: 64}
	h := NewHash()
	for i := range 200 {
		h.Set([]byte(fmt.Sprintf("field:%d", i)), []byte(strings.Repeat("v", 200)), lim)
	}
	if h.large() == nil {
		t.Fatal("expected the hashtable form")
	}
	f, v := []byte("field:7"), []byte(strings.Repeat("w", 200))
	if n := testing.AllocsPerRun(100, func() { h.Set(f, v, lim) }); n != 0 {
		t.Fatalf("a same-length overwrite allocates %v times", n)
	}
	if got, _ := h.Get(f); string(got) != string(v) {
		t.Fatalf("field:7 = %.10q…", got)
	}
	if got, _ := h.Get([]byte("field:8")); string(got) != strings.Repeat("v", 200) {
		t.Fatalf("field:8 changed: %.10q…", got)
	}
	// Another length: a fresh string, and the right value.
	h.Set(f, []byte("short"), lim)
	if got, _ := h.Get(f); string(got) != "short" {
		t.Fatalf("field:7 = %q", got)
	}
}
