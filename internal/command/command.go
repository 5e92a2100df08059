// Package command holds kevy's command table and the handlers of every
// command family (one file per family). Handlers run under the server's
// execution lock: they read and change the store, write their reply with the
// client's resp.Writer and describe their effect for the append-only log with
// Ctx.Propagate. They never touch the network or files.
package command

import "strings"

// Flag is a command property, named as in Redis's COMMAND INFO.
type Flag uint32

const (
	FlagWrite Flag = 1 << iota
	FlagReadOnly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagAllowBusy
	FlagNoMulti
	FlagNoAsyncLoading
	// FlagMovableKeys is derived, never declared: a command has it when a
	// key spec is more than an index and a range (see KeySpec.simple).
	FlagMovableKeys
)

var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagWrite, "write"}, {FlagReadOnly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagMayReplicate, "may_replicate"},
	{FlagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoAsyncLoading, "no_async_loading"},
	{FlagNoMulti, "no_multi"}, {FlagMovableKeys, "movablekeys"}, {FlagAllowBusy, "allow_busy"},
}

func parseFlags(s string) Flag {
	var f Flag
	for _, w := range strings.Fields(s) {
		found := false
		for _, fn := range flagNames {
			if fn.name == w {
				f |= fn.f
				found = true
			}
		}
		if !found {
			panic("command table: unknown flag " + w) // a typo in the table is a programming error
		}
	}
	return f
}

// Names lists the flag names in Redis's order.
func (f Flag) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// Command describes one command: its syntax facts and its handler.
type Command struct {
	Name     string // lower case
	Arity    int    // as Redis: >0 exact, <0 at least -Arity
	Flags    Flag
	FirstKey int
	LastKey  int
	Step     int
	ACL      []string // categories, e.g. "@read"
	Group    string   // documentation group (COMMAND DOCS)
	Summary  string
	Since    string
	Run      func(*Ctx)
	Subs     []*Command // subcommands (CONFIG GET …), Name "config|get"
	// KeySpecs are Redis 7's key specifications (keyspecs.go); FirstKey,
	// LastKey and Step are the legacy summary of their simple part.
	KeySpecs []KeySpec
	// Tips are Redis's command tips for clients and cluster proxies
	// ("nondeterministic_output", "request_policy:all_shards" …).
	Tips []string
	// notKey marks arguments that COMMAND INFO lists in key positions but
	// that name no key (Redis's not_key: SSUBSCRIBE's shard channels, whose
	// positions matter only to a cluster's slot routing).
	notKey bool
}

// keyRange gives the positions of a call's key arguments as the table's
// first/last/step describe them: first, first+step, … up to last, resolved
// against the call's nargs arguments (a negative LastKey counts from the
// end). ok is false for a command without key arguments.
func (cmd *Command) keyRange(nargs int) (first, last, step int, ok bool) {
	if cmd.FirstKey <= 0 || cmd.notKey {
		return 0, 0, 0, false
	}
	last = cmd.LastKey
	if last < 0 {
		last += nargs
	}
	return cmd.FirstKey, min(last, nargs-1), max(cmd.Step, 1), true
}

// Table maps command names to commands. It is built once, explicitly (no
// init() registration), so two servers in one process share nothing mutable.
type Table struct {
	byName map[string]*Command
	list   []*Command
}

// spec is the compact form used by the family files to declare commands.
type spec struct {
	name    string
	arity   int
	flags   string
	first   int
	last    int
	step    int
	acl     string
	group   string
	summary string
	run     func(*Ctx)
	subs    []spec
	keys    string // key specs, see parseKeySpecs; empty for the default
	tips    string // command tips, space separated
}

func (sp spec) build(parent string) *Command {
	name := sp.name
	if parent != "" {
		name = parent + "|" + sp.name
	}
	c := &Command{
		Name: name, Arity: sp.arity, Flags: parseFlags(sp.flags),
		FirstKey: sp.first, LastKey: sp.last, Step: sp.step,
		ACL: strings.Fields(sp.acl), Group: sp.group, Summary: sp.summary, Run: sp.run,
	}
	if c.Flags&FlagMovableKeys != 0 {
		panic("command table: movablekeys is derived from the key specs: " + name)
	}
	c.KeySpecs = parseKeySpecs(sp.keys, sp.first, sp.last, sp.step, c.Flags&FlagWrite != 0)
	c.notKey = hasNotKey(c.KeySpecs)
	for i := range c.KeySpecs {
		if !c.KeySpecs[i].simple() {
			c.Flags |= FlagMovableKeys
		}
	}
	c.Tips = strings.Fields(sp.tips)
	for _, s := range sp.subs {
		c.Subs = append(c.Subs, s.build(name))
	}
	return c
}

// arityOK tells whether n arguments, the name included, fit c's arity.
func (c *Command) arityOK(n int) bool {
	return (c.Arity > 0 && n == c.Arity) || (c.Arity < 0 && n >= -c.Arity)
}

// NewTable builds the table of every command kevy implements.
func NewTable() *Table {
	t := &Table{byName: make(map[string]*Command)}
	for _, family := range [][]spec{
		connectionCommands(), serverCommands(), keyCommands(), expireCommands(),
		stringCommands(), bitCommands(), multiCommands(),
		hashCommands(), listCommands(), setCommands(), zsetCommands(),
		dumpCommands(), migrateCommands(),
		blockingCommands(), pubsubCommands(), // blocking.go, pubsub.go
		sortCommands(), waitCommands(), // sort.go, wait.go
		hllCommands(),    // hll.go
		scriptCommands(), // script.go, script_*.go: Lua scripting
		opsCommands(),    // SLOWLOG LATENCY MEMORY (ops.go)
	} {
		for _, sp := range family {
			c := sp.build("")
			if _, dup := t.byName[c.Name]; dup {
				panic("command table: duplicate " + c.Name)
			}
			t.byName[c.Name] = c
			t.list = append(t.list, c)
		}
	}
	return t
}

// Lookup finds a command by name, case-insensitively, without allocating for
// names up to 32 bytes.
func (t *Table) Lookup(name []byte) *Command {
	var buf [32]byte
	if len(name) > len(buf) {
		return t.byName[strings.ToLower(string(name))]
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return t.byName[string(buf[:len(name)])]
}

// All lists the commands in table order.
func (t *Table) All() []*Command { return t.list }

// Sub finds a subcommand of c by name.
func (c *Command) Sub(name []byte) *Command {
	for _, s := range c.Subs {
		if strings.EqualFold(s.Name[len(c.Name)+1:], string(name)) {
			return s
		}
	}
	return nil
}

func upper(s string) string { return strings.ToUpper(s) }
