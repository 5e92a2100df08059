package compat

import (
	"bufio"
	"strings"
	"testing"
)

func parseReply(t *testing.T, wire string) reply {
	t.Helper()
	r, err := replyReader{br: bufio.NewReader(strings.NewReader(wire))}.read()
	if err != nil {
		t.Fatalf("read(%q): %v", wire, err)
	}
	return r
}

func TestEquivalent(t *testing.T) {
	tests := []struct {
		name string
		st   step
		a, b string
		want bool
	}{
		{"exact same", step{}, "+OK\r\n", "+OK\r\n", true},
		{"exact differs", step{}, "+OK\r\n", "+ok\r\n", false},
		{"sort reordered", step{cmp: cmpSort, n: 1}, "*2\r\n+a\r\n+b\r\n", "*2\r\n+b\r\n+a\r\n", true},
		{"sort duplicates count", step{cmp: cmpSort, n: 1}, "*2\r\n+a\r\n+a\r\n", "*2\r\n+a\r\n+b\r\n", false},
		{"sort kind matters", step{cmp: cmpSort, n: 1}, "*1\r\n+a\r\n", "~1\r\n+a\r\n", false},
		{"sort pairs", step{cmp: cmpSort, n: 2}, "*4\r\n+k1\r\n+v1\r\n+k2\r\n+v2\r\n", "*4\r\n+k2\r\n+v2\r\n+k1\r\n+v1\r\n", true},
		{"sort pairs broken", step{cmp: cmpSort, n: 2}, "*4\r\n+k1\r\n+v1\r\n+k2\r\n+v2\r\n", "*4\r\n+k1\r\n+v2\r\n+k2\r\n+v1\r\n", false},
		{"sort map", step{cmp: cmpSort, n: 1}, "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true},
		{"shape same", step{cmp: cmpShape}, "*2\r\n$2\r\n10\r\n$1\r\n5\r\n", "*2\r\n$2\r\n11\r\n$3\r\n123\r\n", true},
		{"shape length", step{cmp: cmpShape}, "*1\r\n$1\r\n5\r\n", "*2\r\n$1\r\n5\r\n$1\r\n5\r\n", false},
		{"shape null", step{cmp: cmpShape}, "$-1\r\n", "$0\r\n\r\n", false},
		{"approx in", step{cmp: cmpApprox, n: 2}, ":100\r\n", ":98\r\n", true},
		{"approx out", step{cmp: cmpApprox, n: 2}, ":100\r\n", ":97\r\n", false},
		{"approx non-integer", step{cmp: cmpApprox, n: 2}, ":1\r\n", "$1\r\n1\r\n", false},
		{"ignore", step{cmp: cmpIgnore}, ":1\r\n", "+x\r\n", true},
		{"errors always exact", step{cmp: cmpIgnore}, "-ERR a\r\n", "-ERR b\r\n", false},
		{"errors exact under shape", step{cmp: cmpShape}, "-ERR a\r\n", "-ERR b\r\n", false},
		{"except map", step{cmp: cmpExcept, fields: []string{"id"}},
			"%2\r\n$2\r\nid\r\n:4\r\n$5\r\nproto\r\n:3\r\n", "%2\r\n$2\r\nid\r\n:99\r\n$5\r\nproto\r\n:3\r\n", true},
		{"except map other field", step{cmp: cmpExcept, fields: []string{"id"}},
			"%2\r\n$2\r\nid\r\n:4\r\n$5\r\nproto\r\n:3\r\n", "%2\r\n$2\r\nid\r\n:4\r\n$5\r\nproto\r\n:2\r\n", false},
		{"except map field type", step{cmp: cmpExcept, fields: []string{"id"}},
			"*2\r\n$2\r\nid\r\n:4\r\n", "*2\r\n$2\r\nid\r\n$1\r\n4\r\n", false},
		{"except text", step{cmp: cmpExcept, fields: []string{"id", "fd"}},
			"$17\r\nid=1 fd=7 db=0 x\n\r\n", "$20\r\nid=123 fd=10 db=0 x\n\r\n", true},
		{"except text other field", step{cmp: cmpExcept, fields: []string{"id"}},
			"$10\r\nid=1 db=0\n\r\n", "$10\r\nid=1 db=1\n\r\n", false},
	}
	for _, tc := range tests {
		a, b := parseReply(t, tc.a), parseReply(t, tc.b)
		if got := equivalent(tc.st, a, b); got != tc.want {
			t.Errorf("%s: equivalent(%q, %q) = %v, want %v", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
}
