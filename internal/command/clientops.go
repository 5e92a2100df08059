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
	if cmd == nil || !arityOK(cmd, len(args)) {
		return PauseNever
	}
	if !cl.Authenticated && requirePass && cmd.Flags&FlagNoAuth == 0 {
		return PauseNever
	}
	flags := cmd.Flags
	if len(cmd.Subs) > 0 {
		sub := cmd.Sub(args[1])
		if sub == nil || !arityOK(sub, len(args)) {
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

func arityOK(cmd *Command, n int) bool {
	return (cmd.Arity > 0 && n == cmd.Arity) || (cmd.Arity < 0 && n >= -cmd.Arity)
}

func cmdClientPause(c *Ctx) {
	if len(c.Args) > 4 {
		c.Err("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) + "'. Try CLIENT HELP.")
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
