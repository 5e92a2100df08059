package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// snapCollector records what a snapshot emitted: key -> value at emit time.
type snapCollector struct {
	t    *testing.T
	seen map[string]string
}

func (c *snapCollector) sink(db int, e *Entry) error {
	k := fmt.Sprintf("%d/%s", db, e.Key())
	if _, dup := c.seen[k]; dup {
		c.t.Fatalf("entry %s emitted twice", k)
	}
	c.seen[k] = string(e.Str())
	return nil
}

// TestSnapshotIsPointInTime interleaves random writes (sets, deletes,
// renames, flushes, swaps) with small snapshot steps and checks that the
// snapshot holds exactly the dataset as it was when it began.
func TestSnapshotIsPointInTime(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		s := New(Options{Databases: 3, Seed: seed})
		r := rand.New(rand.NewPCG(seed, 7))
		key := func() []byte { return []byte(fmt.Sprintf("k%d", r.IntN(300))) }
		write := func() {
			db := s.DB(r.IntN(3))
			switch n := r.IntN(100); {
			case n < 60:
				db.SetString(key(), []byte(fmt.Sprint(r.Int())), false)
			case n < 80:
				db.Delete(key())
			case n < 90:
				if e := db.LookupWrite(key()); e != nil {
					e.SetStr([]byte("mutated in place"))
				}
			case n < 95:
				src, dst := key(), key()
				if e := db.LookupWrite(src); e != nil && string(src) != string(dst) {
					db.Delete(dst)
					str := e.Str()
					db.Remove(e)
					db.Insert(string(dst), KindString, str, nil, 0)
				}
			case n < 97:
				s.Flush(r.IntN(3))
			default:
				s.SwapDB(r.IntN(3), r.IntN(3))
			}
		}
		for i := 0; i < 2000; i++ {
			write()
		}
		want := map[string]string{}
		for i := 0; i < 3; i++ {
			s.DB(i).Each(func(e *Entry) bool {
				want[fmt.Sprintf("%d/%s", i, e.Key())] = string(e.Str())
				return true
			})
		}
		c := &snapCollector{t: t, seen: map[string]string{}}
		sn := s.BeginSnapshot(c.sink)
		for {
			done, err := sn.Step(1 + r.IntN(8))
			if err != nil {
				t.Fatal(err)
			}
			if done {
				break
			}
			for j := r.IntN(20); j > 0; j-- {
				write()
			}
		}
		sn.End()
		if len(c.seen) != len(want) {
			t.Fatalf("seed %d: snapshot has %d keys, dataset at start had %d", seed, len(c.seen), len(want))
		}
		for k, v := range want {
			if got, ok := c.seen[k]; !ok || got != v {
				t.Fatalf("seed %d: key %s = %q (present %v), want %q", seed, k, got, ok, v)
			}
		}
	}
}
