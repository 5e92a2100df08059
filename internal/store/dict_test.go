package store

import (
	"bytes"
	"fmt"
	"strings"
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

// Entry shapes must not waste memory (entry.go): the entry is 56 bytes and
// each shape with its key is exactly a Go size class.
func TestEntrySizes(t *testing.T) {
	for _, c := range []struct {
		got, want uintptr
	}{
		{unsafe.Sizeof(Entry{}), 56},
		{unsafe.Sizeof(entryK8{}), 64},
		{unsafe.Sizeof(entryK24{}), 80},
		{unsafe.Sizeof(entryK40{}), 96},
		{unsafe.Sizeof(entryK56{}), 112},
		{unsafe.Sizeof(entryK72{}), 128},
		{unsafe.Sizeof(entryLong{}), 64},
	} {
		if c.got != c.want {
			t.Errorf("size %d, want %d", c.got, c.want)
		}
	}
}

// Keys of every length, inline or not, read back and are found, and the
// store keeps its own copy of the caller's bytes.
func TestEntryKeys(t *testing.T) {
	s := New(Options{Databases: 1})
	for n := 0; n <= 200; n++ {
		key := make([]byte, n)
		for i := range key {
			key[i] = byte('a' + n%26)
		}
		e := s.DB(0).SetString(key, []byte("v"), false)
		if n > 0 { // the store must have copied the key
			key[0] = '!'
		}
		if e.Key() != string(bytes.Repeat([]byte{byte('a' + n%26)}, n)) {
			t.Fatalf("key of %d bytes read back as %q", n, e.Key())
		}
		if s.DB(0).Peek([]byte(e.Key())) != e {
			t.Fatalf("key of %d bytes not found", n)
		}
	}
}

// Short string values live in the entry (entry.go): they must survive being
// replaced by longer and shorter ones, grown in place through Str, and not
// alias the caller's bytes.
func TestInlineStringValues(t *testing.T) {
	s := New(Options{Databases: 1})
	db := s.DB(0)
	arg := []byte("12345")
	e := db.SetStringCopy([]byte("counter:000000001"), arg, false)
	arg[0] = 'X'
	if got := string(e.Str()); got != "12345" {
		t.Fatalf("value %q, want the copy 12345", got)
	}
	if room := e.inlineRoom(); len(room) == 0 || &room[0] != &e.Str()[0] {
		t.Fatalf("a 5-byte value should be inline (room %d)", len(room))
	}
	for _, v := range []string{strings.Repeat("L", 300), "", "short", strings.Repeat("M", 40)} {
		e = db.SetStringCopy([]byte("counter:000000001"), []byte(v), true)
		if got := string(e.Str()); got != v {
			t.Fatalf("value %q, want %q", got, v)
		}
	}
	e = db.SetStringCopy([]byte("counter:000000001"), []byte("ab"), true)
	e.SetStr(append(e.Str(), "cd"...)) // APPEND's pattern: may grow in place
	if got := string(db.Peek([]byte("counter:000000001")).Str()); got != "abcd" {
		t.Fatalf("after append %q", got)
	}
	big := append(e.Str(), strings.Repeat("z", 500)...)
	e.SetStr(big)
	if got := string(e.Str()); got != "abcd"+strings.Repeat("z", 500) {
		t.Fatalf("after growing out of the entry: %d bytes", len(got))
	}
	// A long key leaves no room: the value has its own allocation.
	long := []byte(strings.Repeat("k", 100))
	e = db.SetStringCopy(long, []byte("v"), false)
	if e.inlineRoom() != nil || string(e.Str()) != "v" || e.Key() != string(long) {
		t.Fatalf("long key entry: room %d, value %q", len(e.inlineRoom()), e.Str())
	}
}

// TestOverwriteReusesTheValueBuffer: SET over a string of about the same
// size writes into the old buffer (no garbage per overwrite), and only then.
func TestOverwriteReusesTheValueBuffer(t *testing.T) {
	s := New(Options{Databases: 1})
	db := s.DB(0)
	key := []byte("cache:000000001")
	arg := bytes.Repeat([]byte("a"), 200)
	e := db.SetStringCopy(key, arg, false)
	buf := &e.Str()[0]
	arg[0] = 'X' // the stored value is a copy, not the argument
	if e.Str()[0] != 'a' {
		t.Fatal("SET kept a reference to its argument")
	}
	for _, n := range []int{200, 190, 160} {
		v := bytes.Repeat([]byte{byte('0' + n%10)}, n)
		e = db.SetStringCopy(key, v, false)
		if !bytes.Equal(e.Str(), v) {
			t.Fatalf("after a %d-byte overwrite: %q", n, e.Str())
		}
		if &e.Str()[0] != buf {
			t.Fatalf("a %d-byte value over a %d-byte buffer got a new one", n, e.valCap)
		}
	}
	v := bytes.Repeat([]byte("b"), 200)
	if n := testing.AllocsPerRun(100, func() { db.SetStringCopy(key, v, false) }); n != 0 {
		t.Fatalf("an overwrite of the same size allocates %v times", n)
	}
	// Much shorter: a fresh, smaller buffer rather than a mostly empty one.
	short := bytes.Repeat([]byte("c"), 100)
	e = db.SetStringCopy(key, short, false)
	if !bytes.Equal(e.Str(), short) || &e.Str()[0] == buf {
		t.Fatalf("a 100-byte value kept the 200-byte buffer: %q", e.Str())
	}
	// Longer than the buffer: a new one.
	long := bytes.Repeat([]byte("d"), 300)
	if e = db.SetStringCopy(key, long, false); !bytes.Equal(e.Str(), long) {
		t.Fatalf("after growing: %q", e.Str())
	}
	// A value handed over (owned) is kept as given, not copied.
	given := bytes.Repeat([]byte("e"), 290)
	if e = db.SetString(key, given, false); &e.Str()[0] != &given[0] {
		t.Fatal("SetString copied a buffer it was given")
	}
	// From another type: the old value was no string buffer.
	db.SetObj(key, KindList, NewList(-2))
	if e = db.SetStringCopy(key, long, false); !bytes.Equal(e.Str(), long) {
		t.Fatalf("over a list: %q", e.Str())
	}
}
