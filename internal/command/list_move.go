package command

// Commands that move elements between lists or pop from the first of
// several (LMOVE, RPOPLPUSH, LMPOP), and their parsing: the blocking
// forms in blocking.go (BLMOVE, BRPOPLPUSH, BLMPOP) share them.

import "github.com/kevy-db/kevy/internal/store"

// listWhere parses LEFT/RIGHT.
func (c *Ctx) listWhere(b []byte) (int, bool) {
	switch {
	case is(b, "left"):
		return listHead, true
	case is(b, "right"):
		return listTail, true
	}
	c.Err(ErrSyntax)
	return 0, false
}

// moveEnds parses the wherefrom and whereto arguments of LMOVE and BLMOVE
// (arguments 3 and 4).
func (c *Ctx) moveEnds() (from, to int, ok bool) {
	if from, ok = c.listWhere(c.Args[3]); !ok {
		return
	}
	to, ok = c.listWhere(c.Args[4])
	return
}

func cmdLMove(c *Ctx) {
	from, to, ok := c.moveEnds()
	if !ok {
		return
	}
	c.lmove(c.Args[1], c.Args[2], from, to)
}

func cmdRPopLPush(c *Ctx) { c.lmove(c.Args[1], c.Args[2], listTail, listHead) }

// lmove moves one element from src to dst and replies with it (or null when
// src is empty). It reports whether an element moved, for blocking wrappers.
func (c *Ctx) lmove(src, dst []byte, from, to int) bool {
	se, sl, ok := c.lookupList(src, true)
	if !ok {
		return false
	}
	if se == nil {
		c.W.Null()
		return false
	}
	de, dl, ok := c.lookupList(dst, true)
	if !ok {
		return false
	}
	c.DB.Touched(se)
	v, _ := popEnd(sl, from)
	v = append([]byte(nil), v...) // the push below may reuse its memory (src == dst)
	if de == nil {
		dl = c.newList()
		c.DB.SetObj(dst, store.KindList, dl)
	} else if de != se {
		c.DB.Touched(de)
	}
	if to == listHead {
		dl.PushFront(v)
	} else {
		dl.PushBack(v)
	}
	c.W.Bulk(v)
	if sl.Len() == 0 {
		c.DB.Remove(se)
	}
	c.Dirty(1)
	return true
}

func cmdLMPop(c *Ctx) {
	keys, where, count, ok := c.parseMPop(1, c.listWhere)
	if !ok {
		return
	}
	c.lmpop(keys, where, count)
}

// parseMPop parses "numkeys key... WHERE [COUNT n]" starting at c.Args[at],
// shared by LMPOP and ZMPOP (and their blocking forms).
func (c *Ctx) parseMPop(at int, where func([]byte) (int, bool)) (keys [][]byte, w int, count int64, ok bool) {
	numkeys, okN := parseInt(c.Args[at])
	if !okN || numkeys <= 0 {
		c.Err(ErrNumKeysPos)
		return nil, 0, 0, false
	}
	if numkeys > int64(len(c.Args)-at-2) {
		c.Err(ErrSyntax)
		return nil, 0, 0, false
	}
	wi := at + int(numkeys) + 1
	if w, ok = where(c.Args[wi]); !ok {
		return nil, 0, 0, false
	}
	count = -1
	for j := wi + 1; j < len(c.Args); j++ {
		if count == -1 && is(c.Args[j], "count") && j+1 < len(c.Args) {
			j++
			v, okC := parseInt(c.Args[j])
			if !okC || v <= 0 {
				c.Err(ErrCountPos)
				return nil, 0, 0, false
			}
			count = v
			continue
		}
		c.Err(ErrSyntax)
		return nil, 0, 0, false
	}
	if count == -1 {
		count = 1
	}
	return c.Args[at+1 : wi], w, count, true
}

// lmpop pops from the first non-empty list among keys and reports whether
// it found one (a blocking wrapper waits when it did not).
func (c *Ctx) lmpop(keys [][]byte, where int, count int64) bool {
	for _, k := range keys {
		e, l, ok := c.lookupList(k, true)
		if !ok {
			return true
		}
		if e == nil {
			continue
		}
		vals := c.listPop(e, l, where, int(min(count, int64(l.Len()))))
		c.W.Array(2)
		c.W.Bulk(k)
		c.W.Array(len(vals))
		for _, v := range vals {
			c.W.Bulk(v)
		}
		name := "LPOP"
		if where == listTail {
			name = "RPOP"
		}
		c.Propagate([]byte(name), k, itob(count))
		return true
	}
	c.W.NullArray()
	return false
}
