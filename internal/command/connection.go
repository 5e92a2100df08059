package command

import (
	"strconv"
)

// ServerVersion is the Redis version kevy reports, since clients and tools
// decide what they may send from it.
const ServerVersion = "7.0.15"

func connectionCommands() []spec {
	const g = "connection"
	return []spec{
		{name: "ping", arity: -1, flags: "fast", acl: "@fast @connection", tips: "request_policy:all_shards response_policy:all_succeeded", group: g, summary: "Checks that the server answers: PONG, or the given message echoed back.", run: cmdPing},
		{name: "echo", arity: 2, flags: "loading stale fast", acl: "@fast @connection", group: g, summary: "Replies with its argument unchanged.", run: cmdEcho},
		{name: "select", arity: 2, flags: "loading stale fast", acl: "@fast @connection", group: g, summary: "Switches this connection to another numbered database.", run: cmdSelect},
		{name: "quit", arity: -1, flags: "noscript loading stale fast no_auth allow_busy", acl: "@fast @connection", group: g, summary: "Asks the server to reply OK and close this connection.", run: cmdQuit},
		{name: "hello", arity: -1, flags: "noscript loading stale fast no_auth allow_busy", acl: "@fast @connection", group: g, summary: "Picks the protocol version, optionally authenticates, and describes the server.", run: cmdHello},
		{name: "auth", arity: -2, flags: "noscript loading stale fast no_auth allow_busy", acl: "@fast @connection", group: g, summary: "Logs this connection in with a password, or a user name and password.", run: cmdAuth},
		{name: "reset", arity: 1, flags: "noscript loading stale fast no_auth allow_busy", acl: "@fast @connection", group: g, summary: "Returns this connection to its freshly opened state.", run: cmdReset},
		{name: "client", arity: -2, acl: "@slow", group: g, summary: "Groups the subcommands that inspect and manage client connections.", run: runSubcommand, subs: []spec{
			{name: "id", arity: 2, flags: "noscript loading stale", acl: "@slow @connection", run: func(c *Ctx) { c.W.Int(c.Cl.ID) }},
			{name: "setname", arity: 3, flags: "noscript loading stale", acl: "@slow @connection", run: cmdClientSetName},
			{name: "getname", arity: 2, flags: "noscript loading stale", acl: "@slow @connection", run: cmdClientGetName},
			{name: "list", arity: -2, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous @connection", tips: "nondeterministic_output", run: cmdClientList},
			{name: "info", arity: 2, flags: "noscript loading stale", acl: "@slow @connection", tips: "nondeterministic_output", run: func(c *Ctx) { c.W.Verbatim("txt", c.E.Host.ClientInfo(c.Cl)) }},
			{name: "kill", arity: -3, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous @connection", run: cmdClientKill},
			{name: "pause", arity: -3, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous @connection", run: cmdClientPause},
			{name: "unpause", arity: 2, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous @connection", run: cmdClientUnpause},
			{name: "reply", arity: 3, flags: "noscript loading stale", acl: "@slow @connection", run: cmdClientReply},
			{name: "no-evict", arity: 3, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous @connection", run: cmdClientNoEvict},
			{name: "unblock", arity: -3, flags: "admin noscript loading stale", acl: "@admin @slow @dangerous @connection", run: cmdClientUnblock},
			{name: "getredir", arity: 2, flags: "noscript loading stale", acl: "@slow @connection", run: cmdClientGetRedir},
			{name: "tracking", arity: -3, flags: "noscript loading stale", acl: "@slow @connection", run: cmdClientTracking},
			{name: "trackinginfo", arity: 2, flags: "noscript loading stale", acl: "@slow @connection", run: cmdClientTrackingInfo},
			{name: "caching", arity: 3, flags: "noscript loading stale", acl: "@slow @connection", run: cmdClientCaching},
			{name: "help", arity: 2, flags: "loading stale", acl: "@slow @connection", run: cmdClientHelp},
		}},
	}
}

func cmdPing(c *Ctx) {
	switch len(c.Args) {
	case 1:
		c.W.SimpleString("PONG")
	case 2:
		c.W.Bulk(c.Args[1])
	default:
		c.Err(errArity("ping"))
	}
}

func cmdEcho(c *Ctx) { c.W.Bulk(c.Args[1]) }

func cmdSelect(c *Ctx) {
	v, ok := parseInt(c.Args[1])
	if !ok || v < -1<<31 || v > 1<<31-1 {
		c.Err(ErrNotInt)
		return
	}
	if v < 0 || v >= int64(c.St.NumDB()) {
		c.Err(ErrDBIndex)
		return
	}
	c.Cl.DB = int(v)
	c.OK()
}

func cmdQuit(c *Ctx) {
	c.OK()
	c.Cl.CloseAfterReply = true
}

func (c *Ctx) checkPassword(user, pass []byte) bool {
	want := ""
	if c.E.Host != nil {
		want = c.E.Host.RequirePass()
	}
	if user != nil && string(user) != "default" {
		return false
	}
	if want == "" {
		return true // the default user has nopass
	}
	return string(pass) == want
}

func cmdAuth(c *Ctx) {
	if len(c.Args) > 3 {
		c.Err(ErrSyntax)
		return
	}
	if len(c.Args) == 2 && (c.E.Host == nil || c.E.Host.RequirePass() == "") {
		c.Err(ErrAuthNoPass)
		return
	}
	var user, pass []byte
	if len(c.Args) == 3 {
		user, pass = c.Args[1], c.Args[2]
	} else {
		pass = c.Args[1]
	}
	if !c.checkPassword(user, pass) {
		c.Err(ErrWrongPass)
		return
	}
	c.Cl.Authenticated = true
	c.OK()
}

func cmdHello(c *Ctx) {
	ver := int64(0)
	if len(c.Args) >= 2 {
		v, ok := parseInt(c.Args[1])
		if !ok {
			c.Err("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.Err("NOPROTO unsupported protocol version")
			return
		}
		ver = v
	}
	var user, pass, name []byte
	authSeen, nameSeen := false, false
	for i := 2; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch {
		case is(c.Args[i], "auth") && more >= 2:
			user, pass = c.Args[i+1], c.Args[i+2]
			authSeen = true
			i += 2
		case is(c.Args[i], "setname") && more >= 1:
			name = c.Args[i+1]
			nameSeen = true
			i++
		default:
			c.Err("ERR Syntax error in HELLO option '" + string(c.Args[i]) + "'")
			return
		}
	}
	if authSeen {
		if !c.checkPassword(user, pass) {
			c.Err(ErrWrongPass)
			return
		}
		c.Cl.Authenticated = true
	}
	if !c.Cl.Authenticated && c.E.Host != nil && c.E.Host.RequirePass() != "" {
		c.Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if nameSeen {
		if !validClientName(name) {
			c.Err("ERR Client names cannot contain spaces, newlines or special characters.")
			return
		}
		c.Cl.Name = string(name)
	}
	if ver != 0 {
		c.W.SetProto(int(ver))
	}
	c.W.Map(7)
	c.W.BulkString("server")
	c.W.BulkString("redis")
	c.W.BulkString("version")
	c.W.BulkString(ServerVersion)
	c.W.BulkString("proto")
	c.W.Int(int64(c.W.Proto()))
	c.W.BulkString("id")
	c.W.Int(c.Cl.ID)
	c.W.BulkString("mode")
	c.W.BulkString("standalone")
	c.W.BulkString("role")
	c.W.BulkString("master")
	c.W.BulkString("modules")
	c.W.Array(0)
}

func cmdReset(c *Ctx) {
	c.E.TrackingOff(c.Cl)
	c.Cl.Reset()
	if c.E.Host != nil && c.E.Host.RequirePass() != "" {
		c.Cl.Authenticated = false
	}
	c.W.SimpleString("RESET")
}

func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func cmdClientSetName(c *Ctx) {
	name := c.Args[2]
	if !validClientName(name) {
		c.Err("ERR Client names cannot contain spaces, newlines or special characters.")
		return
	}
	c.Cl.Name = string(name)
	c.OK()
}

func cmdClientGetName(c *Ctx) {
	if c.Cl.Name == "" {
		c.W.Null()
		return
	}
	c.W.BulkString(c.Cl.Name)
}

func cmdClientList(c *Ctx) {
	typ := ""
	var ids []int64
	args := c.Args[2:]
	switch {
	case len(args) == 0:
	case len(args) == 2 && is(args[0], "type"):
		typ = string(args[1])
		switch {
		case is(args[1], "normal"), is(args[1], "master"), is(args[1], "replica"), is(args[1], "slave"), is(args[1], "pubsub"):
			typ = string(args[1])
		default:
			c.Err("ERR Unknown client type '" + string(args[1]) + "'")
			return
		}
	case len(args) >= 2 && is(args[0], "id"):
		for _, a := range args[1:] {
			v, ok := parseInt(a)
			if !ok || v <= 0 {
				c.Err("ERR Invalid client ID")
				return
			}
			ids = append(ids, v)
		}
	default:
		c.Err(ErrSyntax)
		return
	}
	c.W.Verbatim("txt", c.E.Host.ClientList(c.Cl, typ, ids))
}

func cmdClientKill(c *Ctx) {
	args := c.Args[2:]
	if len(args) == 1 {
		n := c.E.Host.KillClients(KillFilter{Addr: string(args[0]), Old: true}, c.Cl)
		if n == 0 {
			c.Err("ERR No such client")
			return
		}
		c.OK()
		return
	}
	if len(args)%2 != 0 {
		c.Err(ErrSyntax)
		return
	}
	f := KillFilter{SkipMe: true}
	for i := 0; i < len(args); i += 2 {
		k, v := args[i], args[i+1]
		switch {
		case is(k, "id"):
			id, ok := parseInt(v)
			if !ok || id <= 0 {
				c.Err("ERR client-id should be greater than 0")
				return
			}
			f.ID, f.HasID = id, true
		case is(k, "addr"):
			f.Addr = string(v)
		case is(k, "laddr"):
			f.LAddr = string(v)
		case is(k, "type"):
			switch {
			case is(v, "normal"), is(v, "master"), is(v, "replica"), is(v, "slave"), is(v, "pubsub"):
				f.Type = string(v)
			default:
				c.Err("ERR Unknown client type '" + string(v) + "'")
				return
			}
		case is(k, "user"):
			if string(v) != "default" {
				c.Err("ERR No such user '" + string(v) + "'")
				return
			}
		case is(k, "skipme"):
			switch {
			case is(v, "yes"):
				f.SkipMe = true
			case is(v, "no"):
				f.SkipMe = false
			default:
				c.Err(ErrSyntax)
				return
			}
		case is(k, "maxage"):
			age, ok := parseInt(v)
			if !ok {
				c.Err(ErrNotInt)
				return
			}
			f.MaxAgeMs = age * 1000
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	c.W.Int(int64(c.E.Host.KillClients(f, c.Cl)))
}

func cmdClientHelp(c *Ctx) {
	writeHelp(c, "CLIENT", []string{
		"CACHING (YES|NO)",
		"    In OPTIN or OPTOUT mode, decide whether the next command's keys are tracked.",
		"GETREDIR",
		"    Reply with the id of the client that receives our invalidations, if any.",
		"GETNAME",
		"    Reply with this connection's name.",
		"ID",
		"    Reply with this connection's numeric id.",
		"INFO",
		"    Reply with a one-line description of this connection.",
		"KILL <ip:port>",
		"    Close the connection whose peer address is <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Close every connection matching all the filters given:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      peer address is the one given.",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      local address the connection came in on is the one given.",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      connection is of the given kind.",
		"    * USER <username>",
		"      connection is logged in as <username>.",
		"    * SKIPME (YES|NO)",
		"      leave the calling connection open (yes unless told otherwise).",
		"    * ID <client-id>",
		"      connection has the given id.",
		"    * MAXAGE <maxage>",
		"      connection has been open longer than <maxage> seconds.",
		"LIST [options ...]",
		"    Reply with one line per connection, optionally filtered:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      only connections of the given kind.",
		"UNPAUSE",
		"    End a CLIENT PAUSE early so that commands flow again.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Hold back every command, or only writes, for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Turn this connection's replies on or off, or skip the next one.",
		"SETNAME <name>",
		"    Give this connection the name <name>.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Wake a client waiting in a blocking command, as a timeout or an error.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Turn key invalidation messages for client-side caches on or off.",
		"TRACKINGINFO",
		"    Reply with this connection's tracking settings.",
		"NO-EVICT (ON|OFF)",
		"    Exempt this connection from client eviction, or not.",
	})
}

var _ = strconv.Itoa
