package command

import (
	"github.com/kevy-db/kevy/internal/store"
)

// Sorted sets: ZPOPMIN, ZPOPMAX and ZMPOP (the blocking forms reuse these).

// ---- pops ----

const (
	zMin = 0
	zMax = 1
)

func cmdZPopMin(c *Ctx) { c.zpopCommand(zMin) }
func cmdZPopMax(c *Ctx) { c.zpopCommand(zMax) }

func (c *Ctx) zpopCommand(where int) {
	if len(c.Args) > 3 {
		c.Err(ErrSyntax)
		return
	}
	count := int64(-1)
	if len(c.Args) == 3 {
		v, ok := parseInt(c.Args[2])
		if !ok || v < 0 {
			c.Err(errMsgMustBePos)
			return
		}
		count = v
	}
	e, z, ok := c.lookupZSet(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil || count == 0 {
		c.W.Array(0)
		return
	}
	n := count
	if n < 0 {
		n = 1
	}
	items := c.zpop(e, z, where, n)
	if count < 0 {
		// no COUNT: a flat [member, score] pair even in RESP3
		c.W.Array(2)
		c.W.Bulk(items[0].m)
		c.W.Double(items[0].s)
		return
	}
	c.writePairs(items)
}

type zpair struct {
	m []byte
	s float64
}

// writePairs writes popped members: in RESP3 an array of [member, score]
// pairs, in RESP2 a flat array.
func (c *Ctx) writePairs(items []zpair) {
	c.scoredArrayHeader(len(items), true)
	for _, it := range items {
		c.writeScored(it.m, it.s, true)
	}
}

// zpop removes up to count members from the low (zMin) or high end of the
// set at e, deleting the key when it empties. Blocking pops reuse it.
func (c *Ctx) zpop(e *store.Entry, z *store.ZSet, where int, count int64) []zpair {
	c.DB.Touched(e)
	n := int(min(count, int64(z.Len())))
	out := make([]zpair, 0, n)
	for range n {
		r := 0
		if where == zMax {
			r = z.Len() - 1
		}
		m, s := z.At(r)
		m = clone(m)
		z.DeleteRanks(r, r)
		out = append(out, zpair{m, s})
	}
	if z.Len() == 0 {
		c.DB.Remove(e)
	}
	c.Dirty(int64(n))
	return out
}

func (c *Ctx) zWhere(b []byte) (int, bool) {
	switch {
	case is(b, "min"):
		return zMin, true
	case is(b, "max"):
		return zMax, true
	}
	c.Err(ErrSyntax)
	return 0, false
}

func cmdZMPop(c *Ctx) {
	keys, where, count, ok := c.parseMPop(1, c.zWhere)
	if !ok {
		return
	}
	c.zmpop(keys, where, count)
}

// zmpop pops from the first non-empty sorted set among keys; it reports
// whether it found one.
func (c *Ctx) zmpop(keys [][]byte, where int, count int64) bool {
	for _, k := range keys {
		e, z, ok := c.lookupZSet(k, true)
		if !ok {
			return true
		}
		if e == nil {
			continue
		}
		items := c.zpop(e, z, where, count)
		c.W.Array(2)
		c.W.Bulk(k)
		c.W.Array(len(items))
		for _, it := range items {
			c.W.Array(2)
			c.W.Bulk(it.m)
			c.W.Double(it.s)
		}
		name := "ZPOPMIN"
		if where == zMax {
			name = "ZPOPMAX"
		}
		c.Propagate([]byte(name), k, itob(count))
		return true
	}
	c.W.NullArray()
	return false
}
