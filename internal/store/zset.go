package store

import (
	"encoding/binary"
	"math"
)

// ZSet is the value of a sorted-set key. Like Redis it has two forms:
//
//   - "listpack" (small): one byte slice of entries sorted by (score,
//     member), each uvarint(len) member score, where the score is a tag
//     byte and either a zigzag varint (integral scores) or 8 float bytes.
//     Operations are linear scans over at most zset-max-listpack-entries
//     entries, as in Redis.
//   - "skiplist" (large): a member→score map plus an order-statistic
//     B+tree (see zTree) for O(log n) insert, delete, rank and range.
//
// A set starts small and converts exactly when Redis 7.0 converts: adding a
// new member when the set already has MaxListpackEntries members or the
// member is longer than MaxListpackValue. It never converts back.
//
// API (for snapshots and log rewrites):
//
//	NewZSet(lim, firstMemberLen) *ZSet      the form Redis picks for a new key
//	z.Len() int
//	z.Each(func(member []byte, score float64) bool)   ascending (score, member)
//	z.Add(member, score, lim) (added bool)   insert or update; copies member
//	z.Clone() any                            deep copy (*ZSet)
//	z.Encoding() string                      "listpack" or "skiplist"
//	z.ConvertToSkiplist()                    force the large form (RDB load)
//
// Members handed to callbacks alias the set's memory and must not be
// modified; they are valid until the next modification.
type ZSet struct {
	packed[zLarge] // see packed.go
}

// zLarge is the large ("skiplist") form: a member -> score table, which is
// scannable, and the ordered tree; both share each member's string.
type zLarge struct {
	dict *chainTable[zkey]
	tree zTree
}

// ZSetLimits are zset-max-listpack-entries and zset-max-listpack-value.
type ZSetLimits struct {
	MaxListpackEntries int
	MaxListpackValue   int
}

// NewZSet creates an empty set in the form Redis 7.0 gives a key created by
// ZADD/ZINCRBY whose first member is firstMemberLen bytes long (callers
// building a set from scratch pass 0).
func NewZSet(lim ZSetLimits, firstMemberLen int) *ZSet {
	z := &ZSet{}
	if lim.MaxListpackEntries == 0 || firstMemberLen > lim.MaxListpackValue {
		z.ConvertToSkiplist()
	}
	return z
}

// Encoding is what OBJECT ENCODING reports.
func (z *ZSet) Encoding() string {
	if z.large() != nil {
		return "skiplist"
	}
	return "listpack"
}

// Len is the number of members.
func (z *ZSet) Len() int {
	if big := z.large(); big != nil {
		return big.dict.used
	}
	return int(z.n)
}

// ---- small form encoding ----

const (
	zTagFloat = 0
	zTagInt   = 1
)

func zlpAppend(dst []byte, m []byte, s float64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	dst = append(dst, m...)
	// Integral scores are stored as integers; like Redis's listpack, this
	// stores -0 as 0.
	if s == math.Trunc(s) && math.Abs(s) < 1<<53 {
		dst = append(dst, zTagInt)
		return binary.AppendVarint(dst, int64(s))
	}
	dst = append(dst, zTagFloat)
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(s))
}

func zlpRead(b []byte, off int) (m []byte, s float64, next int) {
	var l uint64
	if c := b[off]; c < 0x80 {
		// Members under 128 bytes: one length byte, without Uvarint's loop.
		l = uint64(c)
		off++
	} else {
		var k int
		l, k = binary.Uvarint(b[off:])
		off += k
	}
	m = b[off : off+int(l)]
	off += int(l)
	if b[off] == zTagInt {
		v, k := binary.Varint(b[off+1:])
		return m, float64(v), off + 1 + k
	}
	return m, math.Float64frombits(binary.LittleEndian.Uint64(b[off+1:])), off + 9
}

// lpFind returns the offsets of member's entry and its score.
func (z *ZSet) lpFind(member []byte) (start, end int, s float64, ok bool) {
	lp := z.bytes()
	for off := 0; off < len(lp); {
		m, sc, next := zlpRead(lp, off)
		if string(m) == string(member) {
			return off, next, sc, true
		}
		off = next
	}
	return 0, 0, 0, false
}

func (z *ZSet) lpInsert(member []byte, s float64) {
	lp := z.bytes()
	pos := len(lp)
	for off := 0; off < len(lp); {
		m, sc, next := zlpRead(lp, off)
		if zLess(s, string(member), sc, string(m)) {
			pos = off
			break
		}
		off = next
	}
	// Exactly sized, like every packed buffer (packed.go).
	var ent [binary.MaxVarintLen64 + 1 + binary.MaxVarintLen64]byte
	tail := zlpAppend(ent[:0], nil, s)[1:] // the score's encoding
	nb := make([]byte, 0, len(lp)+elemSize(member)+len(tail))
	nb = append(nb, lp[:pos]...)
	nb = appendElem(nb, member)
	nb = append(nb, tail...)
	nb = append(nb, lp[pos:]...)
	z.setBytes(nb)
	z.n++
}

func (z *ZSet) lpDelete(start, end int) {
	lp := z.bytes()
	z.setBytes(append(lp[:start], lp[end:]...))
	z.n--
}

// ConvertToSkiplist switches to the large form.
func (z *ZSet) ConvertToSkiplist() {
	if z.large() != nil {
		return
	}
	big := &zLarge{dict: newChainTable[zkey](int(z.n))}
	lp := z.bytes()
	for off := 0; off < len(lp); {
		m, s, next := zlpRead(lp, off)
		ms := string(m)
		big.dict.add(&tnode[zkey]{k: zkey(s), kv: ms})
		big.tree.insert(ms, s)
		off = next
	}
	z.setLarge(big)
}

// ---- operations ----

// Score returns member's score.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if big := z.large(); big != nil {
		if n := big.dict.find(stringOf(member)); n != nil {
			return float64(n.k), true
		}
		return 0, false
	}
	_, _, s, ok := z.lpFind(member)
	return s, ok
}

// Add sets member's score, inserting it if needed, and reports whether it
// was added. lim decides the conversion to the large form.
func (z *ZSet) Add(member []byte, score float64, lim ZSetLimits) bool {
	if z.large() == nil {
		if start, end, old, ok := z.lpFind(member); ok {
			if old != score {
				z.lpDelete(start, end)
				z.lpInsert(member, score)
			}
			return false
		}
		if int(z.n)+1 > lim.MaxListpackEntries || len(member) > lim.MaxListpackValue ||
			int(z.size)+elemSize(member)+binary.MaxVarintLen64+1 > maxPackedBytes {
			z.ConvertToSkiplist()
		} else {
			z.lpInsert(member, score)
			return true
		}
	}
	big := z.large()
	if n := big.dict.find(stringOf(member)); n != nil {
		if old := float64(n.k); old != score {
			// The node's string is the one the tree holds: no new copy.
			big.tree.delete(n.kv, old)
			big.tree.insert(n.kv, score)
			n.k = zkey(score)
		}
		return false
	}
	ms := string(member)
	big.dict.add(&tnode[zkey]{k: zkey(score), kv: ms})
	big.tree.insert(ms, score)
	return true
}

// Remove deletes member and reports whether it was there.
func (z *ZSet) Remove(member []byte) bool {
	big := z.large()
	if big == nil {
		start, end, _, ok := z.lpFind(member)
		if ok {
			z.lpDelete(start, end)
		}
		return ok
	}
	n := big.dict.remove(stringOf(member))
	if n == nil {
		return false
	}
	big.tree.delete(n.kv, float64(n.k))
	return true
}

// Rank returns member's 0-based rank in ascending order.
func (z *ZSet) Rank(member []byte) (int, bool) {
	if big := z.large(); big != nil {
		n := big.dict.find(stringOf(member))
		if n == nil {
			return 0, false
		}
		return big.tree.rank(n.kv, float64(n.k)), true
	}
	r := 0
	lp := z.bytes()
	for off := 0; off < len(lp); r++ {
		m, _, next := zlpRead(lp, off)
		if string(m) == string(member) {
			return r, true
		}
		off = next
	}
	return 0, false
}

// At returns the member and score at rank r (0 <= r < Len).
func (z *ZSet) At(r int) (member []byte, score float64) {
	z.Range(r, false, func(_ int, m []byte, s float64) bool {
		member, score = m, s
		return false
	})
	return
}

// Each calls fn in ascending order until fn returns false.
func (z *ZSet) Each(fn func(member []byte, score float64) bool) {
	z.Range(0, false, func(_ int, m []byte, s float64) bool { return fn(m, s) })
}

// Range calls fn from rank start (0 <= start < Len) ascending, or descending
// when reverse, until fn returns false or the set ends.
func (z *ZSet) Range(start int, reverse bool, fn func(rank int, member []byte, score float64) bool) {
	if start < 0 || start >= z.Len() {
		return
	}
	if big := z.large(); big != nil {
		big.tree.walk(start, reverse, func(r int, m string, s float64) bool { return fn(r, zBytes(m), s) })
		return
	}
	lp := z.bytes()
	if !reverse {
		r := 0
		for off := 0; off < len(lp); r++ {
			m, s, next := zlpRead(lp, off)
			if r >= start && !fn(r, m, s) {
				return
			}
			off = next
		}
		return
	}
	offs := z.lpOffsets()
	for r := start; r >= 0; r-- {
		m, s, _ := zlpRead(lp, offs[r])
		if !fn(r, m, s) {
			return
		}
	}
}

func (z *ZSet) lpOffsets() []int {
	offs := make([]int, 0, z.n)
	lp := z.bytes()
	for off := 0; off < len(lp); {
		offs = append(offs, off)
		_, _, off = zlpRead(lp, off)
	}
	return offs
}

// FirstWhere returns the rank of the first member for which pred holds
// (Len when none). The small form scans from the head, as Redis's listpack
// code does; the large form binary-searches, assuming pred is false then
// true along the order (score ranges always are).
func (z *ZSet) FirstWhere(pred func(member []byte, score float64) bool) int {
	if big := z.large(); big != nil {
		return big.tree.firstTrue(pred)
	}
	r := 0
	lp := z.bytes()
	for off := 0; off < len(lp); r++ {
		m, s, next := zlpRead(lp, off)
		if pred(m, s) {
			return r
		}
		off = next
	}
	return r
}

// LastWhere returns the rank of the last member for which pred holds (-1
// when none): a scan from the tail in the small form, a binary search in the
// large form (pred true then false along the order).
func (z *ZSet) LastWhere(pred func(member []byte, score float64) bool) int {
	if big := z.large(); big != nil {
		return big.tree.firstTrue(func(m []byte, s float64) bool { return !pred(m, s) }) - 1
	}
	offs := z.lpOffsets()
	lp := z.bytes()
	for r := len(offs) - 1; r >= 0; r-- {
		m, s, _ := zlpRead(lp, offs[r])
		if pred(m, s) {
			return r
		}
	}
	return -1
}

// DeleteRanks removes the members with ranks start..end inclusive (clamped).
func (z *ZSet) DeleteRanks(start, end int) int {
	if start < 0 {
		start = 0
	}
	if end >= z.Len() {
		end = z.Len() - 1
	}
	if start > end {
		return 0
	}
	n := end - start + 1
	big := z.large()
	if big == nil {
		offs := z.lpOffsets()
		lp := z.bytes()
		from := offs[start]
		to := len(lp)
		if end+1 < len(offs) {
			to = offs[end+1]
		}
		z.setBytes(append(lp[:from], lp[to:]...))
		z.n -= uint32(n)
		return n
	}
	victims := make([]zItem, 0, n)
	big.tree.walk(start, false, func(r int, m string, s float64) bool {
		victims = append(victims, zItem{m, s})
		return r < end
	})
	for _, it := range victims {
		big.tree.delete(it.m, it.s)
		big.dict.remove(it.m)
	}
	return n
}

// Clone returns a deep copy in the same form.
func (z *ZSet) Clone() any {
	c := &ZSet{}
	big := z.large()
	if big == nil {
		c.setBytes(append([]byte(nil), z.bytes()...))
		c.n = z.n
		return c
	}
	cb := &zLarge{dict: newChainTable[zkey](big.dict.used)}
	big.tree.walk(0, false, func(_ int, m string, s float64) bool {
		cb.dict.add(&tnode[zkey]{k: zkey(s), kv: m}) // strings are immutable: sharing is safe
		cb.tree.insert(m, s)
		return true
	})
	c.setLarge(cb)
	return c
}

// zkey makes the chain table's per-node key slot hold the score: the whole
// kv string is the member, so a member costs one node and one string,
// shared with the tree.
type zkey float64

func (zkey) keyOf(kv string) string { return kv }

// Scan visits the members in the buckets addressed by cursor (the large
// form; the small form returns everything with cursor 0, as Redis does) and
// returns the next cursor. Members present for the whole iteration are
// returned at least once, whatever else changes meanwhile, scores included.
func (z *ZSet) Scan(cursor uint64, fn func(member []byte, score float64)) uint64 {
	big := z.large()
	if big == nil {
		z.Each(func(m []byte, s float64) bool { fn(m, s); return true })
		return 0
	}
	return big.dict.scan(cursor, func(n *tnode[zkey]) { fn(zBytes(n.kv), float64(n.k)) })
}
