package command

import (
	"slices"
	"sort"

	"github.com/kevy-db/kevy/internal/glob"
)

// Pub/Sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBE forms,
// PUBLISH, SPUBLISH and PUBSUB. Shard channels (the S forms) are Redis 7's
// cluster-scoped channels; without a cluster they are a namespace of their
// own: SPUBLISH reaches only SSUBSCRIBE subscribers and no pattern, and
// (S)SUBSCRIBE replies count only their own kind, as Redis 7.0 does.
//
// PUBLISH runs under the execution lock like every command and appends
// each message to the subscriber's reply writer (also guarded by that lock
// for a subscribed client), then tells the server through ConnHooks so it
// can send the bytes while the subscriber's own goroutine waits for input.
// PUBLISH changes no data and is never logged.

func pubsubCommands() []spec {
	const g = "pubsub"
	const flags = "pubsub noscript loading stale"
	return []spec{
		{name: "subscribe", arity: -2, flags: flags, acl: "@pubsub @slow", group: g, summary: "Starts receiving the messages sent to the given channels.", run: cmdSubscribe},
		{name: "unsubscribe", arity: -1, flags: flags, acl: "@pubsub @slow", group: g, summary: "Stops receiving messages from the given channels, or from all of them.", run: cmdUnsubscribe},
		{name: "psubscribe", arity: -2, flags: flags, acl: "@pubsub @slow", group: g, summary: "Starts receiving the messages sent to any channel matching the given patterns.", run: cmdPSubscribe},
		{name: "punsubscribe", arity: -1, flags: flags, acl: "@pubsub @slow", group: g, summary: "Drops the given pattern subscriptions, or all of them.", run: cmdPUnsubscribe},
		{name: "ssubscribe", arity: -2, flags: flags, first: 1, last: -1, step: 1, keys: "not_key", acl: "@pubsub @slow", group: g, summary: "Starts receiving the messages sent to the given shard channels.", run: cmdSSubscribe},
		{name: "sunsubscribe", arity: -1, flags: flags, first: 1, last: -1, step: 1, keys: "not_key", acl: "@pubsub @slow", group: g, summary: "Stops receiving messages from the given shard channels, or from all of them.", run: cmdSUnsubscribe},
		{name: "spublish", arity: 3, flags: "pubsub loading stale fast", first: 1, last: 1, step: 1, keys: "not_key", acl: "@pubsub @fast", group: g, summary: "Sends a message to the subscribers of a shard channel.", run: cmdSPublish},
		{name: "publish", arity: 3, flags: "pubsub loading stale fast", acl: "@pubsub @fast", group: g, summary: "Sends a message to a channel's subscribers and counts who got it.", run: cmdPublish},
		{name: "pubsub", arity: -2, acl: "@slow", group: g, summary: "Groups the subcommands that report on channels and subscriptions.", run: runSubcommand, subs: []spec{
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
	shards   map[string][]*Client
	patOrder []string // patterns with subscribers, oldest first
}

// The kinds of subscription.
type subKind int

const (
	subChannel subKind = iota
	subPattern
	subShard
)

// clientPubSub is one client's subscriptions, in subscription order.
type clientPubSub struct {
	e        *Engine
	channels []string
	patterns []string
	shards   []string
}

// SubscriptionCount is the number of subscriptions of every kind: a client
// with any is in subscribed mode (RESP2) and of CLIENT LIST's type pubsub.
func (c *Client) SubscriptionCount() int {
	if c.ps == nil {
		return 0
	}
	return len(c.ps.channels) + len(c.ps.patterns) + len(c.ps.shards)
}

// replyCount is the count an (un)subscribe reply of kind k carries: shard
// subscriptions for the S forms, channels and patterns for the others.
func (c *Client) replyCount(k subKind) int {
	if c.ps == nil {
		return 0
	}
	if k == subShard {
		return len(c.ps.shards)
	}
	return len(c.ps.channels) + len(c.ps.patterns)
}

// PubSubChannels is INFO's pubsub_channels.
func (e *Engine) PubSubChannels() int { return len(e.ps.channels) }

// PubSubPatterns is INFO's pubsub_patterns.
func (e *Engine) PubSubPatterns() int { return len(e.ps.patOrder) }

// PubSubShardChannels is INFO's pubsubshard_channels.
func (e *Engine) PubSubShardChannels() int { return len(e.ps.shards) }

func (c *Ctx) clientPS() *clientPubSub {
	if c.Cl.ps == nil {
		c.Cl.ps = &clientPubSub{e: c.E}
	}
	if c.E.ps.channels == nil {
		c.E.ps.channels = make(map[string][]*Client)
		c.E.ps.patterns = make(map[string][]*Client)
		c.E.ps.shards = make(map[string][]*Client)
	}
	return c.Cl.ps
}

// subReply writes one (un)subscribe confirmation of subscription kind k: a
// push in RESP3.
func (c *Ctx) subReply(k subKind, kind string, name []byte, null bool) {
	defer c.Cl.keepPush(c.W.Buffered()) // a push: CLIENT REPLY OFF spares it
	c.W.Push(3)
	c.W.BulkString(kind)
	if null {
		c.W.Null()
	} else {
		c.W.Bulk(name)
	}
	c.W.Int(int64(c.Cl.replyCount(k)))
}

func cmdSubscribe(c *Ctx)  { c.subscribeCmd(subChannel, "subscribe") }
func cmdPSubscribe(c *Ctx) { c.subscribeCmd(subPattern, "psubscribe") }

func cmdSSubscribe(c *Ctx) {
	// Redis refuses it inside EXEC (a client that expects one reply per
	// command), though it lets SUBSCRIBE through.
	if c.E.depth > 1 {
		c.Err("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	c.subscribeCmd(subShard, "ssubscribe")
}

func (c *Ctx) subscribeCmd(k subKind, kind string) {
	ps := c.clientPS()
	own, reg := ps.list(k), c.E.ps.registry(k)
	for _, a := range c.Args[1:] {
		name := string(a)
		if !slices.Contains(*own, name) {
			*own = append(*own, name)
			if k == subPattern && len(reg[name]) == 0 {
				c.E.ps.patOrder = append(c.E.ps.patOrder, name)
			}
			reg[name] = append(reg[name], c.Cl)
		}
		c.subReply(k, kind, a, false)
	}
}

func cmdUnsubscribe(c *Ctx)  { c.unsubscribeCmd(subChannel, "unsubscribe") }
func cmdPUnsubscribe(c *Ctx) { c.unsubscribeCmd(subPattern, "punsubscribe") }
func cmdSUnsubscribe(c *Ctx) { c.unsubscribeCmd(subShard, "sunsubscribe") }

func (c *Ctx) unsubscribeCmd(k subKind, kind string) {
	names := c.Args[1:]
	if len(names) == 0 {
		var all []string
		if ps := c.Cl.ps; ps != nil {
			all = slices.Clone(*ps.list(k))
		}
		if len(all) == 0 {
			c.subReply(k, kind, nil, true)
			return
		}
		for _, n := range all {
			c.E.unsubscribe(c.Cl, n, k)
			c.subReply(k, kind, []byte(n), false)
		}
		return
	}
	for _, n := range names {
		c.E.unsubscribe(c.Cl, string(n), k)
		c.subReply(k, kind, n, false)
	}
}

// list is the client's subscriptions of kind k.
func (ps *clientPubSub) list(k subKind) *[]string {
	switch k {
	case subPattern:
		return &ps.patterns
	case subShard:
		return &ps.shards
	}
	return &ps.channels
}

// registry is the server-wide subscriber lists of kind k.
func (s *pubsubState) registry(k subKind) map[string][]*Client {
	switch k {
	case subPattern:
		return s.patterns
	case subShard:
		return s.shards
	}
	return s.channels
}

// unsubscribe removes one subscription of cl, if it has it.
func (e *Engine) unsubscribe(cl *Client, name string, k subKind) {
	ps := cl.ps
	if ps == nil {
		return
	}
	own, reg := ps.list(k), e.ps.registry(k)
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
	if k == subPattern {
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
	for _, k := range []subKind{subChannel, subPattern, subShard} {
		for l := ps.list(k); len(*l) > 0; {
			ps.e.unsubscribe(c, (*l)[0], k)
		}
	}
}

func cmdPublish(c *Ctx) {
	c.W.Int(c.E.Publish(c.Args[1], c.Args[2]))
}

// Publish delivers msg to the subscribers of channel and of the patterns
// matching it, and returns how many deliveries were made. The caller holds
// the execution lock.
func (e *Engine) Publish(channel, msg []byte) int64 {
	var d delivery
	for _, cl := range e.ps.channels[string(channel)] {
		at := cl.W.Buffered()
		cl.W.Push(3)
		cl.W.BulkString("message")
		cl.W.Bulk(channel)
		cl.W.Bulk(msg)
		cl.keepPush(at)
		d.pushed(cl)
	}
	for _, p := range e.ps.patOrder {
		if !glob.Match([]byte(p), channel, false) {
			continue
		}
		for _, cl := range e.ps.patterns[p] {
			at := cl.W.Buffered()
			cl.W.Push(4)
			cl.W.BulkString("pmessage")
			cl.W.BulkString(p)
			cl.W.Bulk(channel)
			cl.W.Bulk(msg)
			cl.keepPush(at)
			d.pushed(cl)
		}
	}
	return d.finish()
}

func cmdSPublish(c *Ctx) {
	c.W.Int(c.E.SPublish(c.Args[1], c.Args[2]))
}

// SPublish delivers msg to the subscribers of shard channel and returns
// how many there were. The caller holds the execution lock.
func (e *Engine) SPublish(channel, msg []byte) int64 {
	var d delivery
	for _, cl := range e.ps.shards[string(channel)] {
		at := cl.W.Buffered()
		cl.W.Push(3)
		cl.W.BulkString("smessage")
		cl.W.Bulk(channel)
		cl.W.Bulk(msg)
		cl.keepPush(at)
		d.pushed(cl)
	}
	return d.finish()
}

// delivery counts the messages one publish appends to subscribers'
// writers and collects the subscribers whose connections refused theirs.
type delivery struct {
	n       int64
	dropped []*Client
}

// pushed records a message appended to cl's writer and tells the server.
func (d *delivery) pushed(cl *Client) {
	d.n++
	if h, ok := cl.Conn.(ConnHooks); ok && !h.PushedLocked() {
		d.dropped = append(d.dropped, cl)
	}
}

// finish drops the subscriptions of the clients being disconnected (their
// output exceeded the limit) and returns the deliveries made.
func (d *delivery) finish() int64 {
	for _, cl := range d.dropped {
		cl.unsubscribeAll()
	}
	return d.n
}

// pubsubIntercept applies RESP2's subscribed mode before a command runs:
// only the (un)subscribe commands, PING, QUIT and RESET are allowed, and
// PING answers with a "pong" message. It reports whether it answered.
func (e *Engine) pubsubIntercept(cl *Client, cmd *Command, args [][]byte) bool {
	if cl.ps == nil || cl.W.Proto() != 2 || cl.SubscriptionCount() == 0 {
		return false
	}
	switch cmd.Name {
	case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "quit", "reset":
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

func cmdPubsubChannels(c *Ctx)      { pubsubChannels(c, c.E.ps.channels) }
func cmdPubsubShardChannels(c *Ctx) { pubsubChannels(c, c.E.ps.shards) }

func pubsubChannels(c *Ctx, reg map[string][]*Client) {
	if len(c.Args) > 3 {
		c.Err(errSubcommandSyntax(c.Args[1], "PUBSUB"))
		return
	}
	var out []string
	for ch := range reg {
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

func cmdPubsubNumsub(c *Ctx)      { pubsubNumsub(c, c.E.ps.channels) }
func cmdPubsubShardNumsub(c *Ctx) { pubsubNumsub(c, c.E.ps.shards) }

func pubsubNumsub(c *Ctx, reg map[string][]*Client) {
	c.W.Array(2 * (len(c.Args) - 2)) // a flat array even in RESP3, as Redis 7.0
	for _, ch := range c.Args[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(len(reg[string(ch)])))
	}
}

func cmdPubsubHelp(c *Ctx) {
	writeHelp(c, "PUBSUB", []string{
		"CHANNELS [<pattern>]",
		"    List the channels with at least one subscriber whose names match <pattern> ('*' if omitted).",
		"NUMPAT",
		"    Reply with how many pattern subscriptions exist across all clients.",
		"NUMSUB [<channel> ...]",
		"    For each channel named, reply with its subscriber count; pattern",
		"    subscriptions are not counted (no channels if none are named).",
		"SHARDCHANNELS [<pattern>]",
		"    List the shard channels with at least one subscriber that match <pattern> ('*' if omitted).",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    For each shard channel named, reply with its subscriber count.",
	})
}

// Channels, Patterns and ShardChannels count the client's subscriptions
// (CLIENT LIST's sub=, psub= and ssub=).
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

func (c *Client) ShardChannels() int {
	if c.ps == nil {
		return 0
	}
	return len(c.ps.shards)
}
