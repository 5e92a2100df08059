package store

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"unsafe"
)

// Hash is the value of a KindHash key.
//
// Small hashes use a packed form that OBJECT ENCODING reports as "listpack":
// one []byte holding field, value, field, value… each as a uvarint length
// followed by its bytes, in insertion order. Past the limits (more entries
// than MaxListpackEntries, or a field or value longer than MaxListpackValue)
// the hash converts, for good, to a chained hash table ("hashtable"), exactly
// when Redis 7.0 converts; it never converts back when it shrinks.
//
// API (the snapshot and log-rewrite code rely on it):
//
//	NewHash() *Hash                       empty, listpack
//	h.Len() int                           number of fields
//	h.Encoding() string                   "listpack" or "hashtable"
//	h.Get(field) (value, ok)
//	h.Set(field, value, lim) (created)    copies both; may convert
//	h.Delete(field) bool
//	h.Each(fn(field, value) bool)         listpack: insertion order;
//	                                      hashtable: bucket order
//	h.Scan(cursor, fn) next               HSCAN step (listpack: all, 0)
//	h.Random(r) (field, value)            h must not be empty
//	h.Clone() any                         deep copy (*Hash)
//	h.ConvertToTable()                    force "hashtable" (loaders)
//
// Slices passed to callbacks or returned by Get and Random are read-only
// views of the hash's memory, valid until the hash is next modified.
type Hash struct {
	packed[chainTable[pairKey]] // see packed.go
}

// HashLimits are hash-max-listpack-entries and hash-max-listpack-value.
type HashLimits struct {
	MaxListpackEntries int
	MaxListpackValue   int
}

// DefaultHashLimits are Redis 7.0's defaults.
var DefaultHashLimits = HashLimits{MaxListpackEntries: 128, MaxListpackValue: 64}

// NewHash returns an empty hash in the listpack form.
func NewHash() *Hash { return &Hash{} }

// Len is the number of fields.
func (h *Hash) Len() int {
	if t := h.large(); t != nil {
		return t.used
	}
	return int(h.n)
}

// Encoding is what OBJECT ENCODING reports.
func (h *Hash) Encoding() string {
	if h.large() != nil {
		return "hashtable"
	}
	return "listpack"
}

// lpNext decodes the element at off and returns it and the offset after it.
func lpNext(lp []byte, off int) (elem []byte, next int) {
	if c := int(lp[off]); c < 0x80 {
		// Under 128 bytes, one length byte: inlined without Uvarint's
		// loop, as readEntry does for lists.
		start := off + 1
		return lp[start : start+c], start + c
	}
	l, k := binary.Uvarint(lp[off:])
	start := off + k
	end := start + int(l)
	return lp[start:end], end
}

// lpFind returns the offsets of the pair whose field is f: fieldOff (start
// of the field's length), valOff (start of the value's length) and end (after
// the value), or fieldOff -1.
func (h *Hash) lpFind(f []byte) (fieldOff, valOff, end int) {
	lp := h.bytes()
	off := 0
	for off < len(lp) {
		fo := off
		field, vo := lpNext(lp, off)
		_, e := lpNext(lp, vo)
		if string(field) == string(f) {
			return fo, vo, e
		}
		off = e
	}
	return -1, 0, 0
}

// Get returns the value of field.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if t := h.large(); t != nil {
		n := t.find(stringOf(field))
		if n == nil {
			return nil, false
		}
		return bytesOf(n.kv[n.k:]), true
	}
	fo, vo, _ := h.lpFind(field)
	if fo < 0 {
		return nil, false
	}
	v, _ := lpNext(h.bytes(), vo)
	return v, true
}

// Has reports whether field exists.
func (h *Hash) Has(field []byte) bool {
	_, ok := h.Get(field)
	return ok
}

func appendElem(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func elemSize(b []byte) int {
	var tmp [binary.MaxVarintLen64]byte
	return binary.PutUvarint(tmp[:], uint64(len(b))) + len(b)
}

// Set sets field to value (both copied) and reports whether the field was
// new. A field or value longer than lim.MaxListpackValue converts the hash
// before the write, and a listpack that ends up with more than
// lim.MaxListpackEntries fields converts after it, as Redis's hashTypeSet.
func (h *Hash) Set(field, value []byte, lim HashLimits) bool {
	if h.large() == nil && (len(field) > lim.MaxListpackValue || len(value) > lim.MaxListpackValue ||
		int(h.size)+elemSize(field)+elemSize(value) > maxPackedBytes) {
		h.ConvertToTable()
	}
	if t := h.large(); t != nil {
		return tableSet(t, field, value)
	}
	lp := h.bytes()
	fo, vo, end := h.lpFind(field)
	if fo >= 0 {
		old, _ := lpNext(lp, vo)
		if len(old) == len(value) {
			copy(old, value)
			return false
		}
		// Rebuild exactly sized: the old buffer stays intact while copying,
		// so value may alias it.
		nb := make([]byte, 0, vo+elemSize(value)+len(lp)-end)
		nb = append(nb, lp[:vo]...)
		nb = appendElem(nb, value)
		nb = append(nb, lp[end:]...)
		h.setBytes(nb)
		return false
	}
	nb := make([]byte, 0, len(lp)+elemSize(field)+elemSize(value))
	nb = append(nb, lp...)
	nb = appendElem(nb, field)
	nb = appendElem(nb, value)
	h.setBytes(nb)
	h.n++
	if int(h.n) > lim.MaxListpackEntries {
		h.ConvertToTable()
	}
	return true
}

func pairString(field, value []byte) string {
	var sb strings.Builder
	sb.Grow(len(field) + len(value))
	sb.Write(field)
	sb.Write(value)
	return sb.String()
}

func tableSet(t *chainTable[pairKey], field, value []byte) bool {
	n, h := t.lookup(stringOf(field))
	if n != nil {
		if len(n.kv)-int(n.k) == len(value) {
			// Same length: write over the old value (the packed form does
			// the same), so that overwriting fields leaves no garbage.
			// A fresh string per HSET made the old one garbage, and with
			// GOGC=100 an overwrite-heavy hash reached twice its live size
			// (1M fields of 200 bytes: RSS 1.7-2x Redis's). The bytes are
			// this node's alone: Clone copies them, and everything else
			// (replies, the log, snapshots) copies before the lock is let
			// go.
			copy(unsafe.Slice(unsafe.StringData(n.kv), len(n.kv))[n.k:], value)
			return false
		}
		n.kv = pairString(field, value)
		return false
	}
	t.addHashed(&tnode[pairKey]{k: pairKey(len(field)), kv: pairString(field, value)}, h)
	return true
}

// ConvertToTable switches to the hashtable form (no-op if already there).
func (h *Hash) ConvertToTable() {
	if h.large() != nil {
		return
	}
	t := newChainTable[pairKey](int(h.n))
	lp := h.bytes()
	for off := 0; off < len(lp); {
		var f, v []byte
		f, off = lpNext(lp, off)
		v, off = lpNext(lp, off)
		t.add(&tnode[pairKey]{k: pairKey(len(f)), kv: pairString(f, v)})
	}
	h.setLarge(t)
}

// Delete removes field and reports whether it existed.
func (h *Hash) Delete(field []byte) bool {
	if t := h.large(); t != nil {
		return t.remove(stringOf(field)) != nil
	}
	fo, _, end := h.lpFind(field)
	if fo < 0 {
		return false
	}
	lp := h.bytes()
	nb := make([]byte, 0, len(lp)-(end-fo))
	nb = append(nb, lp[:fo]...)
	nb = append(nb, lp[end:]...)
	h.setBytes(nb)
	h.n--
	return true
}

// Each calls fn for every field until fn returns false. fn must not modify
// the hash.
func (h *Hash) Each(fn func(field, value []byte) bool) {
	if t := h.large(); t != nil {
		t.each(func(n *tnode[pairKey]) bool {
			return fn(bytesOf(n.kv[:n.k]), bytesOf(n.kv[n.k:]))
		})
		return
	}
	lp := h.bytes()
	for off := 0; off < len(lp); {
		var f, v []byte
		f, off = lpNext(lp, off)
		v, off = lpNext(lp, off)
		if !fn(f, v) {
			return
		}
	}
}

// Scan is one HSCAN step: in the listpack form every field is visited and
// the returned cursor is 0, whatever the cursor given; in the hashtable form
// one bucket is visited (see chainTable).
func (h *Hash) Scan(cursor uint64, fn func(field, value []byte)) uint64 {
	t := h.large()
	if t == nil {
		h.Each(func(f, v []byte) bool { fn(f, v); return true })
		return 0
	}
	return t.scan(cursor, func(n *tnode[pairKey]) {
		fn(bytesOf(n.kv[:n.k]), bytesOf(n.kv[n.k:]))
	})
}

// Random returns a random field and its value. h must not be empty.
func (h *Hash) Random(r *rand.Rand) (field, value []byte) {
	if t := h.large(); t != nil {
		n := t.random(r)
		return bytesOf(n.kv[:n.k]), bytesOf(n.kv[n.k:])
	}
	lp := h.bytes()
	i := r.IntN(int(h.n))
	off := 0
	for ; i > 0; i-- {
		_, off = lpNext(lp, off)
		_, off = lpNext(lp, off)
	}
	field, off = lpNext(lp, off)
	value, _ = lpNext(lp, off)
	return field, value
}

// Clone returns a deep copy (a *Hash) with the same encoding.
func (h *Hash) Clone() any {
	c := &Hash{}
	if t := h.large(); t != nil {
		// Deep: a field's bytes may be written over in place (tableSet).
		ct := t.clone()
		ct.each(func(n *tnode[pairKey]) bool {
			n.kv = strings.Clone(n.kv)
			return true
		})
		c.setLarge(ct)
		return c
	}
	c.setBytes(append([]byte(nil), h.bytes()...))
	c.n = h.n
	return c
}
