package compat

import (
	"slices"
	"strings"
	"testing"
)

func TestParseScript(t *testing.T) {
	src := `# a comment

SET k v
  # an indented comment
!sort KEYS *
!sort 2 CONFIG GET a b
!type TIME
!approx 3 TTL k
!ignore CLIENT ID
!except id,addr CLIENT INFO
!scanall SSCAN s 0 COUNT 1
!raw "PING\r\n"
!send "*1\r\n"
!read
!rawclose
!conn other
!proto 3
`
	steps, err := parseScript(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []step{
		{line: 3, act: actCommand, args: []string{"SET", "k", "v"}},
		{line: 5, act: actCommand, args: []string{"KEYS", "*"}, cmp: cmpSort, n: 1},
		{line: 6, act: actCommand, args: []string{"CONFIG", "GET", "a", "b"}, cmp: cmpSort, n: 2},
		{line: 7, act: actCommand, args: []string{"TIME"}, cmp: cmpShape},
		{line: 8, act: actCommand, args: []string{"TTL", "k"}, cmp: cmpApprox, n: 3},
		{line: 9, act: actCommand, args: []string{"CLIENT", "ID"}, cmp: cmpIgnore},
		{line: 10, act: actCommand, args: []string{"CLIENT", "INFO"}, cmp: cmpExcept, fields: []string{"id", "addr"}},
		{line: 11, act: actCommand, args: []string{"SSCAN", "s", "0", "COUNT", "1"}, cmp: cmpScanAll},
		{line: 12, act: actRaw, payload: []byte("PING\r\n")},
		{line: 13, act: actSend, payload: []byte("*1\r\n")},
		{line: 14, act: actRead},
		{line: 15, act: actRawClose},
		{line: 16, act: actConn, conn: "other"},
		{line: 17, act: actProto, proto: 3, cmp: cmpExcept, fields: []string{"id"}},
	}
	if len(steps) != len(want) {
		t.Fatalf("parsed %d steps, want %d", len(steps), len(want))
	}
	for i, w := range want {
		g := steps[i]
		if g.line != w.line || g.act != w.act || !slices.Equal(g.args, w.args) ||
			string(g.payload) != string(w.payload) || g.conn != w.conn || g.proto != w.proto ||
			g.cmp != w.cmp || g.n != w.n || !slices.Equal(g.fields, w.fields) {
			t.Errorf("step %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, src := range []string{
		"GET \"unbalanced",
		"!bogus GET k",
		"!sort",
		"!sort 0 KEYS *",
		"!approx TTL k",
		"!approx -1 TTL k",
		"!except",
		"!scanall GET k",
		"!scanall SSCAN s",
		"!raw",
		"!raw a b",
		"!read extra",
		"!conn",
		"!proto 4",
	} {
		if _, err := parseScript(strings.NewReader("PING\n" + src + "\n")); err == nil {
			t.Errorf("parseScript(%q) succeeded, want an error", src)
		} else if !strings.Contains(err.Error(), "line 2") {
			t.Errorf("parseScript(%q) error %q does not name line 2", src, err)
		}
	}
}
