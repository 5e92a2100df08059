package command

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/kevy-db/kevy/resp"
)

// Conversions between command replies and Lua values, both ways, as
// Redis 7.0 does them.

// toLua converts a command's reply to the value redis.call returns:
// integers become numbers, bulk strings strings, nulls false, arrays
// tables, status and error replies {ok=...} and {err=...}. The RESP3 types
// (after redis.setresp(3)) become nil, booleans, {double=n}, {map={...}},
// {set={member=true}}, {big_number=s} and {verbatim_string={format, string}}.
func (ss *scriptState) toLua(L *lua.LState, v resp.Value) lua.LValue {
	field := func(name string, val lua.LValue) *lua.LTable {
		t := L.NewTable()
		t.RawSetString(name, val)
		return t
	}
	switch v.Kind {
	case ':':
		return lua.LNumber(v.Int)
	case '$', '*', '~', '%', '>':
		if v.Null {
			return lua.LFalse
		}
	}
	switch v.Kind {
	case '+':
		return field("ok", lua.LString(v.Str))
	case '-', '!':
		return field("err", lua.LString(errorText("-"+string(v.Str))))
	case '$':
		return lua.LString(v.Str)
	case '*', '>':
		t := L.CreateTable(len(v.Elems), 0)
		for i, el := range v.Elems {
			t.RawSetInt(i+1, ss.toLua(L, el))
		}
		return t
	case '%':
		m := L.NewTable()
		for i := 0; i+1 < len(v.Elems); i += 2 {
			m.RawSet(ss.toLua(L, v.Elems[i]), ss.toLua(L, v.Elems[i+1]))
		}
		return field("map", m)
	case '~':
		s := L.NewTable()
		for _, el := range v.Elems {
			s.RawSet(ss.toLua(L, el), lua.LTrue)
		}
		return field("set", s)
	case '_':
		return lua.LNil
	case '#':
		return lua.LBool(v.Int != 0)
	case ',':
		f, _ := strconv.ParseFloat(string(v.Str), 64)
		return field("double", lua.LNumber(f))
	case '(':
		return field("big_number", lua.LString(v.Str))
	case '=':
		format, text := "txt", string(v.Str)
		if len(text) >= 4 && text[3] == ':' {
			format, text = text[:3], text[4:]
		}
		vt := L.NewTable()
		vt.RawSetString("format", lua.LString(format))
		vt.RawSetString("string", lua.LString(text))
		return field("verbatim_string", vt)
	}
	return lua.LNil
}

// maxReplyNesting bounds the conversion of nested tables, which may be
// cyclic; Redis stops at its Lua stack limit the same way.
const maxReplyNesting = 1000

// writeReply converts a script's return value to a reply: numbers become
// integers (truncated), strings bulk strings, false a null and true 1 (or
// RESP3 booleans after redis.setresp(3)), and tables an error ({err=...}),
// a status ({ok=...}), a RESP3 type ({double=...} and the others toLua
// makes) or an array of the elements up to the first nil.
func (ss *scriptState) writeReply(w *resp.Writer, v lua.LValue, depth int) {
	if depth > maxReplyNesting {
		w.Error("ERR reached lua stack limit")
		return
	}
	switch v := v.(type) {
	case lua.LString:
		w.BulkString(string(v))
	case lua.LNumber:
		w.Int(int64(float64(v)))
	case lua.LBool:
		switch {
		case ss.cl.W.Proto() == 3:
			w.Bool(bool(v))
		case bool(v):
			w.Int(1)
		default:
			w.Null()
		}
	case *lua.LTable:
		ss.writeTable(w, v, depth)
	default:
		w.Null()
	}
}

var crlfToSpaces = strings.NewReplacer("\r", " ", "\n", " ")

func (ss *scriptState) writeTable(w *resp.Writer, t *lua.LTable, depth int) {
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		w.Error(string(s))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.SimpleString(crlfToSpaces.Replace(string(s)))
		return
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.Double(float64(n))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.BigNumber(crlfToSpaces.Replace(string(s)))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, ok1 := vt.RawGetString("format").(lua.LString)
		text, ok2 := vt.RawGetString("string").(lua.LString)
		if ok1 && ok2 {
			w.Verbatim(string(format), string(text))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		n := 0
		m.ForEach(func(_, _ lua.LValue) { n++ })
		w.Map(n)
		m.ForEach(func(k, v lua.LValue) {
			ss.writeReply(w, k, depth+1)
			ss.writeReply(w, v, depth+1)
		})
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		n := 0
		s.ForEach(func(_, _ lua.LValue) { n++ })
		w.Set(n)
		s.ForEach(func(k, _ lua.LValue) { ss.writeReply(w, k, depth+1) })
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		ss.writeReply(w, t.RawGetInt(i), depth+1)
	}
}
