package command

import (
	"math"
	"slices"

	"github.com/kevy-db/kevy/internal/store"
)

// Sorted sets: ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD.

// ---- ZUNION / ZINTER / ZDIFF ----

const (
	zopUnion = iota
	zopInter
	zopDiff
)

const (
	aggSum = iota
	aggMin
	aggMax
)

func cmdZUnion(c *Ctx)      { c.zsetOp(nil, 1, zopUnion, false) }
func cmdZUnionStore(c *Ctx) { c.zsetOp(c.Args[1], 2, zopUnion, false) }
func cmdZInter(c *Ctx)      { c.zsetOp(nil, 1, zopInter, false) }
func cmdZInterStore(c *Ctx) { c.zsetOp(c.Args[1], 2, zopInter, false) }
func cmdZInterCard(c *Ctx)  { c.zsetOp(nil, 1, zopInter, true) }
func cmdZDiff(c *Ctx)       { c.zsetOp(nil, 1, zopDiff, false) }
func cmdZDiffStore(c *Ctx)  { c.zsetOp(c.Args[1], 2, zopDiff, false) }

// zsrc is one input of a set operation: a sorted set, a plain set (every
// member scoring 1) or nothing (a missing key).
type zsrc struct {
	z      *store.ZSet
	set    *store.Set
	weight float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.set != nil:
		return s.set.Len()
	}
	return 0
}

func (s *zsrc) score(m []byte) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.set != nil:
		return 1, s.set.Has(m)
	}
	return 0, false
}

func (s *zsrc) each(fn func(m []byte, sc float64) bool) {
	switch {
	case s.z != nil:
		s.z.Each(fn)
	case s.set != nil:
		s.set.Each(func(m []byte) bool { return fn(m, 1) })
	}
}

func aggregate(agg int, target *float64, v float64) {
	switch agg {
	case aggSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggMin:
		if v < *target {
			*target = v
		}
	case aggMax:
		if v > *target {
			*target = v
		}
	}
}

func weighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func (c *Ctx) zsetOp(dst []byte, at int, op int, cardOnly bool) {
	setnum, ok := c.intArg(c.Args[at])
	if !ok {
		return
	}
	if setnum < 1 {
		c.Err("ERR at least 1 input key is needed for '" + c.Cmd.Name + "' command")
		return
	}
	if setnum > int64(len(c.Args)-at-1) {
		c.Err(ErrSyntax)
		return
	}
	srcs := make([]zsrc, setnum)
	j := at + 1
	for i := range srcs {
		var e *store.Entry
		if dst != nil {
			e = c.DB.LookupNoStats(c.Args[j])
		} else {
			e = c.DB.Lookup(c.Args[j])
		}
		if e != nil {
			switch e.Kind() {
			case store.KindZSet:
				srcs[i].z = e.Obj().(*store.ZSet)
			case store.KindSet:
				srcs[i].set = e.Obj().(*store.Set)
			default:
				c.Err(ErrWrongType)
				return
			}
		}
		srcs[i].weight = 1
		j++
	}
	agg := aggSum
	withScores := false
	limit := int64(0)
	for j < len(c.Args) {
		rem := len(c.Args) - j
		a := c.Args[j]
		switch {
		case op != zopDiff && !cardOnly && rem >= int(setnum)+1 && is(a, "weights"):
			j++
			for i := range srcs {
				v, ok := c.scoreArg(c.Args[j], ErrZWeightFloat)
				if !ok {
					return
				}
				srcs[i].weight = v
				j++
			}
		case op != zopDiff && !cardOnly && rem >= 2 && is(a, "aggregate"):
			switch b := c.Args[j+1]; {
			case is(b, "sum"):
				agg = aggSum
			case is(b, "min"):
				agg = aggMin
			case is(b, "max"):
				agg = aggMax
			default:
				c.Err(ErrSyntax)
				return
			}
			j += 2
		case rem >= 1 && dst == nil && !cardOnly && is(a, "withscores"):
			withScores = true
			j++
		case cardOnly && rem >= 2 && is(a, "limit"):
			v, ok := parseInt(c.Args[j+1])
			if !ok || v < 0 {
				c.Err(ErrZLimitNeg)
				return
			}
			limit = v
			j += 2
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	if op != zopDiff {
		// Smallest inputs first, as Redis orders them (this fixes the order
		// in which SUM adds floats).
		slices.SortStableFunc(srcs, func(a, b zsrc) int { return a.len() - b.len() })
	}
	lim := c.zsetLimits()
	res := store.NewZSet(noLimits, 0)
	switch op {
	case zopInter:
		if srcs[0].len() == 0 {
			if cardOnly {
				c.W.Int(0)
				return
			}
			break
		}
		card := int64(0)
		srcs[0].each(func(m []byte, s float64) bool {
			score := weighted(srcs[0].weight, s)
			for i := 1; i < len(srcs); i++ {
				v, has := srcs[i].score(m)
				if !has {
					return true
				}
				// Only the first input's product is cleared of NaN here,
				// as in Redis.
				aggregate(agg, &score, srcs[i].weight*v)
			}
			if cardOnly {
				card++
				return limit == 0 || card < limit
			}
			res.Add(m, score, noLimits)
			return true
		})
		if cardOnly {
			c.W.Int(card)
			return
		}
	case zopUnion:
		acc := make(map[string]float64)
		var order []string
		for i := range srcs {
			srcs[i].each(func(m []byte, s float64) bool {
				v := weighted(srcs[i].weight, s)
				if cur, has := acc[string(m)]; has {
					aggregate(agg, &cur, v)
					acc[string(m)] = cur
				} else {
					ms := string(m)
					acc[ms] = v
					order = append(order, ms)
				}
				return true
			})
		}
		for _, m := range order {
			res.Add([]byte(m), acc[m], noLimits)
		}
	case zopDiff:
		srcs[0].each(func(m []byte, s float64) bool {
			for i := 1; i < len(srcs); i++ {
				if _, has := srcs[i].score(m); has {
					return true
				}
			}
			res.Add(m, s, noLimits)
			return true
		})
	}
	if dst != nil {
		// Re-encode as Redis's zsetConvertToListpackIfNeeded would.
		out := store.NewZSet(lim, 0)
		res.Each(func(m []byte, s float64) bool {
			out.Add(m, s, lim)
			return true
		})
		c.zstoreResult(dst, out)
		return
	}
	c.scoredArrayHeader(res.Len(), withScores)
	res.Each(func(m []byte, s float64) bool {
		c.writeScored(m, s, withScores)
		return true
	})
}

// noLimits keeps scratch sets in the large form (no conversions).
var noLimits = store.ZSetLimits{MaxListpackEntries: 0, MaxListpackValue: 0}
