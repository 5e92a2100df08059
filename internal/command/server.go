package command

import (
	"strconv"
	"strings"
	"time"
)

func serverCommands() []spec {
	const g = "server"
	return []spec{
		{name: "info", arity: -1, flags: "loading stale", acl: "@slow @dangerous", tips: "nondeterministic_output request_policy:all_shards response_policy:special", group: g, summary: "Reports the server's state and counters, section by section.", run: cmdInfo},
		{name: "time", arity: 1, flags: "loading stale fast", acl: "@fast", tips: "nondeterministic_output", group: g, summary: "Tells the server's clock as Unix seconds and microseconds.", run: cmdTime},
		{name: "lastsave", arity: 1, flags: "loading stale fast", acl: "@admin @fast @dangerous", tips: "nondeterministic_output", group: g, summary: "Tells the Unix time of the most recent successful snapshot.", run: func(c *Ctx) { c.W.Int(c.E.Host.LastSave()) }},
		{name: "save", arity: 1, flags: "admin noscript no_async_loading no_multi", acl: "@admin @slow @dangerous", group: g, summary: "Writes a snapshot of the data to disk before replying.", run: cmdSave},
		{name: "bgsave", arity: -1, flags: "admin noscript no_async_loading", acl: "@admin @slow @dangerous", group: g, summary: "Starts writing a snapshot of the data to disk in the background.", run: cmdBGSave},
		{name: "bgrewriteaof", arity: 1, flags: "admin noscript no_async_loading", acl: "@admin @slow @dangerous", group: g, summary: "Starts compacting the append-only file in the background.", run: cmdBGRewriteAOF},
		{name: "shutdown", arity: -1, flags: "admin noscript loading stale no_multi allow_busy", acl: "@admin @slow @dangerous", group: g, summary: "Stops the server; SAVE or NOSAVE decides whether a snapshot is written first.", run: cmdShutdown},
		{name: "config", arity: -2, acl: "@slow", group: g, summary: "Groups the subcommands that read and change the configuration.", run: runSubcommand, subs: []spec{
			{name: "get", arity: -3, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous", run: cmdConfigGet},
			{name: "set", arity: -4, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous", tips: "request_policy:all_nodes response_policy:all_succeeded", run: cmdConfigSet},
			{name: "rewrite", arity: 2, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous", run: cmdConfigRewrite},
			{name: "resetstat", arity: 2, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous", run: func(c *Ctx) { c.E.Host.ResetStats(); c.OK() }},
			{name: "help", arity: 2, flags: "loading stale", acl: "@slow", run: cmdConfigHelp},
		}},
		{name: "command", arity: -1, flags: "loading stale", acl: "@slow @connection", tips: "nondeterministic_output_order", group: g, summary: "Describes the commands the server knows; subcommands narrow the answer.", run: cmdCommand, subs: []spec{
			{name: "count", arity: 2, flags: "loading stale", acl: "@slow @connection", run: func(c *Ctx) { c.W.Int(int64(len(c.E.Table.All()))) }},
			{name: "info", arity: -2, flags: "loading stale", acl: "@slow @connection", tips: "nondeterministic_output_order", run: cmdCommandInfo},
			{name: "getkeys", arity: -4, flags: "loading stale", acl: "@slow @connection", run: func(c *Ctx) { cmdCommandGetKeys(c, false) }},
			{name: "getkeysandflags", arity: -4, flags: "loading stale", acl: "@slow @connection", run: func(c *Ctx) { cmdCommandGetKeys(c, true) }},
			{name: "docs", arity: -2, flags: "loading stale", acl: "@slow @connection", tips: "nondeterministic_output_order", run: cmdCommandDocs},
			{name: "list", arity: -2, flags: "loading stale", acl: "@slow @connection", tips: "nondeterministic_output_order", run: cmdCommandList},
			{name: "help", arity: 2, flags: "loading stale", acl: "@slow @connection", run: cmdCommandHelp},
		}},
		{name: "debug", arity: -2, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous", group: g, summary: "Groups the subcommands meant for testing and troubleshooting the server.", run: cmdDebug},
	}
}

func cmdInfo(c *Ctx) {
	var sections []string
	for _, a := range c.Args[1:] {
		sections = append(sections, strings.ToLower(string(a)))
	}
	c.W.Verbatim("txt", c.E.Host.Info(sections))
}

func cmdTime(c *Ctx) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkInt(now.Unix())
	c.W.BulkInt(int64(now.Nanosecond() / 1000))
}

func cmdSave(c *Ctx) {
	if err := c.E.Host.Save(); err != nil {
		c.Err(err.Error())
		return
	}
	c.OK()
}

func cmdBGSave(c *Ctx) {
	schedule := false
	if len(c.Args) > 1 {
		if len(c.Args) == 2 && is(c.Args[1], "schedule") {
			schedule = true
		} else {
			c.Err(ErrSyntax)
			return
		}
	}
	msg, err := c.E.Host.BGSave(schedule)
	if err != nil {
		c.Err(err.Error())
		return
	}
	c.W.SimpleString(msg)
}

func cmdBGRewriteAOF(c *Ctx) {
	msg, err := c.E.Host.BGRewriteAOF()
	if err != nil {
		c.Err(err.Error())
		return
	}
	c.W.SimpleString(msg)
}

func cmdShutdown(c *Ctx) {
	save := 0
	for _, a := range c.Args[1:] {
		switch {
		case is(a, "nosave"):
			save = -1
		case is(a, "save"):
			save = 1
		case is(a, "now"), is(a, "force"):
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	if err := c.E.Host.Shutdown(save); err != nil {
		c.Err(err.Error())
		return
	}
	// On success the server closes every connection without a reply, as
	// Redis does.
	c.Cl.CloseAfterReply = true
}

func cmdConfigGet(c *Ctx) {
	var out []string
	seen := map[string]bool{}
	for _, p := range c.Args[2:] {
		kv := c.E.Host.ConfigGet(string(p))
		for i := 0; i+1 < len(kv); i += 2 {
			if seen[kv[i]] {
				continue
			}
			seen[kv[i]] = true
			out = append(out, kv[i], kv[i+1])
		}
	}
	c.W.Map(len(out) / 2)
	for _, s := range out {
		c.W.BulkString(s)
	}
}

func cmdConfigSet(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.Err(errArity("config|set"))
		return
	}
	pairs := make([]string, 0, len(c.Args)-2)
	for _, a := range c.Args[2:] {
		pairs = append(pairs, string(a))
	}
	if err := c.E.Host.ConfigSet(pairs); err != nil {
		c.Err(err.Error())
		return
	}
	c.OK()
}

func cmdConfigRewrite(c *Ctx) {
	if err := c.E.Host.ConfigRewrite(); err != nil {
		c.Err(err.Error())
		return
	}
	c.OK()
}

func cmdConfigHelp(c *Ctx) {
	writeHelp(c, "CONFIG", []string{
		"GET <pattern>",
		"    Reply with each setting whose name matches the glob <pattern>, and its value.",
		"SET <directive> <value>",
		"    Change the setting <directive> to <value> while the server runs.",
		"RESETSTAT",
		"    Zero the counters that INFO reports.",
		"REWRITE",
		"    Save the settings now in force to the configuration file.",
	})
}

// writeCommandInfo writes one COMMAND INFO entry, generated from the table
// (never a copy of Redis's output).
func writeCommandInfo(c *Ctx, cmd *Command) {
	c.W.Array(10)
	c.W.BulkString(cmd.Name)
	c.W.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	c.W.Set(len(flags))
	for _, f := range flags {
		c.W.SimpleString(f)
	}
	c.W.Int(int64(cmd.FirstKey))
	c.W.Int(int64(cmd.LastKey))
	c.W.Int(int64(cmd.Step))
	c.W.Set(len(cmd.ACL))
	for _, a := range cmd.ACL {
		c.W.SimpleString(a)
	}
	c.W.Set(len(cmd.Tips))
	for _, t := range cmd.Tips {
		c.W.BulkString(t)
	}
	writeKeySpecs(c, cmd)
	// No subcommands is an empty set in RESP3, some an array, as in Redis.
	if len(cmd.Subs) == 0 {
		c.W.Set(0)
		return
	}
	c.W.Array(len(cmd.Subs))
	for _, s := range cmd.Subs {
		writeCommandInfo(c, s)
	}
}

func cmdCommand(c *Ctx) {
	if len(c.Args) > 1 {
		runSubcommand(c)
		return
	}
	all := c.E.Table.All()
	c.W.Array(len(all))
	for _, cmd := range all {
		writeCommandInfo(c, cmd)
	}
}

func cmdCommandInfo(c *Ctx) {
	if len(c.Args) == 2 {
		all := c.E.Table.All()
		c.W.Array(len(all))
		for _, cmd := range all {
			writeCommandInfo(c, cmd)
		}
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, name := range c.Args[2:] {
		cmd := c.lookupFullName(name)
		if cmd == nil {
			c.W.Null()
			continue
		}
		writeCommandInfo(c, cmd)
	}
}

// lookupFullName finds "get" or "config|get".
func (c *Ctx) lookupFullName(name []byte) *Command {
	s := strings.ToLower(string(name))
	if i := strings.IndexByte(s, '|'); i >= 0 {
		parent := c.E.Table.Lookup([]byte(s[:i]))
		if parent == nil {
			return nil
		}
		return parent.Sub([]byte(s[i+1:]))
	}
	return c.E.Table.Lookup(name)
}

func writeCommandDoc(c *Ctx, cmd *Command) {
	n := 3
	if len(cmd.Subs) > 0 {
		n++
	}
	c.W.Map(n)
	c.W.BulkString("summary")
	c.W.BulkString(cmd.Summary)
	c.W.BulkString("since")
	c.W.BulkString("1.0.0")
	c.W.BulkString("group")
	group := cmd.Group
	if group == "" {
		group = "server"
	}
	c.W.BulkString(group)
	if len(cmd.Subs) > 0 {
		c.W.BulkString("subcommands")
		c.W.Map(len(cmd.Subs))
		for _, s := range cmd.Subs {
			c.W.BulkString(s.Name)
			writeCommandDoc(c, s)
		}
	}
}

func cmdCommandDocs(c *Ctx) {
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = c.E.Table.All()
	} else {
		for _, name := range c.Args[2:] {
			if cmd := c.lookupFullName(name); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.Map(len(cmds))
	for _, cmd := range cmds {
		c.W.BulkString(cmd.Name)
		writeCommandDoc(c, cmd)
	}
}

func cmdCommandList(c *Ctx) {
	var names []string
	for _, cmd := range c.E.Table.All() {
		names = append(names, cmd.Name)
		for _, s := range cmd.Subs {
			names = append(names, s.Name)
		}
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

func cmdCommandHelp(c *Ctx) {
	writeHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Describe every command the server knows.",
		"COUNT",
		"    Reply with how many commands the server knows.",
		"LIST",
		"    Reply with the names of all the commands the server knows.",
		"INFO [<command-name> ...]",
		"    Describe the named commands: arity, flags, key positions and more.",
		"    With no names, every command is described; an unknown name",
		"    gets a nil entry.",
		"DOCS [<command-name> ...]",
		"    Reply with the documentation of the named commands: summary,",
		"    group, arity and so on. With no names, every command is",
		"    documented; unknown names are left out.",
		"GETKEYS <full-command>",
		"    List the arguments of the given command call that are keys.",
		"GETKEYSANDFLAGS <full-command>",
		"    List the key arguments of the given command call with their key-spec flags.",
	})
}

// cmdDebug implements the DEBUG subcommands tests need.
func cmdDebug(c *Ctx) {
	sub := c.Args[1]
	switch {
	case is(sub, "sleep") && len(c.Args) == 3:
		f, ok := parseFloat(c.Args[2])
		if !ok {
			c.Err(ErrNotFloat)
			return
		}
		// Sleeping while holding the execution lock is the point: it
		// simulates a slow command for latency tests.
		time.Sleep(time.Duration(f * float64(time.Second)))
		c.OK()
	case is(sub, "set-active-expire") && len(c.Args) == 3:
		v, ok := c.intArg(c.Args[2])
		if !ok {
			return
		}
		c.E.ActiveExpireOff = v == 0
		c.OK()
	case is(sub, "reload"):
		if err := c.E.Host.DebugReload(); err != nil {
			c.Err(err.Error())
			return
		}
		c.OK()
	default:
		c.Err(errSubcommandSyntax(sub, "DEBUG"))
	}
}

var _ = strconv.Itoa
