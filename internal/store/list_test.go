package store

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

func listContents(l *List) []string {
	var out []string
	l.Each(func(e []byte) bool { out = append(out, string(e)); return true })
	return out
}

func checkList(t *rapid.T, l *List, model []string) {
	if l.Len() != len(model) {
		t.Fatalf("len %d, model %d", l.Len(), len(model))
	}
	got := listContents(l)
	for i := range model {
		if got[i] != model[i] {
			t.Fatalf("elem %d: %q, model %q", i, got[i], model[i])
		}
	}
	if len(model) > 0 {
		i := rapid.IntRange(0, len(model)-1).Draw(t, "probe")
		if v, _ := l.Index(i); string(v) != model[i] {
			t.Fatalf("Index(%d) %q, model %q", i, v, model[i])
		}
		var rev []string
		l.Range(i, true, func(idx int, e []byte) bool { rev = append(rev, string(e)); return true })
		if len(rev) != i+1 || rev[0] != model[i] || rev[i] != model[0] {
			t.Fatalf("reverse range from %d: %q", i, rev)
		}
	}
}

func TestListModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fill := rapid.SampledFrom([]int{1, 2, 3, 5, -1}).Draw(t, "fill")
		l := NewList(fill)
		var model []string
		elem := rapid.Custom(func(t *rapid.T) string {
			if rapid.IntRange(0, 20).Draw(t, "big") == 0 {
				return string(bytes.Repeat([]byte{'x'}, rapid.IntRange(100, 5000).Draw(t, "n")))
			}
			return rapid.SampledFrom([]string{"a", "b", "c", "", "dd"}).Draw(t, "s")
		})
		for step := rapid.IntRange(1, 200).Draw(t, "steps"); step > 0; step-- {
			switch rapid.IntRange(0, 8).Draw(t, "op") {
			case 0:
				e := elem.Draw(t, "e")
				l.PushBack([]byte(e))
				model = append(model, e)
			case 1:
				e := elem.Draw(t, "e")
				l.PushFront([]byte(e))
				model = append([]string{e}, model...)
			case 2:
				v, ok := l.PopFrontView()
				if ok != (len(model) > 0) || (ok && string(v) != model[0]) {
					t.Fatalf("PopFrontView %q %v", v, ok)
				}
				if ok {
					model = model[1:]
				}
			case 3:
				v, ok := l.PopBackView()
				if ok != (len(model) > 0) || (ok && string(v) != model[len(model)-1]) {
					t.Fatalf("PopBackView %q %v", v, ok)
				}
				if ok {
					model = model[:len(model)-1]
				}
			case 4:
				if len(model) > 0 {
					i := rapid.IntRange(0, len(model)-1).Draw(t, "i")
					e := elem.Draw(t, "e")
					l.Set(i, []byte(e))
					model[i] = e
				}
			case 5:
				i := rapid.IntRange(0, len(model)).Draw(t, "i")
				e := elem.Draw(t, "e")
				l.Insert(i, []byte(e))
				model = append(model[:i], append([]string{e}, model[i:]...)...)
			case 6:
				s := rapid.IntRange(0, len(model)).Draw(t, "s")
				n := rapid.IntRange(0, len(model)-s+1).Draw(t, "n")
				l.DeleteRange(s, n)
				model = append(model[:s:s], model[min(s+n, len(model)):]...)
			case 7:
				v := rapid.SampledFrom([]string{"a", "b"}).Draw(t, "v")
				cnt := rapid.IntRange(-3, 3).Draw(t, "cnt")
				got := l.RemoveValue([]byte(v), cnt)
				want := 0
				var kept []string
				if cnt >= 0 {
					for _, e := range model {
						if e == v && (cnt == 0 || want < cnt) {
							want++
							continue
						}
						kept = append(kept, e)
					}
				} else {
					for i := len(model) - 1; i >= 0; i-- {
						if model[i] == v && want < -cnt {
							want++
							continue
						}
						kept = append([]string{model[i]}, kept...)
					}
				}
				if got != want {
					t.Fatalf("RemoveValue(%q,%d)=%d want %d", v, cnt, got, want)
				}
				model = kept
			case 8:
				c := l.Clone().(*List)
				l.PushBack([]byte("clone-probe"))
				l.PopBackView()
				if fmt.Sprint(listContents(c)) != fmt.Sprint(listContents(l)) {
					t.Fatalf("clone differs")
				}
			}
			checkList(t, l, model)
		}
	})
}

// Views returned by PopFrontView/PopBackView hold the popped element until
// the list changes, and appending to one never writes into the list.
func TestPopViews(t *testing.T) {
	l := NewList(4) // small chunks: pops empty and drop nodes
	for _, s := range []string{"a", "bb", "ccc", "dddd", "eeeee", "f"} {
		l.PushBack([]byte(s))
	}
	var got []string
	for l.Len() > 0 {
		v, _ := l.PopBackView()
		got = append(got, string(v))
		_ = append(v, "XXXXXXXX"...) // capped: must copy, not overwrite
		if l.Len() > 0 {
			w, _ := l.PopFrontView()
			got = append(got, string(w))
		}
	}
	if want := "[f a eeeee bb dddd ccc]"; fmt.Sprint(got) != want {
		t.Fatalf("views %v, want %v", got, want)
	}
	if _, ok := l.PopFrontView(); ok {
		t.Fatal("view popped from an empty list")
	}
	l.PushBack([]byte("x"))
	l.PushBack([]byte("y"))
	v, _ := l.PopBackView()
	_ = append(v, 'Z')
	if w, _ := l.PopBackView(); string(w) != "x" || string(v) != "y" {
		t.Fatalf("after capped append: popped %q then %q", v, w)
	}
}

// BenchmarkListRange walks 100 short elements, the shape of LRANGE 0 99
// under redis-benchmark (3-byte values).
func BenchmarkListRange(b *testing.B) {
	l := NewList(-2)
	for range 1000 {
		l.PushBack([]byte("xxx"))
	}
	n := 0
	for b.Loop() {
		l.Range(0, false, func(i int, e []byte) bool {
			n += len(e)
			return i < 99
		})
	}
	if n == 0 {
		b.Fatal("nothing walked")
	}
}

// Entry lengths around the one-byte fast path of readEntry (126/127/128)
// and around two-byte back-lengths read back intact, forwards and back.
func TestListEntryLengthBoundaries(t *testing.T) {
	lens := boundaryLens()
	l := NewList(-2)
	for _, n := range lens {
		l.PushBack(bytes.Repeat([]byte{byte('a' + n%26)}, n))
	}
	check := func(reverse bool) {
		start := 0
		if reverse {
			start = len(lens) - 1
		}
		seen := 0
		l.Range(start, reverse, func(i int, e []byte) bool {
			want := bytes.Repeat([]byte{byte('a' + lens[i]%26)}, lens[i])
			if !bytes.Equal(e, want) {
				t.Fatalf("reverse=%v: element %d has %d bytes, want %d", reverse, i, len(e), lens[i])
			}
			seen++
			return true
		})
		if seen != len(lens) {
			t.Fatalf("reverse=%v: walked %d of %d", reverse, seen, len(lens))
		}
	}
	check(false)
	check(true)
}

// TestPopsAtTheTailDoNotCopyTheNodes: a pop that empties the tail node
// drops it in place (it used to copy the whole node slice, per node).
func TestPopsAtTheTailDoNotCopyTheNodes(t *testing.T) {
	l := NewList(1) // one element per node: every pop empties a node
	for i := range 3000 {
		l.PushBack([]byte(fmt.Sprint(i)))
	}
	if n := testing.AllocsPerRun(1000, func() { l.PopBackView() }); n != 0 {
		t.Fatalf("PopBackView allocates %v times per call", n)
	}
	if l.Len() != 3000-1001 {
		t.Fatalf("len %d", l.Len())
	}
	if got := listContents(l); got[0] != "0" || got[len(got)-1] != fmt.Sprint(l.Len()-1) {
		t.Fatalf("ends %q … %q", got[0], got[len(got)-1])
	}
}

// TestFullNodesKeepNoSpareRoom: pushes grow a node's buffer with room to
// spare; once a push moves on to a new node, the full one is cut to size.
func TestFullNodesKeepNoSpareRoom(t *testing.T) {
	elem := bytes.Repeat([]byte("x"), 200)
	for _, front := range []bool{false, true} {
		l := NewList(-2)
		for range 20000 {
			if front {
				l.PushFront(elem)
			} else {
				l.PushBack(elem)
			}
		}
		used, capacity := 0, 0
		for _, nd := range l.nodes[l.off : len(l.nodes)-1] { // all but the open end node
			if front && nd == l.node(0) {
				continue
			}
			used += nd.used()
			capacity += cap(nd.b)
		}
		if capacity > used+used/8 {
			t.Fatalf("front=%v: %d bytes of node buffers for %d used", front, capacity, used)
		}
	}
}
