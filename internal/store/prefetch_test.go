package store

import (
	"fmt"
	"strings"
	"testing"
)

// prefetchFixture is a database holding every shape Prefetch meets: inline
// and long keys, strings, hashes and sets in both forms, a list and a
// sorted set, caught in the middle of a rehash.
func prefetchFixture(t testing.TB) (*DB, [][]byte, [][]byte) {
	s := New(Options{Databases: 1, Seed: 11})
	db := s.DB(0)
	long := strings.Repeat("L", 100)
	for i := 0; i < 64; i++ {
		db.SetString([]byte(fmt.Sprint("k", i)), []byte("v"), false)
	}
	db.SetString([]byte(long), []byte("v"), false)
	small, big := NewHash(), NewHash()
	small.Set([]byte("f"), []byte("v"), DefaultHashLimits)
	for i := 0; i < 300; i++ {
		big.Set([]byte(fmt.Sprint("f", i)), []byte("v"), DefaultHashLimits)
	}
	big.Set(nil, nil, DefaultHashLimits) // an empty field and value: kv == ""
	intset, strset := NewSet(), NewSet()
	intset.Add([]byte("1"), DefaultSetMaxIntsetEntries)
	for i := 0; i < 300; i++ {
		strset.Add([]byte(fmt.Sprint("m", i)), DefaultSetMaxIntsetEntries)
	}
	db.SetObj([]byte("hsmall"), KindHash, small)
	db.SetObj([]byte("hbig"), KindHash, big)
	db.SetObj([]byte("sint"), KindSet, intset)
	db.SetObj([]byte("sstr"), KindSet, strset)
	db.SetObj([]byte("list"), KindList, NewList(-2))
	// Grow until a rehash is under way, so Prefetch must pick the table.
	for i := 0; !db.dict.rehashing(); i++ {
		db.SetString([]byte(fmt.Sprint("grow", i)), []byte("v"), false)
	}
	keys := [][]byte{[]byte("k1"), []byte(long), []byte("hsmall"), []byte("hbig"), []byte("hbig"),
		[]byte("sint"), []byte("sstr"), []byte("sstr"), []byte("list"), []byte("missing"), nil}
	members := [][]byte{[]byte("x"), nil, []byte("f"), []byte("f7"), []byte(""),
		[]byte("1"), []byte("m5"), []byte("absent"), []byte("e")}
	return db, keys, members
}

// Prefetch is a hint: it must leave the database exactly as it was, in
// every shape, including a rehash under way.
func TestPrefetchChangesNothing(t *testing.T) {
	db, keys, members := prefetchFixture(t)
	before := dictShape(db)
	db.Prefetch(keys, members)
	db.Prefetch(keys, nil)
	db.Prefetch(keys[:0], members)
	if after := dictShape(db); after != before {
		t.Fatalf("Prefetch changed the dict:\n before %s\n after  %s", before, after)
	}
	empty := New(Options{Databases: 1}).DB(0)
	empty.Prefetch(keys, members) // nothing to load, nothing to break
}

// The hot path must not allocate: garbage per pipelined batch would mean GC
// cycles on a large heap.
func TestPrefetchAllocatesNothing(t *testing.T) {
	db, keys, members := prefetchFixture(t)
	if n := testing.AllocsPerRun(100, func() { db.Prefetch(keys, members) }); n != 0 {
		t.Fatalf("Prefetch allocates %v times per call", n)
	}
}

// dictShape describes the dict's state and the order of its keys.
func dictShape(db *DB) string {
	var b strings.Builder
	d := db.dict
	fmt.Fprintf(&b, "rehash=%d used=%d,%d order=", d.rehashIdx, d.t[0].used, d.t[1].used)
	db.Each(func(e *Entry) bool { b.WriteString(e.Key()); b.WriteByte(' '); return true })
	return b.String()
}

// BenchmarkLookupBatch looks up 16 random keys of a million, as a pipelined
// batch does, with and without Prefetch first.
func BenchmarkLookupBatch(b *testing.B) {
	s := New(Options{Databases: 1, Seed: 1})
	db := s.DB(0)
	const n = 1 << 20
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key:%012d", i))
		db.SetString(keys[i], []byte("xxx"), false)
	}
	batch := make([][]byte, PrefetchMax)
	for _, pre := range []bool{false, true} {
		b.Run(fmt.Sprint("prefetch=", pre), func(b *testing.B) {
			x := uint64(1)
			for b.Loop() {
				for i := range batch {
					x = x*6364136223846793005 + 1442695040888963407
					batch[i] = keys[(x>>33)%n]
				}
				if pre {
					db.Prefetch(batch, nil)
				}
				for _, k := range batch {
					if db.Peek(k) == nil {
						b.Fatal("key lost")
					}
				}
			}
		})
	}
}
