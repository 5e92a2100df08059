package command

import (
	"math"

	"github.com/kevy-db/kevy/internal/store"
)

func zsetCommands() []spec {
	const g = "sorted-set"
	const w, wf, r, rf = "@write @sortedset @slow", "@write @sortedset @fast", "@read @sortedset @slow", "@read @sortedset @fast"
	return []spec{
		{name: "zadd", arity: -4, flags: "write denyoom fast", first: 1, last: 1, step: 1, acl: wf, group: g, summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", run: cmdZAdd},
		{name: "zincrby", arity: 4, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: wf, group: g, summary: "Increments the score of a member in a sorted set.", run: cmdZIncrBy},
		{name: "zrem", arity: -3, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW delete", acl: wf, group: g, summary: "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", run: cmdZRem},
		{name: "zscore", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the score of a member in a sorted set.", run: cmdZScore},
		{name: "zmscore", arity: -3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the score of one or more members in a sorted set.", run: cmdZMScore},
		{name: "zcard", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: rf, group: g, summary: "Returns the number of members in a sorted set.", run: cmdZCard},
		{name: "zcount", arity: 4, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the count of members in a sorted set that have scores within a range.", run: cmdZCount},
		{name: "zlexcount", arity: 4, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the number of members in a sorted set within a lexicographical range.", run: cmdZLexCount},
		{name: "zrange", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of indexes.", run: cmdZRange},
		{name: "zrangestore", arity: -5, flags: "write denyoom", first: 1, last: 2, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) range(0,1,0)", acl: w, group: g, summary: "Stores a range of members from sorted set in a key.", run: cmdZRangeStore},
		{name: "zrangebyscore", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of scores.", run: cmdZRangeByScore},
		{name: "zrevrange", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of indexes in reverse order.", run: cmdZRevRange},
		{name: "zrevrangebyscore", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a range of scores in reverse order.", run: cmdZRevRangeByScore},
		{name: "zrangebylex", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a lexicographical range.", run: cmdZRangeByLex},
		{name: "zrevrangebylex", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Returns members in a sorted set within a lexicographical range in reverse order.", run: cmdZRevRangeByLex},
		{name: "zrank", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the index of a member in a sorted set ordered by ascending scores.", run: cmdZRank},
		{name: "zrevrank", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Returns the index of a member in a sorted set ordered by descending scores.", run: cmdZRevRank},
		{name: "zremrangebyrank", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: w, group: g, summary: "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", run: cmdZRemRangeByRank},
		{name: "zremrangebyscore", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: w, group: g, summary: "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", run: cmdZRemRangeByScore},
		{name: "zremrangebylex", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: w, group: g, summary: "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", run: cmdZRemRangeByLex},
		{name: "zpopmin", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: wf, group: g, summary: "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", run: cmdZPopMin},
		{name: "zpopmax", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: wf, group: g, summary: "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", run: cmdZPopMax},
		// Redis flags the numkeys commands "movablekeys" with key positions
		// 0 0 0 (or 1 1 1 for the destination); see the report.
		{name: "zmpop", arity: -4, flags: "write", keys: "RW access delete index(1) keynum(0,1,1)", acl: w, group: g, summary: "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", run: cmdZMPop},
		{name: "zunion", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Returns the union of multiple sorted sets.", run: cmdZUnion},
		{name: "zunionstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) keynum(0,1,1)", acl: w, group: g, summary: "Stores the union of multiple sorted sets in a key.", run: cmdZUnionStore},
		{name: "zinter", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Returns the intersect of multiple sorted sets.", run: cmdZInter},
		{name: "zinterstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) keynum(0,1,1)", acl: w, group: g, summary: "Stores the intersect of multiple sorted sets in a key.", run: cmdZInterStore},
		{name: "zintercard", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Returns the number of members of the intersect of multiple sorted sets.", run: cmdZInterCard},
		{name: "zdiff", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Returns the difference between multiple sorted sets.", run: cmdZDiff},
		{name: "zdiffstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) keynum(0,1,1)", acl: w, group: g, summary: "Stores the difference of multiple sorted sets in a key.", run: cmdZDiffStore},
		{name: "zrandmember", arity: -2, flags: "readonly", first: 1, last: 1, step: 1, acl: r, tips: "nondeterministic_output", group: g, summary: "Returns one or more random members from a sorted set.", run: cmdZRandMember},
		{name: "zscan", arity: -3, flags: "readonly", first: 1, last: 1, step: 1, acl: r, tips: "nondeterministic_output", group: g, summary: "Iterates over members and scores of a sorted set.", run: cmdZScan},
	}
}

func (c *Ctx) zsetLimits() store.ZSetLimits {
	return store.ZSetLimits{MaxListpackEntries: c.E.Limits.ZSetMaxListpackEntries, MaxListpackValue: c.E.Limits.ZSetMaxListpackValue}
}

// lookupZSet finds key (counting stats unless write) and checks its type;
// ok is false when a WRONGTYPE error was written.
func (c *Ctx) lookupZSet(key []byte, write bool) (*store.Entry, *store.ZSet, bool) {
	return lookupKind[*store.ZSet](c, key, write, store.KindZSet)
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
	has := func(m []byte) bool { _, ok := z.Score(m); return ok }
	c.removeMembers(e, c.Args[2:], has, z.Remove, z.Len)
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
	c.zcount(rg, ok, ErrZMinMaxFloat)
}

func cmdZLexCount(c *Ctx) {
	rg, ok := parseLexRange(c.Args[2], c.Args[3])
	c.zcount(rg, ok, ErrZMinMaxLex)
}

// zbounds is a parsed score or lex range: ZCOUNT and ZLEXCOUNT differ only
// in which one they parse.
type zbounds interface {
	empty() bool
	gteMin(m []byte, s float64) bool
	lteMax(m []byte, s float64) bool
}

func (c *Ctx) zcount(rg zbounds, parsed bool, badRange string) {
	if !parsed {
		c.Err(badRange)
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
