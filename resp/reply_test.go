package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// appendValue re-encodes a decoded Value. For every reply ReplyReader
// accepts, it reproduces the reply's bytes exactly.
func appendValue(dst []byte, v Value) []byte {
	switch v.Kind {
	case '+', '-', ',', '(', '#':
		dst = append(dst, v.Kind)
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case ':':
		dst = appendHeader(dst, ':', v.Int)
		return dst
	case '_':
		return append(dst, "_\r\n"...)
	case '$', '!', '=':
		if v.Null {
			return appendHeader(dst, v.Kind, -1)
		}
		dst = appendHeader(dst, v.Kind, int64(len(v.Str)))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	default:
		if v.Null {
			return appendHeader(dst, v.Kind, -1)
		}
		n := len(v.Elems)
		if v.Kind == '%' || v.Kind == '|' {
			n /= 2
		}
		dst = appendHeader(dst, v.Kind, int64(n))
		for _, e := range v.Elems {
			dst = appendValue(dst, e)
		}
		return dst
	}
}

// valueString renders a Value compactly for comparisons.
func valueString(v Value) string {
	var b strings.Builder
	b.WriteByte(v.Kind)
	switch {
	case v.Null:
		b.WriteString("null")
	case v.Kind == ':' || v.Kind == '#':
		b.WriteString(strconv.FormatInt(v.Int, 10))
		b.WriteString(string(v.Str))
	case v.Elems != nil:
		b.WriteString("[")
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(valueString(e))
		}
		b.WriteString("]")
	default:
		b.WriteString(strconv.Quote(string(v.Str)))
	}
	return b.String()
}

func TestReplyReader(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"+OK\r\n", `+"OK"`},
		{"+\r\n", `+""`},
		{"+a\rb\r\n", `+"a\rb"`},
		{"-ERR bad thing\r\n", `-"ERR bad thing"`},
		{":-12\r\n", ":-12"},
		{":0\r\n", ":0"},
		{"$3\r\na\r\n\r\n", `$"a\r\n"`},
		{"$0\r\n\r\n", `$""`},
		{"$-1\r\n", "$null"},
		{"*-1\r\n", "*null"},
		{"*0\r\n", "*[]"},
		{"*2\r\n:1\r\n*1\r\n$1\r\nx\r\n", `*[:1 *[$"x"]]`},
		{"%1\r\n+k\r\n:1\r\n", `%[+"k" :1]`},
		{"~2\r\n:1\r\n:2\r\n", "~[:1 :2]"},
		{">2\r\n+message\r\n$1\r\nm\r\n", `>[+"message" $"m"]`},
		{"_\r\n", "_null"},
		{",1.5\r\n", `,"1.5"`},
		{",inf\r\n", `,"inf"`},
		{"#t\r\n", "#1t"},
		{"#f\r\n", "#0f"},
		{"=7\r\ntxt:abc\r\n", `="txt:abc"`},
		{"(123456789012345678901234567890\r\n", `("123456789012345678901234567890"`},
		{"!10\r\nERR a\r\nb c\r\n", `!"ERR a\r\nb c"`},
		{"|1\r\n+ttl\r\n:3\r\n", `|[+"ttl" :3]`},
	}
	var all bytes.Buffer
	for _, tc := range cases {
		for _, ch := range chunkings {
			v, err := NewReplyReader(ch.wrap(strings.NewReader(tc.in))).ReadReply()
			if err != nil {
				t.Errorf("%q %s: %v", tc.in, ch.name, err)
				continue
			}
			if got := valueString(v); got != tc.want {
				t.Errorf("%q %s = %s, want %s", tc.in, ch.name, got, tc.want)
			}
			if enc := appendValue(nil, v); string(enc) != tc.in {
				t.Errorf("%q re-encodes as %q", tc.in, enc)
			}
		}
		all.WriteString(tc.in)
	}
	// All of them in one stream, through ReadRaw.
	rr := NewReplyReader(iotest3(&all))
	for i, tc := range cases {
		raw, err := rr.ReadRaw()
		if err != nil || string(raw) != tc.in {
			t.Fatalf("reply %d: ReadRaw = %q, %v; want %q", i, raw, err, tc.in)
		}
	}
	if _, err := rr.ReadRaw(); err != io.EOF {
		t.Errorf("at end: %v, want io.EOF", err)
	}
}

func iotest3(r io.Reader) io.Reader { return &chunkReader{r: r, n: 3} }

func TestReplyReaderErrors(t *testing.T) {
	bad := []string{
		"x\r\n", "\r\n", "+OK\n", ":1.5\r\n", ":\r\n", ":01\r\n", "$-2\r\n", "$x\r\n", "$3\r\nabcd\r\n",
		"*-2\r\n", "%-1\r\n", "#x\r\n", "#\r\n", "_x\r\n", "=3\r\ntxt\r\n", "=5\r\ntxt-a\r\n",
		"*1\r\n*1\r\n?\r\n", strings.Repeat("*1\r\n", maxReplyDepth+2) + ":1\r\n",
	}
	for _, in := range bad {
		_, err := NewReplyReader(strings.NewReader(in)).ReadReply()
		if protoMsg(err) == "" {
			t.Errorf("%q: error %v, want a protocol error", in, err)
		}
	}
	torn := []string{"+OK", "+OK\r", "$3\r\nab", "$3\r\nabc\r", "*2\r\n:1\r\n", "%1\r\n:1\r\n", "*1\r\n"}
	for _, in := range torn {
		_, err := NewReplyReader(strings.NewReader(in)).ReadReply()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: error %v, want io.ErrUnexpectedEOF", in, err)
		}
	}
	if _, err := NewReplyReader(strings.NewReader("")).ReadReply(); err != io.EOF {
		t.Errorf("empty input: %v, want io.EOF", err)
	}
	deep := strings.Repeat("*1\r\n", maxReplyDepth) + ":1\r\n"
	if _, err := NewReplyReader(strings.NewReader(deep)).ReadReply(); err != nil {
		t.Errorf("nesting at the limit: %v", err)
	}
}

func TestReplyReaderForgedLengths(t *testing.T) {
	for _, header := range []string{"$536870000\r\n", "*1000000000\r\n", "%1000000000\r\n", "$9223372036854775000\r\n"} {
		in := header + strings.Repeat(":1\r\n", 1000)
		rr := NewReplyReader(strings.NewReader(in))
		_, err := rr.ReadReply()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: error %v, want io.ErrUnexpectedEOF", header, err)
		}
		if cap(rr.buf) > bufferBound(len(in)) {
			t.Errorf("%q: buffer capacity %d for %d bytes", header, cap(rr.buf), len(in))
		}
	}
}

func TestWriterReplyRoundTrip(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.SetProto(3)
	w.Map(2)
	w.BulkString("name")
	w.Verbatim("txt", "kevy")
	w.BulkString("scores")
	w.Array(3)
	w.Double(1.5)
	w.BigNumber("99999999999999999999")
	w.Set(1)
	w.Bool(true)
	w.Push(2)
	w.SimpleString("pong")
	w.Null()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rr := NewReplyReader(&out)
	var got []string
	for {
		v, err := rr.ReadReply()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, valueString(v))
	}
	want := `[%[$"name" ="txt:kevy" $"scores" *[,"1.5" ("99999999999999999999" ~[#1t]]] >[+"pong" _null]]`
	if s := fmt.Sprint(got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}
