package command

import (
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/kevy-db/kevy/internal/store"
)

// Blocking list and sorted-set pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
// BZPOPMIN BZPOPMAX BZMPOP).
//
// A blocking command first behaves as its non-blocking form. When every key
// it names is empty it registers the client in a FIFO queue per key and
// writes no reply: the server sees Client.Blocked and stops reading the
// client's commands until it is served, times out or disconnects.
//
// A write that may have filled a key somebody waits on marks it ready
// (noteWrite, after each command, also inside EXEC). When the command or
// transaction that made it ready has completed, Call serves the waiting
// clients in FIFO order (serveBlocked), in the same execution-lock section:
// each pop runs on behalf of the blocked client, writes its reply to the
// client's writer and logs its effect as a deterministic record (LPOP,
// LMOVE, ZPOPMIN …). The server then collects those clients with TakeWoken
// and releases their replies once the log holds the records.
//
// A newly blocked client is "held" until the server has flushed the replies
// of the commands the client sent before the blocking one (the server calls
// ReleaseBlocked). No one is served past a held client, so FIFO order holds
// and nobody writes to the client's output while its own goroutine does.

func blockingCommands() []spec {
	const gl, gz = "list", "sorted-set"
	return []spec{
		{name: "blpop", arity: -3, flags: "write noscript blocking", first: 1, last: -2, step: 1, keys: "RW access delete", acl: "@write @list @slow @blocking", group: gl, summary: "Pops from the head of the first non-empty list, waiting for one if all are empty.", run: cmdBLPop},
		{name: "brpop", arity: -3, flags: "write noscript blocking", first: 1, last: -2, step: 1, keys: "RW access delete", acl: "@write @list @slow @blocking", group: gl, summary: "Pops from the tail of the first non-empty list, waiting for one if all are empty.", run: cmdBRPop},
		{name: "blmove", arity: 6, flags: "write denyoom noscript blocking", first: 1, last: 2, step: 1, keys: "RW access delete index(1) range(0,1,0); RW insert index(2) range(0,1,0)", acl: "@write @list @slow @blocking", group: gl, summary: "Like LMOVE, but waits for the source list to get an element when it is empty.", run: cmdBLMove},
		{name: "brpoplpush", arity: 4, flags: "write denyoom noscript blocking", first: 1, last: 2, step: 1, keys: "RW access delete index(1) range(0,1,0); RW insert index(2) range(0,1,0)", acl: "@write @list @slow @blocking", group: gl, summary: "Like RPOPLPUSH, but waits for the source list to get an element when it is empty.", run: cmdBRPopLPush},
		// Redis flags BLMPOP and BZMPOP "movablekeys" (key positions 0 0 0).
		{name: "blmpop", arity: -5, flags: "write blocking", keys: "RW access delete index(2) keynum(0,1,1)", acl: "@write @list @slow @blocking", group: gl, summary: "Like LMPOP, but waits for an element when every given list is empty.", run: cmdBLMPop},
		{name: "bzpopmin", arity: -3, flags: "write noscript blocking fast", first: 1, last: -2, step: 1, keys: "RW access delete", acl: "@write @sortedset @fast @blocking", group: gz, summary: "Pops the lowest-scored member of the first non-empty sorted set, waiting if all are empty.", run: cmdBZPopMin},
		{name: "bzpopmax", arity: -3, flags: "write noscript blocking fast", first: 1, last: -2, step: 1, keys: "RW access delete", acl: "@write @sortedset @fast @blocking", group: gz, summary: "Pops the highest-scored member of the first non-empty sorted set, waiting if all are empty.", run: cmdBZPopMax},
		{name: "bzmpop", arity: -5, flags: "write blocking", keys: "RW access delete index(2) keynum(0,1,1)", acl: "@write @sortedset @slow @blocking", group: gz, summary: "Like ZMPOP, but waits for a member when every given sorted set is empty.", run: cmdBZMPop},
	}
}

var thousand = big.NewFloat(1000)

// blockTimeout parses a timeout in seconds as Redis 7.0 does: a long double
// multiplied by 1000 and truncated to whole milliseconds (so -0.0001 is 0,
// "block forever"), with values beyond the 64-bit range, infinities
// included, reported as negative. It returns the deadline (zero: none).
func (c *Ctx) blockTimeout(b []byte) (time.Time, bool) {
	s := strings.TrimLeft(strings.ToLower(string(b)), "+-")
	if strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0o") {
		c.Err(errTimeoutNotFloat) // strtold knows no binary or octal prefix
		return time.Time{}, false
	}
	f, ok := parseLongDouble(b)
	if !ok {
		c.Err(errTimeoutNotFloat)
		return time.Time{}, false
	}
	if f.IsInf() {
		c.Err(errTimeoutNegative)
		return time.Time{}, false
	}
	ms, _ := new(big.Float).SetPrec(64).Mul(f, thousand).Int(nil)
	if !ms.IsInt64() || ms.Sign() < 0 {
		c.Err(errTimeoutNegative)
		return time.Time{}, false
	}
	v := ms.Int64()
	if v == 0 {
		return time.Time{}, true
	}
	now := c.Now()
	if v > math.MaxInt64-now {
		return time.Time{}, true // beyond any clock: the same as forever
	}
	return time.UnixMilli(now + v), true
}

// noBlock reports whether the command must answer at once instead of
// blocking: inside a transaction, or replaying the log.
func (c *Ctx) noBlock() bool { return c.E.depth > 1 || c.Cl.Replay }

func cmdBLPop(c *Ctx) { c.blockingPop(listHead) }
func cmdBRPop(c *Ctx) { c.blockingPop(listTail) }

func popName(where int) string {
	if where == listHead {
		return "LPOP"
	}
	return "RPOP"
}

func (c *Ctx) blockingPop(where int) {
	deadline, ok := c.blockTimeout(c.Args[len(c.Args)-1])
	if !ok {
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	for _, k := range keys {
		e, l, ok := c.lookupList(k, true)
		if !ok {
			return
		}
		if e == nil {
			continue
		}
		c.servePop(k, e, l, where)
		return
	}
	if c.noBlock() {
		c.W.NullArray()
		return
	}
	c.block(keys, &blockedOp{kind: blockPop, where: where, deadline: deadline})
}

// servePop pops one element for BLPOP/BRPOP and logs it as LPOP/RPOP.
func (c *Ctx) servePop(key []byte, e *store.Entry, l *store.List, where int) {
	v := c.listPop(e, l, where, 1)
	c.W.Array(2)
	c.W.Bulk(key)
	c.W.Bulk(v[0])
	c.Propagate([]byte(popName(where)), key)
}

func cmdBLMove(c *Ctx) {
	from, to, ok := c.moveEnds()
	if !ok {
		return
	}
	c.blockingMove(from, to, c.Args[5])
}

func cmdBRPopLPush(c *Ctx) { c.blockingMove(listTail, listHead, c.Args[3]) }

func endName(where int) []byte {
	if where == listHead {
		return []byte("LEFT")
	}
	return []byte("RIGHT")
}

func (c *Ctx) blockingMove(from, to int, timeout []byte) {
	deadline, ok := c.blockTimeout(timeout)
	if !ok {
		return
	}
	src, dst := c.Args[1], c.Args[2]
	e, _, ok := c.lookupList(src, true)
	if !ok {
		return
	}
	if e != nil {
		c.serveMove(src, dst, from, to)
		return
	}
	if c.noBlock() {
		c.W.Null()
		return
	}
	c.block(c.Args[1:2], &blockedOp{kind: blockMove, where: from, to: to, dst: clone(dst), deadline: deadline})
}

// serveMove moves one element (or writes WRONGTYPE for a destination of
// another type) and logs it as LMOVE.
func (c *Ctx) serveMove(src, dst []byte, from, to int) {
	if c.lmove(src, dst, from, to) {
		c.Propagate([]byte("LMOVE"), src, dst, endName(from), endName(to))
	}
}

func cmdBLMPop(c *Ctx) {
	deadline, ok := c.blockTimeout(c.Args[1])
	if !ok {
		return
	}
	keys, where, count, ok := c.parseMPop(2, c.listWhere)
	if !ok {
		return
	}
	for _, k := range keys {
		e, _, ok := c.lookupList(k, true)
		if !ok {
			return
		}
		if e != nil {
			c.lmpop([][]byte{k}, where, count)
			return
		}
	}
	if c.noBlock() {
		c.W.NullArray()
		return
	}
	c.block(keys, &blockedOp{kind: blockMPop, where: where, count: count, deadline: deadline})
}

func cmdBZPopMin(c *Ctx) { c.blockingZPop(zMin) }
func cmdBZPopMax(c *Ctx) { c.blockingZPop(zMax) }

func (c *Ctx) blockingZPop(where int) {
	deadline, ok := c.blockTimeout(c.Args[len(c.Args)-1])
	if !ok {
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	for _, k := range keys {
		e, z, ok := c.lookupZSet(k, true)
		if !ok {
			return
		}
		if e == nil {
			continue
		}
		c.serveZPop(k, e, z, where)
		return
	}
	if c.noBlock() {
		c.W.NullArray()
		return
	}
	c.block(keys, &blockedOp{kind: blockZPop, where: where, deadline: deadline})
}

// serveZPop pops one member for BZPOPMIN/BZPOPMAX and logs it as
// ZPOPMIN/ZPOPMAX.
func (c *Ctx) serveZPop(key []byte, e *store.Entry, z *store.ZSet, where int) {
	it := c.zpop(e, z, where, 1)[0]
	c.W.Array(3)
	c.W.Bulk(key)
	c.W.Bulk(it.m)
	c.W.Double(it.s)
	name := "ZPOPMIN"
	if where == zMax {
		name = "ZPOPMAX"
	}
	c.Propagate([]byte(name), key)
}

func cmdBZMPop(c *Ctx) {
	deadline, ok := c.blockTimeout(c.Args[1])
	if !ok {
		return
	}
	keys, where, count, ok := c.parseMPop(2, c.zWhere)
	if !ok {
		return
	}
	for _, k := range keys {
		e, _, ok := c.lookupZSet(k, true)
		if !ok {
			return
		}
		if e != nil {
			c.zmpop([][]byte{k}, where, count)
			return
		}
	}
	if c.noBlock() {
		c.W.NullArray()
		return
	}
	c.block(keys, &blockedOp{kind: blockZMPop, where: where, count: count, deadline: deadline})
}
