package store

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
)

// Set is the value of a KindSet key.
//
// A set whose members all parse as 64-bit integers (Redis's string2ll rules:
// no '+', no leading zeros, no "-0") and that has at most
// set-max-intset-entries members is an "intset": the members sorted
// ascending, packed little-endian at the smallest width (2, 4 or 8 bytes)
// that holds them all, like Redis's intset. Anything else is a chained hash
// table ("hashtable"). Conversion happens exactly when Redis 7.0 converts
// (7.0 has no set listpack) and is never undone.
//
// API (the snapshot and log-rewrite code rely on it):
//
//	NewSet() *Set                      empty intset (Redis's createIntsetObject)
//	NewSetFor(member) *Set             empty, encoded for its first member
//	                                   (Redis's setTypeCreate)
//	s.Len() int
//	s.Encoding() string                "intset" or "hashtable"
//	s.Add(member, maxIntset) bool      copies member; may convert
//	s.Remove(member) bool
//	s.Has(member) bool
//	s.Each(fn(member) bool)            intset: ascending; hashtable: bucket order
//	s.Scan(cursor, fn) next            SSCAN step (intset: all, 0)
//	s.Random(r) member                 s must not be empty
//	s.Clone() any                      deep copy (*Set)
//	s.IsIntset() bool
//	s.ConvertToTable()                 force "hashtable" (loaders)
//
// Member slices given to callbacks are valid only during the callback (an
// intset member is formatted into a scratch buffer); those returned by
// Random are valid until the set is next modified. All are read-only.
type Set struct {
	is []byte // intset form, when t == nil
	w  uint8  // intset width in bytes: 2, 4 or 8
	t  *chainTable[setKey]
}

// DefaultSetMaxIntsetEntries is Redis 7.0's set-max-intset-entries.
const DefaultSetMaxIntsetEntries = 512

// NewSet returns an empty set in the intset form.
func NewSet() *Set { return &Set{w: 2} }

// NewSetFor returns an empty set encoded as Redis encodes a set created for
// member: an intset if it is an integer, else a hash table.
func NewSetFor(member []byte) *Set {
	if _, ok := ParseInt(member); ok {
		return NewSet()
	}
	return &Set{t: newChainTable[setKey](0)}
}

// Len is the number of members.
func (s *Set) Len() int {
	if s.t != nil {
		return s.t.used
	}
	return len(s.is) / int(s.w)
}

// Encoding is what OBJECT ENCODING reports.
func (s *Set) Encoding() string {
	if s.t != nil {
		return "hashtable"
	}
	return "intset"
}

// IsIntset reports whether the set uses the intset form.
func (s *Set) IsIntset() bool { return s.t == nil }

func (s *Set) at(i int) int64 {
	switch s.w {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(s.is[2*i:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(s.is[4*i:])))
	}
	return int64(binary.LittleEndian.Uint64(s.is[8*i:]))
}

func putInt(b []byte, w uint8, v int64) {
	switch w {
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	default:
		binary.LittleEndian.PutUint64(b, uint64(v))
	}
}

func widthFor(v int64) uint8 {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	}
	return 8
}

// search returns the position of v in the intset and whether it is there.
func (s *Set) search(v int64) (int, bool) {
	lo, hi := 0, s.Len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.at(m) < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < s.Len() && s.at(lo) == v
}

// Has reports whether member is in the set.
func (s *Set) Has(member []byte) bool {
	if s.t != nil {
		return s.t.find(stringOf(member)) != nil
	}
	v, ok := ParseInt(member)
	if !ok {
		return false
	}
	_, found := s.search(v)
	return found
}

// Add adds member (copied) and reports whether it was new. A non-integer
// member converts an intset to a hash table first; an intset that ends up
// with more than maxIntset members converts after the insert.
func (s *Set) Add(member []byte, maxIntset int) bool {
	if s.t == nil {
		v, ok := ParseInt(member)
		if ok {
			if !s.intsetAdd(v) {
				return false
			}
			if s.Len() > maxIntset {
				s.ConvertToTable()
			}
			return true
		}
		s.ConvertToTable()
	}
	n, h := s.t.lookup(stringOf(member))
	if n != nil {
		return false
	}
	s.t.addHashed(&tnode[setKey]{kv: string(member)}, h)
	return true
}

func (s *Set) intsetAdd(v int64) bool {
	pos, found := s.search(v)
	if found {
		return false
	}
	n := s.Len()
	w := s.w
	if nw := widthFor(v); nw > w {
		w = nw
	}
	nb := make([]byte, (n+1)*int(w))
	for i := 0; i < pos; i++ {
		putInt(nb[i*int(w):], w, s.at(i))
	}
	putInt(nb[pos*int(w):], w, v)
	for i := pos; i < n; i++ {
		putInt(nb[(i+1)*int(w):], w, s.at(i))
	}
	s.is, s.w = nb, w
	return true
}

// Remove removes member and reports whether it was there. An intset keeps
// its width, as Redis's does.
func (s *Set) Remove(member []byte) bool {
	if s.t != nil {
		return s.t.remove(stringOf(member)) != nil
	}
	v, ok := ParseInt(member)
	if !ok {
		return false
	}
	pos, found := s.search(v)
	if !found {
		return false
	}
	w := int(s.w)
	nb := make([]byte, len(s.is)-w)
	copy(nb, s.is[:pos*w])
	copy(nb[pos*w:], s.is[(pos+1)*w:])
	s.is = nb
	return true
}

// ConvertToTable switches to the hashtable form (no-op if already there).
func (s *Set) ConvertToTable() {
	if s.t != nil {
		return
	}
	n := s.Len()
	t := newChainTable[setKey](n)
	for i := 0; i < n; i++ {
		t.add(&tnode[setKey]{kv: strconv.FormatInt(s.at(i), 10)})
	}
	s.t, s.is, s.w = t, nil, 0
}

// Each calls fn for every member until fn returns false. fn must not modify
// the set.
func (s *Set) Each(fn func(member []byte) bool) {
	if s.t != nil {
		s.t.each(func(n *tnode[setKey]) bool { return fn(bytesOf(n.kv)) })
		return
	}
	var buf [20]byte
	for i, n := 0, s.Len(); i < n; i++ {
		if !fn(strconv.AppendInt(buf[:0], s.at(i), 10)) {
			return
		}
	}
}

// Scan is one SSCAN step: an intset is visited whole and the returned cursor
// is 0; a hash table visits one bucket (see chainTable).
func (s *Set) Scan(cursor uint64, fn func(member []byte)) uint64 {
	if s.t == nil {
		s.Each(func(m []byte) bool { fn(m); return true })
		return 0
	}
	return s.t.scan(cursor, func(n *tnode[setKey]) { fn(bytesOf(n.kv)) })
}

// Random returns a random member. s must not be empty.
func (s *Set) Random(r *rand.Rand) []byte {
	if s.t != nil {
		return bytesOf(s.t.random(r).kv)
	}
	return strconv.AppendInt(nil, s.at(r.IntN(s.Len())), 10)
}

// Clone returns a deep copy (a *Set) with the same encoding.
func (s *Set) Clone() any {
	c := &Set{w: s.w}
	if s.t != nil {
		c.t = s.t.clone()
		return c
	}
	c.is = append([]byte(nil), s.is...)
	return c
}
