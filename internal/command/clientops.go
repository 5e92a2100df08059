package command

import "time"

// CLIENT subcommands for operations: PAUSE/UNPAUSE, REPLY, NO-EVICT,
// UNBLOCK, and the client-side caching queries answered as by a Redis
// without tracking.

// PauseHost is what CLIENT PAUSE needs from the server: the server holds
// paused clients' commands (outside the execution lock) until the pause
// ends. A Host without it refuses the command.
type PauseHost interface {
	// PauseClients pauses until end (unix ms); all pauses every command,
	// otherwise only those that write (PauseKind). A pause already in
	// force keeps the later end and the stricter mode, as in Redis.
	PauseClients(endMs int64, all bool)
	UnpauseClients()
}

// Pause kinds of a command (PauseKind).
const (
	PauseNever = iota // runs during any pause (or is refused before it would run)
	PauseAll          // waits during CLIENT PAUSE ALL
	PauseWrite        // waits during CLIENT PAUSE WRITE and ALL
)

// PauseKind tells how a pause affects the command args from cl, as Redis
// 7.0 decides after its other checks: commands that would be refused
// (unknown, wrong arity, unauthenticated) never wait; write and
// may_replicate commands, and an EXEC of a transaction holding one, wait
// for a WRITE pause too, even when being queued in MULTI. It only reads
// the client's own state, so its connection may call it without the
// execution lock. requirePass is the configured password.
func (t *Table) PauseKind(cl *Client, args [][]byte, requirePass bool) int {
	if len(args) == 0 || cl.Replay {
		return PauseNever
	}
	cmd := t.Lookup(args[0])
	if cmd == nil || !cmd.arityOK(len(args)) {
		return PauseNever
	}
	if !cl.Authenticated && requirePass && cmd.Flags&FlagNoAuth == 0 {
		return PauseNever
	}
	flags := cmd.Flags
	if len(cmd.Subs) > 0 {
		sub := cmd.Sub(args[1])
		if sub == nil || !sub.arityOK(len(args)) {
			return PauseNever
		}
		flags = sub.Flags
	}
	if cmd.Name == "exec" && cl.multi {
		for _, q := range cl.queue {
			flags |= q.cmd.Flags
		}
	}
	if flags&(FlagWrite|FlagMayReplicate) != 0 {
		return PauseWrite
	}
	return PauseAll
}

func cmdClientPause(c *Ctx) {
	if len(c.Args) > 4 {
		c.Err(errSubcommandSyntax(c.Args[1], "CLIENT"))
		return
	}
	ms, ok := parseInt(c.Args[2])
	if !ok {
		c.Err("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.Err("ERR timeout is negative")
		return
	}
	all := true
	if len(c.Args) == 4 {
		switch {
		case is(c.Args[3], "write"):
			all = false
		case is(c.Args[3], "all"):
		default:
			c.Err("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ph, ok := c.E.Host.(PauseHost)
	if !ok {
		c.Err("ERR CLIENT PAUSE is not available")
		return
	}
	now := time.Now().UnixMilli()
	end := now + ms
	if end < now { // overflow: as good as forever
		end = 1<<63 - 1
	}
	ph.PauseClients(end, all)
	c.OK()
}

func cmdClientUnpause(c *Ctx) {
	if ph, ok := c.E.Host.(PauseHost); ok {
		ph.UnpauseClients()
	}
	c.OK()
}

// Reply modes (CLIENT REPLY).
const (
	replyOn       = iota
	replyOff      // every reply dropped
	replySkip     // the current command's reply dropped
	replySkipNext // set by CLIENT REPLY SKIP: the next command's is
)

// callQuiet is Call for a client whose replies are off or skipped: the
// command runs, then what it wrote is dropped unless it turned replies
// back on (CLIENT REPLY ON), as Redis checks each reply as it is added.
//
// Pushes (Pub/Sub confirmations and messages) are kept, as Redis sends
// them whatever the mode: keepPush copies them aside while the command
// runs, and they replace what is dropped.
func (e *Engine) callQuiet(cl *Client, args [][]byte) {
	mark := cl.W.Buffered()
	cl.quiet = true
	e.call(cl, args)
	cl.quiet = false
	if cl.reply == replyOff || cl.reply == replySkip {
		cl.W.Truncate(mark)
		cl.W.Raw(cl.kept)
	}
	clear(cl.kept)
	cl.kept = cl.kept[:0]
	cl.advanceReplyMode()
}

// keepPush notes that cl.W holds a push from offset at on.
func (cl *Client) keepPush(at int) {
	if cl.quiet {
		cl.kept = append(cl.kept, cl.W.Pending()[at:]...)
	}
}

// advanceReplyMode ends a skip after its command and starts the one CLIENT
// REPLY SKIP asked for, after every command (Redis's resetClient).
func (cl *Client) advanceReplyMode() {
	switch cl.reply {
	case replySkip:
		cl.reply = replyOn
	case replySkipNext:
		cl.reply = replySkip
	}
}

func cmdClientReply(c *Ctx) {
	switch {
	case is(c.Args[2], "on"):
		c.Cl.reply = replyOn
		c.OK()
	case is(c.Args[2], "off"):
		c.Cl.reply = replyOff
	case is(c.Args[2], "skip"):
		if c.Cl.reply != replyOff {
			c.Cl.reply = replySkipNext
		}
	default:
		c.Err(ErrSyntax)
	}
}

// cmdClientNoEvict records the setting for CLIENT LIST; kevy evicts no
// clients anyway.
func cmdClientNoEvict(c *Ctx) {
	switch {
	case is(c.Args[2], "on"):
		c.Cl.NoEvict = true
	case is(c.Args[2], "off"):
		c.Cl.NoEvict = false
	default:
		c.Err(ErrSyntax)
		return
	}
	c.OK()
}

// UnblockHost is what CLIENT UNBLOCK needs from the server.
type UnblockHost interface {
	// UnblockByID ends the wait of the blocked client id with the timeout
	// reply, or with err when it is not empty, and wakes its connection.
	// It reports whether that client was blocked.
	UnblockByID(id int64, err string) bool
}

func cmdClientUnblock(c *Ctx) {
	if len(c.Args) > 4 {
		c.Err(errSubcommandSyntax(c.Args[1], "CLIENT"))
		return
	}
	id, ok := parseInt(c.Args[2])
	if !ok {
		c.Err(ErrNotInt)
		return
	}
	msg := ""
	if len(c.Args) == 4 {
		switch {
		case is(c.Args[3], "timeout"):
		case is(c.Args[3], "error"):
			msg = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
		default:
			c.Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	uh, ok := c.E.Host.(UnblockHost)
	if !ok || id == c.Cl.ID {
		c.W.Int(0)
		return
	}
	if uh.UnblockByID(id, msg) {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

// UnblockWith ends cl's wait as CLIENT UNBLOCK does: with the timeout
// reply, or with the error msg. It reports whether cl was blocked.
func (e *Engine) UnblockWith(cl *Client, msg string) bool {
	if msg == "" {
		return e.UnblockClient(cl, true)
	}
	if !e.UnblockClient(cl, false) {
		return false
	}
	cl.W.Error(msg)
	return true
}

// CLIENT GETREDIR, TRACKINGINFO and CACHING answer as Redis does for a
// client without tracking, which is every kevy client.
func cmdClientGetRedir(c *Ctx) {
	if c.Cl.trk.on {
		c.W.Int(0)
		return
	}
	c.W.Int(-1)
}

func cmdClientTrackingInfo(c *Ctx) {
	c.W.Map(3)
	c.W.BulkString("flags")
	switch {
	case !c.Cl.trk.on:
		c.W.Set(1)
		c.W.BulkString("off")
	case c.Cl.trk.noLoop:
		c.W.Set(2)
		c.W.BulkString("on")
		c.W.BulkString("noloop")
	default:
		c.W.Set(1)
		c.W.BulkString("on")
	}
	c.W.BulkString("redirect")
	if c.Cl.trk.on {
		c.W.Int(0)
	} else {
		c.W.Int(-1)
	}
	c.W.BulkString("prefixes")
	c.W.Array(0)
}

func cmdClientCaching(c *Ctx) {
	if !c.Cl.trk.on {
		c.Err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case is(c.Args[2], "yes"):
		c.Err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
	case is(c.Args[2], "no"):
		c.Err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
	default:
		c.Err(ErrSyntax)
	}
}

// CmdName is the name CLIENT LIST shows in cmd= for args ("" when
// unknown), as Call records it.
func (t *Table) CmdName(args [][]byte) string {
	if len(args) == 0 {
		return ""
	}
	cmd := t.Lookup(args[0])
	if cmd == nil {
		return ""
	}
	return lastCmdName(cmd, args)
}
