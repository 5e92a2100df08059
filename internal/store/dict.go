package store

import (
	"hash/maphash"
)

// dict is the keyspace hash table of one database. It is written here rather
// than using a Go map because three guarantees need control over the layout:
//
//  1. SCAN: a key present for a whole iteration is returned at least once,
//     with a cursor that stays valid while the table grows or shrinks. Redis's
//     reverse-binary cursor over power-of-two bucket arrays gives exactly
//     that, and it needs buckets we can index.
//  2. Incremental rehash: growing a 10M-key table must not stall the server
//     for the whole copy; each operation moves a few buckets (Redis's dict).
//  3. Point-in-time snapshots walk the buckets in index order with a resumable
//     position (see snapshot.go), which a Go map iterator cannot give once the
//     lock is released.
//
// Chaining keeps deletion simple and entry pointers stable, which WATCH and
// the snapshot hooks rely on. Entries do not cache their hash: it would
// cost 8 bytes per key (and a larger allocation size class), against
// rehashing each key once when the table is resized.
type dict struct {
	seed      maphash.Seed
	t         [2]table
	rehashIdx int // next bucket of t[0] to move; -1 when not rehashing
}

type table struct {
	buckets []*Entry
	mask    uint64
	used    int
}

const dictInitialSize = 4

func newDict() *dict {
	return &dict{seed: maphash.MakeSeed(), rehashIdx: -1}
}

func (d *dict) hash(key []byte) uint64 { return maphash.Bytes(d.seed, key) }

func (d *dict) hashString(key string) uint64 { return maphash.String(d.seed, key) }

func (d *dict) len() int { return d.t[0].used + d.t[1].used }

func (d *dict) rehashing() bool { return d.rehashIdx >= 0 }

// step moves up to n non-empty buckets (visiting at most 10n empty ones) from
// the old table to the new one.
func (d *dict) step(n int) {
	if !d.rehashing() {
		return
	}
	empty := n * 10
	for ; n > 0 && d.t[0].used > 0; n-- {
		for d.t[0].buckets[d.rehashIdx] == nil {
			d.rehashIdx++
			empty--
			if empty == 0 {
				return
			}
		}
		e := d.t[0].buckets[d.rehashIdx]
		for e != nil {
			next := e.next
			i := d.hashString(e.Key()) & d.t[1].mask
			e.next = d.t[1].buckets[i]
			d.t[1].buckets[i] = e
			d.t[0].used--
			d.t[1].used++
			e = next
		}
		d.t[0].buckets[d.rehashIdx] = nil
		d.rehashIdx++
	}
	if d.t[0].used == 0 {
		d.t[0] = d.t[1]
		d.t[1] = table{}
		d.rehashIdx = -1
	}
}

func (d *dict) resize(size int) {
	n := dictInitialSize
	for n < size {
		n <<= 1
	}
	if n == len(d.t[0].buckets) {
		return
	}
	nt := table{buckets: make([]*Entry, n), mask: uint64(n - 1)}
	if d.t[0].buckets == nil {
		d.t[0] = nt
		return
	}
	d.t[1] = nt
	d.rehashIdx = 0
}

// expandIfNeeded grows at load factor 1, like Redis when no fork is running
// (we never fork, so we never need Redis's "avoid resize during BGSAVE" rule).
func (d *dict) expandIfNeeded() {
	if d.rehashing() {
		return
	}
	if d.t[0].buckets == nil {
		d.resize(dictInitialSize)
		return
	}
	if d.t[0].used >= len(d.t[0].buckets) {
		d.resize(d.t[0].used * 2)
	}
}

// shrinkIfNeeded halves the table when it is less than 1/8 full, so memory of
// a keyspace that was large once is given back.
func (d *dict) shrinkIfNeeded() {
	if d.rehashing() || len(d.t[0].buckets) <= dictInitialSize {
		return
	}
	if d.t[0].used*8 < len(d.t[0].buckets) {
		d.resize(d.t[0].used * 2)
	}
}

func (d *dict) find(key []byte) *Entry {
	if d.len() == 0 {
		return nil
	}
	d.step(1)
	h := d.hash(key)
	for ti := 0; ti < 2; ti++ {
		t := &d.t[ti]
		if t.buckets == nil {
			break
		}
		for e := t.buckets[h&t.mask]; e != nil; e = e.next {
			if e.Key() == string(key) {
				return e
			}
		}
		if !d.rehashing() {
			break
		}
	}
	return nil
}

// add inserts e, which must not be present. e.key must be set.
func (d *dict) add(e *Entry) {
	d.step(1)
	d.expandIfNeeded()
	h := d.hashString(e.Key())
	t := &d.t[0]
	if d.rehashing() {
		t = &d.t[1]
	}
	i := h & t.mask
	e.next = t.buckets[i]
	t.buckets[i] = e
	t.used++
}

// addNew inserts e unless its key is present, with one hash computation
// and one walk of the chain; it reports whether e was added. Loaders use it
// to reject duplicate keys without a separate lookup.
func (d *dict) addNew(e *Entry) bool {
	d.step(1)
	d.expandIfNeeded()
	h := d.hashString(e.Key())
	for ti := 0; ti < 2; ti++ {
		t := &d.t[ti]
		if t.buckets == nil {
			break
		}
		for x := t.buckets[h&t.mask]; x != nil; x = x.next {
			if x.Key() == e.Key() {
				return false
			}
		}
		if !d.rehashing() {
			break
		}
	}
	t := &d.t[0]
	if d.rehashing() {
		t = &d.t[1]
	}
	i := h & t.mask
	e.next = t.buckets[i]
	t.buckets[i] = e
	t.used++
	return true
}

// remove unlinks the entry with this key and returns it, or nil.
func (d *dict) remove(key []byte) *Entry {
	if d.len() == 0 {
		return nil
	}
	d.step(1)
	h := d.hash(key)
	for ti := 0; ti < 2; ti++ {
		t := &d.t[ti]
		if t.buckets == nil {
			break
		}
		p := &t.buckets[h&t.mask]
		for e := *p; e != nil; e = e.next {
			if e.Key() == string(key) {
				*p = e.next
				e.next = nil
				t.used--
				d.shrinkIfNeeded()
				return e
			}
			p = &e.next
		}
		if !d.rehashing() {
			break
		}
	}
	return nil
}

// scan calls fn for every entry in the buckets addressed by cursor and
// returns the next cursor (0 when the iteration is complete). The cursor is
// incremented in reverse-binary order so that buckets already visited in a
// smaller table map onto buckets already visited in a larger one and vice
// versa; that is what makes the "present for the whole iteration, returned at
// least once" guarantee hold across resizes.
func (d *dict) scan(cursor uint64, fn func(*Entry)) uint64 {
	if d.len() == 0 {
		return 0
	}
	if !d.rehashing() {
		t := &d.t[0]
		for e := t.buckets[cursor&t.mask]; e != nil; e = e.next {
			fn(e)
		}
		return nextCursor(cursor, t.mask)
	}
	small, large := &d.t[0], &d.t[1]
	if len(small.buckets) > len(large.buckets) {
		small, large = large, small
	}
	for e := small.buckets[cursor&small.mask]; e != nil; e = e.next {
		fn(e)
	}
	// Visit every bucket of the larger table that expands the small one.
	for {
		for e := large.buckets[cursor&large.mask]; e != nil; e = e.next {
			fn(e)
		}
		cursor = nextCursor(cursor, large.mask)
		if cursor&(small.mask^large.mask) == 0 {
			break
		}
	}
	return cursor
}

func nextCursor(v, mask uint64) uint64 {
	v |= ^mask
	v = reverseBits(v)
	v++
	return reverseBits(v)
}

func reverseBits(v uint64) uint64 {
	v = (v>>1)&0x5555555555555555 | (v&0x5555555555555555)<<1
	v = (v>>2)&0x3333333333333333 | (v&0x3333333333333333)<<2
	v = (v>>4)&0x0F0F0F0F0F0F0F0F | (v&0x0F0F0F0F0F0F0F0F)<<4
	v = (v>>8)&0x00FF00FF00FF00FF | (v&0x00FF00FF00FF00FF)<<8
	v = (v>>16)&0x0000FFFF0000FFFF | (v&0x0000FFFF0000FFFF)<<16
	return v>>32 | v<<32
}

// random returns a pseudo-random entry using r for choices, or nil if empty.
// Like Redis it picks a random non-empty bucket and then a random element of
// its chain, which is close enough to uniform for RANDOMKEY and expiry
// sampling.
func (d *dict) random(r func(n uint64) uint64) *Entry {
	if d.len() == 0 {
		return nil
	}
	d.step(1)
	var head *Entry
	for head == nil {
		if d.rehashing() {
			// Buckets below rehashIdx in t[0] are empty.
			n0 := uint64(len(d.t[0].buckets) - d.rehashIdx)
			n := n0 + uint64(len(d.t[1].buckets))
			i := r(n)
			if i < n0 {
				head = d.t[0].buckets[uint64(d.rehashIdx)+i]
			} else {
				head = d.t[1].buckets[i-n0]
			}
		} else {
			head = d.t[0].buckets[r(uint64(len(d.t[0].buckets)))]
		}
	}
	n := 0
	for e := head; e != nil; e = e.next {
		n++
	}
	k := r(uint64(n))
	e := head
	for ; k > 0; k-- {
		e = e.next
	}
	return e
}

// each calls fn for every entry until fn returns false. fn must not modify
// the dict.
func (d *dict) each(fn func(*Entry) bool) {
	for ti := 0; ti < 2; ti++ {
		for _, e := range d.t[ti].buckets {
			for ; e != nil; e = e.next {
				if !fn(e) {
					return
				}
			}
		}
	}
}
