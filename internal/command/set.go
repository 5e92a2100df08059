package command

import "github.com/kevy-db/kevy/internal/store"

// setCommands declares the set family.
func setCommands() []spec {
	const g = "set"
	return []spec{
		{name: "sadd", arity: -3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @set @fast", group: g, summary: "Puts members into a set, creating the key if absent; replies with the count added.", run: cmdSAdd},
		{name: "srem", arity: -3, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW delete", acl: "@write @set @fast", group: g, summary: "Takes members out of a set; a set left empty is deleted.", run: cmdSRem},
		{name: "smembers", arity: 2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @set @slow", tips: "nondeterministic_output_order", group: g, summary: "Lists every member of a set.", run: cmdSMembers},
		{name: "sismember", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@read @set @fast", group: g, summary: "Tells whether a value belongs to a set.", run: cmdSIsMember},
		{name: "smismember", arity: -3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: "@read @set @fast", group: g, summary: "Tells, value by value, whether each belongs to a set.", run: cmdSMIsMember},
		{name: "scard", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@read @set @fast", group: g, summary: "Tells how many members a set holds.", run: cmdSCard},
		{name: "spop", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: "@write @set @fast", tips: "nondeterministic_output", group: g, summary: "Takes random members out of a set and replies with them.", run: cmdSPop},
		{name: "srandmember", arity: -2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @set @slow", tips: "nondeterministic_output", group: g, summary: "Picks random members of a set, leaving the set unchanged.", run: cmdSRandMember},
		{name: "smove", arity: 4, flags: "write fast", first: 1, last: 2, step: 1, keys: "RW access delete index(1) range(0,1,0); RW insert index(2) range(0,1,0)", acl: "@write @set @fast", group: g, summary: "Transfers a member from a source set to a destination set.", run: cmdSMove},
		{name: "sinter", arity: -2, flags: "readonly", first: 1, last: -1, step: 1, acl: "@read @set @slow", tips: "nondeterministic_output_order", group: g, summary: "Lists the members found in every one of the given sets.", run: cmdSInter},
		{name: "sinterstore", arity: -3, flags: "write denyoom", first: 1, last: -1, step: 1, keys: "RW update index(1) range(0,1,0); RO access index(2) range(-1,1,0)", acl: "@write @set @slow", group: g, summary: "Saves into a key the members found in every one of the given sets.", run: cmdSInterStore},
		{name: "sintercard", arity: -3, flags: "readonly", first: 0, last: 0, step: 0, keys: "RO access index(1) keynum(0,1,1)", acl: "@read @set @slow", group: g, summary: "Counts the members found in every given set, optionally stopping at a limit.", run: cmdSInterCard},
		{name: "sunion", arity: -2, flags: "readonly", first: 1, last: -1, step: 1, acl: "@read @set @slow", tips: "nondeterministic_output_order", group: g, summary: "Lists the members found in at least one of the given sets.", run: cmdSUnion},
		{name: "sunionstore", arity: -3, flags: "write denyoom", first: 1, last: -1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) range(-1,1,0)", acl: "@write @set @slow", group: g, summary: "Saves into a key the members found in at least one of the given sets.", run: cmdSUnionStore},
		{name: "sdiff", arity: -2, flags: "readonly", first: 1, last: -1, step: 1, acl: "@read @set @slow", tips: "nondeterministic_output_order", group: g, summary: "Lists the members of the first set that no other given set has.", run: cmdSDiff},
		{name: "sdiffstore", arity: -3, flags: "write denyoom", first: 1, last: -1, step: 1, keys: "OW update index(1) range(0,1,0); RO access index(2) range(-1,1,0)", acl: "@write @set @slow", group: g, summary: "Saves into a key the members of the first set that no other given set has.", run: cmdSDiffStore},
		{name: "sscan", arity: -3, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @set @slow", tips: "nondeterministic_output", group: g, summary: "Walks a set's members a batch at a time with a cursor.", run: cmdSScan},
	}
}

func (c *Ctx) maxIntset() int { return c.E.Limits.SetMaxIntsetEntries }

// getSet looks key up for reading. ok is false when a WRONGTYPE error was
// written; s is nil for a missing key.
func (c *Ctx) getSet(key []byte) (*store.Set, bool) {
	_, s, ok := lookupKind[*store.Set](c, key, false, store.KindSet)
	return s, ok
}

// setForWrite looks key up for a write without counting a hit or miss. The
// caller calls c.DB.Touched(e) before changing an existing set.
func (c *Ctx) setForWrite(key []byte) (*store.Entry, *store.Set, bool) {
	return lookupKind[*store.Set](c, key, true, store.KindSet)
}

func cmdSAdd(c *Ctx) {
	key := c.Args[1]
	e, s, ok := c.setForWrite(key)
	if !ok {
		return
	}
	if s == nil {
		s = store.NewSetFor(c.Args[2])
		e = c.DB.SetObj(key, store.KindSet, s)
	} else if !c.setAnyMissing(s, c.Args[2:]) {
		c.W.Int(0)
		return
	} else {
		c.DB.Touched(e)
	}
	var n int64
	for _, m := range c.Args[2:] {
		if s.Add(m, c.maxIntset()) {
			n++
		}
	}
	c.Dirty(n)
	c.W.Int(n)
}

func (c *Ctx) setAnyMissing(s *store.Set, ms [][]byte) bool {
	for _, m := range ms {
		if !s.Has(m) {
			return true
		}
	}
	return false
}

func cmdSRem(c *Ctx) {
	e, s, ok := c.setForWrite(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.removeMembers(e, c.Args[2:], s.Has, s.Remove, s.Len)
}

func cmdSIsMember(c *Ctx) {
	s, ok := c.getSet(c.Args[1])
	if !ok {
		return
	}
	if s != nil && s.Has(c.Args[2]) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

func cmdSMIsMember(c *Ctx) {
	s, ok := c.getSet(c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if s != nil && s.Has(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

func cmdSCard(c *Ctx) {
	s, ok := c.getSet(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(s.Len()))
}

// writeSetMembers replies with every member of s as a RESP3 set.
func (c *Ctx) writeSetMembers(s *store.Set) {
	c.W.Set(s.Len())
	s.Each(func(m []byte) bool { c.W.Bulk(m); return true })
}

// members copies the members of s (in iteration order).
func members(s *store.Set) [][]byte {
	out := make([][]byte, 0, s.Len())
	s.Each(func(m []byte) bool { out = append(out, clone(m)); return true })
	return out
}

func cmdSPop(c *Ctx) {
	if len(c.Args) == 3 {
		c.setPopCount()
		return
	}
	if len(c.Args) > 3 {
		c.Err(ErrSyntax)
		return
	}
	key := c.Args[1]
	e, s, ok := c.setForWrite(key)
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	c.DB.Touched(e)
	m := clone(s.Random(c.St.Rand()))
	s.Remove(m)
	c.W.Bulk(m)
	if s.Len() == 0 {
		c.DB.Remove(e)
	}
	c.Dirty(1)
	c.Propagate([]byte("SREM"), key, m)
}

func (c *Ctx) setPopCount() {
	count, ok := parseInt(c.Args[2])
	if !ok || count < 0 {
		c.Err(ErrPositive)
		return
	}
	key := c.Args[1]
	e, s, ok := c.setForWrite(key)
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.W.Set(0)
		return
	}
	size := int64(s.Len())
	c.DB.Touched(e)
	c.Dirty(count)
	if count >= size {
		// Redis replies with the SUNION of the set: rebuilt, so a
		// hashtable of integers comes out sorted as an intset would.
		res := store.NewSet()
		s.Each(func(m []byte) bool { res.Add(m, c.maxIntset()); return true })
		c.writeSetMembers(res)
		c.DB.Remove(e)
		c.Propagate([]byte("DEL"), key)
		return
	}
	var popped [][]byte
	if count*3 > size {
		popped = shufflePrefix(c.St.Rand(), members(s), int(count))
	} else {
		r := c.St.Rand()
		for int64(len(popped)) < count {
			m := clone(s.Random(r))
			s.Remove(m) // removing as we go keeps the picks distinct
			popped = append(popped, m)
		}
	}
	c.W.Set(len(popped))
	rec := make([][]byte, 0, len(popped)+2)
	rec = append(rec, []byte("SREM"), key)
	for _, m := range popped {
		s.Remove(m)
		c.W.Bulk(m)
		rec = append(rec, m)
	}
	// One SREM with exactly the members removed: replay is deterministic.
	c.Propagate(rec...)
}

func cmdSRandMember(c *Ctx) {
	if len(c.Args) == 3 {
		c.setRandCount()
		return
	}
	if len(c.Args) > 3 {
		c.Err(ErrSyntax)
		return
	}
	s, ok := c.getSet(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(s.Random(c.St.Rand()))
}

func (c *Ctx) setRandCount() {
	count, ok := c.randCountArg(c.Args[2])
	if !ok {
		return
	}
	uniq := count >= 0
	if !uniq {
		count = -count
	}
	s, ok := c.getSet(c.Args[1])
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.W.Array(0)
		return
	}
	size := int64(s.Len())
	r := c.St.Rand()
	if !uniq || count == 1 {
		c.W.Array(int(count))
		for ; count > 0; count-- {
			c.W.Bulk(s.Random(r))
		}
		return
	}
	if count >= size {
		c.W.Array(int(size))
		s.Each(func(m []byte) bool { c.W.Bulk(m); return true })
		return
	}
	c.W.Array(int(count))
	if count*3 > size {
		for _, m := range shufflePrefix(r, members(s), int(count)) {
			c.W.Bulk(m)
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for int64(len(seen)) < count {
		m := s.Random(r)
		if _, dup := seen[string(m)]; dup {
			continue
		}
		seen[string(m)] = struct{}{}
		c.W.Bulk(m)
	}
}

func cmdSMove(c *Ctx) {
	src, dst, m := c.Args[1], c.Args[2], c.Args[3]
	se, ss, okS := c.setLookupAny(src)
	de, ds, okD := c.setLookupAny(dst)
	if se == nil {
		c.W.Int(0)
		return
	}
	if !okS || !okD {
		c.Err(ErrWrongType)
		return
	}
	if string(src) == string(dst) {
		if ss.Has(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
		return
	}
	if !ss.Has(m) {
		c.W.Int(0)
		return
	}
	c.DB.Touched(se)
	ss.Remove(m)
	if ss.Len() == 0 {
		c.DB.Remove(se)
	}
	if ds == nil {
		ds = store.NewSetFor(m)
		c.DB.SetObj(dst, store.KindSet, ds)
	} else if !ds.Has(m) {
		c.DB.Touched(de)
	}
	c.Dirty(1)
	if ds.Add(m, c.maxIntset()) {
		c.Dirty(1)
	}
	c.W.Int(1)
}

func cmdSScan(c *Ctx) {
	cursor, ok := c.parseCollCursor(c.Args[2])
	if !ok {
		return
	}
	s, ok := c.getSet(c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Raw(emptyScanReply)
		return
	}
	o, ok := c.parseScanOpts(c.Args[3:], false)
	if !ok {
		return
	}
	var out [][]byte
	add := func(m []byte) {
		if scanMatch(o, m) {
			out = append(out, clone(m))
		}
	}
	if s.IsIntset() {
		cursor = s.Scan(cursor, add)
	} else {
		maxIter := o.count * 10
		var seen int64
		for {
			cursor = s.Scan(cursor, func(m []byte) { seen++; add(m) })
			maxIter--
			if cursor == 0 || maxIter <= 0 || seen >= o.count {
				break
			}
		}
	}
	c.writeScanReply(cursor, out)
}
