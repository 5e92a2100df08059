package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"testing"
)

// checkReuseMatches reads data twice, with fresh entries and with
// ReuseEntry, and fails unless both readers return the same entries (each
// compared before the next call, as long as a reused one is valid) and
// the same final error.
func checkReuseMatches(t *testing.T, data []byte) {
	t.Helper()
	fresh, err1 := NewReader(bytes.NewReader(data), nil)
	reuse, err2 := NewReader(bytes.NewReader(data), &ReaderOptions{ReuseEntry: true})
	if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
		t.Fatalf("NewReader: fresh %v, reuse %v", err1, err2)
	}
	if err1 != nil {
		return
	}
	for i := 0; ; i++ {
		want, err1 := fresh.Next()
		got, err2 := reuse.Next()
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("entry %d: fresh error %v, reuse error %v", i, err1, err2)
		}
		if err1 != nil {
			if !errors.Is(err1, io.EOF) {
				checkErrorKind(t, err2)
			}
			break
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("entry %d:\nfresh %+v\nreuse %+v", i, summarize(want), summarize(got))
		}
	}
	if !reflect.DeepEqual(fresh.Aux(), reuse.Aux()) || !reflect.DeepEqual(fresh.Warnings(), reuse.Warnings()) {
		t.Fatalf("aux or warnings differ:\nfresh %v %v\nreuse %v %v", fresh.Aux(), fresh.Warnings(), reuse.Aux(), reuse.Warnings())
	}
}

func TestReuseEntryReadsTheSame(t *testing.T) {
	files := fuzzReaderSeeds(t)
	files["sample"] = writeAll(t, sampleEntries(), nil)
	golden, err := os.ReadFile(goldenRDB)
	if err != nil {
		t.Fatal(err)
	}
	files["redis-7.0.15"] = golden
	for name, data := range files {
		t.Run(name, func(t *testing.T) { checkReuseMatches(t, data) })
	}
}

// TestReuseEntryAllocations checks that small entries (what most of a
// dataset is) cost no allocation with ReuseEntry once the buffers have
// grown: the point of the option.
func TestReuseEntryAllocations(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	var es []*Entry
	for i := 0; i < 400; i++ {
		k := b(fmt.Sprintf("key:%d", i))
		var e Entry
		switch i % 7 {
		case 0:
			e = Entry{Type: TypeString, Str: b(fmt.Sprintf("value-%d", i)), ExpireAt: 4102444800000}
		case 1:
			e = Entry{Type: TypeString, Str: b(strconv.Itoa(i * 1000))}
		case 2:
			e = Entry{Type: TypeList, List: [][]byte{b("a"), b("12"), b("c")}}
		case 3:
			e = Entry{Type: TypeSet, Set: [][]byte{b("a"), b("b"), b("c")}}
		case 4:
			e = Entry{Type: TypeSet, Set: [][]byte{b("1"), b("-2"), b("70000")}}
		case 5:
			e = Entry{Type: TypeHash, Hash: []HashField{{b("a"), b("1")}, {b("b"), b("two")}}}
		default:
			e = Entry{Type: TypeZSet, ZSet: []ZMember{{b("a"), 1}, {b("b"), 2.5}}}
		}
		e.Key, e.Idle, e.Freq = k, -1, -1
		es = append(es, &e)
	}
	data := writeAll(t, es, nil)
	r, err := NewReader(bytes.NewReader(data), &ReaderOptions{ReuseEntry: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 100 { // warm up
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(250, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("%.2f allocations per entry with ReuseEntry", allocs)
	}
}
