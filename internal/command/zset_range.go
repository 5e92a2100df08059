package command

import (
	"github.com/kevy-db/kevy/internal/store"
)

// Sorted sets: the ZRANGE family and ZREMRANGEBY*.

// ---- ZRANGE family ----

const (
	zrAuto = iota
	zrRank
	zrScore
	zrLex
)

func cmdZRange(c *Ctx)           { c.zrangeGeneric(1, nil, zrAuto, 0) }
func cmdZRangeStore(c *Ctx)      { c.zrangeGeneric(2, c.Args[1], zrAuto, 0) }
func cmdZRangeByScore(c *Ctx)    { c.zrangeGeneric(1, nil, zrScore, 1) }
func cmdZRevRange(c *Ctx)        { c.zrangeGeneric(1, nil, zrRank, -1) }
func cmdZRevRangeByScore(c *Ctx) { c.zrangeGeneric(1, nil, zrScore, -1) }
func cmdZRangeByLex(c *Ctx)      { c.zrangeGeneric(1, nil, zrLex, 1) }
func cmdZRevRangeByLex(c *Ctx)   { c.zrangeGeneric(1, nil, zrLex, -1) }

// zrangeGeneric implements every ZRANGE form, as Redis's
// zrangeGenericCommand: dir is 0 (decided by REV), 1 or -1.
func (c *Ctx) zrangeGeneric(at int, dst []byte, kind, dir int) {
	key, minb, maxb := c.Args[at], c.Args[at+1], c.Args[at+2]
	storing := dst != nil
	withScores := false
	offset, limit := int64(0), int64(-1)
	for j := at + 3; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		a := c.Args[j]
		switch {
		case !storing && is(a, "withscores"):
			withScores = true
		case is(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = c.intArg(c.Args[j+1]); !ok {
				return
			}
			if limit, ok = c.intArg(c.Args[j+2]); !ok {
				return
			}
			j += 2
		case dir == 0 && is(a, "rev"):
			dir = -1
		case kind == zrAuto && is(a, "bylex"):
			kind = zrLex
		case kind == zrAuto && is(a, "byscore"):
			kind = zrScore
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	if dir == 0 {
		dir = 1
	}
	if kind == zrAuto {
		kind = zrRank
	}
	if limit != -1 && kind == zrRank {
		c.Err(ErrZLimitRank)
		return
	}
	if withScores && kind == zrLex {
		c.Err(ErrZWithScoresLex)
		return
	}
	if dir < 0 && kind != zrRank {
		minb, maxb = maxb, minb
	}
	var start, end int64
	var sr scoreRange
	var lr lexRange
	switch kind {
	case zrRank:
		var ok bool
		if start, ok = c.intArg(minb); !ok {
			return
		}
		if end, ok = c.intArg(maxb); !ok {
			return
		}
	case zrScore:
		var ok bool
		if sr, ok = parseScoreRange(minb, maxb); !ok {
			c.Err(ErrZMinMaxFloat)
			return
		}
	case zrLex:
		var ok bool
		if lr, ok = parseLexRange(minb, maxb); !ok {
			c.Err(ErrZMinMaxLex)
			return
		}
	}
	var z *store.ZSet
	if storing {
		// ZRANGESTORE reads its source like a read command.
		e := c.DB.Lookup(key)
		if e != nil {
			if e.Kind() != store.KindZSet {
				c.Err(ErrWrongType)
				return
			}
			z = e.Obj().(*store.ZSet)
		}
	} else {
		var ok bool
		if _, z, ok = c.lookupZSet(key, false); !ok {
			return
		}
		if z == nil {
			c.W.Array(0)
			return
		}
	}
	// Collect the ranks to emit.
	var first, count int
	rev := dir < 0
	if z != nil {
		switch kind {
		case zrRank:
			first, count = rankWindow(z.Len(), start, end)
			if rev {
				first = z.Len() - 1 - first
			}
		case zrScore:
			if !sr.empty() {
				first, count = zRangeWindow(z, sr.gteMin, sr.lteMax, rev, offset, limit)
			}
		case zrLex:
			if !lr.empty() {
				first, count = zRangeWindow(z, lr.gteMin, lr.lteMax, rev, offset, limit)
			}
		}
	}
	if storing {
		c.zstoreRange(dst, z, first, count, rev)
		return
	}
	c.scoredArrayHeader(count, withScores)
	if count == 0 {
		return
	}
	left := count
	z.Range(first, rev, func(_ int, m []byte, s float64) bool {
		c.writeScored(m, s, withScores)
		left--
		return left > 0
	})
}

// zRangeWindow finds the members of a score or lex range, in order (or in
// reverse), after skipping offset and taking at most limit (negative:
// all): the first rank and the count.
func zRangeWindow(z *store.ZSet, gte, lte zpred, rev bool, offset, limit int64) (int, int) {
	if offset < 0 || (offset > 0 && offset >= int64(z.Len())) {
		return 0, 0
	}
	var first int
	inRange := lte
	if !rev {
		first = z.FirstWhere(gte)
		if first >= z.Len() {
			return 0, 0
		}
		first += int(offset)
	} else {
		first = z.LastWhere(lte)
		if first < 0 {
			return 0, 0
		}
		first -= int(offset)
		inRange = gte
	}
	if first < 0 || first >= z.Len() || limit == 0 {
		return 0, 0
	}
	n := 0
	z.Range(first, rev, func(_ int, m []byte, s float64) bool {
		if !inRange(m, s) {
			return false
		}
		n++
		return limit < 0 || int64(n) < limit
	})
	return first, n
}

// zstoreRange stores count members from rank first (walking backwards when
// rev) of z into dst, as ZRANGESTORE does.
func (c *Ctx) zstoreRange(dst []byte, z *store.ZSet, first, count int, rev bool) {
	if count == 0 {
		c.zstoreResult(dst, nil)
		return
	}
	lim := c.zsetLimits()
	out := store.NewZSet(lim, 0)
	left := count
	z.Range(first, rev, func(_ int, m []byte, s float64) bool {
		out.Add(m, s, lim)
		left--
		return left > 0
	})
	c.zstoreResult(dst, out)
}

// zstoreResult replaces dst with z (deleting dst when z is empty) and
// replies with the size, as the *STORE commands do.
func (c *Ctx) zstoreResult(dst []byte, z *store.ZSet) {
	if z == nil || z.Len() == 0 {
		if c.DB.Delete(dst) {
			c.Dirty(1)
		}
		c.W.Int(0)
		return
	}
	c.DB.SetObj(dst, store.KindZSet, z)
	c.Dirty(1)
	c.W.Int(int64(z.Len()))
}

// ---- ZREMRANGEBY* ----

func cmdZRemRangeByRank(c *Ctx) {
	start, end, ok := c.intArgs(c.Args[2], c.Args[3])
	if !ok {
		return
	}
	c.zremRange(func(z *store.ZSet) (int, int) { return rankWindow(z.Len(), start, end) })
}

func cmdZRemRangeByScore(c *Ctx) {
	rg, ok := parseScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.Err(ErrZMinMaxFloat)
		return
	}
	c.zremRange(func(z *store.ZSet) (int, int) {
		if rg.empty() {
			return 0, 0
		}
		return zSpan(z, rg.gteMin, rg.lteMax)
	})
}

func cmdZRemRangeByLex(c *Ctx) {
	rg, ok := parseLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.Err(ErrZMinMaxLex)
		return
	}
	c.zremRange(func(z *store.ZSet) (int, int) {
		if rg.empty() {
			return 0, 0
		}
		return zSpan(z, rg.gteMin, rg.lteMax)
	})
}

func (c *Ctx) zremRange(window func(*store.ZSet) (first, n int)) {
	e, z, ok := c.lookupZSet(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	first, n := window(z)
	if n > 0 {
		c.DB.Touched(e)
		z.DeleteRanks(first, first+n-1)
		if z.Len() == 0 {
			c.DB.Remove(e)
		}
		c.Dirty(int64(n))
	}
	c.W.Int(int64(n))
}
