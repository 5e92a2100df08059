package store

import (
	"strconv"
	"testing"
	"unsafe"
)

// Nodes are one 32-byte size class for sets and hashes alike: the stored
// hash fills a hash node's padding and costs a set node 8 bytes.
func TestTableNodeSizes(t *testing.T) {
	if s := unsafe.Sizeof(tnode[setKey]{}); s != 32 {
		t.Errorf("set node: %d bytes, want 32", s)
	}
	if s := unsafe.Sizeof(tnode[pairKey]{}); s != 32 {
		t.Errorf("hash node: %d bytes, want 32", s)
	}
}

// The stored hash is the bucket index on resize and the first test of a
// lookup: after growing and shrinking through many sizes (and in a clone),
// every element must still be found where its key hashes, and nothing
// else.
func TestTableStoredHashAcrossResizes(t *testing.T) {
	tb := newChainTable[setKey](0)
	const n = 5000
	for i := range n {
		k := "member:" + strconv.Itoa(i)
		if got, _ := tb.lookup(k); got != nil {
			t.Fatalf("%s found before it was added", k)
		}
		tb.add(&tnode[setKey]{kv: k})
	}
	check := func(tb *chainTable[setKey], from, to int) {
		t.Helper()
		for i := range n {
			k := "member:" + strconv.Itoa(i)
			got := tb.find(k)
			if (got != nil) != (i >= from && i < to) {
				t.Fatalf("find(%s) = %v with members [%d, %d)", k, got != nil, from, to)
			}
		}
		tb.each(func(nd *tnode[setKey]) bool {
			if h := collHash(nd.key()); nd.hash != uint32(h) {
				t.Fatalf("%s: stored hash %#x, want %#x", nd.key(), nd.hash, uint32(h))
			}
			return true
		})
		if tb.find("member:x") != nil {
			t.Fatal("found a key never added")
		}
	}
	check(tb, 0, n)
	check(tb.clone(), 0, n)
	// Shrink: the table resizes at a tenth full, several times.
	for i := range n - 10 {
		if tb.remove("member:"+strconv.Itoa(i)) == nil {
			t.Fatalf("remove member:%d found nothing", i)
		}
	}
	if len(tb.buckets) >= 1024 {
		t.Fatalf("table of %d buckets for 10 members did not shrink", len(tb.buckets))
	}
	check(tb, n-10, n)
}
