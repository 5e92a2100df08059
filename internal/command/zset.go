package command

import (
	"math"
	"slices"
	"strconv"

	"github.com/kevy-db/kevy/internal/glob"
	"github.com/kevy-db/kevy/internal/store"
)

func zsetCommands() []spec {
	const g = "sorted-set"
	const w, wf, r, rf = "@write @sortedset @slow", "@write @sortedset @fast", "@read @sortedset @slow", "@read @sortedset @fast"
	return []spec{
		{name: "zadd", arity: -4, flags: "write denyoom fast", first: 1, last: 1, step: 1, acl: wf, group: g, summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", run: cmdZAdd},
		{name: "zincrby", arity: 4, flags: "write denyoom fast", first: 1, last: 1, step: 1, acl: wf, group: g, summary: "Increments the score of a member in a sorted set.", run: cmdZIncrBy},
		{name: "zrem", arity: -3, flags: "write fast", first: 1, last: 1, step: 1, acl: wf, group: g, summary: "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", run: cmdZRem},
		{name: "zscore", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the score of a member in a sorted set.", run: cmdZScore},
		{name: "zmscore", arity: -3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the score of one or more members in a sorted set.", run: cmdZMScore},
		{name: "zcard", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the number of members in a sorted set.", run: cmdZCard},
		{name: "zcount", arity: 4, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the count of members in a sorted set that have scores within a range.", run: cmdZCount},
		{name: "zlexcount", arity: 4, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the number of members in a sorted set within a lexicographical range.", run: cmdZLexCount},
		{name: "zrange", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of indexes.", run: cmdZRange},
		{name: "zrangestore", arity: -5, flags: "write denyoom", first: 1, last: 2, step: 1, acl: w, group: g, summary: "Stores a range of members from sorted set in a key.", run: cmdZRangeStore},
		{name: "zrangebyscore", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of scores.", run: cmdZRangeByScore},
		{name: "zrevrange", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of indexes in reverse order.", run: cmdZRevRange},
		{name: "zrevrangebyscore", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of scores in reverse order.", run: cmdZRevRangeByScore},
		{name: "zrangebylex", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a lexicographical range.", run: cmdZRangeByLex},
		{name: "zrevrangebylex", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a lexicographical range in reverse order.", run: cmdZRevRangeByLex},
		{name: "zrank", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the index of a member in a sorted set ordered by ascending scores.", run: cmdZRank},
		{name: "zrevrank", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the index of a member in a sorted set ordered by descending scores.", run: cmdZRevRank},
		{name: "zremrangebyrank", arity: 4, flags: "write", first: 1, last: 1, step: 1, acl: w, group: g, summary: "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", run: cmdZRemRangeByRank},
		{name: "zremrangebyscore", arity: 4, flags: "write", first: 1, last: 1, step: 1, acl: w, group: g, summary: "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", run: cmdZRemRangeByScore},
		{name: "zremrangebylex", arity: 4, flags: "write", first: 1, last: 1, step: 1, acl: w, group: g, summary: "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", run: cmdZRemRangeByLex},
		{name: "zpopmin", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, acl: wf, group: g, summary: "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", run: cmdZPopMin},
		{name: "zpopmax", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, acl: wf, group: g, summary: "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", run: cmdZPopMax},
		// Redis flags the numkeys commands "movablekeys" with key positions
		// 0 0 0 (or 1 1 1 for the destination); see the report.
		{name: "zmpop", arity: -4, flags: "write", acl: w, group: g, summary: "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", run: cmdZMPop},
		{name: "zunion", arity: -3, flags: "readonly", acl: r, group: g, summary: "Returns the union of multiple sorted sets.", run: cmdZUnion},
		{name: "zunionstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, acl: w, group: g, summary: "Stores the union of multiple sorted sets in a key.", run: cmdZUnionStore},
		{name: "zinter", arity: -3, flags: "readonly", acl: r, group: g, summary: "Returns the intersect of multiple sorted sets.", run: cmdZInter},
		{name: "zinterstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, acl: w, group: g, summary: "Stores the intersect of multiple sorted sets in a key.", run: cmdZInterStore},
		{name: "zintercard", arity: -3, flags: "readonly", acl: r, group: g, summary: "Returns the number of members of the intersect of multiple sorted sets.", run: cmdZInterCard},
		{name: "zdiff", arity: -3, flags: "readonly", acl: r, group: g, summary: "Returns the difference between multiple sorted sets.", run: cmdZDiff},
		{name: "zdiffstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, acl: w, group: g, summary: "Stores the difference of multiple sorted sets in a key.", run: cmdZDiffStore},
		{name: "zrandmember", arity: -2, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns one or more random members from a sorted set.", run: cmdZRandMember},
		{name: "zscan", arity: -3, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Iterates over members and scores of a sorted set.", run: cmdZScan},
	}
}

func (c *Ctx) zsetLimits() store.ZSetLimits {
	return store.ZSetLimits{MaxListpackEntries: c.E.Limits.ZSetMaxListpackEntries, MaxListpackValue: c.E.Limits.ZSetMaxListpackValue}
}

// lookupZSet finds key (counting stats unless write) and checks its type;
// ok is false when a WRONGTYPE error was written.
func (c *Ctx) lookupZSet(key []byte, write bool) (*store.Entry, *store.ZSet, bool) {
	var e *store.Entry
	if write {
		e = c.DB.LookupNoStats(key)
	} else {
		e = c.DB.Lookup(key)
	}
	if e == nil {
		return nil, nil, true
	}
	if e.Kind() != store.KindZSet {
		c.Err(ErrWrongType)
		return nil, nil, false
	}
	return e, e.Obj().(*store.ZSet), true
}

// writeScored writes one member with its score inside a WITHSCORES reply:
// a [member, double] pair in RESP3, two flat bulk strings in RESP2.
func (c *Ctx) writeScored(m []byte, s float64, withScores bool) {
	if !withScores {
		c.W.Bulk(m)
		return
	}
	if c.W.Proto() == 3 {
		c.W.Array(2)
	}
	c.W.Bulk(m)
	c.W.Double(s)
}

// scoredArrayHeader writes the header of an array of n members.
func (c *Ctx) scoredArrayHeader(n int, withScores bool) {
	if withScores && c.W.Proto() != 3 {
		n *= 2
	}
	c.W.Array(n)
}

// ---- ZADD / ZINCRBY ----

const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddIncr
	zaddCH
)

func cmdZAdd(c *Ctx)    { c.zaddGeneric(0) }
func cmdZIncrBy(c *Ctx) { c.zaddGeneric(zaddIncr) }

func (c *Ctx) zaddGeneric(flags int) {
	key := c.Args[1]
	si := 2
	for ; si < len(c.Args); si++ {
		a := c.Args[si]
		switch {
		case is(a, "nx"):
			flags |= zaddNX
		case is(a, "xx"):
			flags |= zaddXX
		case is(a, "ch"):
			flags |= zaddCH
		case is(a, "gt"):
			flags |= zaddGT
		case is(a, "lt"):
			flags |= zaddLT
		case is(a, "incr"):
			flags |= zaddIncr
		default:
			goto parsed
		}
	}
parsed:
	n := len(c.Args) - si
	if n%2 != 0 || n == 0 {
		c.Err(ErrSyntax)
		return
	}
	n /= 2
	nx, xx, gt, lt, incr := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0, flags&zaddIncr != 0
	if nx && xx {
		c.Err(ErrZXXNX)
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		c.Err(ErrZGTLTNX)
		return
	}
	if incr && n > 1 {
		c.Err(ErrZIncrPair)
		return
	}
	scores := make([]float64, n)
	for j := range scores {
		v, ok := c.scoreArg(c.Args[si+2*j], ErrNotFloat)
		if !ok {
			return
		}
		scores[j] = v
	}
	e, z, ok := c.lookupZSet(key, true)
	if !ok {
		return
	}
	var added, updated, processed int64
	var score float64
	lim := c.zsetLimits()
	touched := e == nil
	touch := func() {
		if !touched {
			c.DB.Touched(e)
			touched = true
		}
	}
	if e == nil {
		if xx {
			goto reply
		}
		z = store.NewZSet(lim, len(c.Args[si+1]))
		c.DB.SetObj(key, store.KindZSet, z)
	}
	for j := 0; j < n; j++ {
		m := c.Args[si+2*j+1]
		s := scores[j]
		cur, exists := z.Score(m)
		if exists {
			if nx {
				continue
			}
			if incr {
				s += cur
				if math.IsNaN(s) {
					c.Err(ErrZNaN)
					c.zaddCleanup(key, z, added+updated)
					return
				}
			}
			if (lt && s >= cur) || (gt && s <= cur) {
				continue
			}
			score = s
			processed++
			if s != cur {
				touch()
				z.Add(m, s, lim)
				updated++
			}
			continue
		}
		if xx {
			continue
		}
		touch()
		z.Add(m, s, lim)
		added++
		processed++
		score = s
	}
	c.zaddCleanup(key, z, added+updated)
reply:
	if incr {
		if processed > 0 {
			c.W.Double(score)
		} else {
			c.W.Null()
		}
		return
	}
	if flags&zaddCH != 0 {
		c.W.Int(added + updated)
	} else {
		c.W.Int(added)
	}
}

// zaddCleanup records the changes (and removes a key ZADD created but left
// empty, which Redis never stores).
func (c *Ctx) zaddCleanup(key []byte, z *store.ZSet, changes int64) {
	if z.Len() == 0 {
		if e := c.DB.LookupNoStats(key); e != nil {
			c.DB.Remove(e)
		}
	}
	c.Dirty(changes)
}

// ---- simple reads and removals ----

func cmdZRem(c *Ctx) {
	e, z, ok := c.lookupZSet(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	var n int64
	for _, m := range c.Args[2:] {
		if _, has := z.Score(m); !has {
			continue
		}
		if n == 0 {
			c.DB.Touched(e)
		}
		z.Remove(m)
		n++
		if z.Len() == 0 {
			c.DB.Remove(e)
			break
		}
	}
	c.Dirty(n)
	c.W.Int(n)
}

func cmdZScore(c *Ctx) {
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	s, has := z.Score(c.Args[2])
	if !has {
		c.W.Null()
		return
	}
	c.W.Double(s)
}

func cmdZMScore(c *Ctx) {
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if z == nil {
			c.W.Null()
			continue
		}
		if s, has := z.Score(m); has {
			c.W.Double(s)
		} else {
			c.W.Null()
		}
	}
}

func cmdZCard(c *Ctx) {
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.Len()))
}

// zpred is a predicate over (member, score), used for range bounds.
type zpred = func(m []byte, s float64) bool

// zCount counts members from the first satisfying gte onwards while lte
// holds (a rank difference in the large form, as Redis computes it).
func zCount(z *store.ZSet, gte, lte zpred) int {
	first := z.FirstWhere(gte)
	if first >= z.Len() {
		return 0
	}
	if z.Encoding() == "skiplist" {
		last := z.LastWhere(lte)
		if last < first {
			return 0
		}
		return last - first + 1
	}
	n := 0
	z.Range(first, false, func(_ int, m []byte, s float64) bool {
		if !lte(m, s) {
			return false
		}
		n++
		return true
	})
	return n
}

// zSpan returns the first rank satisfying gte and how many consecutive
// members from there satisfy lte (what ZREMRANGEBY* deletes).
func zSpan(z *store.ZSet, gte, lte zpred) (first, n int) {
	first = z.FirstWhere(gte)
	z.Range(first, false, func(_ int, m []byte, s float64) bool {
		if !lte(m, s) {
			return false
		}
		n++
		return true
	})
	return first, n
}

func cmdZCount(c *Ctx) {
	rg, ok := parseScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.Err(ErrZMinMaxFloat)
		return
	}
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	if z == nil || rg.empty() {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(zCount(z, rg.gteMin, rg.lteMax)))
}

func cmdZLexCount(c *Ctx) {
	rg, ok := parseLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.Err(ErrZMinMaxLex)
		return
	}
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	if z == nil || rg.empty() {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(zCount(z, rg.gteMin, rg.lteMax)))
}

func cmdZRank(c *Ctx)    { c.zrank(false) }
func cmdZRevRank(c *Ctx) { c.zrank(true) }

func (c *Ctx) zrank(rev bool) {
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	r, has := z.Rank(c.Args[2])
	if !has {
		c.W.Null()
		return
	}
	if rev {
		r = z.Len() - 1 - r
	}
	c.W.Int(int64(r))
}

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

// rankWindow sanitises a rank range as Redis does and returns the first
// rank (from the range's start side) and the count.
func rankWindow(n int, start, end int64) (int, int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= ln {
		return 0, 0
	}
	if end >= ln {
		end = ln - 1
	}
	return int(start), int(end - start + 1)
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
	start, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	end, ok := c.intArg(c.Args[3])
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

// ---- ZRANDMEMBER ----

func cmdZRandMember(c *Ctx) {
	if len(c.Args) == 2 {
		_, z, ok := c.lookupZSet(c.Args[1], false)
		if !ok {
			return
		}
		if z == nil {
			c.W.Null()
			return
		}
		m, _ := z.At(c.St.Rand().IntN(z.Len()))
		c.W.Bulk(m)
		return
	}
	l, ok := parseInt(c.Args[2])
	if !ok {
		c.Err(ErrNotInt)
		return
	}
	if l == math.MinInt64 {
		c.Err(ErrZRandRange)
		return
	}
	withScores := false
	if len(c.Args) > 4 || (len(c.Args) == 4 && !is(c.Args[3], "withscores")) {
		c.Err(ErrSyntax)
		return
	} else if len(c.Args) == 4 {
		withScores = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			c.Err(ErrZRandScores)
			return
		}
	}
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.W.Array(0)
		return
	}
	rng := c.St.Rand()
	size := z.Len()
	if l < 0 {
		// with repetitions
		n := int(-l)
		c.scoredArrayHeader(n, withScores)
		for range n {
			m, s := z.At(rng.IntN(size))
			c.writeScored(m, s, withScores)
		}
		return
	}
	count := int(min(l, int64(size)))
	var ranks []int
	if count == size {
		ranks = make([]int, size)
		for i := range ranks {
			ranks[i] = i
		}
	} else {
		// distinct random ranks, emitted in set order
		picked := make(map[int]struct{}, count)
		for len(picked) < count {
			picked[rng.IntN(size)] = struct{}{}
		}
		ranks = make([]int, 0, count)
		for r := range picked {
			ranks = append(ranks, r)
		}
		slices.Sort(ranks)
	}
	c.scoredArrayHeader(count, withScores)
	if count == size {
		// the whole set, highest first (Redis walks it from the tail)
		z.Range(size-1, true, func(_ int, m []byte, s float64) bool {
			c.writeScored(m, s, withScores)
			return true
		})
		return
	}
	for _, r := range ranks {
		m, s := z.At(r)
		c.writeScored(m, s, withScores)
	}
}

// ---- ZSCAN ----

func cmdZScan(c *Ctx) {
	cursor, ok := c.parseCursor(c.Args[2])
	if !ok {
		return
	}
	_, z, ok := c.lookupZSet(c.Args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.W.Array(2)
		c.W.BulkString("0")
		c.W.Array(0)
		return
	}
	o, ok := c.parseScanOpts(c.Args[3:], false)
	if !ok {
		return
	}
	var items []zpair
	next := uint64(0)
	if z.Encoding() == "listpack" {
		z.Each(func(m []byte, s float64) bool {
			items = append(items, zpair{m, s})
			return true
		})
	} else {
		// The member table's reverse-binary cursor: a member present for
		// the whole iteration is returned at least once, even if its
		// score changes or the table resizes between calls.
		next = cursor
		for iter := o.count * 10; ; iter-- {
			next = z.Scan(next, func(m []byte, s float64) { items = append(items, zpair{m, s}) })
			if next == 0 || iter <= 0 || int64(len(items)) >= o.count {
				break
			}
		}
	}
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(nil, next, 10))
	n := 0
	for _, it := range items {
		if o.match == nil || glob.Match(o.match, it.m, false) {
			items[n] = it
			n++
		}
	}
	c.W.Array(2 * n)
	var buf []byte
	for _, it := range items[:n] {
		c.W.Bulk(it.m)
		buf = appendScoreString(buf[:0], it.s)
		c.W.Bulk(buf)
	}
}

// appendScoreString formats a score as Redis's d2string does for ZSCAN.
func appendScoreString(dst []byte, s float64) []byte {
	switch {
	case math.IsInf(s, 1):
		return append(dst, "inf"...)
	case math.IsInf(s, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, s, 'g', 17, 64)
}
