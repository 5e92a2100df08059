package command

import (
	"math"
	"strconv"
	"time"
)

// The slow log: commands whose execution took at least
// slowlog-log-slower-than microseconds, newest first, at most
// slowlog-max-len of them, as Redis 7.0 keeps it.
//
// Cost on the hot path: the server already reads the wall clock (with
// microseconds) before each command for the store's clock and hands it to
// Call in CallStart; the engine reads the clock once more after the command
// and compares. Nothing is allocated unless an entry is recorded. A
// negative threshold skips the second reading too.

const (
	slowlogMaxArgc   = 32  // arguments kept per entry, the last one a summary
	slowlogMaxArgLen = 128 // bytes kept per argument
)

// SlowlogEntry is one recorded command.
type SlowlogEntry struct {
	ID       int64
	Time     int64 // unix seconds when it was recorded
	Duration int64 // microseconds
	Argv     [][]byte
	Peer     string
	Name     string
}

type slowlogState struct {
	entries []SlowlogEntry // newest first
	nextID  int64
	thresh  int64 // microseconds; negative disables
	maxLen  int64
}

// SetSlowlog applies slowlog-log-slower-than and slowlog-max-len. As in
// Redis, a shorter maximum trims the log at its next entry.
func (e *Engine) SetSlowlog(thresholdUs, maxLen int64) {
	e.slow.thresh, e.slow.maxLen = thresholdUs, maxLen
	e.setTimed()
}

// SetLatencyThreshold applies latency-monitor-threshold (ms, 0 = off).
func (e *Engine) SetLatencyThreshold(ms int64) {
	e.lat.thresh = ms
	e.setTimed()
}

// setTimed decides whether commands are timed, and the shortest duration
// that interests the slow log or the latency monitor.
func (e *Engine) setTimed() {
	e.timed = e.slow.thresh >= 0 || e.lat.thresh > 0
	e.timedMin = math.MaxInt64
	if e.slow.thresh >= 0 {
		e.timedMin = e.slow.thresh
	}
	if e.lat.thresh > 0 && e.lat.thresh <= math.MaxInt64/1000 {
		e.timedMin = min(e.timedMin, e.lat.thresh*1000)
	}
}

// nowMicros is the clock the slow log measures with: the server's, or the
// wall clock where none is set (tests).
func (e *Engine) nowMicros() int64 {
	if e.NowMicros != nil {
		return e.NowMicros()
	}
	return time.Now().UnixMicro()
}

// slowlogCheck records the command just run by cl if it took long enough.
// d is how long it ran (µs); run calls this only when d reaches the
// lowest threshold in force (timedMin) or the client blocked. ran is the
// command or subcommand that ran, whose flags name the latency monitor's
// event.
func (e *Engine) slowlogCheck(cl *Client, cmd, ran *Command, args [][]byte, d int64) {
	if cl.Replay {
		return
	}
	if e.lat.thresh > 0 && cl.blk == nil && d/1000 >= e.lat.thresh {
		ev := "command"
		if ran.Flags&FlagFast != 0 {
			ev = "fast-command"
		}
		e.latencyAdd(ev, d/1000)
	}
	if e.slow.thresh < 0 || cmd.Flags&FlagSkipSlowlog != 0 {
		return
	}
	if cl.blk != nil {
		// Blocked: the entry is made when it is served (logBlocked), with
		// the time it took to run, not the time it waited.
		cl.blk.slowArgs = copyArgs(args)
		cl.blk.slowDur = d
		return
	}
	if d >= e.slow.thresh {
		e.slowlogPush(cl, cmd, args, d)
	}
}

func copyArgs(args [][]byte) [][]byte {
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = append([]byte(nil), a...)
	}
	return cp
}

// logServed records a blocked command once it has been served.
func (e *Engine) logServed(cl *Client, op *blockedOp) {
	if op.slowArgs == nil || e.slow.thresh < 0 || op.slowDur < e.slow.thresh {
		return
	}
	e.slowlogPush(cl, op.cmd, op.slowArgs, op.slowDur)
}

func (e *Engine) slowlogPush(cl *Client, cmd *Command, args [][]byte, d int64) {
	s := &e.slow
	argc := min(len(args), slowlogMaxArgc)
	argv := make([][]byte, argc)
	red := redacted(cmd, args)
	for i := 0; i < argc; i++ {
		switch {
		case argc != len(args) && i == argc-1:
			argv[i] = []byte("... (" + strconv.Itoa(len(args)-argc+1) + " more arguments)")
		case red(i):
			argv[i] = []byte("(redacted)")
		case len(args[i]) > slowlogMaxArgLen:
			b := append([]byte(nil), args[i][:slowlogMaxArgLen]...)
			argv[i] = append(b, "... ("+strconv.Itoa(len(args[i])-slowlogMaxArgLen)+" more bytes)"...)
		default:
			argv[i] = append([]byte(nil), args[i]...)
		}
	}
	ent := SlowlogEntry{ID: s.nextID, Time: e.nowMicros() / 1e6, Duration: d, Argv: argv, Peer: cl.Addr, Name: cl.Name}
	s.nextID++
	s.entries = append(s.entries, SlowlogEntry{})
	copy(s.entries[1:], s.entries)
	s.entries[0] = ent
	for int64(len(s.entries)) > s.maxLen {
		s.entries[len(s.entries)-1] = SlowlogEntry{}
		s.entries = s.entries[:len(s.entries)-1]
	}
}

// redacted tells which arguments the slow log must not show: passwords, as
// Redis hides them (AUTH, HELLO ... AUTH, CONFIG SET requirepass, MIGRATE
// ... AUTH/AUTH2).
func redacted(cmd *Command, args [][]byte) func(int) bool {
	none := func(int) bool { return false }
	name := cmd.Name
	if len(cmd.Subs) > 0 && len(args) > 1 {
		if sub := cmd.Sub(args[1]); sub != nil {
			name = sub.Name
		}
	}
	switch name {
	case "auth":
		return func(i int) bool { return i > 0 }
	case "hello":
		hide := map[int]bool{}
		for i := 2; i < len(args); i++ {
			if is(args[i], "auth") && i+2 < len(args) {
				hide[i+1], hide[i+2] = true, true
				i += 2
			} else if is(args[i], "setname") {
				i++
			}
		}
		return func(i int) bool { return hide[i] }
	case "config|set":
		return func(i int) bool {
			return i >= 3 && i%2 == 1 && (is(args[i-1], "requirepass") || is(args[i-1], "masterauth") || is(args[i-1], "masteruser"))
		}
	case "migrate":
		hide := map[int]bool{}
		for i := 6; i < len(args); i++ {
			switch {
			case is(args[i], "auth") && i+1 < len(args):
				hide[i+1] = true
				i++
			case is(args[i], "auth2") && i+2 < len(args):
				hide[i+1], hide[i+2] = true, true
				i += 2
			}
		}
		return func(i int) bool { return hide[i] }
	}
	return none
}

func slowlogCommand() spec {
	return spec{name: "slowlog", arity: -2, acl: "@slow", group: "server", summary: "Groups the subcommands that read and clear the log of slow commands.", run: runSubcommand, subs: []spec{
		{name: "get", arity: -2, flags: "admin loading stale", acl: "@admin @slow @dangerous", tips: "request_policy:all_nodes nondeterministic_output", run: cmdSlowlogGet},
		{name: "len", arity: 2, flags: "admin loading stale", acl: "@admin @slow @dangerous", tips: "request_policy:all_nodes response_policy:agg_sum nondeterministic_output", run: func(c *Ctx) { c.W.Int(int64(len(c.E.slow.entries))) }},
		{name: "reset", arity: 2, flags: "admin loading stale", acl: "@admin @slow @dangerous", tips: "request_policy:all_nodes response_policy:all_succeeded", run: cmdSlowlogReset},
		{name: "help", arity: 2, flags: "loading stale", acl: "@slow", run: cmdSlowlogHelp},
	}}
}

func cmdSlowlogGet(c *Ctx) {
	if len(c.Args) > 3 {
		c.Err(errSubcommandSyntax(c.Args[1], "SLOWLOG"))
		return
	}
	n := int64(10)
	if len(c.Args) == 3 {
		v, ok := parseInt(c.Args[2])
		if !ok || v < -1 {
			c.Err("ERR count should be greater than or equal to -1")
			return
		}
		n = v
	}
	ents := c.E.slow.entries
	if n >= 0 && n < int64(len(ents)) {
		ents = ents[:n]
	}
	c.W.Array(len(ents))
	for _, en := range ents {
		c.W.Array(6)
		c.W.Int(en.ID)
		c.W.Int(en.Time)
		c.W.Int(en.Duration)
		c.W.Array(len(en.Argv))
		for _, a := range en.Argv {
			c.W.Bulk(a)
		}
		c.W.BulkString(en.Peer)
		c.W.BulkString(en.Name)
	}
}

func cmdSlowlogReset(c *Ctx) {
	clear(c.E.slow.entries)
	c.E.slow.entries = c.E.slow.entries[:0]
	c.OK()
}

func cmdSlowlogHelp(c *Ctx) {
	writeHelp(c, "SLOWLOG", []string{
		"GET [<count>]",
		"    Reply with up to <count> of the newest slow log entries (10 unless",
		"    given; -1 for all). An entry is: id, unix time, duration in",
		"    microseconds, the command's arguments, client address, client name.",
		"LEN",
		"    Reply with the number of entries in the slow log.",
		"RESET",
		"    Empty the slow log.",
	})
}
