package command

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"runtime/metrics"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/kevy-db/kevy/resp"
)

// scriptState is an engine's Lua interpreter (github.com/yuin/gopher-lua,
// Lua 5.1 like Redis's), its script cache and the pseudo-client that
// redis.call runs commands as. It is used only under the execution lock.
type scriptState struct {
	L     *lua.LState
	cache map[string]*script // by lower-case SHA1
	env   *lua.LTable        // the protected globals scripts see
	real  *lua.LTable        // the globals behind env
	guard *lua.LTable        // metatable of the protected tables
	prot  map[*lua.LTable]bool

	cl      *Client // runs the script's commands; replies go to out
	out     bytes.Buffer
	caller  *Ctx // the EVAL running, nil between scripts
	sha     string
	roMode  bool
	handler *lua.LFunction
	// handlerPanic is what a command handler run by the script panicked
	// with (runHandler).
	handlerPanic any
	// chunkSrc maps the names of the script's loadstring chunks to their
	// sources, which error replies show; cleared for every script.
	chunkSrc map[string]string
}

func (ss *scriptState) close() {
	if ss.L != nil {
		ss.L.Close()
	}
}

// state creates the interpreter on first use: the libraries Redis exposes,
// minus what reaches files or the process, with the globals and library
// tables read-only.
func (ss *scriptState) state() *lua.LState {
	if ss.L != nil {
		return ss.L
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true, RegistrySize: 1024 * 20, RegistryMaxSize: 1024 * 1024 * 8})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	ss.L = L
	ss.real = L.G.Global
	ss.chunkSrc = make(map[string]string)
	for _, name := range []string{"print", "dofile", "loadfile", "setfenv", "getfenv", "require", "module", "newproxy", "_printregs", "_GOPHER_LUA_VERSION"} {
		ss.real.RawSetString(name, lua.LNil)
	}
	// error(5) reports its position like any message, as Lua 5.1 does.
	baseError := ss.real.RawGetString("error").(*lua.LFunction)
	ss.real.RawSetString("error", L.NewFunction(func(L *lua.LState) int {
		if n, ok := L.Get(1).(lua.LNumber); ok {
			L.Replace(1, lua.LString(n.String()))
		}
		return baseError.GFunction(L)
	}))
	// tostring writes numbers as Lua 5.1 does ("%.14g"); gopher-lua's
	// own form is Go's shortest one (concatenation keeps it).
	baseTostring := ss.real.RawGetString("tostring").(*lua.LFunction)
	ss.real.RawSetString("tostring", L.NewFunction(func(L *lua.LState) int {
		if n, ok := L.Get(1).(lua.LNumber); ok {
			L.Push(lua.LString(strconv.FormatFloat(float64(n), 'g', 14, 64)))
			return 1
		}
		return baseTostring.GFunction(L)
	}))
	// loadstring's functions see the protected globals too, or a script
	// could leave globals behind for the next one.
	ss.real.RawSetString("loadstring", L.NewFunction(func(L *lua.LState) int {
		src := L.CheckString(1)
		name := L.OptString(2, src)
		chunk := luaChunkID(name)
		fn, err := L.Load(strings.NewReader(src), chunk)
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(syntaxError(chunk, []byte(src), err)))
			return 2
		}
		if !strings.HasPrefix(name, "@") && !strings.HasPrefix(name, "=") {
			ss.chunkSrc[chunk] = name // error replies name the source itself
		}
		fn.Env = ss.env
		L.Push(fn)
		return 1
	}))
	// gopher-lua's collectgarbage runs a full Go GC, under the execution
	// lock: report the heap instead, and collect nothing.
	heapKB := func(L *lua.LState) int {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		kb := 0.0
		if s[0].Value.Kind() == metrics.KindUint64 {
			kb = float64(s[0].Value.Uint64()) / 1024
		}
		L.Push(lua.LNumber(kb))
		return 1
	}
	ss.real.RawSetString("collectgarbage", L.NewFunction(func(L *lua.LState) int {
		if L.OptString(1, "collect") == "count" {
			return heapKB(L)
		}
		L.Push(lua.LNumber(0))
		return 1
	}))
	ss.real.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int {
		heapKB(L)
		L.Replace(-1, lua.LNumber(math.Floor(float64(L.Get(-1).(lua.LNumber)))))
		return 1
	}))
	// pcall catches an error table as its message, as Redis 7's does.
	basePcall := ss.real.RawGetString("pcall").(*lua.LFunction)
	ss.real.RawSetString("pcall", L.NewFunction(func(L *lua.LState) int {
		n := basePcall.GFunction(L)
		base := L.GetTop() - n + 1
		if n >= 2 && L.Get(base) == lua.LFalse {
			switch e := L.Get(base + 1).(type) {
			case *lua.LTable:
				if msg, ok := e.RawGetString("err").(lua.LString); ok {
					L.Replace(base+1, msg)
				}
			case lua.LString:
				L.Replace(base+1, lua.LString(lua51Words(string(e))))
			}
		}
		return n
	}))
	ss.real.RawSetString("redis", ss.redisLib())
	ss.real.RawSetString("bit", bitLib(L))
	ss.real.RawSetString("cjson", cjsonLib(L))
	ss.cl = &Client{ID: -1, Authenticated: true, W: resp.NewWriter(&ss.out)}
	ss.handler = L.NewFunction(ss.errorHandler)
	ss.protect()
	return L
}

// protect makes the globals and every library table read-only, and reading
// an undefined global an error, as Redis 7 does. gopher-lua has no
// read-only tables, so scripts see proxies: empty tables whose metatable
// reads through to the real one and refuses writes.
func (ss *scriptState) protect() {
	L := ss.L
	ss.prot = make(map[*lua.LTable]bool)
	readonly := L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Attempt to modify a readonly table")
		return 0
	})
	proxy := func(t *lua.LTable) *lua.LTable {
		p := L.NewTable()
		mt := L.NewTable()
		mt.RawSetString("__index", t)
		mt.RawSetString("__newindex", readonly)
		mt.RawSetString("__metatable", lua.LFalse)
		L.SetMetatable(p, mt)
		ss.prot[p] = true
		return p
	}
	ss.real.ForEach(func(k, v lua.LValue) {
		if t, ok := v.(*lua.LTable); ok && t != ss.real {
			ss.real.RawSet(k, proxy(t))
		}
	})
	env := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		k := L.Get(2)
		v := ss.real.RawGet(k)
		if v == lua.LNil {
			L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(k))
		}
		L.Push(v)
		return 1
	}))
	mt.RawSetString("__newindex", readonly)
	mt.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(env, mt)
	ss.prot[env] = true
	ss.env = env
	ss.real.RawSetString("_G", env)
	rawset := ss.real.RawGetString("rawset").(*lua.LFunction)
	ss.real.RawSetString("rawset", L.NewFunction(func(L *lua.LState) int {
		if t, ok := L.Get(1).(*lua.LTable); ok && ss.prot[t] {
			L.Error(lua.LString("Attempt to modify a readonly table"), 0)
		}
		return rawset.GFunction(L)
	}))
}

var parseErrLine = regexp.MustCompile(`line:(\d+)\(column:\d+\) near '(.*)':`)

// compile compiles a script body in the interpreter. The error reply names
// the line as Redis does; the rest of the message is gopher-lua's.
func (ss *scriptState) compile(src []byte) (*lua.LFunction, string) {
	L := ss.state()
	fn, err := L.Load(bytes.NewReader(src), "user_script")
	if err != nil {
		return nil, errCompilePrefix + syntaxError("user_script", src, err)
	}
	fn.Env = ss.env
	return fn, ""
}

// syntaxError words a gopher-lua parse error as Lua 5.1 does for the
// commonest ones: "chunk:line: reason near 'token'".
func syntaxError(chunk string, src []byte, err error) string {
	msg := err.Error()
	if ae, ok := err.(*lua.ApiError); ok {
		msg = ae.Object.String()
	}
	line := strconv.Itoa(bytes.Count(src, []byte("\n")) + 1)
	near := "<eof>"
	if m := parseErrLine.FindStringSubmatch(msg); m != nil {
		line, near = m[1], m[2]
	}
	reason := "unexpected symbol"
	if strings.Contains(msg, "unterminated string") {
		reason = "unfinished string"
		if near != "<eof>" {
			// Lua quotes the string's text with its quote, and names the
			// line where it started, before the newline.
			near = "'" + near
			if n, err := strconv.Atoi(line); err == nil && n > 1 {
				line = strconv.Itoa(n - 1)
			}
		}
	}
	return chunk + ":" + line + ": " + reason + " near '" + near + "'"
}

// errorHandler turns whatever a script raised into Redis's error table:
// {err = "ERR " .. message} for anything but a table, with the source and
// line where it happened.
func (ss *scriptState) errorHandler(L *lua.LState) int {
	ev := L.Get(1)
	t, ok := ev.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+lua51Words(lua.LVAsString(L.ToStringMeta(ev)))))
	}
	for lvl := 1; ; lvl++ {
		d, ok := L.GetStack(lvl)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", d, lua.LNil); err != nil || d.What == "G" || d.CurrentLine < 0 {
			continue
		}
		src, ok := ss.chunkSrc[d.Source]
		if !ok {
			src = "@" + d.Source
		}
		t.RawSetString("source", lua.LString(src))
		t.RawSetString("line", lua.LNumber(d.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// run executes a compiled script for the EVAL in c and writes its reply.
func (ss *scriptState) run(c *Ctx, s *script, keys, argv [][]byte, readOnly bool) {
	L := ss.state()
	ss.caller, ss.sha, ss.roMode = c, s.sha, readOnly
	ss.cl.DB = c.Cl.DB // SELECT in the script changes its own database only
	ss.cl.W.SetProto(2)
	defer func() { ss.caller = nil }()
	clear(ss.chunkSrc)
	ss.real.RawSetString("KEYS", argsTable(L, keys))
	ss.real.RawSetString("ARGV", argsTable(L, argv))
	L.Push(s.fn.(*lua.LFunction))
	err := L.PCall(0, 1, ss.handler)
	if p := ss.handlerPanic; p != nil {
		ss.handlerPanic = nil
		L.SetTop(0)
		panic(p)
	}
	if err != nil {
		var ev lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok {
			ev = ae.Object
		}
		ss.writeError(c, ev)
		L.SetTop(0)
		return
	}
	ss.writeReply(c.W, L.Get(-1), 0)
	L.SetTop(0)
}

func (ss *scriptState) writeError(c *Ctx, ev lua.LValue) {
	t, ok := ev.(*lua.LTable)
	if !ok {
		c.Err(fmt.Sprintf("ERR Error running script (call to f_%s): %s", ss.sha, lua.LVAsString(ev)))
		return
	}
	msg := lua.LVAsString(t.RawGetString("err"))
	src, line := t.RawGetString("source"), t.RawGetString("line")
	if src != lua.LNil && line != lua.LNil {
		msg += " script: " + ss.sha + ", on " + lua.LVAsString(src) + ":" + lua.LVAsString(line) + "."
	}
	c.Err(msg)
}

func argsTable(L *lua.LState, args [][]byte) *lua.LTable {
	t := L.CreateTable(len(args), 0)
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
	return t
}

// luaChunkID is how Lua 5.1 names a chunk in messages: "=name" and
// "@file" as they are, other sources as [string "first line"], cut to fit
// 60 bytes.
func luaChunkID(source string) string {
	if strings.HasPrefix(source, "=") || strings.HasPrefix(source, "@") {
		return source[1:]
	}
	n := strings.IndexAny(source, "\r\n")
	if n < 0 {
		n = len(source)
	}
	const room = 60 - len(` [string "..."] `) - 1
	if n > room {
		n = room
	}
	if n < len(source) {
		return `[string "` + source[:n] + `..."]`
	}
	return `[string "` + source + `"]`
}

var (
	opErrRe    = regexp.MustCompile(`cannot perform (\w+) operation between (\w+) and (\w+)$`)
	indexErrRe = regexp.MustCompile(`(?s)attempt to index a non-table object\((\w+)\) with key '.*'$`)
)

// lua51Words rewords gopher-lua's commonest runtime errors as Lua 5.1
// does when the value has no name (a temporary): the operand at fault is
// the first one that is not a number (for concatenation: not a string or
// number), as Lua 5.1 picks it. Lua names variables ("local 'x'"), which
// gopher-lua cannot tell; those messages still differ.
func lua51Words(msg string) string {
	if m := opErrRe.FindStringSubmatchIndex(msg); m != nil {
		op, a, b := msg[m[2]:m[3]], msg[m[4]:m[5]], msg[m[6]:m[7]]
		bad, verb := b, "perform arithmetic on"
		if op == "concat" {
			verb = "concatenate"
			if a != "string" && a != "number" {
				bad = a
			}
		} else if a != "number" {
			bad = a
		}
		return msg[:m[0]] + "attempt to " + verb + " a " + bad + " value"
	}
	if m := indexErrRe.FindStringSubmatchIndex(msg); m != nil {
		return msg[:m[0]] + "attempt to index a " + msg[m[2]:m[3]] + " value"
	}
	return msg
}
