package resp

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

type readCase struct {
	name  string
	in    string
	lim   Limits
	want  [][]string
	err   string // expected ProtocolError text, after the commands in want
	torn  bool   // the input ends inside a command
	limit bool   // expect ErrQueryBufferLimit
}

var multibulkCases = []readCase{
	{name: "get", in: "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", want: [][]string{{"GET", "k"}}},
	{name: "empty arg", in: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", want: [][]string{{"ECHO", ""}}},
	{name: "binary arg", in: "*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\x00\xffb\r\n", want: [][]string{{"ECHO", "a\r\n\x00\xffb"}}},
	{name: "pipeline", in: "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$4\r\nPING\r\n",
		want: [][]string{{"PING"}, {"ECHO", "hi"}, {"PING"}}},
	{name: "skip empty headers", in: "*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n*0\r\n", want: [][]string{{"PING"}}},
	// Redis skips the two bytes after a bulk and the byte after a
	// length line's '\r' without looking at them.
	{name: "lax bulk end", in: "*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n", want: [][]string{{"PING"}, {"PING"}}},
	{name: "lax line end", in: "*1\rX$4\rYPING\r\n", want: [][]string{{"PING"}}},
	{name: "mixed with inline", in: "PING\r\n*1\r\n$4\r\nPING\r\n\r\nECHO x\n", want: [][]string{{"PING"}, {"PING"}, {"ECHO", "x"}}},
	{name: "max multibulk", in: "*2147483647\r\n", torn: true},
	{name: "max bulk", in: "*1\r\n$536870912\r\nabc", torn: true},

	{name: "bad count", in: "*abc\r\n", err: msgInvalidMbulkLen},
	{name: "count over int32", in: "*2147483648\r\n", err: msgInvalidMbulkLen},
	{name: "count over int64", in: "*99999999999999999999\r\n", err: msgInvalidMbulkLen},
	{name: "count leading zero", in: "*01\r\n", err: msgInvalidMbulkLen},
	{name: "count plus", in: "*+1\r\n", err: msgInvalidMbulkLen},
	{name: "count minus zero", in: "*-0\r\n", err: msgInvalidMbulkLen},
	{name: "count space", in: "* 1\r\n", err: msgInvalidMbulkLen},
	{name: "count empty", in: "*\r\n", err: msgInvalidMbulkLen},
	{name: "count line too long", in: "*" + strings.Repeat("1", DefaultMaxInlineLen), err: msgTooBigMbulkCount},
	{name: "count line long but ok", in: "*" + strings.Repeat("1", DefaultMaxInlineLen-1) + "\r\n", err: msgInvalidMbulkLen},
	{name: "bulk not dollar", in: "*1\r\nx3\r\n", err: "Protocol error: expected '$', got 'x'"},
	{name: "bulk not dollar newline", in: "*1\rX\n$4\r\nPING\r\n", err: "Protocol error: expected '$', got ' '"},
	{name: "bulk not dollar high byte", in: "*1\r\n\xff3\r\n", err: "Protocol error: expected '$', got '\xff'"},
	{name: "bulk negative", in: "*1\r\n$-1\r\n", err: msgInvalidBulkLen},
	{name: "bulk bad", in: "*1\r\n$x\r\n", err: msgInvalidBulkLen},
	{name: "bulk leading zero", in: "*1\r\n$01\r\nP\r\n", err: msgInvalidBulkLen},
	{name: "bulk space", in: "*1\r\n$ 1\r\nP\r\n", err: msgInvalidBulkLen},
	{name: "bulk too long", in: "*1\r\n$536870913\r\n", err: msgInvalidBulkLen},
	{name: "bulk line too long", in: "*1\r\n$" + strings.Repeat("1", DefaultMaxInlineLen), err: msgTooBigBulkCount},
	{name: "error after good", in: "*1\r\n$4\r\nPING\r\n*x\r\n", want: [][]string{{"PING"}}, err: msgInvalidMbulkLen},

	{name: "limit bulk", in: "*1\r\n$11\r\n", lim: Limits{MaxBulkLen: 10}, err: msgInvalidBulkLen},
	{name: "limit bulk ok", in: "*1\r\n$10\r\n0123456789\r\n", lim: Limits{MaxBulkLen: 10}, want: [][]string{{"0123456789"}}},
	{name: "limit count", in: "*4\r\n", lim: Limits{MaxMultibulkLen: 3}, err: msgInvalidMbulkLen},
	{name: "unauth count", in: "*11\r\n", lim: Limits{Unauthenticated: true}, err: msgUnauthMbulkLen},
	{name: "unauth count ok", in: "*10\r\n", lim: Limits{Unauthenticated: true}, torn: true},
	{name: "unauth count invalid first", in: "*2147483648\r\n", lim: Limits{Unauthenticated: true}, err: msgInvalidMbulkLen},
	{name: "unauth bulk", in: "*1\r\n$16385\r\n", lim: Limits{Unauthenticated: true}, err: msgUnauthBulkLen},
	{name: "unauth bulk ok", in: "*1\r\n$16384\r\n", lim: Limits{Unauthenticated: true}, torn: true},
	{name: "unauth bulk invalid first", in: "*1\r\n$-2\r\n", lim: Limits{Unauthenticated: true}, err: msgInvalidBulkLen},
	{name: "limit inline header", in: "*1\r\n$12345", lim: Limits{MaxInlineLen: 5}, err: msgTooBigBulkCount},
	{name: "limit inline header ok", in: "*1\r\n$1234\r\n", lim: Limits{MaxInlineLen: 5}, torn: true},

	{name: "query buffer", in: "*1\r\n$100\r\n" + strings.Repeat("x", 100) + "\r\n", lim: Limits{MaxQueryBuffer: 100}, limit: true},
	{name: "query buffer exact", in: "*1\r\n$89\r\n" + strings.Repeat("x", 89) + "\r\n", lim: Limits{MaxQueryBuffer: 100},
		want: [][]string{{strings.Repeat("x", 89)}}},

	{name: "torn header", in: "*2\r", torn: true},
	{name: "torn bulk header", in: "*2\r\n$3\r\nGET\r\n$1", torn: true},
	{name: "torn bulk", in: "*2\r\n$3\r\nGET\r\n$1\r\nk", torn: true},
	{name: "torn bulk end", in: "*2\r\n$3\r\nGET\r\n$1\r\nk\r", torn: true},
	{name: "torn after good", in: "*1\r\n$4\r\nPING\r\n*1\r\n", want: [][]string{{"PING"}}, torn: true},
	{name: "torn inline", in: "PING", torn: true},
	{name: "torn inline cr", in: "PING\r\n\r", want: [][]string{{"PING"}}, torn: true},
}

var inlineCases = []readCase{
	{name: "ping crlf", in: "PING\r\n", want: [][]string{{"PING"}}},
	{name: "ping lf", in: "PING\n", want: [][]string{{"PING"}}},
	{name: "blank lines", in: "\r\n\n  \t\r\nPING\r\n\r\n", want: [][]string{{"PING"}}},
	{name: "spaces", in: "  SET\tk   v \r\n", want: [][]string{{"SET", "k", "v"}}},
	{name: "double quotes", in: "SET k \"a b\"\n", want: [][]string{{"SET", "k", "a b"}}},
	{name: "escapes", in: `ECHO "a\x41\n\r\t\b\a\\\"\q\xZZ\x4"` + "\r\n", want: [][]string{{"ECHO", "aA\n\r\t\b\a\\\"qxZZx4"}}},
	{name: "hex case", in: `ECHO "\xfF\x00"` + "\n", want: [][]string{{"ECHO", "\xff\x00"}}},
	{name: "single quotes", in: `ECHO 'a "b" \' \n'` + "\n", want: [][]string{{"ECHO", `a "b" ' \n`}}},
	{name: "empty quotes", in: `ECHO "" ''` + "\n", want: [][]string{{"ECHO", "", ""}}},
	{name: "quote inside token", in: `ECHO ab"cd ef"` + "\r\n", want: [][]string{{"ECHO", "abcd ef"}}},
	{name: "quotes adjacent", in: `ECHO "a"` + "\t'b'\r\n", want: [][]string{{"ECHO", "a", "b"}}},
	{name: "vertical tab blank", in: "ECHO \vx\r\n", want: [][]string{{"ECHO", "x"}}},
	{name: "vertical tab in token", in: "ECHO a\vx\r\n", want: [][]string{{"ECHO", "a\vx"}}},
	{name: "vertical tab after quote", in: "ECHO \"a\"\v\r\n", want: [][]string{{"ECHO", "a"}}},
	{name: "cr inside line", in: "ECHO a\rb\r\r\n", want: [][]string{{"ECHO", "a", "b"}}},
	{name: "nul byte", in: "ECHO a\x00b\r\n", want: [][]string{{"ECHO", "a\x00b"}}},
	{name: "dollar inline", in: "$3\r\n", want: [][]string{{"$3"}}},
	{name: "hash inline", in: "#TS:1\r\n", want: [][]string{{"#TS:1"}}},
	{name: "long line ok", in: "ECHO " + strings.Repeat("a", DefaultMaxInlineLen-5) + "\n",
		want: [][]string{{"ECHO", strings.Repeat("a", DefaultMaxInlineLen-5)}}},

	{name: "too big", in: strings.Repeat("x", DefaultMaxInlineLen+1), err: msgTooBigInline},
	{name: "too big with newline", in: strings.Repeat("x", DefaultMaxInlineLen+1) + "\n", err: msgTooBigInline},
	{name: "too big limit", in: "ECHO abc\n", lim: Limits{MaxInlineLen: 7}, err: msgTooBigInline},
	{name: "unclosed double", in: "SET k \"a b\r\n", err: msgUnbalancedQuotes},
	{name: "unclosed single", in: "SET k 'a b\r\n", err: msgUnbalancedQuotes},
	{name: "double then text", in: "SET k \"a\"b\r\n", err: msgUnbalancedQuotes},
	{name: "single then text", in: "SET k 'a'b\r\n", err: msgUnbalancedQuotes},
	{name: "trailing backslash", in: "SET k \"a\\\r\n", err: msgUnbalancedQuotes},
	{name: "escaped closing", in: "SET k \"a\\\"\r\n", err: msgUnbalancedQuotes},
}

func runReadCases(t *testing.T, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		for _, ch := range chunkings {
			t.Run(tc.name+"/"+ch.name, func(t *testing.T) {
				rd := NewReader(ch.wrap(strings.NewReader(tc.in)), tc.lim)
				cmds, _, err := readAll(rd)
				if cmdString(cmds) != cmdString(tc.want) {
					t.Errorf("commands = %s, want %s", cmdString(cmds), cmdString(tc.want))
				}
				switch {
				case tc.err != "":
					if got := protoMsg(err); got != tc.err {
						t.Errorf("error = %v, want protocol error %q", err, tc.err)
					}
					// Errors are sticky.
					if _, err2 := rd.ReadCommand(); err2 != err {
						t.Errorf("second call error = %v, want %v", err2, err)
					}
				case tc.torn:
					if !errors.Is(err, io.ErrUnexpectedEOF) {
						t.Errorf("error = %v, want io.ErrUnexpectedEOF", err)
					}
				case tc.limit:
					if !errors.Is(err, ErrQueryBufferLimit) {
						t.Errorf("error = %v, want ErrQueryBufferLimit", err)
					}
				default:
					if err != nil {
						t.Errorf("error = %v, want clean EOF", err)
					}
				}
			})
		}
	}
}

func TestReadMultibulk(t *testing.T) { runReadCases(t, multibulkCases) }
func TestReadInline(t *testing.T)    { runReadCases(t, inlineCases) }

func TestReadStrict(t *testing.T) {
	cases := []readCase{
		{name: "good", in: "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", want: [][]string{{"GET", "k"}}},
		{name: "inline", in: "PING\r\n", err: "Protocol error: expected '*', got 'P'"},
		{name: "empty line", in: "\r\n", err: "Protocol error: expected '*', got ' '"},
		{name: "zero count", in: "*0\r\n", err: msgInvalidMbulkLen},
		{name: "null count", in: "*-1\r\n", err: msgInvalidMbulkLen},
		{name: "bad bulk end", in: "*1\r\n$4\r\nPINGXY", err: msgBadBulkEnd},
		{name: "bad line end", in: "*1\rX", err: msgBadLineEnd},
		{name: "bad bulk line end", in: "*1\r\n$4\rX", err: msgBadLineEnd},
		{name: "annotation without handler", in: "#TS:1\r\n", err: "Protocol error: expected '*', got '#'"},
	}
	for _, tc := range cases {
		for _, ch := range chunkings {
			t.Run(tc.name+"/"+ch.name, func(t *testing.T) {
				rd := NewReader(ch.wrap(strings.NewReader(tc.in)), tc.lim)
				rd.SetStrict(true)
				cmds, _, err := readAll(rd)
				if cmdString(cmds) != cmdString(tc.want) {
					t.Errorf("commands = %s, want %s", cmdString(cmds), cmdString(tc.want))
				}
				if got := protoMsg(err); got != tc.err {
					t.Errorf("error = %v, want protocol error %q", err, tc.err)
				}
				if tc.err != "" && rd.Offset() != 0 {
					t.Errorf("Offset after error = %d, want 0", rd.Offset())
				}
			})
		}
	}
}

func TestAnnotationHandler(t *testing.T) {
	in := "#TS:1700000000\r\n*1\r\n$4\r\nPING\r\n#x\n*1\r\n$4\r\nPING\r\n"
	for _, ch := range chunkings {
		t.Run(ch.name, func(t *testing.T) {
			rd := NewReader(ch.wrap(strings.NewReader(in)), Limits{})
			rd.SetStrict(true)
			var notes []string
			rd.SetAnnotationHandler(func(line []byte) error {
				notes = append(notes, string(line))
				return nil
			})
			cmds, offs, err := readAll(rd)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cmdString(cmds), "[PING][PING]"; got != want {
				t.Errorf("commands = %s, want %s", got, want)
			}
			if !reflect.DeepEqual(notes, []string{"#TS:1700000000", "#x"}) {
				t.Errorf("annotations = %q", notes)
			}
			if want := []int64{30, int64(len(in))}; !reflect.DeepEqual(offs, want) {
				t.Errorf("offsets = %v, want %v", offs, want)
			}
		})
	}
	rd := NewReader(strings.NewReader("#bad\n"), Limits{})
	stop := errors.New("stop")
	rd.SetAnnotationHandler(func([]byte) error { return stop })
	if _, err := rd.ReadCommand(); err != stop {
		t.Errorf("error = %v, want the handler's error", err)
	}
}

func TestOffset(t *testing.T) {
	cmds := []string{
		"*1\r\n$4\r\nPING\r\n",
		"\r\n*0\r\nECHO \"a b\"\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n0123456789\r\n",
		"   \n*-1\r\nPING\n",
	}
	in := strings.Join(cmds, "")
	for _, ch := range chunkings {
		t.Run(ch.name, func(t *testing.T) {
			rd := NewReader(ch.wrap(strings.NewReader(in+"*2\r\n$3\r\nGET")), Limits{})
			var off int64
			for i, c := range cmds {
				if _, err := rd.ReadCommand(); err != nil {
					t.Fatalf("command %d: %v", i, err)
				}
				off += int64(len(c))
				if rd.Offset() != off {
					t.Fatalf("after command %d: Offset = %d, want %d", i, rd.Offset(), off)
				}
			}
			_, err := rd.ReadCommand()
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("error = %v, want io.ErrUnexpectedEOF", err)
			}
			if rd.Offset() != int64(len(in)) {
				t.Errorf("Offset after torn tail = %d, want %d", rd.Offset(), len(in))
			}
		})
	}
}
