package command

import (
	"math"

	"github.com/kevy-db/kevy/internal/store"
)

func zsetCommands() []spec {
	const g = "sorted-set"
	const w, wf, r, rf = "@write @sortedset @slow", "@write @sortedset @fast", "@read @sortedset @slow", "@read @sortedset @fast"
	return []spec{
		{name: "zadd", arity: -4, flags: "write denyoom fast", first: 1, last: 1, step: 1, acl: wf, group: g, summary: "Puts members with scores into a sorted set, or changes their scores, creating the key if absent.", run: cmdZAdd},
		{name: "zincrby", arity: 4, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: wf, group: g, summary: "Adds an amount to a sorted set member's score, adding the member if needed.", run: cmdZIncrBy},
		{name: "zrem", arity: -3, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW delete", acl: wf, group: g, summary: "Takes members out of a sorted set; a sorted set left empty is deleted.", run: cmdZRem},
		{name: "zscore", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Reads the score of a sorted set member.", run: cmdZScore},
		{name: "zmscore", arity: -3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Reads the scores of several sorted set members, with nil for missing ones.", run: cmdZMScore},
		{name: "zcard", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: rf, group: g, summary: "Tells how many members a sorted set holds.", run: cmdZCard},
		{name: "zcount", arity: 4, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Counts the sorted set members whose scores fall between a min and a max.", run: cmdZCount},
		{name: "zlexcount", arity: 4, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Counts the sorted set members that fall between two names in lexical order.", run: cmdZLexCount},
		{name: "zrange", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Reads sorted set members by rank, score or name range, in either direction.", run: cmdZRange},
		{name: "zrangestore", arity: -5, flags: "write denyoom", first: 1, last: 2, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) range(0,1,0)", acl: w, group: g, summary: "Saves into a key the sorted set members that a ZRANGE query would return.", run: cmdZRangeStore},
		{name: "zrangebyscore", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Reads the sorted set members whose scores fall between a min and a max.", run: cmdZRangeByScore},
		{name: "zrevrange", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Reads sorted set members between two ranks, highest score first.", run: cmdZRevRange},
		{name: "zrevrangebyscore", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Reads the sorted set members between a max and a min score, highest first.", run: cmdZRevRangeByScore},
		{name: "zrangebylex", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Reads the sorted set members that fall between two names in lexical order.", run: cmdZRangeByLex},
		{name: "zrevrangebylex", arity: -4, flags: "readonly", first: 1, last: 1, step: 1, acl: r, group: g, summary: "Reads the sorted set members between two names, in reverse lexical order.", run: cmdZRevRangeByLex},
		{name: "zrank", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Tells a member's position in a sorted set, counting from the lowest score.", run: cmdZRank},
		{name: "zrevrank", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: rf, group: g, summary: "Tells a member's position in a sorted set, counting from the highest score.", run: cmdZRevRank},
		{name: "zremrangebyrank", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: w, group: g, summary: "Deletes the sorted set members between two ranks; an emptied key is deleted.", run: cmdZRemRangeByRank},
		{name: "zremrangebyscore", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: w, group: g, summary: "Deletes the sorted set members scored between a min and a max; an emptied key is deleted.", run: cmdZRemRangeByScore},
		{name: "zremrangebylex", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: w, group: g, summary: "Deletes the sorted set members between two names in lexical order; an emptied key is deleted.", run: cmdZRemRangeByLex},
		{name: "zpopmin", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: wf, group: g, summary: "Takes the lowest-scored members out of a sorted set and replies with them.", run: cmdZPopMin},
		{name: "zpopmax", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: wf, group: g, summary: "Takes the highest-scored members out of a sorted set and replies with them.", run: cmdZPopMax},
		// Redis flags the numkeys commands "movablekeys" with key positions
		// 0 0 0 (or 1 1 1 for the destination); see the report.
		{name: "zmpop", arity: -4, flags: "write", keys: "RW access delete index(1) keynum(0,1,1)", acl: w, group: g, summary: "Takes the lowest- or highest-scored members out of the first non-empty sorted set.", run: cmdZMPop},
		{name: "zunion", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Combines sorted sets, summing (or otherwise aggregating) the scores of shared members.", run: cmdZUnion},
		{name: "zunionstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) keynum(0,1,1)", acl: w, group: g, summary: "Saves into a key the combination of all members of the given sorted sets.", run: cmdZUnionStore},
		{name: "zinter", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Lists the members present in every given sorted set, with aggregated scores.", run: cmdZInter},
		{name: "zinterstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) keynum(0,1,1)", acl: w, group: g, summary: "Saves into a key the members present in every given sorted set.", run: cmdZInterStore},
		{name: "zintercard", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Counts the members present in every given sorted set, optionally up to a limit.", run: cmdZInterCard},
		{name: "zdiff", arity: -3, flags: "readonly", keys: "RO access index(1) keynum(0,1,1)", acl: r, group: g, summary: "Lists the members of the first sorted set that no other given one has.", run: cmdZDiff},
		{name: "zdiffstore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) keynum(0,1,1)", acl: w, group: g, summary: "Saves into a key the members of the first sorted set that no other given one has.", run: cmdZDiffStore},
		{name: "zrandmember", arity: -2, flags: "readonly", first: 1, last: 1, step: 1, acl: r, tips: "nondeterministic_output", group: g, summary: "Picks random members of a sorted set, with or without their scores.", run: cmdZRandMember},
		{name: "zscan", arity: -3, flags: "readonly", first: 1, last: 1, step: 1, acl: r, tips: "nondeterministic_output", group: g, summary: "Walks a sorted set's members and scores a batch at a time with a cursor.", run: cmdZScan},
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
