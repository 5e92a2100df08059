package store

import (
	"encoding/binary"
	"slices"
)

// List is the value of a list key: a deque of packed chunks, like Redis's
// quicklist of listpacks. Each chunk stores its elements back to back in one
// byte slice as
//
//	uvarint(len) element backlen
//
// where backlen is the size of "uvarint(len) element" written so that it can
// be read from its last byte backwards. Small elements cost their length plus
// two bytes, pushes and pops at either end are O(1) (a chunk has a bounded
// size) and serialising is a walk over a few large slices.
//
// API (for snapshots and log rewrites):
//
//	NewList(fill) *List          fill is list-max-listpack-size (-1..-5 bytes class, >0 entries)
//	l.Len() int
//	l.Each(func(elem []byte) bool)           head to tail; elem is valid only during the call
//	l.PushBack(elem) / l.PushFront(elem)     the list copies elem
//	l.Clone() any                            deep copy (*List)
//	l.Encoding() string                      "quicklist", as Redis 7.0 reports for every list
//
// Elements handed to callbacks or returned by Index alias the list's memory:
// they are valid until the next modification, as are the elements
// PopFrontView/PopBackView return.
type List struct {
	nodes []*listNode // live nodes are nodes[off:]
	off   int
	n     int
	fill  int
}

type listNode struct {
	b  []byte // entries are b[lo:]
	lo int32
	n  int32
}

// used is the bytes the node's entries take.
func (nd *listNode) used() int { return len(nd.b) - int(nd.lo) }

// sizeSafetyLimit bounds a chunk's bytes when the fill is a count, as Redis's
// SIZE_SAFETY_LIMIT does.
const sizeSafetyLimit = 8192

// NewList creates an empty list whose chunks follow fill (Redis's
// list-max-listpack-size: -1..-5 for 4..64 KiB chunks, n>0 for n entries).
func NewList(fill int) *List {
	if fill == 0 {
		fill = -2
	}
	return &List{fill: fill}
}

// Encoding is what OBJECT ENCODING reports: Redis 7.0 reports "quicklist"
// for every list, however small.
func (l *List) Encoding() string { return "quicklist" }

// Len is the number of elements.
func (l *List) Len() int { return l.n }

// Fill is the chunk sizing the list was created with.
func (l *List) Fill() int { return l.fill }

// Clone returns a deep copy.
func (l *List) Clone() any {
	c := &List{n: l.n, fill: l.fill, nodes: make([]*listNode, 0, l.numNodes())}
	for _, nd := range l.nodes[l.off:] {
		b := make([]byte, nd.used())
		copy(b, nd.b[nd.lo:])
		c.nodes = append(c.nodes, &listNode{b: b, n: nd.n})
	}
	return c
}

// ---- entry encoding ----

func entrySize(elemLen int) int {
	h := uvarintLen(uint64(elemLen)) + elemLen
	return h + backlenLen(h)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func backlenLen(v int) int { return uvarintLen(uint64(v)) }

// putEntry writes elem's entry at dst[0:] (dst must be large enough) and
// returns the bytes written.
func putEntry(dst []byte, elem []byte) int {
	p := binary.PutUvarint(dst, uint64(len(elem)))
	p += copy(dst[p:], elem)
	h := p
	k := backlenLen(h)
	// groups of 7 bits, least significant group in the last byte; every
	// byte but the first carries 0x80 ("more before me").
	v := h
	for i := k - 1; i >= 0; i-- {
		b := byte(v & 0x7f)
		if i > 0 {
			b |= 0x80
		}
		dst[p+i] = b
		v >>= 7
	}
	return p + k
}

func appendEntry(dst []byte, elem []byte) []byte {
	sz := entrySize(len(elem))
	start := len(dst)
	dst = append(dst, make([]byte, sz)...)
	putEntry(dst[start:], elem)
	return dst
}

// readEntry decodes the entry at b[off:] and returns it and the offset after it.
func readEntry(b []byte, off int) (elem []byte, next int) {
	if c := int(b[off]); c < 0x7f {
		// Elements under 127 bytes, most of them: one length byte, and
		// one back-length byte since 1+c < 128. Inlined, this skips
		// Uvarint's loop (LRANGE's walk spent 12 % of the server's CPU
		// here, perf).
		start := off + 1
		return b[start : start+c], start + c + 1
	}
	l, k := binary.Uvarint(b[off:])
	start := off + k
	end := start + int(l)
	return b[start:end], end + backlenLen(k+int(l))
}

// prevEntryStart returns the offset where the entry ending at end starts.
func prevEntryStart(b []byte, end int) int {
	v, shift := 0, 0
	p := end - 1
	for {
		c := b[p]
		v |= int(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			break
		}
		p--
	}
	return p - v
}

// ---- node deque ----

func (l *List) numNodes() int        { return len(l.nodes) - l.off }
func (l *List) node(i int) *listNode { return l.nodes[l.off+i] }

func (l *List) pushBackNode(nd *listNode) {
	if len(l.nodes) == cap(l.nodes) && l.off > 0 {
		n := copy(l.nodes, l.nodes[l.off:])
		clear(l.nodes[n:])
		l.nodes = l.nodes[:n]
		l.off = 0
	}
	l.nodes = append(l.nodes, nd)
}

func (l *List) pushFrontNode(nd *listNode) {
	if l.off == 0 {
		live := l.numNodes()
		slack := live + 4
		nn := make([]*listNode, slack+live, slack+live+4)
		copy(nn[slack:], l.nodes)
		l.nodes, l.off = nn, slack
	}
	l.off--
	l.nodes[l.off] = nd
}

// replaceNodes replaces the nodes at [i, i+k) with repl, in place: it
// costs the nodes after i, not the list. Copying the whole node slice
// made every RPOP that emptied the tail node copy all of them: at
// RPOP -P 16 on a 6M-element list (150k nodes) that was 1.2 MB of copying
// and garbage every 40 pops, 198k requests/s against Redis's 917k.
func (l *List) replaceNodes(i, k int, repl []*listNode) {
	if i == 0 && k >= 1 && len(repl) == 0 {
		clear(l.nodes[l.off : l.off+k])
		l.off += k
	} else {
		// slices.Replace zeroes the slots it vacates, so removed nodes are
		// not kept alive.
		l.nodes = slices.Replace(l.nodes, l.off+i, l.off+i+k, repl...)
	}
	if l.off == len(l.nodes) {
		l.nodes, l.off = l.nodes[:0], 0
	}
}

// seal gives a node that the list has just moved past (a push started a
// new node beside it) an exactly sized buffer, if growing it left much
// unused room: pushes grow a node's buffer with room to spare, and a list
// of many full nodes kept that room in each (2M LPUSHes of 200 bytes: 591
// MB of RSS against Redis's 412). The new node starts with the room the
// full one used, the likely size of the next full one, so a long run of
// pushes fills its nodes without regrowing them (each regrowth left the
// old buffer as garbage).
func seal(nd *listNode) {
	used := nd.used()
	if cap(nd.b)-used <= used/8 {
		return
	}
	nd.b, nd.lo = append(make([]byte, 0, used), nd.b[nd.lo:]...), 0
}

func (l *List) fits(nd *listNode, add int) bool {
	if nd.n == 0 {
		return true
	}
	size := nd.used() + add
	if l.fill < 0 {
		f := -l.fill
		if f > 5 {
			f = 5
		}
		return size <= 4096<<(f-1)
	}
	return int(nd.n) < l.fill && size <= sizeSafetyLimit
}

// ---- pushes and pops ----

// PushBack appends a copy of elem at the tail.
func (l *List) PushBack(elem []byte) {
	sz := entrySize(len(elem))
	var nd *listNode
	if k := l.numNodes(); k > 0 && l.fits(l.node(k-1), sz) {
		nd = l.node(k - 1)
	} else {
		nd = &listNode{}
		if k > 0 {
			prev := l.node(k - 1)
			seal(prev)
			nd.b = make([]byte, 0, max(prev.used(), sz))
		}
		l.pushBackNode(nd)
	}
	nd.b = appendEntry(nd.b, elem)
	nd.n++
	l.n++
}

// PushFront inserts a copy of elem at the head.
func (l *List) PushFront(elem []byte) {
	sz := entrySize(len(elem))
	var nd *listNode
	if l.numNodes() > 0 && l.fits(l.node(0), sz) {
		nd = l.node(0)
	} else {
		nd = &listNode{}
		if l.numNodes() > 0 {
			next := l.node(0)
			seal(next)
			room := max(next.used(), sz)
			nd.b, nd.lo = make([]byte, room), int32(room)
		}
		l.pushFrontNode(nd)
	}
	if int(nd.lo) < sz {
		live := nd.used()
		slack := sz + live/2 + 16
		nb := make([]byte, slack+live)
		copy(nb[slack:], nd.b[nd.lo:])
		nd.b, nd.lo = nb, int32(slack)
	}
	nd.lo -= int32(sz)
	putEntry(nd.b[nd.lo:], elem)
	nd.n++
	l.n++
}

// PopFrontView removes the head element and returns a view of it in the
// list's memory, valid until the list is next modified: a caller that
// writes it into a reply at once saves the copy (an allocation per LPOP).
func (l *List) PopFrontView() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	nd := l.node(0)
	e, next := readEntry(nd.b, int(nd.lo))
	nd.lo = int32(next)
	nd.n--
	l.n--
	if nd.n == 0 {
		l.replaceNodes(0, 1, nil)
	}
	return e[:len(e):len(e)], true
}

// PopBackView is PopFrontView for the tail element.
func (l *List) PopBackView() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	k := l.numNodes() - 1
	nd := l.node(k)
	start := prevEntryStart(nd.b, len(nd.b))
	e, _ := readEntry(nd.b, start)
	nd.b = nd.b[:start]
	nd.n--
	l.n--
	if nd.n == 0 {
		l.replaceNodes(k, 1, nil)
	}
	return e[:len(e):len(e)], true
}

// ---- positional access ----

// locate finds the node holding index i (0 <= i < Len) and the index within it.
func (l *List) locate(i int) (ni, inner int) {
	if i < l.n/2 {
		for ni = 0; ; ni++ {
			c := int(l.node(ni).n)
			if i < c {
				return ni, i
			}
			i -= c
		}
	}
	rem := l.n - 1 - i // distance from the tail
	for ni = l.numNodes() - 1; ; ni-- {
		c := int(l.node(ni).n)
		if rem < c {
			return ni, c - 1 - rem
		}
		rem -= c
	}
}

// entryOffset returns the byte offset of the inner-th entry of nd.
func entryOffset(nd *listNode, inner int) int {
	if inner <= int(nd.n)/2 {
		off := int(nd.lo)
		for ; inner > 0; inner-- {
			_, off = readEntry(nd.b, off)
		}
		return off
	}
	off := len(nd.b)
	for k := int(nd.n) - inner; k > 0; k-- {
		off = prevEntryStart(nd.b, off)
	}
	return off
}

// Index returns the element at i (negative counts from the tail). The slice
// aliases the list.
func (l *List) Index(i int) ([]byte, bool) {
	if i < 0 {
		i += l.n
	}
	if i < 0 || i >= l.n {
		return nil, false
	}
	ni, inner := l.locate(i)
	nd := l.node(ni)
	e, _ := readEntry(nd.b, entryOffset(nd, inner))
	return e, true
}

// Each calls fn for every element from head to tail until fn returns false.
func (l *List) Each(fn func(elem []byte) bool) {
	for _, nd := range l.nodes[l.off:] {
		off := int(nd.lo)
		for off < len(nd.b) {
			var e []byte
			e, off = readEntry(nd.b, off)
			if !fn(e) {
				return
			}
		}
	}
}

// Range calls fn for the elements from index start (0 <= start < Len)
// towards the tail (or the head when reverse) until fn returns false or the
// list ends. idx is each element's index from the head.
func (l *List) Range(start int, reverse bool, fn func(idx int, elem []byte) bool) {
	if start < 0 || start >= l.n {
		return
	}
	ni, inner := l.locate(start)
	idx := start
	if !reverse {
		off := entryOffset(l.node(ni), inner)
		for ; ni < l.numNodes(); ni++ {
			nd := l.node(ni)
			for off < len(nd.b) {
				var e []byte
				e, off = readEntry(nd.b, off)
				if !fn(idx, e) {
					return
				}
				idx++
			}
			if ni+1 < l.numNodes() {
				off = int(l.node(ni + 1).lo)
			}
		}
		return
	}
	nd := l.node(ni)
	off := entryOffset(nd, inner)
	for {
		e, _ := readEntry(nd.b, off)
		if !fn(idx, e) {
			return
		}
		idx--
		if off > int(nd.lo) {
			off = prevEntryStart(nd.b, off)
			continue
		}
		ni--
		if ni < 0 {
			return
		}
		nd = l.node(ni)
		off = prevEntryStart(nd.b, len(nd.b))
	}
}

// nodeElems decodes a node's elements (aliasing its buffer).
func nodeElems(nd *listNode) [][]byte {
	out := make([][]byte, 0, nd.n)
	off := int(nd.lo)
	for off < len(nd.b) {
		var e []byte
		e, off = readEntry(nd.b, off)
		out = append(out, e)
	}
	return out
}

// buildNodes packs elems into fresh nodes that respect the fill.
func (l *List) buildNodes(elems [][]byte) []*listNode {
	var out []*listNode
	var cur *listNode
	for _, e := range elems {
		sz := entrySize(len(e))
		if cur == nil || !l.fits(cur, sz) {
			cur = &listNode{}
			out = append(out, cur)
		}
		cur.b = appendEntry(cur.b, e)
		cur.n++
	}
	return out
}

// Set replaces the element at index i (0 <= i < Len).
func (l *List) Set(i int, val []byte) {
	ni, inner := l.locate(i)
	elems := nodeElems(l.node(ni))
	elems[inner] = val
	l.replaceNodes(ni, 1, l.buildNodes(elems))
}

// Insert inserts val so that it ends up at index i (0 <= i <= Len).
func (l *List) Insert(i int, val []byte) {
	switch {
	case i <= 0:
		l.PushFront(val)
		return
	case i >= l.n:
		l.PushBack(val)
		return
	}
	ni, inner := l.locate(i)
	old := nodeElems(l.node(ni))
	elems := make([][]byte, 0, len(old)+1)
	elems = append(elems, old[:inner]...)
	elems = append(elems, val)
	elems = append(elems, old[inner:]...)
	l.replaceNodes(ni, 1, l.buildNodes(elems))
	l.n++
}

// DeleteRange removes count elements starting at index start (clamped to
// the list).
func (l *List) DeleteRange(start, count int) {
	if start < 0 {
		count += start
		start = 0
	}
	if count > l.n-start {
		count = l.n - start
	}
	if count <= 0 {
		return
	}
	// Whole nodes at the head go in O(1) each.
	for start == 0 && count > 0 && int(l.node(0).n) <= count {
		c := int(l.node(0).n)
		l.replaceNodes(0, 1, nil)
		l.n -= c
		count -= c
	}
	for count > 0 {
		ni, inner := l.locate(start)
		nd := l.node(ni)
		take := int(nd.n) - inner
		if take > count {
			take = count
		}
		if take == int(nd.n) {
			l.replaceNodes(ni, 1, nil)
		} else if inner+take == int(nd.n) {
			// cut the tail of the node in place
			nd.b = nd.b[:entryOffset(nd, inner)]
			nd.n -= int32(take)
		} else {
			elems := nodeElems(nd)
			elems = append(elems[:inner:inner], elems[inner+take:]...)
			l.replaceNodes(ni, 1, l.buildNodes(elems))
		}
		l.n -= take
		count -= take
	}
}

// RemoveValue removes elements equal to val: the first count from the head
// (count > 0), the last -count from the tail (count < 0) or all (count 0),
// and returns how many it removed.
func (l *List) RemoveValue(val []byte, count int) int {
	removed := 0
	limit := count
	if limit < 0 {
		limit = -limit
	}
	done := func() bool { return limit != 0 && removed >= limit }
	if count >= 0 {
		for ni := 0; ni < l.numNodes() && !done(); {
			elems := nodeElems(l.node(ni))
			kept := make([][]byte, 0, len(elems))
			for _, e := range elems {
				if !done() && string(e) == string(val) {
					removed++
					continue
				}
				kept = append(kept, e)
			}
			if len(kept) == len(elems) {
				ni++
				continue
			}
			l.n -= len(elems) - len(kept)
			repl := l.buildNodes(kept)
			l.replaceNodes(ni, 1, repl)
			ni += len(repl)
		}
		return removed
	}
	for ni := l.numNodes() - 1; ni >= 0 && !done(); ni-- {
		elems := nodeElems(l.node(ni))
		kept := make([][]byte, len(elems))
		w := len(elems)
		for j := len(elems) - 1; j >= 0; j-- {
			if !done() && string(elems[j]) == string(val) {
				removed++
				continue
			}
			w--
			kept[w] = elems[j]
		}
		if w == 0 {
			continue
		}
		l.n -= w
		l.replaceNodes(ni, 1, l.buildNodes(kept[w:]))
	}
	return removed
}
