package command

import (
	"github.com/kevy-db/kevy/internal/store"
)

// Redis 7.0's list error replies.
const (
	ErrLPosRankZero  = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	ErrLPosCountNeg  = "ERR COUNT can't be negative"
	ErrLPosMaxlenNeg = "ERR MAXLEN can't be negative"
	ErrNumKeysPos    = "ERR numkeys should be greater than 0"
	ErrCountPos      = "ERR count should be greater than 0"
	errMsgMustBePos  = "ERR value is out of range, must be positive"
)

// List ends.
const (
	listHead = 0
	listTail = 1
)

func listCommands() []spec {
	const g = "list"
	return []spec{
		{name: "lpush", arity: -3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @list @fast", group: g, summary: "Inserts elements at the head of a list, creating the key if absent.", run: cmdLPush},
		{name: "rpush", arity: -3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @list @fast", group: g, summary: "Inserts elements at the tail of a list, creating the key if absent.", run: cmdRPush},
		{name: "lpushx", arity: -3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @list @fast", group: g, summary: "Inserts elements at the head of a list, but only if the list is already there.", run: cmdLPushX},
		{name: "rpushx", arity: -3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @list @fast", group: g, summary: "Inserts elements at the tail of a list, but only if the list is already there.", run: cmdRPushX},
		{name: "lpop", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: "@write @list @fast", group: g, summary: "Takes elements off the head of a list; an emptied list is deleted.", run: cmdLPop},
		{name: "rpop", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: "@write @list @fast", group: g, summary: "Takes elements off the tail of a list; an emptied list is deleted.", run: cmdRPop},
		{name: "llen", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@read @list @fast", group: g, summary: "Tells how many elements a list holds.", run: cmdLLen},
		{name: "lrange", arity: 4, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @list @slow", group: g, summary: "Reads the elements of a list between two indexes, inclusive.", run: cmdLRange},
		{name: "lindex", arity: 3, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @list @slow", group: g, summary: "Reads the list element at an index (negative counts from the end).", run: cmdLIndex},
		{name: "lset", arity: 4, flags: "write denyoom", first: 1, last: 1, step: 1, acl: "@write @list @slow", group: g, summary: "Overwrites the list element at an index.", run: cmdLSet},
		{name: "linsert", arity: 5, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @list @slow", group: g, summary: "Puts an element into a list just before or after a pivot element.", run: cmdLInsert},
		{name: "lrem", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: "@write @list @slow", group: g, summary: "Deletes occurrences of a value from a list; an emptied list is deleted.", run: cmdLRem},
		{name: "ltrim", arity: 4, flags: "write", first: 1, last: 1, step: 1, keys: "RW delete", acl: "@write @list @slow", group: g, summary: "Cuts a list down to the elements between two indexes.", run: cmdLTrim},
		{name: "lpos", arity: -3, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @list @slow", group: g, summary: "Finds the indexes at which a value occurs in a list.", run: cmdLPos},
		{name: "lmove", arity: 5, flags: "write denyoom", first: 1, last: 2, step: 1, keys: "RW access delete index(1) range(0,1,0); RW insert index(2) range(0,1,0)", acl: "@write @list @slow", group: g, summary: "Takes an element off one end of a list and puts it on an end of another.", run: cmdLMove},
		{name: "rpoplpush", arity: 3, flags: "write denyoom", first: 1, last: 2, step: 1, keys: "RW access delete index(1) range(0,1,0); RW insert index(2) range(0,1,0)", acl: "@write @list @slow", group: g, summary: "Takes the tail element of a list and puts it at the head of another.", run: cmdRPopLPush},
		// Redis flags LMPOP "movablekeys" (key positions 0 0 0); see the report.
		{name: "lmpop", arity: -4, flags: "write", keys: "RW access delete index(1) keynum(0,1,1)", acl: "@write @list @slow", group: g, summary: "Takes elements off one end of the first non-empty list among several.", run: cmdLMPop},
	}
}

// lookupList finds key (counting stats unless write) and checks its type;
// ok is false when a WRONGTYPE error was written.
func (c *Ctx) lookupList(key []byte, write bool) (*store.Entry, *store.List, bool) {
	return lookupKind[*store.List](c, key, write, store.KindList)
}

func (c *Ctx) newList() *store.List { return store.NewList(c.E.Limits.ListMaxListpackSize) }

func cmdLPush(c *Ctx)  { c.pushGeneric(listHead, false) }
func cmdRPush(c *Ctx)  { c.pushGeneric(listTail, false) }
func cmdLPushX(c *Ctx) { c.pushGeneric(listHead, true) }
func cmdRPushX(c *Ctx) { c.pushGeneric(listTail, true) }

func (c *Ctx) pushGeneric(where int, onlyExisting bool) {
	key := c.Args[1]
	e, l, ok := c.lookupList(key, true)
	if !ok {
		return
	}
	if e == nil {
		if onlyExisting {
			c.W.Int(0)
			return
		}
		l = c.newList()
		c.DB.SetObj(key, store.KindList, l)
	} else {
		c.DB.Touched(e)
	}
	for _, v := range c.Args[2:] {
		if where == listHead {
			l.PushFront(v)
		} else {
			l.PushBack(v)
		}
	}
	c.Dirty(int64(len(c.Args) - 2))
	c.W.Int(int64(l.Len()))
}

// listPop pops up to count elements from the list at e (found by a write
// lookup of key), deleting the key when it empties. Blocking pops reuse it.
func (c *Ctx) listPop(e *store.Entry, l *store.List, where int, count int) [][]byte {
	c.DB.Touched(e)
	out := make([][]byte, 0, min(count, l.Len()))
	for len(out) < count {
		v, ok := popEnd(l, where)
		if !ok {
			break
		}
		out = append(out, append([]byte(nil), v...)) // kept past the next pop
	}
	if l.Len() == 0 {
		c.DB.Remove(e)
	}
	c.Dirty(1)
	return out
}

// popEnd removes the element at the where end of l and returns a view of
// it in the list's memory, valid until l next changes (List.PopFrontView).
func popEnd(l *store.List, where int) ([]byte, bool) {
	if where == listHead {
		return l.PopFrontView()
	}
	return l.PopBackView()
}

func cmdLPop(c *Ctx) { c.popCommand(listHead) }
func cmdRPop(c *Ctx) { c.popCommand(listTail) }

func (c *Ctx) popCommand(where int) {
	if len(c.Args) > 3 {
		c.Err(errArity(c.Cmd.Name))
		return
	}
	hasCount := len(c.Args) == 3
	count := int64(1)
	if hasCount {
		v, ok := parseInt(c.Args[2])
		if !ok || v < 0 {
			c.Err(errMsgMustBePos)
			return
		}
		count = v
	}
	e, l, ok := c.lookupList(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil {
		if hasCount {
			c.W.NullArray()
		} else {
			c.W.Null()
		}
		return
	}
	if hasCount && count == 0 {
		c.W.Array(0)
		return
	}
	if !hasCount {
		// One element, written into the reply straight from the list's
		// memory: no slice of results, no copy of the element.
		c.DB.Touched(e)
		v, _ := popEnd(l, where)
		c.W.Bulk(v)
		if l.Len() == 0 {
			c.DB.Remove(e)
		}
		c.Dirty(1)
		return
	}
	vals := c.listPop(e, l, where, int(min(count, int64(l.Len()))))
	c.W.Array(len(vals))
	for _, v := range vals {
		c.W.Bulk(v)
	}
}

func cmdLLen(c *Ctx) {
	_, l, ok := c.lookupList(c.Args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(l.Len()))
}

func cmdLRange(c *Ctx) {
	start, end, ok := c.intArgs(c.Args[2], c.Args[3])
	if !ok {
		return
	}
	_, l, ok := c.lookupList(c.Args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.Array(0)
		return
	}
	first, count := rankWindow(l.Len(), start, end)
	c.W.Array(count)
	if count == 0 {
		return
	}
	last := first + count - 1
	l.Range(first, false, func(i int, v []byte) bool {
		c.W.Bulk(v)
		return i < last
	})
}

func cmdLIndex(c *Ctx) {
	_, l, ok := c.lookupList(c.Args[1], false)
	if !ok {
		return
	}
	if l == nil {
		c.W.Null()
		return
	}
	idx, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	if idx < -int64(l.Len()) || idx >= int64(l.Len()) {
		c.W.Null()
		return
	}
	v, _ := l.Index(int(idx))
	c.W.Bulk(v)
}

func cmdLSet(c *Ctx) {
	e, l, ok := c.lookupList(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil {
		c.Err(ErrNoSuchKey)
		return
	}
	idx, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	n := int64(l.Len())
	if idx < 0 {
		idx += n
	}
	if idx < 0 || idx >= n {
		c.Err(ErrIndexOutOfRange)
		return
	}
	c.DB.Touched(e)
	l.Set(int(idx), c.Args[3])
	c.Dirty(1)
	c.OK()
}

func cmdLInsert(c *Ctx) {
	var after bool
	switch {
	case is(c.Args[2], "after"):
		after = true
	case is(c.Args[2], "before"):
	default:
		c.Err(ErrSyntax)
		return
	}
	e, l, ok := c.lookupList(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	pivot := c.Args[3]
	pos, i := -1, 0
	l.Each(func(v []byte) bool {
		if string(v) == string(pivot) {
			pos = i
			return false
		}
		i++
		return true
	})
	if pos < 0 {
		c.W.Int(-1)
		return
	}
	if after {
		pos++
	}
	c.DB.Touched(e)
	l.Insert(pos, c.Args[4])
	c.Dirty(1)
	c.W.Int(int64(l.Len()))
}

func cmdLRem(c *Ctx) {
	count, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	e, l, ok := c.lookupList(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	if count < -int64(l.Len()) || count > int64(l.Len()) {
		count = 0 // more than there are: the same as all of them
	}
	c.DB.Touched(e)
	removed := l.RemoveValue(c.Args[3], int(count))
	if removed > 0 {
		if l.Len() == 0 {
			c.DB.Remove(e)
		}
		c.Dirty(int64(removed))
	}
	c.W.Int(int64(removed))
}

func cmdLTrim(c *Ctx) {
	start, end, ok := c.intArgs(c.Args[2], c.Args[3])
	if !ok {
		return
	}
	e, l, ok := c.lookupList(c.Args[1], true)
	if !ok {
		return
	}
	if e == nil {
		c.OK()
		return
	}
	n := l.Len()
	first, count := rankWindow(n, start, end)
	ltrim, rtrim := first, n-first-count // keep [first, first+count)
	if count == 0 {
		ltrim, rtrim = n, 0
	}
	if ltrim+rtrim > 0 {
		c.DB.Touched(e)
		l.DeleteRange(n-rtrim, rtrim)
		l.DeleteRange(0, ltrim)
		if l.Len() == 0 {
			c.DB.Remove(e)
		}
		c.Dirty(int64(ltrim + rtrim))
	}
	c.OK()
}

func cmdLPos(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(c.Args); j++ {
		more := j+1 < len(c.Args)
		switch {
		case is(c.Args[j], "rank") && more:
			v, ok := c.intArg(c.Args[j+1])
			if !ok {
				return
			}
			if v == 0 {
				c.Err(ErrLPosRankZero)
				return
			}
			rank = v
			j++
		case is(c.Args[j], "count") && more:
			v, ok := parseInt(c.Args[j+1])
			if !ok || v < 0 {
				c.Err(ErrLPosCountNeg)
				return
			}
			count = v
			j++
		case is(c.Args[j], "maxlen") && more:
			v, ok := parseInt(c.Args[j+1])
			if !ok || v < 0 {
				c.Err(ErrLPosMaxlenNeg)
				return
			}
			maxlen = v
			j++
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	_, l, ok := c.lookupList(c.Args[1], false)
	if !ok {
		return
	}
	if l == nil {
		if count != -1 {
			c.W.Array(0)
		} else {
			c.W.Null()
		}
		return
	}
	reverse := false
	if rank < 0 {
		rank = -rank // wraps for the minimum, as in Redis 7.0
		reverse = true
	}
	ele := c.Args[2]
	var found []int64
	var matches, seen int64
	start := 0
	if reverse {
		start = l.Len() - 1
	}
	l.Range(start, reverse, func(idx int, v []byte) bool {
		if maxlen != 0 && seen >= maxlen {
			return false
		}
		seen++
		if string(v) == string(ele) {
			matches++
			if matches >= rank {
				found = append(found, int64(idx))
				if count == -1 || (count != 0 && matches-rank+1 >= count) {
					return false
				}
			}
		}
		return true
	})
	if count == -1 {
		if len(found) == 0 {
			c.W.Null()
		} else {
			c.W.Int(found[0])
		}
		return
	}
	c.W.Array(len(found))
	for _, f := range found {
		c.W.Int(f)
	}
}
