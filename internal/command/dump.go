package command

import (
	"strconv"

	"github.com/kevy-db/kevy/rdb"
)

func dumpCommands() []spec {
	const g = "generic"
	return []spec{
		{name: "dump", arity: 2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@keyspace @read @slow", tips: "nondeterministic_output", group: g, summary: "Encodes a key's value in the RDB-style payload RESTORE accepts.", run: cmdDump},
		{name: "restore", arity: -4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "OW update", acl: "@keyspace @write @slow @dangerous", group: g, summary: "Rebuilds a key from a payload produced by DUMP.", run: cmdRestore},
	}
}

func (e *Engine) dumpOptions() *rdb.WriterOptions {
	o := rdb.DefaultWriterOptions()
	o.ListMaxListpackSize = e.Limits.ListMaxListpackSize
	o.SetMaxIntsetEntries = e.Limits.SetMaxIntsetEntries
	o.HashMaxListpackEntries, o.HashMaxListpackValue = e.Limits.HashMaxListpackEntries, e.Limits.HashMaxListpackValue
	o.ZSetMaxListpackEntries, o.ZSetMaxListpackValue = e.Limits.ZSetMaxListpackEntries, e.Limits.ZSetMaxListpackValue
	return &o
}

// cmdDump replies with the value in Redis 7.0's DUMP format (RDB value,
// RDB version 10, CRC-64), so RESTORE on Redis or Valkey accepts it.
func cmdDump(c *Ctx) {
	e := c.DB.Lookup(c.Args[1])
	if e == nil {
		c.W.Null()
		return
	}
	re, err := ToRDB(c.Cl.DB, e)
	if err != nil {
		c.Err("ERR " + err.Error())
		return
	}
	payload, err := rdb.EncodeDump(re, c.E.dumpOptions())
	if err != nil {
		c.Err("ERR " + err.Error())
		return
	}
	c.W.Bulk(payload)
}

func cmdRestore(c *Ctx) {
	key := c.Args[1]
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(c.Args); j++ {
		more := j+1 < len(c.Args)
		switch a := c.Args[j]; {
		case is(a, "replace"):
			replace = true
		case is(a, "absttl"):
			absTTL = true
		case is(a, "idletime") && more && freq == -1:
			v, ok := c.intArg(c.Args[j+1])
			if !ok {
				return
			}
			if v < 0 {
				c.Err("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = v
			j++
		case is(a, "freq") && more && idle == -1:
			v, ok := c.intArg(c.Args[j+1])
			if !ok {
				return
			}
			if v < 0 || v > 255 {
				c.Err("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = v
			j++
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	if !replace && c.DB.LookupNoStats(key) != nil {
		c.Err("BUSYKEY Target key name already exists.")
		return
	}
	ttl, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	if ttl < 0 {
		c.Err("ERR Invalid TTL value, must be >= 0")
		return
	}
	if rdb.VerifyDump(c.Args[3]) != nil {
		c.Err("ERR DUMP payload version or checksum are wrong")
		return
	}
	re, err := rdb.DecodeVerifiedDump(c.Args[3])
	if err != nil {
		c.Err("ERR Bad data format")
		return
	}
	deleted := false
	if replace {
		deleted = c.DB.Delete(key)
	}
	if ttl != 0 && !absTTL {
		ttl += c.Now()
	}
	if ttl != 0 && ttl <= c.Now() && !c.Cl.Replay {
		// Already expired: nothing to create; a replaced key is gone.
		if deleted {
			c.Dirty(1)
			c.Propagate([]byte("DEL"), key)
		} else {
			c.NoPropagate()
		}
		c.OK()
		return
	}
	kind, str, obj := FromRDB(re, c.E.Limits)
	e := c.DB.Insert(string(key), kind, str, obj, ttl)
	if idle >= 0 {
		e.SetIdle(c.Now()/1000 - idle)
	}
	c.Dirty(1)
	c.OK()
	// Log an absolute deadline so a replay never extends the TTL.
	c.Propagate([]byte("RESTORE"), key, []byte(strconv.FormatInt(ttl, 10)), c.Args[3], []byte("REPLACE"), []byte("ABSTTL"))
}
