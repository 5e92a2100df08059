package command

import (
	"math"
	"math/big"

	"github.com/kevy-db/kevy/internal/store"
)

func stringCommands() []spec {
	const g = "string"
	return []spec{
		{name: "get", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, acl: "@read @string @fast", group: g, summary: "Reads a string key's value.", run: cmdGet},
		{name: "set", arity: -3, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "RW access update variable_flags", acl: "@write @string @slow", group: g, summary: "Writes a string value to a key, replacing whatever it held, with optional expiry and conditions.", run: cmdSet},
		{name: "setnx", arity: 3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "OW insert", acl: "@write @string @fast", group: g, summary: "Writes a string value to a key only if the key is absent.", run: cmdSetNX},
		{name: "setex", arity: 4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update", acl: "@write @string @slow", group: g, summary: "Writes a string value to a key together with a time to live in seconds.", run: cmdSetEX},
		{name: "psetex", arity: 4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update", acl: "@write @string @slow", group: g, summary: "Writes a string value to a key together with a time to live in milliseconds.", run: cmdPSetEX},
		{name: "getset", arity: 3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @string @fast", group: g, summary: "Writes a new string value to a key and replies with the one it replaced.", run: cmdGetSet},
		{name: "getdel", arity: 2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access delete", acl: "@write @string @fast", group: g, summary: "Reads a string key's value and then removes the key.", run: cmdGetDel},
		{name: "getex", arity: -2, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @string @fast", group: g, summary: "Reads a string key's value and optionally changes or drops its time to live.", run: cmdGetEX},
		{name: "mget", arity: -2, flags: "readonly fast", first: 1, last: -1, step: 1, acl: "@read @string @fast", tips: "request_policy:multi_shard", group: g, summary: "Reads several string keys in one step, with nil for missing ones.", run: cmdMGet},
		{name: "mset", arity: -3, flags: "write denyoom", first: 1, last: -1, step: 2, keys: "OW update", acl: "@write @string @slow", tips: "request_policy:multi_shard response_policy:all_succeeded", group: g, summary: "Writes several string keys in one atomic step.", run: cmdMSet},
		{name: "msetnx", arity: -3, flags: "write denyoom", first: 1, last: -1, step: 2, keys: "OW insert", acl: "@write @string @slow", tips: "request_policy:multi_shard response_policy:agg_min", group: g, summary: "Writes several string keys in one atomic step, only if none of them exists.", run: cmdMSetNX},
		{name: "incr", arity: 2, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @string @fast", group: g, summary: "Adds 1 to the integer held by a key, which counts as 0 when absent.", run: cmdIncr},
		{name: "decr", arity: 2, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @string @fast", group: g, summary: "Subtracts 1 from the integer held by a key, which counts as 0 when absent.", run: cmdDecr},
		{name: "incrby", arity: 3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @string @fast", group: g, summary: "Adds an integer to the number held by a key, which counts as 0 when absent.", run: cmdIncrBy},
		{name: "decrby", arity: 3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @string @fast", group: g, summary: "Subtracts an integer from the number held by a key, which counts as 0 when absent.", run: cmdDecrBy},
		{name: "incrbyfloat", arity: 3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @string @fast", group: g, summary: "Adds a floating point amount to the number held by a key (0 when absent).", run: cmdIncrByFloat},
		{name: "append", arity: 3, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @string @fast", group: g, summary: "Adds bytes to the end of a string key, creating it if absent; replies the new length.", run: cmdAppend},
		{name: "strlen", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@read @string @fast", group: g, summary: "Tells the byte length of a string key's value.", run: cmdStrlen},
		{name: "getrange", arity: 4, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @string @slow", group: g, summary: "Reads the bytes of a string key between two offsets, inclusive.", run: cmdGetRange},
		{name: "substr", arity: 4, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @string @slow", group: g, summary: "Reads the bytes of a string key between two offsets (old name of GETRANGE).", run: cmdGetRange},
		{name: "setrange", arity: 4, flags: "write denyoom", first: 1, last: 1, step: 1, acl: "@write @string @slow", group: g, summary: "Overwrites a string key's bytes from an offset on, zero-padding and creating as needed.", run: cmdSetRange},
	}
}

// getString looks a key up for reading and checks it holds a string. ok is
// false when a WRONGTYPE error was written.
func (c *Ctx) getString(key []byte) (e *store.Entry, ok bool) {
	e = c.DB.Lookup(key)
	if e != nil && e.Kind() != store.KindString {
		c.Err(ErrWrongType)
		return nil, false
	}
	return e, true
}

func cmdGet(c *Ctx) {
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(e.Str())
}

// setFlags are the options of SET and GETEX.
type setFlags struct {
	nx, xx, get, keepTTL, persist bool
	unit                          byte // 0, 'e' EX, 'p' PX, 'E' EXAT, 'P' PXAT
	expire                        []byte
}

// parseSetFlags parses options from args with the precedence rules of Redis's
// parseExtendedStringArgumentsOrReply; forGet selects GETEX's dialect.
func (c *Ctx) parseSetFlags(args [][]byte, forGet bool) (f setFlags, ok bool) {
	for j := 0; j < len(args); j++ {
		a := args[j]
		hasNext := j+1 < len(args)
		switch {
		case !forGet && is(a, "nx") && !f.xx:
			f.nx = true
		case !forGet && is(a, "xx") && !f.nx:
			f.xx = true
		case !forGet && is(a, "get"):
			f.get = true
		case !forGet && is(a, "keepttl") && !f.persist && f.unit == 0:
			f.keepTTL = true
		case forGet && is(a, "persist") && f.unit == 0 && !f.keepTTL:
			f.persist = true
		case is(a, "ex") && !f.keepTTL && !f.persist && (f.unit == 0 || f.unit == 'e') && hasNext:
			f.unit, f.expire = 'e', args[j+1]
			j++
		case is(a, "px") && !f.keepTTL && !f.persist && (f.unit == 0 || f.unit == 'p') && hasNext:
			f.unit, f.expire = 'p', args[j+1]
			j++
		case is(a, "exat") && !f.keepTTL && !f.persist && (f.unit == 0 || f.unit == 'E') && hasNext:
			f.unit, f.expire = 'E', args[j+1]
			j++
		case is(a, "pxat") && !f.keepTTL && !f.persist && (f.unit == 0 || f.unit == 'P') && hasNext:
			f.unit, f.expire = 'P', args[j+1]
			j++
		default:
			c.Err(ErrSyntax)
			return f, false
		}
	}
	return f, true
}

// expireAt turns the expire option into an absolute unix-ms time, with
// Redis's validation and errors.
func (c *Ctx) expireAt(unit byte, arg []byte) (int64, bool) {
	v, ok := c.intArg(arg)
	if !ok {
		return 0, false
	}
	seconds := unit == 'e' || unit == 'E'
	if v <= 0 || (seconds && v > math.MaxInt64/1000) {
		c.Err(errExpireTime(c.Cmd.Name))
		return 0, false
	}
	if seconds {
		v *= 1000
	}
	if unit == 'e' || unit == 'p' {
		if v > math.MaxInt64-c.Now() {
			c.Err(errExpireTime(c.Cmd.Name))
			return 0, false
		}
		v += c.Now()
	}
	return v, true
}

func cmdSet(c *Ctx) {
	f, ok := c.parseSetFlags(c.Args[3:], false)
	if !ok {
		return
	}
	c.setGeneric(f, c.Args[1], c.Args[2])
}

func (c *Ctx) setGeneric(f setFlags, key, val []byte) {
	var at int64
	if f.unit != 0 {
		var ok bool
		if at, ok = c.expireAt(f.unit, f.expire); !ok {
			return
		}
	}
	if f.get {
		e, ok := c.getString(key)
		if !ok {
			return
		}
		if e == nil {
			c.W.Null()
		} else {
			c.W.Bulk(e.Str())
		}
	}
	if f.nx || f.xx { // a plain SET needs no lookup of its own: SetString finds the key
		found := c.DB.LookupNoStats(key) != nil
		if (f.nx && found) || (f.xx && !found) {
			if !f.get {
				c.W.Null()
			}
			return
		}
	}
	e := c.DB.SetStringCopy(key, val, f.keepTTL)
	c.Dirty(1)
	if at != 0 {
		c.DB.SetExpire(e, at)
	}
	if !f.get {
		c.OK()
	}
	// The log gets the absolute deadline: replaying "EX 10" a day later
	// would give the key a new life (the reference's defect 3).
	if at != 0 && f.unit != 'P' {
		c.Propagate([]byte("SET"), key, val, []byte("PXAT"), itob(at))
	}
}

func cmdSetNX(c *Ctx) {
	if c.DB.LookupNoStats(c.Args[1]) != nil {
		c.W.Int(0)
		return
	}
	c.DB.SetStringCopy(c.Args[1], c.Args[2], false)
	c.Dirty(1)
	c.W.Int(1)
}

func cmdSetEX(c *Ctx)  { c.setGeneric(setFlags{unit: 'e', expire: c.Args[2]}, c.Args[1], c.Args[3]) }
func cmdPSetEX(c *Ctx) { c.setGeneric(setFlags{unit: 'p', expire: c.Args[2]}, c.Args[1], c.Args[3]) }

func cmdGetSet(c *Ctx) {
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
	} else {
		c.W.Bulk(e.Str())
	}
	c.DB.SetStringCopy(c.Args[1], c.Args[2], false)
	c.Dirty(1)
	c.Propagate([]byte("SET"), c.Args[1], c.Args[2])
}

func cmdGetDel(c *Ctx) {
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(e.Str())
	c.DB.Remove(e)
	c.Dirty(1)
	c.Propagate([]byte("DEL"), c.Args[1])
}

func cmdGetEX(c *Ctx) {
	f, ok := c.parseSetFlags(c.Args[2:], true)
	if !ok {
		return
	}
	var at int64
	if f.unit != 0 {
		if at, ok = c.expireAt(f.unit, f.expire); !ok {
			return
		}
	}
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(e.Str())
	switch {
	case at != 0 && at <= c.Now():
		c.DB.Remove(e)
		c.Dirty(1)
		c.Propagate([]byte("DEL"), c.Args[1])
	case at != 0:
		c.DB.Touched(e)
		c.DB.SetExpire(e, at)
		c.Dirty(1)
		c.Propagate([]byte("PEXPIREAT"), c.Args[1], itob(at))
	case f.persist && e.ExpireAt() != 0:
		c.DB.Touched(e)
		c.DB.SetExpire(e, 0)
		c.Dirty(1)
		c.Propagate([]byte("PERSIST"), c.Args[1])
	}
}

func cmdMGet(c *Ctx) {
	c.W.Array(len(c.Args) - 1)
	for _, k := range c.Args[1:] {
		e := c.DB.Lookup(k)
		if e == nil || e.Kind() != store.KindString {
			c.W.Null()
			continue
		}
		c.W.Bulk(e.Str())
	}
}

func cmdMSet(c *Ctx) {
	if len(c.Args)%2 != 1 {
		c.Err(errArity(c.Cmd.Name))
		return
	}
	for i := 1; i < len(c.Args); i += 2 {
		c.DB.SetStringCopy(c.Args[i], c.Args[i+1], false)
	}
	c.Dirty(int64(len(c.Args) / 2))
	c.OK()
}

func cmdMSetNX(c *Ctx) {
	if len(c.Args)%2 != 1 {
		c.Err(errArity(c.Cmd.Name))
		return
	}
	for i := 1; i < len(c.Args); i += 2 {
		if c.DB.LookupNoStats(c.Args[i]) != nil {
			c.W.Int(0)
			return
		}
	}
	for i := 1; i < len(c.Args); i += 2 {
		c.DB.SetStringCopy(c.Args[i], c.Args[i+1], false)
	}
	c.Dirty(int64(len(c.Args) / 2))
	c.W.Int(1)
}

func cmdIncr(c *Ctx) { c.incrBy(c.Args[1], 1) }
func cmdDecr(c *Ctx) { c.incrBy(c.Args[1], -1) }

func cmdIncrBy(c *Ctx) {
	if v, ok := c.intArg(c.Args[2]); ok {
		c.incrBy(c.Args[1], v)
	}
}

func cmdDecrBy(c *Ctx) {
	v, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	if v == math.MinInt64 {
		c.Err("ERR decrement would overflow")
		return
	}
	c.incrBy(c.Args[1], -v)
}

func (c *Ctx) incrBy(key []byte, by int64) {
	e := c.DB.LookupWrite(key)
	var cur int64
	if e != nil {
		if e.Kind() != store.KindString {
			c.Err(ErrWrongType)
			return
		}
		v, ok := parseInt(e.Str())
		if !ok {
			c.Err(ErrNotInt)
			return
		}
		cur = v
	}
	if (by < 0 && cur < 0 && by < math.MinInt64-cur) || (by > 0 && cur > 0 && by > math.MaxInt64-cur) {
		c.Err(ErrOverflow)
		return
	}
	cur += by
	if e != nil {
		// A string value belongs to its entry alone (COPY clones, replies
		// and snapshots copy), so the counter is rewritten in place: no
		// allocation per INCR once the buffer is large enough.
		e.SetStr(store.FormatInt(e.Str()[:0], cur))
		e.ClearRaw()
	} else {
		var tmp [20]byte
		c.DB.SetStringCopy(key, store.FormatInt(tmp[:0], cur), false)
	}
	c.Dirty(1)
	c.W.Int(cur)
}

func cmdIncrByFloat(c *Ctx) {
	key := c.Args[1]
	e := c.DB.LookupWrite(key)
	cur := new(big.Float).SetPrec(64)
	if e != nil {
		if e.Kind() != store.KindString {
			c.Err(ErrWrongType)
			return
		}
		v, ok := parseLongDouble(e.Str())
		if !ok {
			c.Err(ErrNotFloat)
			return
		}
		cur = v
	}
	by, ok := parseLongDouble(c.Args[2])
	if !ok {
		c.Err(ErrNotFloat)
		return
	}
	if cur.IsInf() || by.IsInf() {
		c.Err(ErrIncrNaN)
		return
	}
	sum := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Add(cur, by)
	if f, _ := sum.Float64(); math.IsInf(f, 0) && sum.MantExp(nil) > 16384 {
		c.Err(ErrIncrNaN)
		return
	}
	out := []byte(formatLongDouble(sum))
	if e != nil {
		e.SetStr(out)
		e.ClearRaw()
	} else {
		c.DB.SetString(key, out, false)
	}
	c.Dirty(1)
	c.W.Bulk(out)
	// Logging the increment would replay float arithmetic; the result is
	// exact, and KEEPTTL keeps whatever TTL the key had.
	c.Propagate([]byte("SET"), key, out, []byte("KEEPTTL"))
}

func (c *Ctx) checkStringLength(n int64) bool {
	if c.Cl.Replay {
		return true
	}
	if n > c.E.ProtoMaxBulkLen {
		c.Err(ErrStringTooBig)
		return false
	}
	return true
}

func cmdAppend(c *Ctx) {
	key, add := c.Args[1], c.Args[2]
	e := c.DB.LookupWrite(key)
	if e == nil {
		c.DB.SetStringCopy(key, add, false)
		c.Dirty(1)
		c.W.Int(int64(len(add)))
		return
	}
	if e.Kind() != store.KindString {
		c.Err(ErrWrongType)
		return
	}
	if !c.checkStringLength(int64(len(e.Str()) + len(add))) {
		return
	}
	e.SetStr(append(e.Str(), add...))
	e.MarkRaw()
	c.Dirty(1)
	c.W.Int(int64(len(e.Str())))
}

func cmdStrlen(c *Ctx) {
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(len(e.Str())))
}

func cmdGetRange(c *Ctx) {
	start, end, ok := c.intArgs(c.Args[2], c.Args[3])
	if !ok {
		return
	}
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.BulkString("")
		return
	}
	s := e.Str()
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		c.W.BulkString("")
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.W.BulkString("")
		return
	}
	c.W.Bulk(s[start : end+1])
}

func cmdSetRange(c *Ctx) {
	key := c.Args[1]
	off, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	val := c.Args[3]
	if off < 0 {
		c.Err("ERR offset is out of range")
		return
	}
	e := c.DB.LookupWrite(key)
	if e == nil {
		if len(val) == 0 {
			c.W.Int(0)
			return
		}
		if !c.checkStringLength(off + int64(len(val))) {
			return
		}
		buf := make([]byte, off+int64(len(val)))
		copy(buf[off:], val)
		e = c.DB.SetString(key, buf, false)
		e.MarkRaw()
		c.Dirty(1)
		c.W.Int(int64(len(buf)))
		return
	}
	if e.Kind() != store.KindString {
		c.Err(ErrWrongType)
		return
	}
	cur := e.Str()
	if len(val) == 0 {
		c.W.Int(int64(len(cur)))
		return
	}
	if !c.checkStringLength(off + int64(len(val))) {
		return
	}
	need := int(off) + len(val)
	if need > len(cur) {
		cur = append(cur, make([]byte, need-len(cur))...)
	}
	copy(cur[off:], val)
	e.SetStr(cur)
	e.MarkRaw()
	c.Dirty(1)
	c.W.Int(int64(len(cur)))
}
