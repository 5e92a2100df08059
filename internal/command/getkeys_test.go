package command

import (
	"fmt"
	"strings"
	"testing"
)

// keysOf runs the key search of the named command on a call written as one
// line and formats the result as "pos:flags" words.
func keysOf(t *testing.T, tab *Table, call string) string {
	t.Helper()
	var args [][]byte
	for _, f := range strings.Fields(call) {
		if f == `""` {
			f = ""
		}
		args = append(args, []byte(f))
	}
	cmd := tab.Lookup(args[0])
	if cmd != nil && len(cmd.Subs) > 0 && len(args) > 1 {
		cmd = cmd.Sub(args[1])
	}
	if cmd == nil {
		t.Fatalf("%s: no such command", call)
	}
	var out []string
	for _, k := range cmd.getKeys(args) {
		out = append(out, fmt.Sprintf("%d:%s", k.pos, strings.Join(k.flags, ",")))
	}
	return strings.Join(out, " ")
}

func TestGetKeys(t *testing.T) {
	tab := NewTable()
	tests := []struct{ call, want string }{
		{"get a", "1:RO,access"},
		{"mset a 1 b 2", "1:OW,update 3:OW,update"},
		{"rename a b", "1:RW,access,delete 2:OW,update"},
		{"bitop and d a b", "2:OW,update 3:RO,access 4:RO,access"},
		{"blpop a b 0", "1:RW,access,delete 2:RW,access,delete"},
		{"object encoding k", "2:RO"},
		{"ssubscribe a b", ""}, // not keys
		// keynum: the count, then the keys; invalid counts fall back to
		// the command's lenient parsing, whose keys have no flags.
		{"zunionstore d 2 a b", "1:OW,update 3:RO,access 4:RO,access"},
		{"zunionstore d 2x a b", "3: 4: 1:"},
		{"zunionstore d 0 a", ""},
		{"zunionstore d 3 a b", ""},
		{"zunion 01 a", "2:"},
		{"zunion 4294967297 a", "2:RO,access"}, // the count is cut to 32 bits
		{"blmpop 0 2 a b left", "3:RW,access,delete 4:RW,access,delete"},
		{"lmpop 3 a b", ""},
		{"lmpop 3 a b left", "2:RW,access,delete 3:RW,access,delete 4:RW,access,delete"},
		// variable flags
		{"set a b", "1:OW,update"},
		{"set a b ex 10 get", "1:RW,access,update"},
		{"bitfield k get u8 0 overflow sat", "1:RO,access"},
		{"bitfield k get u8 0 incrby u8 0 1", "1:RW,access,update"},
		{"bitfield k get u8", "1:RW,access,update"},
		// keyword search from the end; a matching incomplete spec defers to
		// MIGRATE's own parsing, which skips AUTH and AUTH2 values.
		{`migrate h p k 0 5000`, "3:RW,access,delete"},
		{`migrate h p "" 0 5000 keys a b`, "7:RW,access,delete 8:RW,access,delete"},
		{`migrate h p k 0 5000 keys`, "3:RW,access,delete"},
		{`migrate h p k 0 5000 keys a`, ""},
		{`migrate h p "" 0 5000 auth keys x`, "3:RW,access,delete"},
		{`migrate h p "" 0 5000 auth2 u p keys a`, "10:RW,access,delete"},
	}
	for _, tt := range tests {
		if got := keysOf(t, tab, tt.call); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.call, got, tt.want)
		}
	}
}

func TestKeysFromSpecsRangeLimitAndKeyword(t *testing.T) {
	args := func(s string) [][]byte {
		var out [][]byte
		for _, f := range strings.Fields(s) {
			out = append(out, []byte(f))
		}
		return out
	}
	pos := func(keys []keyRef) string {
		var out []string
		for _, k := range keys {
			out = append(out, fmt.Sprint(k.pos))
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		spec, call, want string
	}{
		// limit 2: half of the arguments after the start are keys (XREAD's
		// STREAMS k1 k2 id1 id2 form).
		{"RO keyword(STREAMS,1) range(-1,1,2)", "x count 1 streams a b 0 0", "4 5"},
		{"RO keyword(STREAMS,1) range(-1,1,2)", "x STREAMS a 0", "2"},
		{"RO keyword(STREAMS,1) range(-1,1,2)", "x count 1", ""},
		{"RO index(1) range(-1,2,0)", "x a 1 b 2", "1 3"},
		{"RO index(1) range(2,1,0)", "x a b", ""}, // past the end
		{"RO index(1) keynum(0,1,2)", "x 2 a 1 b 2", "2 4"},
		{"RO index(1) keynum(0,1,1)", "x -1 a", ""},
		{"RO index(1) keynum(1,1,1)", "x", ""},
	}
	for _, tt := range tests {
		specs := parseKeySpecs(tt.spec, 0, 0, 0, false)
		if got := pos(keysFromSpecs(specs, args(tt.call))); got != tt.want {
			t.Errorf("%s on %q: %q, want %q", tt.spec, tt.call, got, tt.want)
		}
	}
}

func TestCAtoi(t *testing.T) {
	for s, want := range map[string]int{
		"12": 12, " 12x": 12, "-3": -3, "+4": 4, "x": 0, "": 0, "\t7": 7,
		"4294967298": 2, "99999999999999999999": -1, "-99999999999999999999": 0,
	} {
		if got := cAtoi([]byte(s)); got != want {
			t.Errorf("cAtoi(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestStrictInt(t *testing.T) {
	for _, ok := range []string{"0", "7", "-2", "123"} {
		if _, err := strictInt([]byte(ok)); err != nil {
			t.Errorf("strictInt(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "01", "+1", " 1", "1 ", "2x", "-0", "99999999999999999999"} {
		if _, err := strictInt([]byte(bad)); err == nil {
			t.Errorf("strictInt(%q) accepted", bad)
		}
	}
}

func TestKeyFindersNameCommands(t *testing.T) {
	tab := NewTable()
	for name := range keyFinders {
		if tab.Lookup([]byte(name)) == nil {
			t.Errorf("keyFinders has %s, which is not in the table", name)
		}
	}
}
