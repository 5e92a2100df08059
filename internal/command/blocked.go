package command

// The registry of blocked clients behind blocking.go's commands: what each
// waits for, the per-key FIFO queues, the hold on a newly blocked client,
// and serving the queues when a write fills a key.

import (
	"cmp"
	"slices"
	"time"

	"github.com/kevy-db/kevy/internal/store"
)

// Kinds of blocked operation.
const (
	blockPop   = iota // BLPOP BRPOP: one element, reply [key, element]
	blockMove         // BLMOVE BRPOPLPUSH: reply the element
	blockMPop         // BLMPOP: reply [key, [elements]]
	blockZPop         // BZPOPMIN BZPOPMAX: reply [key, member, score]
	blockZMPop        // BZMPOP: reply [key, [[member, score] …]]
	blockWait         // WAIT: no keys, only the timeout; reply 0 (wait.go)
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
	// The command's arguments and run time, kept for the slow log when it
	// is enabled (slowlog.go).
	slowArgs [][]byte
	slowDur  int64
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
// list and sorted-set command, and WAIT's count of replicas, 0); a client
// that disconnected gets nothing. It reports whether the client was blocked.
func (e *Engine) UnblockClient(cl *Client, timedOut bool) bool {
	if cl.blk == nil {
		return false
	}
	kind := cl.blk.kind
	e.unblock(cl)
	if timedOut && cl.reply != replyOff {
		if kind == blockWait {
			cl.W.Int(0)
		} else {
			cl.W.NullArray()
		}
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
	first, last, step, ok := cmd.keyRange(len(args))
	if !ok {
		e.blk.scanAll = true
		return
	}
	for i := first; i <= last; i += step {
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
	mark := cl.W.Buffered()
	defer func() {
		if cl.reply == replyOff { // CLIENT REPLY OFF
			cl.W.Truncate(mark)
		}
	}()
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
	if len(e.trk.clients) > 0 { // CLIENT TRACKING: the pop changed key (and dst)
		e.invalidate(string(key), true)
		if op.kind == blockMove {
			e.invalidate(string(op.dst), true)
		}
	}
	dst := op.dst
	e.unblock(cl)
	e.logServed(cl, op)
	e.blk.woken = append(e.blk.woken, cl)
	if op.kind == blockMove {
		e.signalKey(op.db, string(dst))
	}
}
