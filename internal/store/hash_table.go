package store

import (
	"hash/maphash"
	"math"
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// chainTable is the "hashtable" encoding shared by hashes and sets: a
// power-of-two array of buckets with singly linked chains, resized at once
// (not incrementally) when it becomes too full or too empty.
//
// Why not a Go map: HSCAN/SSCAN must return every element present for the
// whole iteration at least once, with a cursor that survives any number of
// growths and shrinks between calls. A Go map cannot be resumed from a
// number. Here the cursor is the index of the next bucket, incremented in
// reverse-binary order (the idea of Redis's dictScan, also used by dict.go):
//
//   - An element lives in bucket hash&mask. When the table doubles, bucket b
//     splits into b and b|(old size); when it halves, b and b|(new size)
//     merge into b. In both cases the buckets an element can move between
//     share the low bits of the index.
//   - Incrementing the reversed index means the cursor walks all buckets
//     whose low bits are 0…0 before any whose low bits differ, i.e. the high
//     bits vary fastest. Every bucket index below the cursor in reverse-bit
//     order has been visited. Growing keeps that set closed (the split halves
//     of a visited bucket are "below" the same cursor in the larger table),
//     and shrinking only merges visited buckets into positions that are again
//     below the cursor or revisits some, so nothing present throughout can be
//     skipped. Elements may be returned more than once after a shrink, as in
//     Redis.
//
// Since there is never more than one table (no incremental rehash), a scan
// step needs no special case. The price is that a resize is O(n) at once;
// resizes are amortised O(1) per insert and only happen on doubling or at
// 1/10 fill.
//
// Nodes keep their key and, for hashes, their value in one string so that an
// element costs one node allocation and one data allocation.
type chainTable[K tableKey] struct {
	buckets []*tnode[K]
	used    int
}

// tableKey tells how a node's key is found in its kv string.
type tableKey interface{ keyOf(kv string) string }

// setKey: the whole kv is the member.
type setKey struct{}

func (setKey) keyOf(kv string) string { return kv }

// pairKey: kv is field+value, the field being the first pairKey bytes.
type pairKey uint32

func (p pairKey) keyOf(kv string) string { return kv[:p] }

type tnode[K tableKey] struct {
	k K
	// hash is the low 32 bits of collHash(key). Compared before the key,
	// it spares a lookup the cache miss on each other node's kv (they
	// mostly share a length, so Go's string == would read them): perf at
	// HSET -P 16 into one 100k-field hash had the key comparisons
	// (memeqbody) at 10 % of the server's CPU. It is also the bucket index
	// when the table resizes, so a resize reads no kv at all. For hashes
	// it fills the padding after k (32 bytes either way); set nodes grow
	// from 24 to 32 bytes.
	hash uint32
	next *tnode[K]
	kv   string
}

func (n *tnode[K]) key() string { return n.k.keyOf(n.kv) }

// collSeed seeds the hash of every collection table in the process.
var collSeed = maphash.MakeSeed()

func collHash(s string) uint64 { return maphash.String(collSeed, s) }

const tableMinSize = 4

func newChainTable[K tableKey](hint int) *chainTable[K] {
	t := &chainTable[K]{}
	t.buckets = make([]*tnode[K], tableSizeFor(hint))
	return t
}

func tableSizeFor(n int) int {
	if n <= tableMinSize {
		return tableMinSize
	}
	return 1 << bits.Len(uint(n-1))
}

func (t *chainTable[K]) mask() uint64 { return uint64(len(t.buckets) - 1) }

func (t *chainTable[K]) find(key string) *tnode[K] {
	n, _ := t.lookup(key)
	return n
}

// lookup returns the node with key, or nil and the key's hash for addHashed.
func (t *chainTable[K]) lookup(key string) (*tnode[K], uint64) {
	h := collHash(key)
	for n := t.buckets[h&t.mask()]; n != nil; n = n.next {
		if n.hash == uint32(h) && n.key() == key {
			return n, h
		}
	}
	return nil, h
}

// add links n, whose key must not be present. The table grows at load
// factor 1, as Redis's dict does.
func (t *chainTable[K]) add(n *tnode[K]) { t.addHashed(n, collHash(n.key())) }

// addHashed is add for a caller that has the key's hash from lookup.
func (t *chainTable[K]) addHashed(n *tnode[K], h uint64) {
	if t.used >= len(t.buckets) {
		t.resize(len(t.buckets) * 2)
	}
	n.hash = uint32(h)
	i := h & t.mask()
	n.next = t.buckets[i]
	t.buckets[i] = n
	t.used++
}

// remove unlinks and returns the node with key, or nil. The table shrinks
// when less than a tenth full (Redis's HASHTABLE_MIN_FILL).
func (t *chainTable[K]) remove(key string) *tnode[K] {
	h := collHash(key)
	p := &t.buckets[h&t.mask()]
	for n := *p; n != nil; n = n.next {
		if n.hash == uint32(h) && n.key() == key {
			*p = n.next
			n.next = nil
			t.used--
			if len(t.buckets) > tableMinSize && t.used*10 < len(t.buckets) {
				t.resize(t.used)
			}
			return n
		}
		p = &n.next
	}
	return nil
}

func (t *chainTable[K]) resize(n int) {
	size := tableSizeFor(n)
	if size == len(t.buckets) {
		return
	}
	nb := make([]*tnode[K], size)
	mask := uint64(size - 1)
	for _, n := range t.buckets {
		for n != nil {
			next := n.next
			i := uint64(n.hash) & mask
			if mask > math.MaxUint32 {
				i = collHash(n.key()) & mask // beyond what the stored bits index
			}
			n.next = nb[i]
			nb[i] = n
			n = next
		}
	}
	t.buckets = nb
}

// scan visits the bucket at cursor and returns the next cursor (0 when the
// iteration is over). See the type comment for why it is sound.
func (t *chainTable[K]) scan(cursor uint64, fn func(*tnode[K])) uint64 {
	m := t.mask()
	for n := t.buckets[cursor&m]; n != nil; n = n.next {
		fn(n)
	}
	cursor |= ^m
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

func (t *chainTable[K]) each(fn func(*tnode[K]) bool) bool {
	for _, n := range t.buckets {
		for ; n != nil; n = n.next {
			if !fn(n) {
				return false
			}
		}
	}
	return true
}

// random picks a random non-empty bucket, then a random node of its chain.
// The table is at least a tenth full, so few probes are needed.
func (t *chainTable[K]) random(r *rand.Rand) *tnode[K] {
	if t.used == 0 {
		return nil
	}
	var head *tnode[K]
	for head == nil {
		head = t.buckets[r.IntN(len(t.buckets))]
	}
	c := 0
	for n := head; n != nil; n = n.next {
		c++
	}
	n := head
	for k := r.IntN(c); k > 0; k-- {
		n = n.next
	}
	return n
}

func (t *chainTable[K]) clone() *chainTable[K] {
	c := &chainTable[K]{buckets: make([]*tnode[K], len(t.buckets)), used: t.used}
	for i, n := range t.buckets {
		var tail *tnode[K]
		for ; n != nil; n = n.next {
			cp := &tnode[K]{k: n.k, hash: n.hash, kv: n.kv} // set members are never written over; Hash.Clone copies fields
			if tail == nil {
				c.buckets[i] = cp
			} else {
				tail.next = cp
			}
			tail = cp
		}
	}
	return c
}

// bytesOf returns a read-only []byte view of s without copying. Callers of
// the collection APIs must never write through returned slices.
func bytesOf(s string) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// stringOf returns a string view of b for lookups; it must not be retained.
func stringOf(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
