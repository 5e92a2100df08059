package command

import (
	"math"
	"time"
)

// WAIT numreplicas timeout. kevy has no replicas, so WAIT answers as a Redis
// 7.0 master without any: 0 acknowledgements. It answers at once when that
// is enough (numreplicas <= 0) or inside a transaction; otherwise the client
// blocks, with no keys, until the timeout in milliseconds (0: for ever),
// and then gets 0, through blocked.go's machinery.

func waitCommands() []spec {
	return []spec{
		{name: "wait", arity: 3, flags: "noscript", acl: "@slow @connection", group: "generic", summary: "Waits until enough replicas acknowledge this connection's writes or time runs out; replies the count.", run: cmdWait, tips: "request_policy:all_shards response_policy:agg_min"},
	}
}

func cmdWait(c *Ctx) {
	numReplicas, ok := c.intArg(c.Args[1])
	if !ok {
		return
	}
	deadline, ok := c.waitTimeout(c.Args[2])
	if !ok {
		return
	}
	const acked = 0 // no replicas
	if acked >= numReplicas || c.noBlock() {
		c.W.Int(acked)
		return
	}
	c.block(nil, &blockedOp{kind: blockWait, deadline: deadline})
}

// waitTimeout parses a timeout in milliseconds as Redis's WAIT does: an
// integer, not negative, 0 meaning no deadline. A deadline beyond the clock's
// range is no deadline either.
func (c *Ctx) waitTimeout(b []byte) (time.Time, bool) {
	ms, ok := parseInt(b)
	if !ok {
		c.Err(ErrTimeout)
		return time.Time{}, false
	}
	if ms < 0 {
		c.Err(errTimeoutNegative)
		return time.Time{}, false
	}
	if ms == 0 {
		return time.Time{}, true
	}
	now := c.Now()
	if ms > math.MaxInt64-now {
		return time.Time{}, true
	}
	return time.UnixMilli(now + ms), true
}
