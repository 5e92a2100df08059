package store

import (
	"sort"
	"unsafe"
)

// zTree is an order-statistic B+tree of (score, member) items, the ordered
// half of a large sorted set (the other half is a member→score map). Items
// live in leaves linked both ways; inner nodes keep separators and subtree
// sizes, so rank, select and range searches are O(log n). Its leaves hold
// 24 bytes per item (a string header and a float), sharing the member bytes
// with the map, which makes it smaller than a skiplist.
type zTree struct {
	root *zNode
}

type zItem struct {
	m string
	s float64
}

type zNode struct {
	leaf       bool
	items      []zItem  // leaf
	keys       []zItem  // inner: keys[i] separates kids[i] (< keys[i]) and kids[i+1] (>=)
	kids       []*zNode // inner
	size       int      // items in this subtree
	prev, next *zNode   // leaf links
}

const (
	zMaxLeaf  = 64
	zMaxInner = 64
	zMinLeaf  = zMaxLeaf / 4
	zMinInner = zMaxInner / 4
)

func zBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// zLess orders by score, then member bytes.
func zLess(as float64, am string, bs float64, bm string) bool {
	if as != bs {
		return as < bs
	}
	return am < bm
}

func (t *zTree) len() int {
	if t.root == nil {
		return 0
	}
	return t.root.size
}

func (t *zTree) childIndex(n *zNode, s float64, m string) int {
	return sort.Search(len(n.keys), func(i int) bool { return zLess(s, m, n.keys[i].s, n.keys[i].m) })
}

func (t *zTree) insert(m string, s float64) {
	if t.root == nil {
		t.root = &zNode{leaf: true}
	}
	right, sep := t.insertAt(t.root, m, s)
	if right != nil {
		old := t.root
		t.root = &zNode{keys: []zItem{sep}, kids: []*zNode{old, right}, size: old.size + right.size}
	}
}

func (t *zTree) insertAt(n *zNode, m string, s float64) (*zNode, zItem) {
	n.size++
	if n.leaf {
		pos := sort.Search(len(n.items), func(i int) bool { return zLess(s, m, n.items[i].s, n.items[i].m) })
		n.items = append(n.items, zItem{})
		copy(n.items[pos+1:], n.items[pos:])
		n.items[pos] = zItem{m, s}
		if len(n.items) <= zMaxLeaf {
			return nil, zItem{}
		}
		// Appending at either end of the set keeps leaves full (sorted
		// loads); otherwise split in halves.
		mid := len(n.items) / 2
		if pos == len(n.items)-1 && n.next == nil {
			mid = len(n.items) - 1
		} else if pos == 0 && n.prev == nil {
			mid = 1
		}
		right := &zNode{leaf: true, items: append(make([]zItem, 0, zMaxLeaf/2), n.items[mid:]...)}
		clear(n.items[mid:])
		n.items = n.items[:mid]
		n.size = len(n.items)
		right.size = len(right.items)
		right.next, right.prev = n.next, n
		if n.next != nil {
			n.next.prev = right
		}
		n.next = right
		return right, right.items[0]
	}
	i := t.childIndex(n, s, m)
	right, sep := t.insertAt(n.kids[i], m, s)
	if right == nil {
		return nil, zItem{}
	}
	n.keys = append(n.keys, zItem{})
	copy(n.keys[i+1:], n.keys[i:])
	n.keys[i] = sep
	n.kids = append(n.kids, nil)
	copy(n.kids[i+2:], n.kids[i+1:])
	n.kids[i+1] = right
	if len(n.kids) <= zMaxInner {
		return nil, zItem{}
	}
	mid := len(n.kids) / 2
	up := n.keys[mid-1]
	r := &zNode{
		keys: append([]zItem(nil), n.keys[mid:]...),
		kids: append([]*zNode(nil), n.kids[mid:]...),
	}
	clear(n.keys[mid-1:])
	clear(n.kids[mid:])
	n.keys = n.keys[:mid-1]
	n.kids = n.kids[:mid]
	n.size = sumSizes(n.kids)
	r.size = sumSizes(r.kids)
	return r, up
}

func sumSizes(kids []*zNode) int {
	t := 0
	for _, k := range kids {
		t += k.size
	}
	return t
}

func (t *zTree) delete(m string, s float64) bool {
	if t.root == nil || !t.deleteAt(t.root, m, s) {
		return false
	}
	for !t.root.leaf && len(t.root.kids) == 1 {
		t.root = t.root.kids[0]
	}
	if t.root.size == 0 {
		t.root = nil
	}
	return true
}

func (t *zTree) deleteAt(n *zNode, m string, s float64) bool {
	if n.leaf {
		pos := sort.Search(len(n.items), func(i int) bool { return !zLess(n.items[i].s, n.items[i].m, s, m) })
		if pos == len(n.items) || n.items[pos].m != m || n.items[pos].s != s {
			return false
		}
		copy(n.items[pos:], n.items[pos+1:])
		n.items[len(n.items)-1] = zItem{}
		n.items = n.items[:len(n.items)-1]
		n.size--
		return true
	}
	i := t.childIndex(n, s, m)
	if !t.deleteAt(n.kids[i], m, s) {
		return false
	}
	n.size--
	t.rebalance(n, i)
	return true
}

// rebalance merges or evens out n.kids[i] with a sibling when it underflows.
func (t *zTree) rebalance(n *zNode, i int) {
	c := n.kids[i]
	if (c.leaf && len(c.items) >= zMinLeaf) || (!c.leaf && len(c.kids) >= zMinInner) {
		return
	}
	if len(n.kids) < 2 {
		return
	}
	li := i
	if i+1 >= len(n.kids) {
		li = i - 1
	}
	a, b := n.kids[li], n.kids[li+1]
	merged := false
	if a.leaf {
		all := make([]zItem, 0, len(a.items)+len(b.items))
		all = append(append(all, a.items...), b.items...)
		if len(all) <= zMaxLeaf {
			a.items, a.size = all, len(all)
			a.next = b.next
			if b.next != nil {
				b.next.prev = a
			}
			merged = true
		} else {
			mid := len(all) / 2
			a.items = append([]zItem(nil), all[:mid]...)
			b.items = append([]zItem(nil), all[mid:]...)
			a.size, b.size = len(a.items), len(b.items)
			n.keys[li] = b.items[0]
		}
	} else {
		keys := make([]zItem, 0, len(a.keys)+1+len(b.keys))
		keys = append(append(append(keys, a.keys...), n.keys[li]), b.keys...)
		kids := make([]*zNode, 0, len(a.kids)+len(b.kids))
		kids = append(append(kids, a.kids...), b.kids...)
		if len(kids) <= zMaxInner {
			a.keys, a.kids, a.size = keys, kids, a.size+b.size
			merged = true
		} else {
			mid := len(kids) / 2
			a.keys = append([]zItem(nil), keys[:mid-1]...)
			a.kids = append([]*zNode(nil), kids[:mid]...)
			n.keys[li] = keys[mid-1]
			b.keys = append([]zItem(nil), keys[mid:]...)
			b.kids = append([]*zNode(nil), kids[mid:]...)
			a.size, b.size = sumSizes(a.kids), sumSizes(b.kids)
		}
	}
	if merged {
		copy(n.keys[li:], n.keys[li+1:])
		n.keys[len(n.keys)-1] = zItem{}
		n.keys = n.keys[:len(n.keys)-1]
		copy(n.kids[li+1:], n.kids[li+2:])
		n.kids[len(n.kids)-1] = nil
		n.kids = n.kids[:len(n.kids)-1]
	}
}

// rank returns the 0-based rank of an item known to be present.
func (t *zTree) rank(m string, s float64) int {
	r := 0
	n := t.root
	for !n.leaf {
		i := t.childIndex(n, s, m)
		for _, k := range n.kids[:i] {
			r += k.size
		}
		n = n.kids[i]
	}
	pos := sort.Search(len(n.items), func(i int) bool { return !zLess(n.items[i].s, n.items[i].m, s, m) })
	return r + pos
}

// seek returns the leaf and index holding rank r (0 <= r < len).
func (t *zTree) seek(r int) (*zNode, int) {
	n := t.root
	for !n.leaf {
		i := 0
		for ; i < len(n.kids)-1 && r >= n.kids[i].size; i++ {
			r -= n.kids[i].size
		}
		n = n.kids[i]
	}
	return n, r
}

// firstTrue returns the rank of the first item for which pred holds, for a
// pred that is false then true along the order; len when none.
func (t *zTree) firstTrue(pred func(m []byte, s float64) bool) int {
	if t.root == nil {
		return 0
	}
	return firstTrueAt(t.root, pred)
}

func firstTrueAt(n *zNode, pred func(m []byte, s float64) bool) int {
	if n.leaf {
		return sort.Search(len(n.items), func(i int) bool { return pred(zBytes(n.items[i].m), n.items[i].s) })
	}
	i := sort.Search(len(n.keys), func(i int) bool { return pred(zBytes(n.keys[i].m), n.keys[i].s) })
	r := 0
	for _, k := range n.kids[:i] {
		r += k.size
	}
	// If nothing in kids[i] qualifies, the answer is the first item of
	// kids[i+1] (everything there is >= keys[i], for which pred holds).
	return r + firstTrueAt(n.kids[i], pred)
}

// walk calls fn from rank start forwards (or backwards) until fn returns
// false or the items run out.
func (t *zTree) walk(start int, reverse bool, fn func(rank int, m string, s float64) bool) {
	if start < 0 || start >= t.len() {
		return
	}
	n, i := t.seek(start)
	r := start
	for n != nil {
		if !reverse {
			for ; i < len(n.items); i++ {
				if !fn(r, n.items[i].m, n.items[i].s) {
					return
				}
				r++
			}
			n, i = n.next, 0
		} else {
			for ; i >= 0; i-- {
				if !fn(r, n.items[i].m, n.items[i].s) {
					return
				}
				r--
			}
			n = n.prev
			if n != nil {
				i = len(n.items) - 1
			}
		}
	}
}
