package command

import (
	"cmp"
	"math"
	"math/big"
	"slices"
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
		{name: "blpop", arity: -3, flags: "write noscript blocking", first: 1, last: -2, step: 1, acl: "@write @list @slow @blocking", group: gl, summary: "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", run: cmdBLPop},
		{name: "brpop", arity: -3, flags: "write noscript blocking", first: 1, last: -2, step: 1, acl: "@write @list @slow @blocking", group: gl, summary: "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", run: cmdBRPop},
		{name: "blmove", arity: 6, flags: "write denyoom noscript blocking", first: 1, last: 2, step: 1, acl: "@write @list @slow @blocking", group: gl, summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", run: cmdBLMove},
		{name: "brpoplpush", arity: 4, flags: "write denyoom noscript blocking", first: 1, last: 2, step: 1, acl: "@write @list @slow @blocking", group: gl, summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", run: cmdBRPopLPush},
		// Redis flags BLMPOP and BZMPOP "movablekeys" (key positions 0 0 0).
		{name: "blmpop", arity: -5, flags: "write blocking", acl: "@write @list @slow @blocking", group: gl, summary: "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", run: cmdBLMPop},
		{name: "bzpopmin", arity: -3, flags: "write noscript blocking fast", first: 1, last: -2, step: 1, acl: "@write @sortedset @fast @blocking", group: gz, summary: "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", run: cmdBZPopMin},
		{name: "bzpopmax", arity: -3, flags: "write noscript blocking fast", first: 1, last: -2, step: 1, acl: "@write @sortedset @fast @blocking", group: gz, summary: "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise. Deletes the sorted set if the last element was popped.", run: cmdBZPopMax},
		{name: "bzmpop", arity: -5, flags: "write blocking", acl: "@write @sortedset @slow @blocking", group: gz, summary: "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", run: cmdBZMPop},
	}
}

// Kinds of blocked operation.
const (
	blockPop   = iota // BLPOP BRPOP: one element, reply [key, element]
	blockMove         // BLMOVE BRPOPLPUSH: reply the element
	blockMPop         // BLMPOP: reply [key, [elements]]
	blockZPop         // BZPOPMIN BZPOPMAX: reply [key, member, score]
	blockZMPop        // BZMPOP: reply [key, [[member, score] …]]
)

// blockedOp is what a blocked client waits to do.
type blockedOp struct {
	kind     int
	cmd      *Command
	db       int
	keys     []string // deduplicated, in the command's order
	where    int      // listHead/listTail or zMin/zMax
	to       int      // BLMOVE destination end
	dst      []byte   // BLMOVE destination
	count    int64    // BLMPOP / BZMPOP
	deadline time.Time
	held     bool
}

func (op *blockedOp) wantsZSet() bool { return op.kind == blockZPop || op.kind == blockZMPop }

type blockKey struct {
	db  int
	key string
}

type blockQueue struct {
	clients []*Client // FIFO
	seq     uint64    // creation order, for a deterministic full scan
}

// blockState is the engine's registry of blocked clients.
type blockState struct {
	keys     map[blockKey]*blockQueue
	n        int // blocked clients
	seq      uint64
	ready    []blockKey
	readySet map[blockKey]struct{}
	scanAll  bool
	woken    []*Client
}

// Blocked reports whether the client waits in a blocking command.
func (c *Client) Blocked() bool { return c.blk != nil }

// BlockDeadline is when the blocked client times out (zero: never).
func (c *Client) BlockDeadline() time.Time {
	if c.blk == nil {
		return time.Time{}
	}
	return c.blk.deadline
}

// BlockedClients is INFO's blocked_clients.
func (e *Engine) BlockedClients() int { return e.blk.n }

// TakeWoken returns the clients served since the last call: their replies
// are in their writers and their pops' records in the log buffer, so the
// server may release those replies once the log holds what it appended.
func (e *Engine) TakeWoken() []*Client {
	w := e.blk.woken
	e.blk.woken = e.blk.woken[:0]
	return w
}

// UnblockClient removes cl from the keys it waits on. With timedOut it
// writes the timeout reply (a null array, as Redis 7.0 for every blocking
// list and sorted-set command); a client that disconnected gets nothing.
// It reports whether the client was blocked.
func (e *Engine) UnblockClient(cl *Client, timedOut bool) bool {
	if cl.blk == nil {
		return false
	}
	e.unblock(cl)
	if timedOut {
		cl.W.NullArray()
	}
	return true
}

// ReleaseBlocked ends the hold of a newly blocked client (its earlier
// replies have been sent) and serves it at once if one of its keys was
// filled meanwhile; TakeWoken then includes it.
func (e *Engine) ReleaseBlocked(cl *Client) {
	op := cl.blk
	if op == nil || !op.held {
		return
	}
	op.held = false
	for _, k := range op.keys {
		e.signalKey(op.db, k)
	}
	e.serveBlocked()
}

// ---- handlers ----

const (
	errTimeoutNotFloat = "ERR timeout is not a float or out of range"
	errTimeoutNegative = "ERR timeout is negative"
)

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
	from, ok := c.listWhere(c.Args[3])
	if !ok {
		return
	}
	to, ok := c.listWhere(c.Args[4])
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

// ---- the registry ----

// block registers the client as waiting on keys (in its database), held
// until the server releases it.
func (c *Ctx) block(keys [][]byte, op *blockedOp) {
	e, cl := c.E, c.Cl
	op.cmd = c.Cmd
	op.db = cl.DB
	op.held = true
	for _, k := range keys {
		if !slices.Contains(op.keys, string(k)) {
			op.keys = append(op.keys, string(k))
		}
	}
	if e.blk.keys == nil {
		e.blk.keys = make(map[blockKey]*blockQueue)
		e.blk.readySet = make(map[blockKey]struct{})
	}
	for _, k := range op.keys {
		bk := blockKey{op.db, k}
		q := e.blk.keys[bk]
		if q == nil {
			e.blk.seq++
			q = &blockQueue{seq: e.blk.seq}
			e.blk.keys[bk] = q
		}
		q.clients = append(q.clients, cl)
	}
	cl.blk = op
	e.blk.n++
}

// unblock removes cl from every queue it is in.
func (e *Engine) unblock(cl *Client) {
	op := cl.blk
	for _, k := range op.keys {
		bk := blockKey{op.db, k}
		q := e.blk.keys[bk]
		if q == nil {
			continue
		}
		if i := slices.Index(q.clients, cl); i >= 0 {
			q.clients = slices.Delete(q.clients, i, i+1)
		}
		if len(q.clients) == 0 {
			delete(e.blk.keys, bk)
		}
	}
	cl.blk = nil
	e.blk.n--
}

// signalKey marks a key as possibly filled, if anyone waits on it.
func (e *Engine) signalKey(db int, key string) {
	bk := blockKey{db, key}
	if _, ok := e.blk.keys[bk]; !ok {
		return
	}
	if _, ok := e.blk.readySet[bk]; ok {
		return
	}
	e.blk.readySet[bk] = struct{}{}
	e.blk.ready = append(e.blk.ready, bk)
}

// noteWrite runs after every command that changed the dataset. The keys
// its key specification names are checked against the queues; a command
// that may create keys elsewhere (another database, SORT … STORE, SWAPDB,
// DEBUG RELOAD, anything without key positions) makes the next serving
// pass check every key clients wait on.
func (e *Engine) noteWrite(db int, cmd *Command, args [][]byte) {
	if e.blk.n == 0 {
		return
	}
	switch cmd.Name {
	case "lmpop", "zmpop", "blmpop", "bzmpop", "flushdb", "flushall":
		return // they only remove
	case "move", "copy", "sort", "swapdb":
		e.blk.scanAll = true
		return
	}
	if cmd.FirstKey <= 0 {
		e.blk.scanAll = true
		return
	}
	last := cmd.LastKey
	if last < 0 {
		last += len(args)
	}
	step := max(cmd.Step, 1)
	for i := cmd.FirstKey; i <= last && i < len(args); i += step {
		e.signalKey(db, string(args[i]))
	}
}

// serveBlocked serves the clients waiting on keys marked ready, key by key
// in the order they were marked, clients in the order they blocked. A key
// filled by serving (BLMOVE's destination) is served in the same pass.
func (e *Engine) serveBlocked() {
	if len(e.blk.ready) == 0 && !e.blk.scanAll {
		return
	}
	for {
		if e.blk.scanAll {
			e.blk.scanAll = false
			e.scanReady()
		}
		if len(e.blk.ready) == 0 {
			break
		}
		bk := e.blk.ready[0]
		e.blk.ready = e.blk.ready[1:]
		delete(e.blk.readySet, bk)
		e.serveKey(bk)
	}
	e.blk.ready = e.blk.ready[:0]
}

// scanReady marks every waited-on key that exists, in queue-creation order.
func (e *Engine) scanReady() {
	var found []blockKey
	for bk := range e.blk.keys {
		if e.St.DB(bk.db).Peek([]byte(bk.key)) != nil {
			found = append(found, bk)
		}
	}
	slices.SortFunc(found, func(a, b blockKey) int {
		return cmp.Compare(e.blk.keys[a].seq, e.blk.keys[b].seq)
	})
	for _, bk := range found {
		e.signalKey(bk.db, bk.key)
	}
}

// serveKey serves the clients waiting on one key while it holds elements of
// the type they wait for. Clients waiting for the other type stay blocked,
// as in Redis 7.0, and so do all when the key holds neither.
func (e *Engine) serveKey(bk blockKey) {
	db := e.St.DB(bk.db)
	key := []byte(bk.key)
	for i := 0; ; {
		q := e.blk.keys[bk]
		if q == nil || i >= len(q.clients) {
			return
		}
		cl := q.clients[i]
		if cl.blk.held {
			return // first in line but not ready to be served yet
		}
		ent := db.LookupNoStats(key)
		if ent == nil {
			return
		}
		switch {
		case ent.Kind() == store.KindList && !cl.blk.wantsZSet():
		case ent.Kind() == store.KindZSet && cl.blk.wantsZSet():
		default:
			i++
			continue
		}
		e.serveClient(cl, key, ent)
	}
}

// serveClient performs the blocked client's pop on key, which holds data of
// the type it waits for, then unblocks it.
func (e *Engine) serveClient(cl *Client, key []byte, ent *store.Entry) {
	op := cl.blk
	c := &Ctx{Cl: cl, W: cl.W, DB: e.St.DB(op.db), St: e.St, E: e, Cmd: op.cmd}
	switch op.kind {
	case blockPop:
		c.servePop(key, ent, ent.Obj().(*store.List), op.where)
	case blockMove:
		c.serveMove(key, op.dst, op.where, op.to)
	case blockMPop:
		c.lmpop([][]byte{key}, op.where, op.count)
	case blockZPop:
		c.serveZPop(key, ent, ent.Obj().(*store.ZSet), op.where)
	case blockZMPop:
		c.zmpop([][]byte{key}, op.where, op.count)
	}
	e.Dirty += c.dirty
	e.finishCall(false)
	dst := op.dst
	e.unblock(cl)
	e.blk.woken = append(e.blk.woken, cl)
	if op.kind == blockMove {
		e.signalKey(op.db, string(dst))
	}
}
