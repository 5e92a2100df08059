package command

// The set algebra (SINTER, SUNION, SDIFF and their STORE and CARD forms,
// and SMEMBERS, which is an intersection of one set): kept apart from the
// per-set commands in set.go because it works on several keys at once,
// with its own rules for missing keys, wrong types and the destination.

import (
	"sort"

	"github.com/kevy-db/kevy/internal/store"
)

// setLookupAny looks key up for a write without writing errors: ok is false
// when the key holds another type.
func (c *Ctx) setLookupAny(key []byte) (*store.Entry, *store.Set, bool) {
	e := c.DB.LookupNoStats(key)
	if e == nil {
		return nil, nil, true
	}
	if e.Kind() != store.KindSet {
		return e, nil, false
	}
	return e, e.Obj().(*store.Set), true
}

// setSources looks up the source keys of SINTER/SUNION/SDIFF…; a missing key
// is a nil set. ok is false when a WRONGTYPE error was written.
func (c *Ctx) setSources(keys [][]byte) (sets []*store.Set, missing int, ok bool) {
	sets = make([]*store.Set, len(keys))
	for i, k := range keys {
		s, ok := c.getSet(k)
		if !ok {
			return nil, 0, false
		}
		if s == nil {
			missing++
		}
		sets[i] = s
	}
	return sets, missing, true
}

func cmdSMembers(c *Ctx)    { c.setInter(c.Args[1:2], nil, false, 0) }
func cmdSInter(c *Ctx)      { c.setInter(c.Args[1:], nil, false, 0) }
func cmdSInterStore(c *Ctx) { c.setInter(c.Args[2:], c.Args[1], false, 0) }

func cmdSInterCard(c *Ctx) {
	numKeys, ok := parseInt(c.Args[1])
	if !ok || numKeys < 1 {
		c.Err(ErrNumKeysPositive)
		return
	}
	if numKeys > int64(len(c.Args)-2) {
		c.Err(ErrNumKeysTooMany)
		return
	}
	var limit int64
	for j := 2 + int(numKeys); j < len(c.Args); j++ {
		if is(c.Args[j], "limit") && j+1 < len(c.Args) {
			j++
			v, ok := parseInt(c.Args[j])
			if !ok || v < 0 {
				c.Err(ErrLimitNonNegative)
				return
			}
			limit = v
			continue
		}
		c.Err(ErrSyntax)
		return
	}
	c.setInter(c.Args[2:2+numKeys], nil, true, limit)
}

// setStoreResult stores res at dst (or deletes dst when res is empty) and
// replies with its size, as the *STORE commands do.
func (c *Ctx) setStoreResult(dst []byte, res *store.Set) {
	if res != nil && res.Len() > 0 {
		c.DB.SetObj(dst, store.KindSet, res)
		c.Dirty(1)
		c.W.Int(int64(res.Len()))
		return
	}
	if c.DB.Delete(dst) {
		c.Dirty(1)
	}
	c.W.Int(0)
}

// setInter is SINTER, SINTERSTORE (dst != nil), SINTERCARD (card) and
// SMEMBERS.
func (c *Ctx) setInter(keys [][]byte, dst []byte, card bool, limit int64) {
	sets, missing, ok := c.setSources(keys)
	if !ok {
		return
	}
	if missing > 0 {
		switch {
		case dst != nil:
			c.setStoreResult(dst, nil)
		case card:
			c.W.Int(0)
		default:
			c.W.Set(0)
		}
		return
	}
	// Walk the smallest set and probe the others, smallest first.
	sort.SliceStable(sets, func(i, j int) bool { return sets[i].Len() < sets[j].Len() })
	var out [][]byte
	var n int64
	sets[0].Each(func(m []byte) bool {
		for _, o := range sets[1:] {
			if o != sets[0] && !o.Has(m) {
				return true
			}
		}
		n++
		if !card {
			out = append(out, clone(m))
		}
		return !(card && limit > 0 && n >= limit)
	})
	switch {
	case card:
		c.W.Int(n)
	case dst != nil:
		res := store.NewSet()
		for _, m := range out {
			res.Add(m, c.maxIntset())
		}
		c.setStoreResult(dst, res)
	default:
		c.W.Set(len(out))
		for _, m := range out {
			c.W.Bulk(m)
		}
	}
}

func cmdSUnion(c *Ctx)      { c.setUnionDiff(c.Args[1:], nil, false) }
func cmdSUnionStore(c *Ctx) { c.setUnionDiff(c.Args[2:], c.Args[1], false) }
func cmdSDiff(c *Ctx)       { c.setUnionDiff(c.Args[1:], nil, true) }
func cmdSDiffStore(c *Ctx)  { c.setUnionDiff(c.Args[2:], c.Args[1], true) }

// setUnionDiff is SUNION, SDIFF and their STORE forms. The result is built
// as Redis builds it (an intset that converts when it must, filled in the
// same order and, for SDIFF, with the same choice of algorithm), so a stored
// result has the encoding Redis would give it.
func (c *Ctx) setUnionDiff(keys [][]byte, dst []byte, diff bool) {
	sets, _, ok := c.setSources(keys)
	if !ok {
		return
	}
	max := c.maxIntset()
	res := store.NewSet()
	switch {
	case !diff:
		for _, s := range sets {
			if s != nil {
				s.Each(func(m []byte) bool { res.Add(m, max); return true })
			}
		}
	case sets[0] == nil:
	case c.sameSet(keys):
		// SDIFF a … a …: empty.
	default:
		var one, two int64
		for _, s := range sets {
			if s != nil {
				one += int64(sets[0].Len())
				two += int64(s.Len())
			}
		}
		one /= 2
		others := sets[1:]
		if one <= two {
			// Algorithm 1: keep the members of the first set found in no
			// other, probing the biggest others first.
			sorted := append([]*store.Set(nil), others...)
			sort.SliceStable(sorted, func(i, j int) bool { return setLen(sorted[i]) > setLen(sorted[j]) })
			sets[0].Each(func(m []byte) bool {
				for _, o := range sorted {
					if o != nil && o.Has(m) {
						return true
					}
				}
				res.Add(m, max)
				return true
			})
		} else {
			// Algorithm 2: copy the first set, remove the others.
			sets[0].Each(func(m []byte) bool { res.Add(m, max); return true })
			for _, o := range others {
				if o == nil {
					continue
				}
				o.Each(func(m []byte) bool { res.Remove(m); return true })
				if res.Len() == 0 {
					break
				}
			}
		}
	}
	if dst != nil {
		c.setStoreResult(dst, res)
		return
	}
	c.writeSetMembers(res)
}

func setLen(s *store.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

// sameSet reports whether a later key of an SDIFF names the first set.
func (c *Ctx) sameSet(keys [][]byte) bool {
	for _, k := range keys[1:] {
		if string(k) == string(keys[0]) {
			return true
		}
	}
	return false
}
