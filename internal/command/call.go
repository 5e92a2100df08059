package command

import (
	"strings"

	"github.com/kevy-db/kevy/resp"

	"github.com/kevy-db/kevy/internal/store"
)

// entryRef identifies the state of a watched key: the entry that held it and
// its version, or nil for a missing key.
type entryRef struct {
	e   *store.Entry
	ver uint64
}

// Call executes one command from cl and writes its reply to cl.W. The caller
// holds the execution lock and has set the store's clock.
func (e *Engine) Call(cl *Client, args [][]byte) {
	e.CallEnd = 0
	if cl.reply != replyOn {
		e.callQuiet(cl, args) // CLIENT REPLY OFF or SKIP (clientops.go)
		return
	}
	e.call(cl, args)
	if cl.reply != replyOn { // CLIENT REPLY SKIP just ran
		cl.advanceReplyMode()
	}
}

func (e *Engine) call(cl *Client, args [][]byte) {
	if len(args) == 0 {
		return
	}
	if len(e.trk.clients) > 0 { // CLIENT TRACKING (tracking.go)
		e.trk.caller = cl
		defer e.afterTracked(cl)
	}
	cmd := cl.lookupCached(e.Table, args[0])
	if cmd == nil {
		cl.LastCmd = ""
		e.reject(cl, errUnknownCommand(args))
		return
	}
	cl.LastCmd = lastCmdName(cmd, args)
	if !cmd.arityOK(len(args)) {
		e.rejectCmd(cl, cmd, errArity(cmd.Name))
		return
	}
	if !cl.Authenticated && cmd.Flags&FlagNoAuth == 0 && e.Host != nil && e.Host.RequirePass() != "" {
		e.rejectCmd(cl, cmd, ErrNoAuth)
		return
	}
	// RESP2 subscribed mode allows only the Pub/Sub commands (pubsub.go).
	if e.pubsubIntercept(cl, cmd, args) {
		return
	}
	if e.Host != nil && e.Host.Loading() && cmd.Flags&FlagLoading == 0 {
		e.rejectCmd(cl, cmd, ErrLoading)
		return
	}
	if cl.multi && !isMultiControl(cmd.Name) {
		if cmd.Flags&FlagNoMulti != 0 {
			e.reject(cl, "ERR Command not allowed inside a transaction")
			return
		}
		// Arguments alias the connection's read buffer: keep a copy.
		cp := make([][]byte, len(args))
		for i, a := range args {
			cp[i] = append([]byte(nil), a...)
		}
		cl.queue = append(cl.queue, queued{cmd: cmd, args: cp})
		cl.W.SimpleString("QUEUED")
		return
	}
	if cmd.Flags&FlagWrite != 0 && e.Host != nil {
		if msg := e.Host.WriteError(); msg != "" {
			cl.W.Error(msg)
			return
		}
	}
	e.depth++
	e.run(cl, cmd, args)
	e.depth--
	e.CallStart = 0
	e.finishCall(cmd.Name == "exec")
	// Serve clients blocked on keys this command (or transaction) filled,
	// after it completed, as Redis's handleClientsBlockedOnKeys (blocking.go).
	e.serveBlocked()
}

// lastCmdName is CLIENT LIST's cmd= after a call: the subcommand of a
// container ("client|list"), and "" (shown as NULL) for an unknown one.
// Redis records it at lookup, before any check that may refuse the call,
// and a transaction's queued commands leave it at "exec".
func lastCmdName(cmd *Command, args [][]byte) string {
	if len(cmd.Subs) == 0 || len(args) < 2 {
		return cmd.Name
	}
	if sub := cmd.Sub(args[1]); sub != nil {
		return sub.Name
	}
	return ""
}

// reject answers an error for a command that could not be run; inside MULTI
// it also dooms the transaction, as Redis's flagTransaction does.
func (e *Engine) reject(cl *Client, msg string) {
	if cl.multi {
		cl.multiErr = true
	}
	cl.W.Error(msg)
}

// rejectCmd is reject for a known command: a rejected EXEC also ends the
// transaction, with Redis's EXECABORT wording.
func (e *Engine) rejectCmd(cl *Client, cmd *Command, msg string) {
	if cmd.Name == "exec" {
		cl.discardMulti()
		cl.W.Error("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR "))
		return
	}
	e.reject(cl, msg)
}

func isMultiControl(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// run executes cmd and applies the default propagation rule.
func (e *Engine) run(cl *Client, cmd *Command, args [][]byte) {
	c := &cl.ctx
	if e.depth > 1 {
		c = &cl.ctxNested // a command inside EXEC must not clobber EXEC's own context
	}
	*c = Ctx{Args: args, Cl: cl, W: cl.W, DB: e.St.DB(cl.DB), St: e.St, E: e, Cmd: cmd}
	if cmd.LastKey != cmd.FirstKey {
		e.prefetchKeys(c.DB, cmd, args)
	}
	// The slow log's start: the server's reading for a client's command
	// (CallStart), a fresh one for a command inside EXEC.
	start := e.CallStart
	if e.timed && (start == 0 || e.depth > 1) {
		start = e.nowMicros()
	}
	cmd.Run(c)
	if e.timed { // the slow log or the latency monitor is on
		end := e.nowMicros()
		e.CallEnd = end
		if d := end - start; d >= e.timedMin || cl.blk != nil {
			e.slowlogCheck(cl, cmd, c.Cmd, args, d)
		}
	}
	if len(e.trk.clients) > 0 {
		e.trackAfter(cl, c.Cmd, args, c.dirty > 0)
	}
	e.TotalCommands++
	if c.dirty > 0 {
		e.noteWrite(cl.DB, cmd, args) // may have filled keys clients block on (blocking.go)
		e.Dirty += c.dirty
		if !c.propagated && cmd.Flags&FlagWrite != 0 {
			e.propagate(cl.DB, args...)
		}
	}
	c.Args = nil
}

// lookupCached is Table.Lookup with a one-entry cache per client: a
// pipeline mostly repeats one command, spelled the same way each time, and
// the map lookup (lower-casing, hashing, probing) was 2-3 % of the CPU at
// -P 16 in perf. The table never changes once built.
func (cl *Client) lookupCached(t *Table, name []byte) *Command {
	if cl.cmdCache != nil && len(name) == int(cl.cmdCacheLen) && string(name) == string(cl.cmdCacheName[:len(name)]) {
		return cl.cmdCache
	}
	cmd := t.Lookup(name)
	if cmd != nil && len(name) <= len(cl.cmdCacheName) {
		cl.cmdCache, cl.cmdCacheLen = cmd, uint8(copy(cl.cmdCacheName[:], name))
	}
	return cmd
}

// prefetchKeys warms the cache for the keys of a multi-key command (MGET,
// MSET, DEL…) before it runs, so their lookups' misses overlap rather than
// follow one another (store.DB.Prefetch). At most prefetchChunks batches:
// beyond that the first keys' lines may be gone again before their turn.
func (e *Engine) prefetchKeys(db *store.DB, cmd *Command, args [][]byte) {
	first, last, step, ok := cmd.keyRange(len(args))
	if !ok {
		return
	}
	keys := e.keyScratch[:0]
	for i := first; i <= last && len(keys) < prefetchChunks*store.PrefetchMax; i += step {
		keys = append(keys, args[i])
	}
	for i := 0; i < len(keys); i += store.PrefetchMax {
		db.Prefetch(keys[i:], nil)
	}
	clear(keys) // do not keep the request's buffer alive
	e.keyScratch = keys[:0]
}

const prefetchChunks = 4

// NewReplayClient returns the pseudo-client that Replay needs.
func (e *Engine) NewReplayClient() *Client {
	return &Client{Replay: true, Authenticated: true, W: resp.NewWriter(&e.replayOut)}
}

// Replay executes a command read from the log: no reply is wanted, and MULTI
// and EXEC markers are dropped because the log reader already delivers a
// transaction all-or-nothing.
func (e *Engine) Replay(cl *Client, args [][]byte) error {
	cmd := e.Table.Lookup(args[0])
	if cmd == nil {
		return &ReplayError{Msg: errUnknownCommand(args)}
	}
	if !cmd.arityOK(len(args)) {
		return &ReplayError{Msg: errArity(cmd.Name)}
	}
	switch cmd.Name {
	case "multi", "exec":
		return nil
	}
	e.depth++
	e.replaying = true
	e.run(cl, cmd, args)
	e.replaying = false
	e.depth--
	e.finishCall(false)
	e.out = e.out[:0] // replayed writes are already in the log
	// A record that fails when replayed means the log does not describe what
	// was acknowledged: refuse to continue rather than load a different
	// dataset. Errors are detected by the reply's first byte.
	cl.W.Flush()
	out := e.replayOut.Bytes()
	defer e.replayOut.Reset()
	if len(out) > 0 && out[0] == '-' {
		msg := strings.TrimRight(string(out[1:]), "\r\n")
		return &ReplayError{Msg: msg}
	}
	return nil
}

// ReplayError is a log record that the engine refused.
type ReplayError struct{ Msg string }

func (r *ReplayError) Error() string { return "command failed on replay: " + r.Msg }
