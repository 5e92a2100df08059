package store

import (
	"fmt"
	"testing"
	"unsafe"
)

// TestScanGuaranteeAcrossResize checks SCAN's promise: every key present
// for the whole iteration is returned at least once, while the table grows
// and shrinks between calls.
func TestScanGuaranteeAcrossResize(t *testing.T) {
	s := New(Options{Databases: 1, Seed: 3})
	db := s.DB(0)
	for i := 0; i < 1000; i++ {
		db.SetString([]byte(fmt.Sprintf("stable%d", i)), []byte("v"), false)
	}
	seen := map[string]bool{}
	var cursor uint64
	round := 0
	for {
		cursor = db.Scan(cursor, func(e *Entry) { seen[e.Key()] = true })
		// Grow, then shrink, the table while the scan is in progress.
		switch {
		case round < 20:
			for j := 0; j < 500; j++ {
				db.SetString([]byte(fmt.Sprintf("tmp%d-%d", round, j)), []byte("v"), false)
			}
		case round < 40:
			for j := 0; j < 500; j++ {
				db.Delete([]byte(fmt.Sprintf("tmp%d-%d", round-20, j)))
			}
		}
		round++
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 1000; i++ {
		if k := fmt.Sprintf("stable%d", i); !seen[k] {
			t.Fatalf("%s present for the whole scan but never returned", k)
		}
	}
}

func TestDictRandomAndRemove(t *testing.T) {
	s := New(Options{Databases: 1, Seed: 5})
	db := s.DB(0)
	for i := 0; i < 100; i++ {
		db.SetString([]byte(fmt.Sprint(i)), []byte("v"), false)
	}
	for i := 0; i < 100; i++ {
		if db.RandomKey() == nil {
			t.Fatal("RandomKey on a non-empty db returned nil")
		}
		if !db.Delete([]byte(fmt.Sprint(i))) {
			t.Fatalf("delete %d failed", i)
		}
	}
	if db.Len() != 0 || db.RandomKey() != nil {
		t.Fatal("db not empty after deleting everything")
	}
}

func TestReserveSizesOnceAndKeepsWorking(t *testing.T) {
	s := New(Options{Databases: 1, Seed: 9})
	db := s.DB(0)
	db.Reserve(1000)
	if got := len(db.dict.t[0].buckets); got < 1000 {
		t.Fatalf("reserved table has %d buckets", got)
	}
	for i := 0; i < 1000; i++ {
		db.SetString([]byte(fmt.Sprint(i)), []byte("v"), false)
	}
	if db.dict.rehashing() {
		t.Fatal("a reserved table rehashed while filling up to its reservation")
	}
	for i := 0; i < 1000; i++ {
		if db.Peek([]byte(fmt.Sprint(i))) == nil {
			t.Fatalf("key %d lost", i)
		}
	}
	db.Reserve(1 << 20) // not empty: ignored
	if got := len(db.dict.t[0].buckets); got >= 1<<20 {
		t.Fatal("Reserve resized a non-empty table")
	}
}

// The entry's size is memory per key and lookup speed (entry.go): it must
// stay one 64-byte size class.
func TestEntryIs64Bytes(t *testing.T) {
	if n := unsafe.Sizeof(Entry{}); n != 64 {
		t.Fatalf("Entry is %d bytes, want 64", n)
	}
}
