package compat

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func readOne(t *testing.T, wire string) (reply, string) {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(wire))
	r, err := replyReader{br: br}.read()
	if err != nil {
		t.Fatalf("read(%q): %v", wire, err)
	}
	rest, _ := io.ReadAll(br)
	return r, string(rest)
}

// TestReadReplyExactBytes checks that every RESP2 and RESP3 type is read as
// exactly its own bytes, leaving the next reply in the stream untouched.
func TestReadReplyExactBytes(t *testing.T) {
	tests := []struct {
		wire  string
		kind  byte
		elems int
		null  bool
	}{
		{"+OK\r\n", '+', 0, false},
		{"-ERR bad\r\n", '-', 0, false},
		{":-12\r\n", ':', 0, false},
		{"$5\r\nhe\r\nl\r\n", '$', 0, false},
		{"$0\r\n\r\n", '$', 0, false},
		{"$-1\r\n", '$', 0, true},
		{"*-1\r\n", '*', 0, true},
		{"*0\r\n", '*', 0, false},
		{"*2\r\n$1\r\na\r\n*1\r\n:1\r\n", '*', 2, false},
		{"_\r\n", '_', 0, true},
		{",3.14\r\n", ',', 0, false},
		{"#t\r\n", '#', 0, false},
		{"(123456789012345678901234567890\r\n", '(', 0, false},
		{"!3\r\nERR\r\n", '!', 0, false},
		{"=8\r\ntxt:a\r\nb\r\n", '=', 0, false},
		{"%1\r\n+k\r\n:1\r\n", '%', 2, false},
		{"~2\r\n+a\r\n+b\r\n", '~', 2, false},
		{">2\r\n+message\r\n+x\r\n", '>', 2, false},
		{"|1\r\n+ttl\r\n:3\r\n:7\r\n", ':', 0, false},
	}
	for _, tc := range tests {
		r, rest := readOne(t, tc.wire+"+NEXT\r\n")
		if string(r.raw) != tc.wire {
			t.Errorf("read(%q).raw = %q", tc.wire, r.raw)
		}
		if rest != "+NEXT\r\n" {
			t.Errorf("read(%q) left %q, want the next reply", tc.wire, rest)
		}
		if r.kind != tc.kind || len(r.elems) != tc.elems || r.null != tc.null {
			t.Errorf("read(%q) = kind %q, %d elems, null %v; want %q, %d, %v",
				tc.wire, r.kind, len(r.elems), r.null, tc.kind, tc.elems, tc.null)
		}
	}
}

func TestReadReplyPayload(t *testing.T) {
	r, _ := readOne(t, "*2\r\n$3\r\nfoo\r\n:42\r\n")
	if got := string(r.elems[0].data); got != "foo" {
		t.Errorf("bulk data = %q, want foo", got)
	}
	if got := string(r.elems[1].data); got != "42" {
		t.Errorf("integer data = %q, want 42", got)
	}
}

func TestReadReplyMalformed(t *testing.T) {
	for _, wire := range []string{
		"?what\r\n",
		"+no carriage return\n",
		"$3\r\nabcde\r\n",
		"$x\r\n",
		"$-2\r\n",
		"*abc\r\n",
		"$999999999999\r\n",
	} {
		_, err := replyReader{br: bufio.NewReader(strings.NewReader(wire))}.read()
		if !errors.Is(err, errMalformed) {
			t.Errorf("read(%q) error = %v, want errMalformed", wire, err)
		}
	}
}

func TestReadReplyTruncated(t *testing.T) {
	for _, wire := range []string{"+OK", "$5\r\nab", "*2\r\n:1\r\n"} {
		_, err := replyReader{br: bufio.NewReader(strings.NewReader(wire))}.read()
		if err == nil || errors.Is(err, errMalformed) {
			t.Errorf("read(%q) error = %v, want an EOF error", wire, err)
		}
	}
	_, err := replyReader{br: bufio.NewReader(strings.NewReader(""))}.read()
	if !errors.Is(err, io.EOF) {
		t.Errorf("read of an empty stream = %v, want io.EOF", err)
	}
}

func TestEncodeCommand(t *testing.T) {
	got := string(encodeCommand([]string{"SET", "k", "", "a\r\nb"}))
	want := "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n$4\r\na\r\nb\r\n"
	if got != want {
		t.Errorf("encodeCommand = %q, want %q", got, want)
	}
}
