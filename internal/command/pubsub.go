package command

import (
	"slices"
	"sort"

	"github.com/kevy-db/kevy/internal/glob"
)

// Pub/Sub: SUBSCRIBE, PSUBSCRIBE, their UNSUBSCRIBE forms, PUBLISH and
// PUBSUB. PUBLISH runs under the execution lock like every command and
// appends each message to the subscriber's reply writer (also guarded by
// that lock for a subscribed client), then tells the server through
// ConnHooks so it can send the bytes while the subscriber's own goroutine
// waits for input. PUBLISH changes no data and is never logged.

func pubsubCommands() []spec {
	const g = "pubsub"
	const flags = "pubsub noscript loading stale"
	return []spec{
		{name: "subscribe", arity: -2, flags: flags, acl: "@pubsub @slow", group: g, summary: "Listens for messages published to channels.", run: cmdSubscribe},
		{name: "unsubscribe", arity: -1, flags: flags, acl: "@pubsub @slow", group: g, summary: "Stops listening to messages posted to channels.", run: cmdUnsubscribe},
		{name: "psubscribe", arity: -2, flags: flags, acl: "@pubsub @slow", group: g, summary: "Listens for messages published to channels that match one or more patterns.", run: cmdPSubscribe},
		{name: "punsubscribe", arity: -1, flags: flags, acl: "@pubsub @slow", group: g, summary: "Stops listening to messages published to channels that match one or more patterns.", run: cmdPUnsubscribe},
		{name: "publish", arity: 3, flags: "pubsub loading stale fast", acl: "@pubsub @fast", group: g, summary: "Posts a message to a channel.", run: cmdPublish},
		{name: "pubsub", arity: -2, acl: "@slow", group: g, summary: "A container for Pub/Sub commands.", run: runSubcommand, subs: []spec{
			{name: "channels", arity: -2, flags: "pubsub loading stale", acl: "@pubsub @slow", run: cmdPubsubChannels},
			{name: "numsub", arity: -2, flags: "pubsub loading stale", acl: "@pubsub @slow", run: cmdPubsubNumsub},
			{name: "numpat", arity: 2, flags: "pubsub loading stale", acl: "@pubsub @slow", run: func(c *Ctx) { c.W.Int(int64(len(c.E.ps.patOrder))) }},
			{name: "shardchannels", arity: -2, flags: "pubsub loading stale", acl: "@pubsub @slow", run: cmdPubsubShardChannels},
			{name: "shardnumsub", arity: -2, flags: "pubsub loading stale", acl: "@pubsub @slow", run: cmdPubsubShardNumsub},
			{name: "help", arity: 2, flags: "loading stale", acl: "@slow", run: cmdPubsubHelp},
		}},
	}
}

// ConnHooks is implemented by the server's per-connection state
// (Client.Conn).
type ConnHooks interface {
	// PushedLocked is called under the execution lock after a Pub/Sub
	// message was appended to the client's writer. It returns false when
	// the client is being disconnected (its output exceeded the limit): the
	// engine then drops its subscriptions.
	PushedLocked() bool
}

// pubsubState holds every subscription; subscriber lists keep
// subscription order, which is the delivery order.
type pubsubState struct {
	channels map[string][]*Client
	patterns map[string][]*Client
	patOrder []string // patterns with subscribers, oldest first
}

// clientPubSub is one client's subscriptions, in subscription order.
type clientPubSub struct {
	e        *Engine
	channels []string
	patterns []string
}

// SubscriptionCount is the number of channels and patterns the client is
// subscribed to (the count in (un)subscribe replies).
func (c *Client) SubscriptionCount() int {
	if c.ps == nil {
		return 0
	}
	return len(c.ps.channels) + len(c.ps.patterns)
}

// PubSubChannels is INFO's pubsub_channels.
func (e *Engine) PubSubChannels() int { return len(e.ps.channels) }

// PubSubPatterns is INFO's pubsub_patterns.
func (e *Engine) PubSubPatterns() int { return len(e.ps.patOrder) }

func (c *Ctx) clientPS() *clientPubSub {
	if c.Cl.ps == nil {
		c.Cl.ps = &clientPubSub{e: c.E}
	}
	if c.E.ps.channels == nil {
		c.E.ps.channels = make(map[string][]*Client)
		c.E.ps.patterns = make(map[string][]*Client)
	}
	return c.Cl.ps
}

// subReply writes one (un)subscribe confirmation: a push in RESP3.
func (c *Ctx) subReply(kind string, name []byte, null bool) {
	c.W.Push(3)
	c.W.BulkString(kind)
	if null {
		c.W.Null()
	} else {
		c.W.Bulk(name)
	}
	c.W.Int(int64(c.Cl.SubscriptionCount()))
}

func cmdSubscribe(c *Ctx) {
	ps := c.clientPS()
	for _, ch := range c.Args[1:] {
		name := string(ch)
		if !slices.Contains(ps.channels, name) {
			ps.channels = append(ps.channels, name)
			c.E.ps.channels[name] = append(c.E.ps.channels[name], c.Cl)
		}
		c.subReply("subscribe", ch, false)
	}
}

func cmdPSubscribe(c *Ctx) {
	ps := c.clientPS()
	for _, p := range c.Args[1:] {
		name := string(p)
		if !slices.Contains(ps.patterns, name) {
			ps.patterns = append(ps.patterns, name)
			if len(c.E.ps.patterns[name]) == 0 {
				c.E.ps.patOrder = append(c.E.ps.patOrder, name)
			}
			c.E.ps.patterns[name] = append(c.E.ps.patterns[name], c.Cl)
		}
		c.subReply("psubscribe", p, false)
	}
}

func cmdUnsubscribe(c *Ctx)  { c.unsubscribeCmd(false) }
func cmdPUnsubscribe(c *Ctx) { c.unsubscribeCmd(true) }

func (c *Ctx) unsubscribeCmd(pattern bool) {
	kind := "unsubscribe"
	if pattern {
		kind = "punsubscribe"
	}
	names := c.Args[1:]
	if len(names) == 0 {
		var all []string
		if ps := c.Cl.ps; ps != nil {
			if pattern {
				all = slices.Clone(ps.patterns)
			} else {
				all = slices.Clone(ps.channels)
			}
		}
		if len(all) == 0 {
			c.subReply(kind, nil, true)
			return
		}
		for _, n := range all {
			c.E.unsubscribe(c.Cl, n, pattern)
			c.subReply(kind, []byte(n), false)
		}
		return
	}
	for _, n := range names {
		c.E.unsubscribe(c.Cl, string(n), pattern)
		c.subReply(kind, n, false)
	}
}

// unsubscribe removes one subscription of cl, if it has it.
func (e *Engine) unsubscribe(cl *Client, name string, pattern bool) {
	ps := cl.ps
	if ps == nil {
		return
	}
	own, reg := &ps.channels, e.ps.channels
	if pattern {
		own, reg = &ps.patterns, e.ps.patterns
	}
	i := slices.Index(*own, name)
	if i < 0 {
		return
	}
	*own = slices.Delete(*own, i, i+1)
	subs := reg[name]
	if j := slices.Index(subs, cl); j >= 0 {
		subs = slices.Delete(subs, j, j+1)
	}
	if len(subs) > 0 {
		reg[name] = subs
		return
	}
	delete(reg, name)
	if pattern {
		if k := slices.Index(e.ps.patOrder, name); k >= 0 {
			e.ps.patOrder = slices.Delete(e.ps.patOrder, k, k+1)
		}
	}
}

// unsubscribeAll drops every subscription without replies (RESET, a
// disconnect).
func (c *Client) unsubscribeAll() {
	ps := c.ps
	if ps == nil {
		return
	}
	for len(ps.channels) > 0 {
		ps.e.unsubscribe(c, ps.channels[0], false)
	}
	for len(ps.patterns) > 0 {
		ps.e.unsubscribe(c, ps.patterns[0], true)
	}
}

func cmdPublish(c *Ctx) {
	c.W.Int(c.E.Publish(c.Args[1], c.Args[2]))
}

// Publish delivers msg to the subscribers of channel and of the patterns
// matching it, and returns how many deliveries were made. The caller holds
// the execution lock.
func (e *Engine) Publish(channel, msg []byte) int64 {
	var n int64
	var dropped []*Client
	deliver := func(cl *Client) {
		n++
		if h, ok := cl.Conn.(ConnHooks); ok && !h.PushedLocked() {
			dropped = append(dropped, cl)
		}
	}
	for _, cl := range e.ps.channels[string(channel)] {
		cl.W.Push(3)
		cl.W.BulkString("message")
		cl.W.Bulk(channel)
		cl.W.Bulk(msg)
		deliver(cl)
	}
	for _, p := range e.ps.patOrder {
		if !glob.Match([]byte(p), channel, false) {
			continue
		}
		for _, cl := range e.ps.patterns[p] {
			cl.W.Push(4)
			cl.W.BulkString("pmessage")
			cl.W.BulkString(p)
			cl.W.Bulk(channel)
			cl.W.Bulk(msg)
			deliver(cl)
		}
	}
	for _, cl := range dropped {
		cl.unsubscribeAll()
	}
	return n
}

// pubsubIntercept applies RESP2's subscribed mode before a command runs:
// only the (un)subscribe commands, PING, QUIT and RESET are allowed, and
// PING answers with a "pong" message. It reports whether it answered.
func (e *Engine) pubsubIntercept(cl *Client, cmd *Command, args [][]byte) bool {
	if cl.ps == nil || cl.W.Proto() != 2 || cl.SubscriptionCount() == 0 {
		return false
	}
	switch cmd.Name {
	case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "quit", "reset":
		return false
	case "ping":
		if len(args) > 2 {
			return false // the arity error
		}
		cl.W.Array(2)
		cl.W.BulkString("pong")
		if len(args) == 2 {
			cl.W.Bulk(args[1])
		} else {
			cl.W.BulkString("")
		}
		return true
	}
	name := cmd.Name
	if len(cmd.Subs) > 0 && len(args) > 1 {
		if sub := cmd.Sub(args[1]); sub != nil {
			name = sub.Name
		}
	}
	e.rejectCmd(cl, cmd, "ERR Can't execute '"+name+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
	return true
}

func cmdPubsubChannels(c *Ctx) {
	if len(c.Args) > 3 {
		c.Err("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) + "'. Try PUBSUB HELP.")
		return
	}
	var out []string
	for ch := range c.E.ps.channels {
		if len(c.Args) == 2 || glob.Match(c.Args[2], []byte(ch), false) {
			out = append(out, ch)
		}
	}
	sort.Strings(out) // Redis's order is its hash table's; any order is correct
	c.W.Array(len(out))
	for _, ch := range out {
		c.W.BulkString(ch)
	}
}

func cmdPubsubNumsub(c *Ctx) {
	c.W.Array(2 * (len(c.Args) - 2)) // a flat array even in RESP3, as Redis 7.0
	for _, ch := range c.Args[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(len(c.E.ps.channels[string(ch)])))
	}
}

// Shard channels (SSUBSCRIBE) are not implemented: there are none.
func cmdPubsubShardChannels(c *Ctx) {
	if len(c.Args) > 3 {
		c.Err("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) + "'. Try PUBSUB HELP.")
		return
	}
	c.W.Array(0)
}

func cmdPubsubShardNumsub(c *Ctx) {
	c.W.Array(2 * (len(c.Args) - 2)) // a flat array even in RESP3, as Redis 7.0
	for _, ch := range c.Args[2:] {
		c.W.Bulk(ch)
		c.W.Int(0)
	}
}

func cmdPubsubHelp(c *Ctx) {
	writeHelp(c, "PUBSUB", []string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	})
}

// Channels and Patterns count the client's subscriptions (CLIENT LIST's
// sub= and psub=).
func (c *Client) Channels() int {
	if c.ps == nil {
		return 0
	}
	return len(c.ps.channels)
}

func (c *Client) Patterns() int {
	if c.ps == nil {
		return 0
	}
	return len(c.ps.patterns)
}
