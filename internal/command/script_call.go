package command

import (
	"bytes"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/kevy-db/kevy/resp"
)

// The redis table scripts see: redis.call and its helpers.

// ScriptLogger is implemented by a Host that writes redis.log's messages
// to the server's log; level is redis.LOG_DEBUG (0) to LOG_WARNING (3).
// Without one the messages are dropped.
type ScriptLogger interface {
	ScriptLog(level int, msg string)
}

func (ss *scriptState) redisLib() *lua.LTable {
	L := ss.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":        func(L *lua.LState) int { return ss.call(L, true) },
		"pcall":       func(L *lua.LState) int { return ss.call(L, false) },
		"error_reply": luaErrorReply,
		"status_reply": func(L *lua.LState) int {
			s, ok := L.Get(1).(lua.LString)
			if L.GetTop() != 1 || !ok {
				L.Push(errorTable(L, "ERR wrong number or type of arguments"))
				return 1
			}
			r := L.NewTable()
			r.RawSetString("ok", s)
			L.Push(r)
			return 1
		},
		"sha1hex": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				raise(L, "ERR wrong number of arguments")
			}
			var b []byte
			switch v := L.Get(1).(type) {
			case lua.LString, lua.LNumber:
				b = []byte(v.String())
			}
			L.Push(lua.LString(sha1hex(b)))
			return 1
		},
		"log": func(L *lua.LState) int {
			if L.GetTop() < 2 {
				raise(L, "ERR redis.log() requires two arguments or more.")
			}
			lvl, ok := L.Get(1).(lua.LNumber)
			if !ok {
				raise(L, "ERR First argument must be a number.")
			}
			if lvl < 0 || lvl > 3 {
				raise(L, "ERR Invalid debug level.")
			}
			if lg, ok := ss.caller.E.Host.(ScriptLogger); ok {
				var parts []string
				for i := 2; i <= L.GetTop(); i++ {
					switch v := L.Get(i).(type) {
					case lua.LString, lua.LNumber:
						parts = append(parts, v.String())
					}
				}
				lg.ScriptLog(int(lvl), strings.Join(parts, " "))
			}
			return 0
		},
		"setresp": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				raise(L, "ERR redis.setresp() requires one argument.")
			}
			n := lua.LVAsNumber(L.Get(1))
			if n != 2 && n != 3 {
				raise(L, "ERR RESP version must be 2 or 3.")
			}
			ss.cl.W.SetProto(int(n))
			return 0
		},
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"set_repl":           func(L *lua.LState) int { return 0 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	for name, v := range map[string]int{
		"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2, "REPL_ALL": 3,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(ServerVersion))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(versionNum(ServerVersion)))
	return t
}

// versionNum is "7.0.15" as 0x07000f.
func versionNum(v string) int {
	n := 0
	for _, p := range strings.SplitN(v, ".", 3) {
		x, _ := strconv.Atoi(p)
		n = n<<8 | x
	}
	return n
}

// errorText gives an error the "CODE message" form of a script's error
// tables: "-CODE message" loses its dash, and a text without a code, or
// "-word" alone, gets ERR.
func errorText(s string) string {
	code, msg := "ERR", s
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			code, msg = rest[:i], rest[i+1:]
		} else {
			msg = rest
		}
	}
	return code + " " + strings.Trim(msg, "\r\n")
}

func errorTable(L *lua.LState, msg string) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("err", lua.LString(msg))
	return t
}

// raise raises msg as an error table; the error handler adds where.
func raise(L *lua.LState, msg string) {
	L.Error(errorTable(L, msg), 0)
}

func luaErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "ERR wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, errorText(msg)))
	return 1
}

// call is redis.call (raise) and redis.pcall: it runs one command and
// returns its reply as a Lua value. Errors are raised by redis.call and
// returned as {err=...} by redis.pcall.
func (ss *scriptState) call(L *lua.LState, raiseErr bool) int {
	fail := func(msg string) int {
		if raiseErr {
			raise(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	argc := L.GetTop()
	if argc == 0 {
		return fail(errScriptCallArgs)
	}
	args := make([][]byte, argc)
	for i := range args {
		switch v := L.Get(i + 1).(type) {
		case lua.LString:
			args[i] = []byte(v)
		case lua.LNumber:
			args[i] = formatLuaNumber(float64(v))
		default:
			return fail(errScriptArgType)
		}
	}
	reply, msg := ss.exec(L, args)
	if msg != "" {
		return fail(msg)
	}
	if reply.Kind == '-' {
		return fail(errorText("-" + string(reply.Str)))
	}
	L.Push(ss.toLua(L, reply))
	return 1
}

const maxIdleScriptReply = 1 << 20

// exec runs a command for the script as Redis's scriptCall does: unknown
// commands and subcommands, wrong arities, commands flagged noscript and
// writes a read-only script may not do are refused with Redis's texts.
func (ss *scriptState) exec(L *lua.LState, args [][]byte) (resp.Value, string) {
	e := ss.caller.E
	if ss.handlerPanic != nil { // a script's pcall caught the unwinding
		L.RaiseError("command handler panicked")
	}
	cmd := e.Table.Lookup(args[0])
	eff := cmd
	if cmd != nil && len(cmd.Subs) > 0 && len(args) >= 2 {
		eff = cmd.Sub(args[1])
	}
	if eff == nil {
		return resp.Value{}, errScriptUnknownCmd
	}
	if !eff.arityOK(len(args)) {
		return resp.Value{}, errScriptArity
	}
	if eff.Flags&FlagNoScript != 0 {
		return resp.Value{}, errScriptNoScript
	}
	if eff.Flags&FlagWrite != 0 {
		if ss.roMode {
			return resp.Value{}, errScriptReadOnly
		}
		if e.Host != nil {
			if msg := e.Host.WriteError(); msg != "" {
				return resp.Value{}, msg
			}
		}
	}
	if !ss.runHandler(cmd, args) {
		L.RaiseError("command handler panicked") // unwinds the script; run re-panics
	}
	ss.cl.W.Flush()
	raw := ss.out.Bytes()
	defer func() {
		ss.out.Reset()
		if ss.out.Cap() > maxIdleScriptReply {
			ss.out = bytes.Buffer{} // do not keep one huge reply's buffer
		}
	}()
	if len(raw) == 0 {
		return resp.Value{Kind: '_', Null: true}, ""
	}
	v, err := resp.NewReplyReader(bytes.NewReader(raw)).ReadReply()
	if err != nil {
		return resp.Value{}, "ERR " + err.Error()
	}
	return v, ""
}

// runHandler runs a command for the script. A handler that panics must
// not be turned into a script error by the interpreter's own recovery (the
// engine's state may be half changed): the panic is kept, the script
// unwound, and run panics again once outside the interpreter, as the
// handler would have outside a script.
func (ss *scriptState) runHandler(cmd *Command, args [][]byte) (ok bool) {
	e := ss.caller.E
	e.depth++ // >1: blocking commands answer at once, as inside MULTI
	defer func() {
		e.depth--
		if !ok {
			ss.handlerPanic = recover()
		}
	}()
	e.run(ss.cl, cmd, args)
	return true
}
