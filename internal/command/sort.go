package command

// SORT and SORT_RO: sort a list, set or sorted set numerically or by bytes,
// by its own elements or by weights looked up through a BY pattern, and
// return (or STORE as a list) the elements or the values of GET patterns.
// The behaviour is Redis 7.0's, found by running redis-server: see
// test/compat/testdata/sort.txt. The pattern lookups and the number parsing
// are in sort_pattern.go.

import (
	"bytes"
	"slices"
	"strings"

	"github.com/kevy-db/kevy/internal/store"
)

func sortCommands() []spec {
	const g = "generic"
	// Besides the sorted key, the BY/GET patterns name keys, and so does
	// STORE's destination, which may come anywhere: key specs of unknown
	// position, which make both commands movablekeys; COMMAND GETKEYS
	// finds the keys with sortKeys.
	return []spec{
		{name: "sort", arity: -2, flags: "write denyoom", first: 1, last: 1, step: 1, acl: "@write @set @sortedset @list @slow @dangerous", group: g, summary: "Orders the elements of a list, set or sorted set; STORE saves them as a list.", run: cmdSort, keys: "RO access index(1) range(0,1,0); RO access unknown(); OW update unknown()"},
		{name: "sort_ro", arity: -2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @set @sortedset @list @slow @dangerous", group: g, summary: "Orders the elements of a list, set or sorted set; SORT without STORE.", run: cmdSortRO, keys: "RO access index(1) range(0,1,0); RO access unknown()"},
	}
}

// sortKeys finds SORT's keys for COMMAND GETKEYS as Redis does: the sorted
// key, and the destination of the last STORE that has an argument after
// it, skipping the arguments of LIMIT (two), BY and GET (one each) so that
// a pattern spelled "store" is not taken for the option. The pattern keys
// depend on the data and are not reported.
func sortKeys(args [][]byte) []keyRef {
	keys := []keyRef{{pos: 1, flags: []string{"RO", "access"}}}
	store := 0
	for i := 2; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "limit":
			i += 2
		case "get", "by":
			i++
		case "store":
			if i+1 < len(args) {
				store = i + 1
			}
		}
	}
	if store > 0 {
		keys = append(keys, keyRef{pos: store, flags: []string{"OW", "update"}})
	}
	return keys
}

// sortROKeys finds SORT_RO's one key, the sorted one.
func sortROKeys([][]byte) []keyRef {
	return []keyRef{{pos: 1, flags: []string{"RO", "access"}}}
}

const errSortScores = "ERR One or more scores can't be converted into double"

// sortStoreChunk is how many elements one logged RPUSH of a SORT … STORE
// result carries (the records are wrapped in one MULTI/EXEC).
const sortStoreChunk = 1024

// sortOpts are the parsed options of one SORT call.
type sortOpts struct {
	desc, alpha, dontsort bool
	by                    []byte   // nil: sort by the elements
	gets                  [][]byte // GET patterns, in order
	limitStart, limitCnt  int64
	store                 []byte // nil: reply
}

// sortItem is one element with what it is compared by.
type sortItem struct {
	elem   []byte
	score  float64
	cmp    []byte // ALPHA with BY: the weight
	hasCmp bool
}

func cmdSort(c *Ctx)   { c.sortGeneric(false) }
func cmdSortRO(c *Ctx) { c.sortGeneric(true) }

// parseSortOpts parses the options after the key; ok is false when an error
// was written. As in Redis, BY without '*' means "do not sort", and stays so
// even if a later BY has a '*'.
func (c *Ctx) parseSortOpts(readonly bool) (o sortOpts, ok bool) {
	o.limitCnt = -1
	args := c.Args
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case is(a, "asc"):
			o.desc = false
		case is(a, "desc"):
			o.desc = true
		case is(a, "alpha"):
			o.alpha = true
		case is(a, "limit") && left >= 2:
			var ok bool
			if o.limitStart, o.limitCnt, ok = c.intArgs(args[j+1], args[j+2]); !ok {
				return o, false
			}
			j += 2
		case !readonly && is(a, "store") && left >= 1:
			o.store = args[j+1]
			j++
		case is(a, "by") && left >= 1:
			o.by = args[j+1]
			if bytes.IndexByte(cString(o.by), '*') < 0 {
				o.dontsort = true
			}
			j++
		case is(a, "get") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			c.Err(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

func (c *Ctx) sortGeneric(readonly bool) {
	o, ok := c.parseSortOpts(readonly)
	if !ok {
		return
	}
	e := c.DB.Lookup(c.Args[1])
	n := 0
	if e != nil {
		switch e.Kind() {
		case store.KindList:
			n = e.Obj().(*store.List).Len()
		case store.KindSet:
			n = e.Obj().(*store.Set).Len()
			// An unsorted set would be stored in its hash order: STORE
			// sorts it by bytes instead, so the result is reproducible.
			if o.dontsort && o.store != nil {
				o.dontsort, o.alpha, o.by = false, true, nil
			}
		case store.KindZSet:
			z := e.Obj().(*store.ZSet)
			n = z.Len()
			if z.Encoding() != "skiplist" {
				// Redis converts the sorted set for good; it still holds
				// the same members, so WATCH sees no change.
				c.DB.Reencoding(e)
				z.ConvertToSkiplist()
			}
		default:
			c.Err(ErrWrongType)
			return
		}
	}
	start, end := sortWindow(o.limitStart, o.limitCnt, n)
	items := c.sortLoad(e, &o, start, end)
	if o.dontsort && e != nil && e.Kind() != store.KindSet {
		// Only the window was loaded, already in order.
		start, end = 0, len(items)-1
	}
	if !o.dontsort {
		if !c.sortWeights(items, &o) {
			c.Err(errSortScores)
			return
		}
		slices.SortStableFunc(items, func(a, b sortItem) int { return sortCompare(&a, &b, &o) })
	}
	var out []sortItem
	if end >= start {
		out = items[start : end+1]
	}
	if o.store != nil {
		c.sortStore(&o, out)
		return
	}
	per := max(len(o.gets), 1)
	c.W.Array(per * len(out))
	for i := range out {
		if len(o.gets) == 0 {
			c.W.Bulk(out[i].elem)
			continue
		}
		for _, g := range o.gets {
			if v, ok := c.sortLookup(g, out[i].elem); ok {
				c.W.Bulk(v)
			} else {
				c.W.Null()
			}
		}
	}
}

// sortWindow turns LIMIT offset count into the inclusive index window of a
// sort of n elements, as Redis does: a negative offset is 0, a negative
// count means all, and a window past the end is empty (end < start).
func sortWindow(offset, count int64, n int) (start, end int) {
	nn := int64(n)
	s := min(max(offset, 0), nn)
	cnt := min(max(count, -1), nn)
	e := nn - 1
	if cnt >= 0 {
		e = s + cnt - 1
	}
	if s >= nn {
		s, e = nn-1, nn-2
	}
	e = min(e, nn-1)
	return int(s), int(e)
}

// sortLoad collects the elements to sort. Lists and sorted sets that are
// not sorted are loaded only within the window, in their own order (from
// the tail or the highest score with DESC); sets always whole, in their
// iteration order.
func (c *Ctx) sortLoad(e *store.Entry, o *sortOpts, start, end int) []sortItem {
	if e == nil {
		return nil
	}
	var items []sortItem
	add := func(b []byte) { items = append(items, sortItem{elem: clone(b)}) }
	switch v := e.Obj().(type) {
	case *store.List:
		if !o.dontsort {
			v.Each(func(b []byte) bool { add(b); return true })
			break
		}
		if end < start {
			break
		}
		from := start
		if o.desc {
			from = v.Len() - 1 - start
		}
		v.Range(from, o.desc, func(_ int, b []byte) bool { add(b); return len(items) <= end-start })
	case *store.Set:
		v.Each(func(b []byte) bool { add(b); return true })
	case *store.ZSet:
		if !o.dontsort {
			v.Each(func(m []byte, _ float64) bool { add(m); return true })
			break
		}
		if end < start {
			break
		}
		from := start
		if o.desc {
			from = v.Len() - 1 - start
		}
		v.Range(from, o.desc, func(_ int, m []byte, _ float64) bool { add(m); return len(items) <= end-start })
	}
	return items
}

// sortWeights fills in what each element is compared by. It reports false
// when a numeric sort met a weight that is not a double; every weight is
// looked up anyway, as in Redis. A missing BY weight is 0 (numeric) or
// sorts first (ALPHA).
func (c *Ctx) sortWeights(items []sortItem, o *sortOpts) bool {
	ok := true
	for i := range items {
		it := &items[i]
		val := it.elem
		if o.by != nil {
			v, found := c.sortLookup(o.by, it.elem)
			if !found {
				continue
			}
			val = v
		}
		if o.alpha {
			if o.by != nil {
				it.cmp, it.hasCmp = val, true
			}
			continue
		}
		f, good := sortScore(val)
		if !good {
			ok = false
		}
		it.score = f
	}
	return ok
}

// sortCompare orders two elements. Equal numeric weights fall back to the
// elements' bytes; equal ALPHA weights are a tie, which the stable sort
// leaves in load order. Without STORE, ALPHA compares as strcoll in the C
// locale (bytes up to the first NUL); with STORE, all the bytes.
func sortCompare(a, b *sortItem, o *sortOpts) int {
	var r int
	switch {
	case !o.alpha:
		switch {
		case a.score < b.score:
			r = -1
		case a.score > b.score:
			r = 1
		default:
			r = bytes.Compare(a.elem, b.elem)
		}
	case o.by != nil:
		switch {
		case !a.hasCmp || !b.hasCmp:
			r = boolCompare(a.hasCmp, b.hasCmp)
		case o.store != nil:
			r = bytes.Compare(a.cmp, b.cmp)
		default:
			r = bytes.Compare(cString(a.cmp), cString(b.cmp))
		}
	case o.store != nil:
		r = bytes.Compare(a.elem, b.elem)
	default:
		r = bytes.Compare(cString(a.elem), cString(b.elem))
	}
	if o.desc {
		return -r
	}
	return r
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// sortStore replaces the destination with the result as a list (GET values
// that are missing become empty strings), or deletes it when the result is
// empty, and replies the result's length. It logs the effect, a DEL and
// RPUSHes of the exact elements: a verbatim SORT would order ALPHA ties
// between BY weights of a set or sorted set by the iteration order of the
// one that replay rebuilds, which need not be the original's.
func (c *Ctx) sortStore(o *sortOpts, out []sortItem) {
	var vals [][]byte
	for i := range out {
		if len(o.gets) == 0 {
			vals = append(vals, out[i].elem)
			continue
		}
		for _, g := range o.gets {
			v, _ := c.sortLookup(g, out[i].elem)
			vals = append(vals, clone(v))
		}
	}
	dst := o.store
	if len(vals) == 0 {
		if c.DB.Delete(dst) {
			c.Dirty(1)
			c.Propagate([]byte("DEL"), dst)
		}
		c.W.Int(0)
		return
	}
	l := c.newList()
	for _, v := range vals {
		l.PushBack(v)
	}
	c.DB.SetObj(dst, store.KindList, l)
	c.Dirty(int64(len(vals)))
	c.Propagate([]byte("DEL"), dst)
	for i := 0; i < len(vals); i += sortStoreChunk {
		chunk := vals[i:min(i+sortStoreChunk, len(vals))]
		rec := append([][]byte{[]byte("RPUSH"), dst}, chunk...)
		c.Propagate(rec...)
	}
	c.W.Int(int64(len(vals)))
}
