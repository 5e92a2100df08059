package command

import (
	"math"
	"slices"
	"strconv"

	"github.com/kevy-db/kevy/internal/glob"
)

// Sorted sets: ZRANDMEMBER and ZSCAN.

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
