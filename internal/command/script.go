package command

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
)

// Lua scripting: EVAL, EVALSHA, their read-only forms and SCRIPT.
//
// A script runs entirely inside the EVAL command, under the execution lock,
// so nothing else runs while it does and it cannot re-enter the lock:
// redis.call runs a handler directly (script_lua.go), on a pseudo-client of
// the engine whose replies go to a buffer and are read back as Lua values
// (script_convert.go). A script is logged as its effects: each write
// command it runs records its own deterministic record(s), and the call's
// records are wrapped in MULTI/EXEC when there are several (finishCall), as
// for any command. The EVAL itself is never logged.

func scriptCommands() []spec {
	const g = "scripting"
	const evalKeys = "RW access update index(2) keynum(0,1,1)"
	const roKeys = "RO access index(2) keynum(0,1,1)"
	return []spec{
		{name: "eval", arity: -3, flags: "noscript stale skip_monitor no_mandatory_keys", keys: evalKeys, acl: "@slow @scripting", group: g, summary: "Runs a Lua script on the server with the given keys and arguments.", run: cmdEval},
		{name: "evalsha", arity: -3, flags: "noscript stale skip_monitor no_mandatory_keys", keys: evalKeys, acl: "@slow @scripting", group: g, summary: "Runs a cached Lua script named by its SHA1 digest.", run: cmdEvalSha},
		{name: "eval_ro", arity: -3, flags: "readonly noscript stale skip_monitor no_mandatory_keys", keys: roKeys, acl: "@slow @scripting", group: g, summary: "Runs a Lua script that is not allowed to write.", run: cmdEvalRO},
		{name: "evalsha_ro", arity: -3, flags: "readonly noscript stale skip_monitor no_mandatory_keys", keys: roKeys, acl: "@slow @scripting", group: g, summary: "Runs a cached Lua script, named by its SHA1 digest, that may not write.", run: cmdEvalShaRO},
		{name: "script", arity: -2, acl: "@slow", group: g, summary: "Groups the subcommands that manage the Lua script cache.", subs: []spec{
			{name: "exists", arity: -3, flags: "noscript", acl: "@slow @scripting", tips: "request_policy:all_shards response_policy:agg_logical_and", run: cmdScriptExists},
			{name: "flush", arity: -2, flags: "noscript", acl: "@slow @scripting", tips: "request_policy:all_nodes response_policy:all_succeeded", run: cmdScriptFlush},
			{name: "help", arity: 2, flags: "loading stale", acl: "@slow @scripting", run: cmdScriptHelp},
			{name: "kill", arity: 2, flags: "noscript allow_busy", acl: "@slow @scripting", tips: "request_policy:all_shards response_policy:one_succeeded", run: cmdScriptKill},
			{name: "load", arity: 3, flags: "noscript stale", acl: "@slow @scripting", tips: "request_policy:all_nodes response_policy:all_succeeded", run: cmdScriptLoad},
		}, run: runSubcommand},
	}
}

const (
	errNoScript           = "NOSCRIPT No matching script. Please use EVAL."
	errNumKeysNegative    = "ERR Number of keys can't be negative"
	errNumKeysTooMany     = "ERR Number of keys can't be greater than number of args"
	errScriptFlushMode    = "ERR SCRIPT FLUSH only support SYNC|ASYNC option"
	errNotBusy            = "NOTBUSY No scripts in execution right now."
	errShebangInvalid     = "ERR Invalid script shebang"
	errShebangEngine      = "ERR Unexpected engine in script shebang: "
	errShebangOption      = "ERR Unknown lua shebang option: "
	errShebangFlag        = "ERR Unexpected flag in script shebang: "
	errCompilePrefix      = "ERR Error compiling script (new function): "
	errScriptCallArgs     = "ERR Please specify at least one argument for this redis lib call"
	errScriptArgType      = "ERR Lua redis lib command arguments must be strings or integers"
	errScriptUnknownCmd   = "ERR Unknown Redis command called from script"
	errScriptArity        = "ERR Wrong number of args calling Redis command from script"
	errScriptNoScript     = "ERR This Redis command is not allowed from script"
	errScriptReadOnly     = "ERR Write commands are not allowed from read-only scripts."
	errScriptROWithWrites = "ERR Can not execute a script with write flag using *_ro command."
)

func cmdEval(c *Ctx)      { c.eval(false, false) }
func cmdEvalSha(c *Ctx)   { c.eval(true, false) }
func cmdEvalRO(c *Ctx)    { c.eval(false, true) }
func cmdEvalShaRO(c *Ctx) { c.eval(true, true) }
func sha1hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// scripts returns the engine's scripting state, creating it on first use.
func (e *Engine) scripts() *scriptState {
	if e.lua == nil {
		e.lua = &scriptState{cache: make(map[string]*script)}
	}
	return e.lua
}

func (c *Ctx) eval(bySha, readOnly bool) {
	// EVALSHA refuses a digest of the wrong length before anything else.
	if bySha && len(c.Args[1]) != 40 {
		c.Err(errNoScript)
		return
	}
	n, ok := parseInt(c.Args[2])
	if !ok {
		c.Err(ErrNotInt)
		return
	}
	if n > int64(len(c.Args)-3) {
		c.Err(errNumKeysTooMany)
		return
	}
	if n < 0 {
		c.Err(errNumKeysNegative)
		return
	}
	ss := c.E.scripts()
	var s *script
	if bySha {
		s = ss.cache[strings.ToLower(string(c.Args[1]))]
		if s == nil {
			c.Err(errNoScript)
			return
		}
	} else {
		var msg string
		if s, msg = ss.load(c.Args[1]); s == nil {
			c.Err(msg)
			return
		}
	}
	// A script that declares its flags (a shebang) and may write is
	// refused up front where writes are: while the server refuses writes,
	// and by the _RO commands. Others find out at their first write.
	if s.shebang && !s.noWrites {
		if c.E.Host != nil {
			if msg := c.E.Host.WriteError(); msg != "" {
				c.Err(msg)
				return
			}
		}
		if readOnly {
			c.Err(errScriptROWithWrites)
			return
		}
	}
	keys := c.Args[3 : 3+n]
	argv := c.Args[3+n:]
	ss.run(c, s, keys, argv, readOnly || s.noWrites)
}

// script is one cached script: its body compiled once, and its shebang
// flags.
type script struct {
	sha      string
	body     []byte
	shebang  bool // declares its flags: "#!lua ..."
	noWrites bool
	fn       any // *lua.LFunction, compiled in the current Lua state
}

// load finds or compiles the script body; on failure it returns nil and the
// error reply.
func (ss *scriptState) load(body []byte) (*script, string) {
	sha := sha1hex(body)
	if s := ss.cache[sha]; s != nil {
		return s, ""
	}
	s := &script{sha: sha, body: append([]byte(nil), body...)}
	src := s.body
	if bytes.HasPrefix(src, []byte("#!")) {
		nl := bytes.IndexByte(src, '\n')
		if nl < 0 {
			return nil, errShebangInvalid
		}
		s.shebang = true
		if msg := s.parseShebang(string(src[:nl])); msg != "" {
			return nil, msg
		}
		// Compile the shebang as a comment so that line numbers hold.
		src = append([]byte("--"), src[2:]...)
	}
	fn, msg := ss.compile(src)
	if fn == nil {
		return nil, msg
	}
	s.fn = fn
	ss.cache[sha] = s
	return s, ""
}

func (s *script) parseShebang(line string) string {
	parts := strings.Split(line, " ")
	if parts[0] != "#!lua" {
		return errShebangEngine + parts[0]
	}
	for _, p := range parts[1:] {
		if p == "" {
			continue
		}
		flags, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return errShebangOption + p
		}
		for _, f := range strings.Split(flags, ",") {
			switch f {
			case "no-writes":
				s.noWrites = true
			case "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys", "":
			default:
				return errShebangFlag + f
			}
		}
	}
	return ""
}

func cmdScriptLoad(c *Ctx) {
	s, msg := c.E.scripts().load(c.Args[2])
	if s == nil {
		c.Err(msg)
		return
	}
	c.W.BulkString(s.sha)
}

func cmdScriptExists(c *Ctx) {
	ss := c.E.scripts()
	c.W.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		if ss.cache[strings.ToLower(string(a))] != nil {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

func cmdScriptFlush(c *Ctx) {
	if len(c.Args) > 3 || (len(c.Args) == 3 && !strings.EqualFold(string(c.Args[2]), "sync") && !strings.EqualFold(string(c.Args[2]), "async")) {
		c.Err(errScriptFlushMode)
		return
	}
	// Flushing drops the whole Lua state, as Redis does: globals a script
	// may have left behind (through loadstring's environment) go too.
	if ss := c.E.lua; ss != nil {
		ss.close()
		c.E.lua = nil
	}
	c.OK()
}

// cmdScriptKill: a script runs to its end under the execution lock, so no
// other client can ever see one running.
func cmdScriptKill(c *Ctx) { c.Err(errNotBusy) }

func cmdScriptHelp(c *Ctx) {
	writeHelp(c, "SCRIPT", []string{
		"DEBUG (YES|SYNC|NO)",
		"    Choose the Lua debugger mode for the scripts that follow.",
		"EXISTS <sha1> [<sha1> ...]",
		"    For each digest, reply 1 if that script is cached, 0 if not.",
		"FLUSH [ASYNC|SYNC]",
		"    Empty the cache of Lua scripts.",
		"    Without a mode, the lazyfree-lazy-user-flush setting decides how the",
		"    cache is freed. The modes are:",
		"    * ASYNC: free the cached scripts in the background.",
		"    * SYNC: free the cached scripts before replying.",
		"KILL",
		"    Stop a Lua script that has run for too long.",
		"LOAD <script>",
		"    Cache a script without running it and reply with its SHA1 digest.",
	})
}

// formatLuaNumber is how a Lua number becomes a command argument in
// redis.call: "%.17g".
func formatLuaNumber(f float64) []byte {
	return strconv.AppendFloat(nil, f, 'g', 17, 64)
}

// ScriptCache reports the number of cached scripts and the size of their
// bodies (INFO's number_of_cached_scripts, used_memory_scripts_eval). The
// caller holds the execution lock.
func (e *Engine) ScriptCache() (n int, bodyBytes int64) {
	if e.lua == nil {
		return 0, 0
	}
	for _, s := range e.lua.cache {
		bodyBytes += int64(len(s.body))
	}
	return len(e.lua.cache), bodyBytes
}
