package command

import (
	"math"
	"math/big"

	"github.com/kevy-db/kevy/internal/store"
)

// hashCommands declares the hash family.
func hashCommands() []spec {
	const g = "hash"
	return []spec{
		{name: "hset", arity: -4, flags: "write denyoom fast", first: 1, last: 1, step: 1, acl: "@write @hash @fast", group: g, summary: "Writes fields of a hash, creating the key if absent; replies with the count of new fields.", run: cmdHSet},
		{name: "hsetnx", arity: 4, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @hash @fast", group: g, summary: "Writes a hash field only when the hash lacks it.", run: cmdHSetNX},
		{name: "hget", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: "@read @hash @fast", group: g, summary: "Reads one field of a hash.", run: cmdHGet},
		{name: "hmset", arity: -4, flags: "write denyoom fast", first: 1, last: 1, step: 1, acl: "@write @hash @fast", group: g, summary: "Writes fields of a hash and replies OK (the older spelling of HSET).", run: cmdHMSet},
		{name: "hmget", arity: -3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: "@read @hash @fast", group: g, summary: "Reads several fields of a hash at once, with nil for missing ones.", run: cmdHMGet},
		{name: "hdel", arity: -3, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW delete", acl: "@write @hash @fast", group: g, summary: "Deletes fields of a hash; a hash left empty is deleted too.", run: cmdHDel},
		{name: "hexists", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@read @hash @fast", group: g, summary: "Tells whether a hash holds a given field.", run: cmdHExists},
		{name: "hlen", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@read @hash @fast", group: g, summary: "Tells how many fields a hash holds.", run: cmdHLen},
		{name: "hkeys", arity: 2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @hash @slow", tips: "nondeterministic_output_order", group: g, summary: "Lists the field names of a hash.", run: cmdHKeys},
		{name: "hvals", arity: 2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @hash @slow", tips: "nondeterministic_output_order", group: g, summary: "Lists the values held by a hash.", run: cmdHVals},
		{name: "hgetall", arity: 2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @hash @slow", tips: "nondeterministic_output_order", group: g, summary: "Lists all fields of a hash, each followed by its value.", run: cmdHGetAll},
		{name: "hincrby", arity: 4, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @hash @fast", group: g, summary: "Adds an integer to a hash field, treating a missing field as 0.", run: cmdHIncrBy},
		{name: "hincrbyfloat", arity: 4, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @hash @fast", group: g, summary: "Adds a floating point amount to a hash field, treating a missing field as 0.", run: cmdHIncrByFloat},
		{name: "hstrlen", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@read @hash @fast", group: g, summary: "Tells the byte length of a hash field's value.", run: cmdHStrLen},
		{name: "hscan", arity: -3, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @hash @slow", tips: "nondeterministic_output", group: g, summary: "Walks a hash's fields and values a batch at a time with a cursor.", run: cmdHScan},
		{name: "hrandfield", arity: -2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @hash @slow", tips: "nondeterministic_output", group: g, summary: "Picks random fields of a hash, with or without their values.", run: cmdHRandField},
	}
}

func (c *Ctx) hashLimits() store.HashLimits {
	return store.HashLimits{
		MaxListpackEntries: c.E.Limits.HashMaxListpackEntries,
		MaxListpackValue:   c.E.Limits.HashMaxListpackValue,
	}
}

// getHash looks key up for reading. ok is false when a WRONGTYPE error was
// written; h is nil for a missing key.
func (c *Ctx) getHash(key []byte) (*store.Hash, bool) {
	_, h, ok := lookupKind[*store.Hash](c, key, false, store.KindHash)
	return h, ok
}

// hashForWrite looks key up for a write without counting a hit or miss (as
// Redis's lookupKeyWrite). The caller calls c.DB.Touched(e) before changing
// an existing hash.
func (c *Ctx) hashForWrite(key []byte) (*store.Entry, *store.Hash, bool) {
	return lookupKind[*store.Hash](c, key, true, store.KindHash)
}

// hashSetPairs writes field/value pairs from args, creating the key if
// needed, and returns how many fields were new.
func (c *Ctx) hashSetPairs(key []byte, pairs [][]byte) (int64, bool) {
	e, h, ok := c.hashForWrite(key)
	if !ok {
		return 0, false
	}
	if e == nil {
		h = store.NewHash()
	} else {
		c.DB.Touched(e)
	}
	lim := c.hashLimits()
	var created int64
	for i := 0; i+1 < len(pairs); i += 2 {
		if h.Set(pairs[i], pairs[i+1], lim) {
			created++
		}
	}
	if e == nil {
		c.DB.SetObj(key, store.KindHash, h)
	}
	c.Dirty(int64(len(pairs) / 2))
	return created, true
}

func cmdHSet(c *Ctx) {
	if len(c.Args)%2 == 1 {
		c.Err(errArity(c.Cmd.Name))
		return
	}
	if n, ok := c.hashSetPairs(c.Args[1], c.Args[2:]); ok {
		c.W.Int(n)
	}
}

func cmdHMSet(c *Ctx) {
	if len(c.Args)%2 == 1 {
		c.Err(errArity(c.Cmd.Name))
		return
	}
	if _, ok := c.hashSetPairs(c.Args[1], c.Args[2:]); ok {
		c.OK()
	}
}

func cmdHSetNX(c *Ctx) {
	_, h, ok := c.hashForWrite(c.Args[1])
	if !ok {
		return
	}
	if h != nil && h.Has(c.Args[2]) {
		c.W.Int(0)
		return
	}
	c.hashSetPairs(c.Args[1], c.Args[2:4])
	c.W.Int(1)
}

func cmdHGet(c *Ctx) {
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Null()
		return
	}
	if v, found := h.Get(c.Args[2]); found {
		c.W.Bulk(v)
		return
	}
	c.W.Null()
}

func cmdHMGet(c *Ctx) {
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, f := range c.Args[2:] {
		if h != nil {
			if v, found := h.Get(f); found {
				c.W.Bulk(v)
				continue
			}
		}
		c.W.Null()
	}
}

func cmdHDel(c *Ctx) {
	e, h, ok := c.hashForWrite(c.Args[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.removeMembers(e, c.Args[2:], h.Has, h.Delete, h.Len)
}

func cmdHExists(c *Ctx) {
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	if h != nil && h.Has(c.Args[2]) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

func cmdHLen(c *Ctx) {
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(h.Len()))
}

func cmdHStrLen(c *Ctx) {
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	if h != nil {
		if v, found := h.Get(c.Args[2]); found {
			c.W.Int(int64(len(v)))
			return
		}
	}
	c.W.Int(0)
}

func cmdHKeys(c *Ctx)   { c.hashGetAll(true, false) }
func cmdHVals(c *Ctx)   { c.hashGetAll(false, true) }
func cmdHGetAll(c *Ctx) { c.hashGetAll(true, true) }

func (c *Ctx) hashGetAll(fields, values bool) {
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if h == nil {
		return
	}
	h.Each(func(f, v []byte) bool {
		if fields {
			c.W.Bulk(f)
		}
		if values {
			c.W.Bulk(v)
		}
		return true
	})
}

func cmdHIncrBy(c *Ctx) {
	by, ok := c.intArg(c.Args[3])
	if !ok {
		return
	}
	key, field := c.Args[1], c.Args[2]
	e, h, ok := c.hashForWrite(key)
	if !ok {
		return
	}
	var cur int64
	if h != nil {
		if v, found := h.Get(field); found {
			if cur, ok = parseInt(v); !ok {
				c.Err(ErrHashNotInt)
				return
			}
		}
	}
	if (by < 0 && cur < 0 && by < math.MinInt64-cur) || (by > 0 && cur > 0 && by > math.MaxInt64-cur) {
		c.Err(ErrOverflow)
		return
	}
	cur += by
	c.hashStore(e, h, key, field, store.FormatInt(nil, cur))
	c.W.Int(cur)
}

// hashStore sets one field of the hash at key (h nil: create it).
func (c *Ctx) hashStore(e *store.Entry, h *store.Hash, key, field, val []byte) {
	if h == nil {
		h = store.NewHash()
		h.Set(field, val, c.hashLimits())
		c.DB.SetObj(key, store.KindHash, h)
	} else {
		c.DB.Touched(e)
		h.Set(field, val, c.hashLimits())
	}
	c.Dirty(1)
}

func cmdHIncrByFloat(c *Ctx) {
	by, ok := parseLongDouble(c.Args[3])
	if !ok {
		c.Err(ErrNotFloat)
		return
	}
	if by.IsInf() {
		c.Err(ErrIncrIsNaN)
		return
	}
	key, field := c.Args[1], c.Args[2]
	e, h, ok := c.hashForWrite(key)
	if !ok {
		return
	}
	cur := new(big.Float).SetPrec(64)
	if h != nil {
		if v, found := h.Get(field); found {
			if cur, ok = parseLongDouble(v); !ok {
				c.Err(ErrHashNotFloat)
				return
			}
		}
	}
	if cur.IsInf() {
		c.Err(ErrIncrNaN)
		return
	}
	sum := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Add(cur, by)
	if sum.MantExp(nil) > 16384 { // beyond the 80-bit long double's range
		c.Err(ErrIncrNaN)
		return
	}
	out := []byte(formatLongDouble(sum))
	c.hashStore(e, h, key, field, out)
	c.W.Bulk(out)
	// Log the result, not the increment: replaying float arithmetic could
	// drift, and this is what Redis propagates.
	c.Propagate([]byte("HSET"), key, field, out)
}

func cmdHScan(c *Ctx) {
	cursor, ok := c.parseCollCursor(c.Args[2])
	if !ok {
		return
	}
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Raw(emptyScanReply)
		return
	}
	o, ok := c.parseScanOpts(c.Args[3:], false)
	if !ok {
		return
	}
	var out [][]byte
	add := func(f, v []byte) {
		if scanMatch(o, f) {
			out = append(out, f, v)
		}
	}
	if h.Encoding() != "hashtable" {
		cursor = h.Scan(cursor, add)
	} else {
		maxIter := o.count * 10
		seen := int64(0)
		for {
			// Redis counts fields and values against COUNT.
			cursor = h.Scan(cursor, func(f, v []byte) { seen += 2; add(f, v) })
			maxIter--
			if cursor == 0 || maxIter <= 0 || seen >= o.count {
				break
			}
		}
	}
	c.writeScanReply(cursor, out)
}

func cmdHRandField(c *Ctx) {
	if len(c.Args) >= 3 {
		count, ok := c.randCountArg(c.Args[2])
		if !ok {
			return
		}
		withValues := false
		if len(c.Args) > 4 || (len(c.Args) == 4 && !is(c.Args[3], "withvalues")) {
			c.Err(ErrSyntax)
			return
		} else if len(c.Args) == 4 {
			withValues = true
			if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
				c.Err(ErrOutOfRange)
				return
			}
		}
		c.hashRandWithCount(count, withValues)
		return
	}
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Null()
		return
	}
	f, _ := h.Random(c.St.Rand())
	c.W.Bulk(f)
}

func (c *Ctx) hashRandWithCount(count int64, withValues bool) {
	uniq := count >= 0
	if !uniq {
		count = -count
	}
	h, ok := c.getHash(c.Args[1])
	if !ok {
		return
	}
	if h == nil || count == 0 {
		c.W.Array(0)
		return
	}
	resp3 := c.W.Proto() == 3
	header := func(n int64) {
		if withValues && !resp3 {
			c.W.Array(int(2 * n))
		} else {
			c.W.Array(int(n))
		}
	}
	pair := func(f, v []byte) {
		if withValues && resp3 {
			c.W.Array(2)
		}
		c.W.Bulk(f)
		if withValues {
			c.W.Bulk(v)
		}
	}
	size := int64(h.Len())
	// Sampling with repetition (negative count), or a single element.
	if !uniq || count == 1 {
		header(count)
		r := c.St.Rand()
		for ; count > 0; count-- {
			pair(h.Random(r))
		}
		return
	}
	if count >= size {
		header(size)
		h.Each(func(f, v []byte) bool { pair(f, v); return true })
		return
	}
	header(count)
	if count*3 > size {
		type fv struct{ f, v []byte }
		all := make([]fv, 0, size)
		h.Each(func(f, v []byte) bool { all = append(all, fv{f, v}); return true })
		for _, p := range shufflePrefix(c.St.Rand(), all, int(count)) {
			pair(p.f, p.v)
		}
		return
	}
	seen := make(map[string]struct{}, count)
	r := c.St.Rand()
	for int64(len(seen)) < count {
		f, v := h.Random(r)
		if _, dup := seen[string(f)]; dup {
			continue
		}
		seen[string(f)] = struct{}{}
		pair(f, v)
	}
}
