package command

import (
	"strconv"

	"github.com/kevy-db/kevy/internal/glob"
	"github.com/kevy-db/kevy/internal/store"
)

func keyCommands() []spec {
	const g = "generic"
	return []spec{
		{name: "del", arity: -2, flags: "write", first: 1, last: -1, step: 1, keys: "RM delete", acl: "@keyspace @write @slow", tips: "request_policy:multi_shard response_policy:agg_sum", group: g, summary: "Removes the given keys and replies with how many existed.", run: cmdDel},
		{name: "unlink", arity: -2, flags: "write fast", first: 1, last: -1, step: 1, keys: "RM delete", acl: "@keyspace @write @fast", tips: "request_policy:multi_shard response_policy:agg_sum", group: g, summary: "Removes the given keys like DEL; any freeing work may happen later.", run: cmdDel},
		{name: "exists", arity: -2, flags: "readonly fast", first: 1, last: -1, step: 1, keys: "RO", acl: "@keyspace @read @fast", tips: "request_policy:multi_shard response_policy:agg_sum", group: g, summary: "Counts how many of the given keys are present (repeats count again).", run: cmdExists},
		{name: "type", arity: 2, flags: "readonly fast", first: 1, last: 1, step: 1, keys: "RO", acl: "@keyspace @read @fast", group: g, summary: "Names the kind of value a key holds, or none when the key is absent.", run: cmdType},
		{name: "rename", arity: 3, flags: "write", first: 1, last: 2, step: 1, keys: "RW access delete index(1) range(0,1,0); OW update index(2) range(0,1,0)", acl: "@keyspace @write @slow", group: g, summary: "Gives a key a new name, replacing any key already under that name.", run: cmdRename},
		{name: "renamenx", arity: 3, flags: "write fast", first: 1, last: 2, step: 1, keys: "RW access delete index(1) range(0,1,0); OW insert index(2) range(0,1,0)", acl: "@keyspace @write @fast", group: g, summary: "Gives a key a new name, but only if no key has that name yet.", run: cmdRenameNX},
		{name: "keys", arity: 2, flags: "readonly", acl: "@keyspace @read @slow @dangerous", tips: "request_policy:all_shards nondeterministic_output_order", group: g, summary: "Lists every key whose name matches a glob pattern.", run: cmdKeys},
		{name: "scan", arity: -2, flags: "readonly", acl: "@keyspace @read @slow", tips: "nondeterministic_output request_policy:special", group: g, summary: "Walks the key names of the database a batch at a time with a cursor.", run: cmdScan},
		{name: "randomkey", arity: 1, flags: "readonly", acl: "@keyspace @read @slow", tips: "request_policy:all_shards nondeterministic_output", group: g, summary: "Picks the name of a random key in the database.", run: cmdRandomKey},
		{name: "touch", arity: -2, flags: "readonly fast", first: 1, last: -1, step: 1, keys: "RO", acl: "@keyspace @read @fast", tips: "request_policy:multi_shard response_policy:agg_sum", group: g, summary: "Marks the given keys as just accessed and counts how many are present.", run: cmdTouch},
		{name: "copy", arity: -3, flags: "write denyoom", first: 1, last: 2, step: 1, keys: "RO access index(1) range(0,1,0); OW update index(2) range(0,1,0)", acl: "@keyspace @write @slow", group: g, summary: "Duplicates a key's value under another name, possibly in another database.", run: cmdCopy},
		{name: "move", arity: 3, flags: "write fast", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@keyspace @write @fast", group: g, summary: "Transfers a key from the current database to another one.", run: cmdMove},
		{name: "swapdb", arity: 3, flags: "write fast", acl: "@keyspace @write @fast @dangerous", group: "server", summary: "Exchanges the contents of two databases.", run: cmdSwapDB},
		{name: "dbsize", arity: 1, flags: "readonly fast", acl: "@keyspace @read @fast", tips: "request_policy:all_shards response_policy:agg_sum", group: "server", summary: "Tells how many keys the current database holds.", run: cmdDBSize},
		{name: "flushdb", arity: -1, flags: "write", acl: "@keyspace @write @slow @dangerous", tips: "request_policy:all_shards response_policy:all_succeeded", group: "server", summary: "Empties the current database.", run: cmdFlushDB},
		{name: "flushall", arity: -1, flags: "write", acl: "@keyspace @write @slow @dangerous", tips: "request_policy:all_shards response_policy:all_succeeded", group: "server", summary: "Empties every database.", run: cmdFlushAll},
		{name: "object", arity: -2, acl: "@slow", group: g, summary: "Groups the subcommands that inspect how a key's value is kept.", subs: []spec{
			{name: "encoding", arity: 3, flags: "readonly", first: 2, last: 2, step: 1, keys: "RO", acl: "@keyspace @read @slow", tips: "nondeterministic_output", run: cmdObjectEncoding},
			{name: "refcount", arity: 3, flags: "readonly", first: 2, last: 2, step: 1, keys: "RO", acl: "@keyspace @read @slow", tips: "nondeterministic_output", run: cmdObjectRefcount},
			{name: "idletime", arity: 3, flags: "readonly", first: 2, last: 2, step: 1, keys: "RO", acl: "@keyspace @read @slow", tips: "nondeterministic_output", run: cmdObjectIdletime},
			{name: "freq", arity: 3, flags: "readonly", first: 2, last: 2, step: 1, keys: "RO", acl: "@keyspace @read @slow", tips: "nondeterministic_output", run: cmdObjectFreq},
			{name: "help", arity: 2, flags: "loading stale", acl: "@keyspace @slow", run: cmdObjectHelp},
		}, run: runSubcommand},
	}
}

func cmdDel(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if c.DB.Delete(k) {
			n++
		}
	}
	c.Dirty(n)
	c.W.Int(n)
}

func cmdExists(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if c.DB.LookupNoStats(k) != nil {
			n++
		}
	}
	c.W.Int(n)
}

func cmdType(c *Ctx) {
	e := c.DB.LookupNoStats(c.Args[1])
	if e == nil {
		c.W.SimpleString("none")
		return
	}
	c.W.SimpleString(e.Kind().TypeName())
}

func cmdRename(c *Ctx)   { c.rename(false) }
func cmdRenameNX(c *Ctx) { c.rename(true) }

func (c *Ctx) rename(nx bool) {
	src, dst := c.Args[1], c.Args[2]
	e := c.DB.LookupWrite(src)
	if e == nil {
		c.Err(ErrNoSuchKey)
		return
	}
	if string(src) == string(dst) {
		if nx {
			c.W.Int(0)
		} else {
			c.OK()
		}
		return
	}
	if c.DB.LookupNoStats(dst) != nil {
		if nx {
			c.W.Int(0)
			return
		}
		c.DB.Delete(dst)
	}
	kind, str, obj, at := e.Kind(), e.Str(), e.Obj(), e.ExpireAt()
	c.DB.Remove(e)
	c.DB.Insert(string(dst), kind, str, obj, at)
	c.Dirty(1)
	if nx {
		c.W.Int(1)
	} else {
		c.OK()
	}
}

func cmdKeys(c *Ctx) {
	pat := c.Args[1]
	all := len(pat) == 1 && pat[0] == '*'
	var keys []string
	c.DB.Each(func(e *store.Entry) bool {
		if c.DB.IsExpired(e) {
			return true
		}
		if all || glob.Match(pat, []byte(e.Key()), false) {
			keys = append(keys, e.Key())
		}
		return true
	})
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

// parseCursor parses a SCAN-family cursor with strtoul's rules, as Redis
// does (see parseCollCursor).
func (c *Ctx) parseCursor(b []byte) (uint64, bool) { return c.parseCollCursor(b) }

// scanOpts are SCAN's options; SSCAN, HSCAN and ZSCAN share them (without
// TYPE).
type scanOpts struct {
	match []byte
	count int64
	typ   string
}

func (c *Ctx) parseScanOpts(args [][]byte, allowType bool) (o scanOpts, ok bool) {
	o.count = 10
	for i := 0; i < len(args); i++ {
		more := i+1 < len(args)
		switch {
		case is(args[i], "count") && more:
			v, ok := c.intArg(args[i+1])
			if !ok {
				return o, false
			}
			if v < 1 {
				c.Err(ErrSyntax)
				return o, false
			}
			o.count = v
			i++
		case is(args[i], "match") && more:
			o.match = args[i+1]
			if len(o.match) == 1 && o.match[0] == '*' {
				o.match = nil
			}
			i++
		case allowType && is(args[i], "type") && more:
			o.typ = string(args[i+1])
			i++
		default:
			c.Err(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

func cmdScan(c *Ctx) {
	cursor, ok := c.parseCursor(c.Args[1])
	if !ok {
		return
	}
	o, ok := c.parseScanOpts(c.Args[2:], true)
	if !ok {
		return
	}
	var keys []*store.Entry
	maxIter := o.count * 10
	for {
		cursor = c.DB.Scan(cursor, func(e *store.Entry) { keys = append(keys, e) })
		maxIter--
		if cursor == 0 || maxIter <= 0 || int64(len(keys)) >= o.count {
			break
		}
	}
	out := make([]*store.Entry, 0, len(keys))
	var expired [][]byte
	for _, e := range keys {
		if o.match != nil && !glob.Match(o.match, []byte(e.Key()), false) {
			continue
		}
		if o.typ != "" && !equalFoldString(e.Kind().TypeName(), o.typ) {
			continue
		}
		if c.DB.IsExpired(e) {
			expired = append(expired, []byte(e.Key()))
			continue
		}
		out = append(out, e)
	}
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(nil, cursor, 10))
	c.W.Array(len(out))
	for _, e := range out {
		c.W.BulkString(e.Key())
	}
	// Expired keys seen by the scan are reclaimed now, as Redis does.
	for _, k := range expired {
		c.DB.LookupNoStats(k)
	}
}

func equalFoldString(a, b string) bool { return is([]byte(b), a) }

func cmdRandomKey(c *Ctx) {
	e := c.DB.RandomKey()
	if e == nil {
		c.W.Null()
		return
	}
	c.W.BulkString(e.Key())
}

func cmdTouch(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if c.DB.Lookup(k) != nil {
			n++
		}
	}
	c.W.Int(n)
}

// cloneValue deep-copies a value for COPY.
func cloneValue(e *store.Entry) ([]byte, any) {
	if e.Kind() == store.KindString {
		return clone(e.Str()), nil
	}
	if cl, ok := e.Obj().(interface{ Clone() any }); ok {
		return nil, cl.Clone()
	}
	return nil, e.Obj()
}

func (c *Ctx) dbArg(b []byte) (int, bool) {
	v, ok := parseInt(b)
	if !ok || v < -1<<31 || v > 1<<31-1 {
		c.Err(ErrNotInt)
		return 0, false
	}
	if v < 0 || v >= int64(c.St.NumDB()) {
		c.Err(ErrDBIndex)
		return 0, false
	}
	return int(v), true
}

func cmdCopy(c *Ctx) {
	src, dst := c.Args[1], c.Args[2]
	dbID := c.Cl.DB
	replace := false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case is(c.Args[i], "replace"):
			replace = true
		case is(c.Args[i], "db") && i+1 < len(c.Args):
			id, ok := c.dbArg(c.Args[i+1])
			if !ok {
				return
			}
			dbID = id
			i++
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	if dbID == c.Cl.DB && string(src) == string(dst) {
		c.Err(ErrSameObject)
		return
	}
	e := c.DB.Lookup(src)
	if e == nil {
		c.W.Int(0)
		return
	}
	dstDB := c.St.DB(dbID)
	if dstDB.LookupNoStats(dst) != nil {
		if !replace {
			c.W.Int(0)
			return
		}
		dstDB.Delete(dst)
	}
	str, obj := cloneValue(e)
	dstDB.Insert(string(dst), e.Kind(), str, obj, e.ExpireAt())
	c.Dirty(1)
	c.W.Int(1)
}

func cmdMove(c *Ctx) {
	id, ok := c.dbArg(c.Args[2])
	if !ok {
		return
	}
	if id == c.Cl.DB {
		c.Err(ErrSameObject)
		return
	}
	e := c.DB.LookupWrite(c.Args[1])
	if e == nil {
		c.W.Int(0)
		return
	}
	dst := c.St.DB(id)
	if dst.LookupNoStats(c.Args[1]) != nil {
		c.W.Int(0)
		return
	}
	kind, str, obj, at := e.Kind(), e.Str(), e.Obj(), e.ExpireAt()
	c.DB.Remove(e)
	dst.Insert(e.Key(), kind, str, obj, at)
	c.Dirty(1)
	c.W.Int(1)
}

func cmdSwapDB(c *Ctx) {
	a, okA := parseInt(c.Args[1])
	if !okA {
		c.Err("ERR invalid first DB index")
		return
	}
	b, okB := parseInt(c.Args[2])
	if !okB {
		c.Err("ERR invalid second DB index")
		return
	}
	n := int64(c.St.NumDB())
	if a < 0 || a >= n || b < 0 || b >= n {
		c.Err(ErrDBIndex)
		return
	}
	if a != b {
		c.E.touchWatchedInDB(int(a), int(b))
		c.E.touchWatchedInDB(int(b), int(a))
		c.St.SwapDB(int(a), int(b))
	}
	c.Dirty(1)
	c.OK()
}

func cmdDBSize(c *Ctx) { c.W.Int(int64(c.DB.Len())) }

func (c *Ctx) flushMode(args [][]byte) bool {
	if len(args) > 1 {
		c.Err(ErrSyntax)
		return false
	}
	if len(args) == 1 && !is(args[0], "async") && !is(args[0], "sync") {
		c.Err(ErrSyntax)
		return false
	}
	return true
}

func cmdFlushDB(c *Ctx) {
	if !c.flushMode(c.Args[1:]) {
		return
	}
	c.Dirty(int64(c.DB.Len()) + 1)
	c.E.touchWatchedInDB(c.Cl.DB, -1)
	c.St.Flush(c.Cl.DB)
	c.OK()
}

func cmdFlushAll(c *Ctx) {
	if !c.flushMode(c.Args[1:]) {
		return
	}
	c.Dirty(int64(c.St.KeyCount()) + 1)
	for i := 0; i < c.St.NumDB(); i++ {
		c.E.touchWatchedInDB(i, -1)
	}
	c.St.FlushAll()
	c.OK()
}

// runSubcommand dispatches container commands (OBJECT, CONFIG, CLIENT…),
// with Redis's errors for unknown subcommands and wrong arity.
func runSubcommand(c *Ctx) {
	sub := c.Cmd.Sub(c.Args[1])
	if sub == nil {
		c.Err(errUnknownSubcommand(c.Args[1], c.Cmd.Name))
		return
	}
	if !sub.arityOK(len(c.Args)) {
		c.Err("ERR wrong number of arguments for '" + sub.Name + "' command")
		return
	}
	c.Cmd = sub
	sub.Run(c)
}

func (c *Ctx) objectLookup() *store.Entry {
	e := c.DB.Peek(c.Args[2])
	if e == nil || c.DB.IsExpired(e) {
		c.DB.LookupNoStats(c.Args[2]) // reclaim it
		c.W.Null()
		return nil
	}
	return e
}

// Encodinger is implemented by collection values to report OBJECT ENCODING.
type Encodinger interface{ Encoding() string }

func cmdObjectEncoding(c *Ctx) {
	e := c.objectLookup()
	if e == nil {
		return
	}
	if e.Kind() == store.KindString {
		c.W.BulkString(e.StringEncoding())
		return
	}
	if en, ok := e.Obj().(Encodinger); ok {
		c.W.BulkString(en.Encoding())
		return
	}
	c.W.BulkString("unknown")
}

func cmdObjectRefcount(c *Ctx) {
	e := c.objectLookup()
	if e == nil {
		return
	}
	// Redis shares the integer objects 0..9999, which report INT_MAX.
	if e.Kind() == store.KindString && e.StringEncoding() == "int" {
		if v, _ := parseInt(e.Str()); v >= 0 && v < 10000 {
			c.W.Int(2147483647)
			return
		}
	}
	c.W.Int(1)
}

func cmdObjectIdletime(c *Ctx) {
	e := c.objectLookup()
	if e == nil {
		return
	}
	c.W.Int(e.IdleSeconds(c.Now()))
}

func cmdObjectFreq(c *Ctx) {
	if c.objectLookup() == nil {
		return
	}
	c.Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
}

func cmdObjectHelp(c *Ctx) {
	writeHelp(c, "OBJECT", []string{
		"ENCODING <key>",
		"    Reply with the name of the internal layout that holds the value of <key>,",
		"    such as int, embstr, listpack or hashtable.",
		"FREQ <key>",
		"    Reply with the LFU access counter of <key>. kevy keeps no such counter",
		"    (there is no LFU maxmemory-policy), so this replies with an error.",
		"IDLETIME <key>",
		"    Reply with about how many seconds have passed since <key> was last read",
		"    or written.",
		"REFCOUNT <key>",
		"    Reply with the reference count of the value stored at <key>",
		"    (small integers, shared in Redis, report a very large count).",
	})
}

// writeHelp writes a HELP reply framed as Redis's addReplyHelp does.
func writeHelp(c *Ctx, cmd string, lines []string) {
	c.W.Array(len(lines) + 3)
	c.W.SimpleString(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.SimpleString(l)
	}
	c.W.SimpleString("HELP")
	c.W.SimpleString("    Prints this help.")
}
