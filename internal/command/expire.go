package command

import (
	"math"
)

func expireCommands() []spec {
	const g = "generic"
	w := "write fast"
	acl := "@keyspace @write @fast"
	r := "readonly fast"
	racl := "@keyspace @read @fast"
	return []spec{
		{name: "expire", arity: -3, flags: w, first: 1, last: 1, step: 1, acl: acl, group: g, summary: "Gives a key a time to live, counted in seconds from now.", run: func(c *Ctx) { c.expireGeneric(c.Now(), 's') }},
		{name: "pexpire", arity: -3, flags: w, first: 1, last: 1, step: 1, acl: acl, group: g, summary: "Gives a key a time to live, counted in milliseconds from now.", run: func(c *Ctx) { c.expireGeneric(c.Now(), 'm') }},
		{name: "expireat", arity: -3, flags: w, first: 1, last: 1, step: 1, acl: acl, group: g, summary: "Makes a key expire at a given Unix time in seconds.", run: func(c *Ctx) { c.expireGeneric(0, 's') }},
		{name: "pexpireat", arity: -3, flags: w, first: 1, last: 1, step: 1, acl: acl, group: g, summary: "Makes a key expire at a given Unix time in milliseconds.", run: func(c *Ctx) { c.expireGeneric(0, 'm') }},
		{name: "ttl", arity: 2, flags: r, first: 1, last: 1, step: 1, acl: racl, tips: "nondeterministic_output", group: g, summary: "Tells how many seconds a key has left to live.", run: func(c *Ctx) { c.ttlGeneric(false, false) }},
		{name: "pttl", arity: 2, flags: r, first: 1, last: 1, step: 1, acl: racl, tips: "nondeterministic_output", group: g, summary: "Tells how many milliseconds a key has left to live.", run: func(c *Ctx) { c.ttlGeneric(true, false) }},
		{name: "expiretime", arity: 2, flags: r, first: 1, last: 1, step: 1, acl: racl, group: g, summary: "Tells the Unix time, in seconds, at which a key will expire.", run: func(c *Ctx) { c.ttlGeneric(false, true) }},
		{name: "pexpiretime", arity: 2, flags: r, first: 1, last: 1, step: 1, acl: racl, group: g, summary: "Tells the Unix time, in milliseconds, at which a key will expire.", run: func(c *Ctx) { c.ttlGeneric(true, true) }},
		{name: "persist", arity: 2, flags: w, first: 1, last: 1, step: 1, acl: acl, group: g, summary: "Drops a key's time to live so that it is kept indefinitely.", run: cmdPersist},
	}
}

// expireGeneric implements EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT with
// Redis 7.0's option rules, errors and propagation (always as PEXPIREAT with
// an absolute time, or DEL when the time has already passed).
func (c *Ctx) expireGeneric(base int64, unit byte) {
	var nx, xx, gt, lt bool
	for _, a := range c.Args[3:] {
		switch {
		case is(a, "nx"):
			nx = true
		case is(a, "xx"):
			xx = true
		case is(a, "gt"):
			gt = true
		case is(a, "lt"):
			lt = true
		default:
			c.Err("ERR Unsupported option " + string(a))
			return
		}
	}
	if nx && (xx || gt || lt) {
		c.Err("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if gt && lt {
		c.Err("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	if unit == 's' {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Err(errExpireTime(c.Cmd.Name))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.Err(errExpireTime(c.Cmd.Name))
		return
	}
	when += base
	key := c.Args[1]
	e := c.DB.LookupWrite(key)
	if e == nil {
		c.W.Int(0)
		return
	}
	cur := e.ExpireAt()
	if (nx && cur != 0) || (xx && cur == 0) || (gt && (cur == 0 || when <= cur)) || (lt && cur != 0 && when >= cur) {
		c.W.Int(0)
		return
	}
	c.Dirty(1)
	if when <= c.Now() && !c.Cl.Replay {
		c.DB.Remove(e)
		c.Propagate([]byte("DEL"), key)
		c.W.Int(1)
		return
	}
	c.DB.SetExpire(e, when)
	c.W.Int(1)
	c.Propagate([]byte("PEXPIREAT"), key, itob(when))
}

func (c *Ctx) ttlGeneric(ms, abs bool) {
	e := c.DB.LookupNoStats(c.Args[1])
	if e == nil {
		c.W.Int(-2)
		return
	}
	at := e.ExpireAt()
	if at == 0 {
		c.W.Int(-1)
		return
	}
	if abs {
		if ms {
			c.W.Int(at)
		} else {
			c.W.Int((at + 500) / 1000)
		}
		return
	}
	ttl := at - c.Now()
	if ttl < 0 {
		ttl = 0
	}
	if ms {
		c.W.Int(ttl)
	} else {
		c.W.Int((ttl + 500) / 1000)
	}
}

func cmdPersist(c *Ctx) {
	e := c.DB.LookupWrite(c.Args[1])
	if e == nil || e.ExpireAt() == 0 {
		c.W.Int(0)
		return
	}
	c.DB.SetExpire(e, 0)
	c.Dirty(1)
	c.W.Int(1)
}
