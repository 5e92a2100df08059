package command

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// cjsonLib is the part of lua-cjson that scripts use: cjson.encode,
// cjson.decode and cjson.null, with lua-cjson's default settings (numbers
// with 14 significant digits, "/" escaped, tables with only positive
// integer keys as arrays, excessively sparse arrays refused). Decoding is
// encoding/json's; its error messages are not lua-cjson's.
func cjsonLib(L *lua.LState) *lua.LTable {
	null := L.NewUserData()
	t := L.NewTable()
	t.RawSetString("null", null)
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.RaiseError("bad argument #1 to 'encode' (expected 1 argument)")
		}
		buf, err := jsonEncode(nil, L.Get(1), null, 0)
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		L.Push(lua.LString(buf))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.RaiseError("bad argument #1 to 'decode' (expected 1 argument)")
		}
		s, ok := L.Get(1).(lua.LString)
		if !ok {
			if n, isNum := L.Get(1).(lua.LNumber); isNum {
				s, ok = lua.LString(n.String()), true
			}
		}
		if !ok {
			L.RaiseError("bad argument #1 to 'decode' (string expected, got %s)", L.Get(1).Type().String())
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		v, err := jsonDecode(L, dec, null, 0)
		if err == nil {
			if _, extra := dec.Token(); extra != io.EOF {
				err = errors.New("Expected the end but found invalid token")
			}
		}
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		L.Push(v)
		return 1
	}))
	return t
}

const jsonMaxDepth = 1000

func jsonNumber(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errors.New("Cannot serialise number: must not be NaN or Inf")
	}
	return strconv.AppendFloat(dst, f, 'g', 14, 64), nil
}

func jsonString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '/':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 || c == 0x7f {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

func jsonEncode(dst []byte, v, null lua.LValue, depth int) ([]byte, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return append(dst, "null"...), nil
	case lua.LBool:
		return strconv.AppendBool(dst, bool(v)), nil
	case lua.LNumber:
		return jsonNumber(dst, float64(v))
	case lua.LString:
		return jsonString(dst, string(v)), nil
	case *lua.LTable:
		return jsonTable(dst, v, null, depth+1)
	}
	if v == null {
		return append(dst, "null"...), nil
	}
	return nil, errors.New("Cannot serialise " + v.Type().String() + ": type not supported")
}

func jsonTable(dst []byte, t *lua.LTable, null lua.LValue, depth int) ([]byte, error) {
	if depth > jsonMaxDepth {
		return nil, errors.New("Cannot serialise, excessive nesting (" + strconv.Itoa(depth) + ")")
	}
	// An array has only positive integer keys; its length is the largest.
	maxIdx, items, array := 0, 0, true
	t.ForEach(func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || n < 1 || float64(n) != math.Floor(float64(n)) {
			array = false
			return
		}
		items++
		maxIdx = max(maxIdx, int(n))
	})
	if array && items > 0 {
		if maxIdx > 10 && maxIdx > items*2 {
			return nil, errors.New("Cannot serialise table: excessively sparse array")
		}
		dst = append(dst, '[')
		for i := 1; i <= maxIdx; i++ {
			if i > 1 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = jsonEncode(dst, t.RawGetInt(i), null, depth); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	dst = append(dst, '{')
	first := true
	var err error
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		switch k := k.(type) {
		case lua.LString:
			dst = jsonString(dst, string(k))
		case lua.LNumber:
			var num []byte
			if num, err = jsonNumber(nil, float64(k)); err != nil {
				return
			}
			dst = jsonString(dst, string(num))
		default:
			err = errors.New("Cannot serialise table: table key must be a number or string")
			return
		}
		dst = append(dst, ':')
		dst, err = jsonEncode(dst, v, null, depth)
	})
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

func jsonDecode(L *lua.LState, dec *json.Decoder, null lua.LValue, depth int) (lua.LValue, error) {
	if depth > jsonMaxDepth {
		return nil, errors.New("Found too many nested data structures (" + strconv.Itoa(depth) + ")")
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("Expected value but found T_END")
		}
		return nil, errors.New("Expected value but found invalid token")
	}
	switch tok := tok.(type) {
	case nil:
		return null, nil
	case bool:
		return lua.LBool(tok), nil
	case json.Number:
		f, _ := strconv.ParseFloat(string(tok), 64)
		return lua.LNumber(f), nil
	case string:
		return lua.LString(tok), nil
	case json.Delim:
		t := L.NewTable()
		for i := 1; dec.More(); i++ {
			if tok == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, errors.New("Expected object key string but found invalid token")
				}
				v, err := jsonDecode(L, dec, null, depth+1)
				if err != nil {
					return nil, err
				}
				t.RawSet(lua.LString(k.(string)), v)
				continue
			}
			v, err := jsonDecode(L, dec, null, depth+1)
			if err != nil {
				return nil, err
			}
			t.RawSetInt(i, v)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, errors.New("Expected comma or end but found invalid token")
		}
		return t, nil
	}
	return nil, errors.New("Expected value but found invalid token")
}
