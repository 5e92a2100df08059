package command

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseKeySpecs(t *testing.T) {
	tests := []struct {
		keys              string
		first, last, step int
		write             bool
		want              []KeySpec
	}{
		{"", 0, 0, 0, true, nil},
		{"", 1, 1, 1, false, []KeySpec{{Flags: []string{"RO", "access"}, Index: 1, KeyStep: 1}}},
		{"", 1, -1, 2, true, []KeySpec{{Flags: []string{"RW", "update"}, Index: 1, LastKey: -1, KeyStep: 2}}},
		{"OW insert", 2, 4, 1, true, []KeySpec{{Flags: []string{"OW", "insert"}, Index: 2, LastKey: 2, KeyStep: 1}}},
		{"RW access delete index(1) range(0,1,0); RW insert index(2) range(0,1,0)", 1, 2, 1, true, []KeySpec{
			{Flags: []string{"RW", "access", "delete"}, Index: 1, KeyStep: 1},
			{Flags: []string{"RW", "insert"}, Index: 2, KeyStep: 1},
		}},
		{"RO access index(2) keynum(0,1,1)", 0, 0, 0, false, []KeySpec{
			{Flags: []string{"RO", "access"}, Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1},
		}},
		{"RW incomplete keyword(KEYS,-2) range(-1,1,3)", 3, 3, 1, true, []KeySpec{
			{Flags: []string{"RW", "incomplete"}, Keyword: "KEYS", StartFrom: -2, LastKey: -1, KeyStep: 1, Limit: 3},
		}},
		{"RO access index(1) range(0,1,0); OW update unknown()", 1, 1, 1, true, []KeySpec{
			{Flags: []string{"RO", "access"}, Index: 1, KeyStep: 1},
			{Flags: []string{"OW", "update"}, Unknown: true},
		}},
	}
	for _, tt := range tests {
		got := parseKeySpecs(tt.keys, tt.first, tt.last, tt.step, tt.write)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseKeySpecs(%q, %d, %d, %d):\n got %+v\nwant %+v", tt.keys, tt.first, tt.last, tt.step, got, tt.want)
		}
	}
}

func TestParseKeySpecsRejects(t *testing.T) {
	for _, keys := range []string{
		"RO",                                 // flags only, but no legacy positions
		"index(1) range(0,1,0)",              // no flags
		"RO index(1)",                        // no find keys
		"RO range(0,1,0)",                    // no begin search
		"RO index(1) range(0,1,0) access",    // flag after the positions
		"RO index(1) index(2) range(0,1,0)",  // two begin searches
		"RO index(1) range(0,1)",             // wrong argument count
		"RO index(x) range(0,1,0)",           // not a number
		"RO index(1) range(0,1,0); ",         // empty second spec
		"RO keyword(KEYS) range(0,1,0)",      // keyword without startfrom
		"RO index(1) keynum(0,1,1) range(0)", // two find keys
		"RO unknown(1)",                      // unknown takes no arguments
		"RO index(1) unknown()",              // unknown is both begin and find
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("parseKeySpecs(%q) accepted", keys)
				}
			}()
			parseKeySpecs(keys, 0, 0, 0, false)
		}()
	}
}

// TestKeySpecsMatchLegacyRange checks the table: the legacy first/last/step
// of every command must be what its index-and-range key specs span (joined
// when they follow one another with step 1, as in RENAME's 1 2 1), since
// prefetching and blocking rely on the triple; and movablekeys must be set
// exactly when some key spec is more than an index and a range.
func TestKeySpecsMatchLegacyRange(t *testing.T) {
	var check func(c *Command)
	check = func(c *Command) {
		first, last, step := 0, 0, 0
		lastAbs := 0 // last as an index, for joining; -1 once it counts from the end
		movable := false
		for _, ks := range c.KeySpecs {
			if !ks.simple() {
				movable = true
				continue
			}
			end := ks.LastKey
			if end >= 0 {
				end += ks.Index
			}
			switch {
			case first == 0:
				first, last, step = ks.Index, end, ks.KeyStep
			case step == 1 && ks.KeyStep == 1 && lastAbs >= 0 && ks.Index == lastAbs+1:
				last = end
			default:
				t.Errorf("%s: key specs %+v do not join into one legacy range", c.Name, c.KeySpecs)
			}
			lastAbs = end
		}
		if c.FirstKey != first || c.LastKey != last || c.Step != step {
			t.Errorf("%s: legacy %d %d %d, key specs span %d %d %d", c.Name, c.FirstKey, c.LastKey, c.Step, first, last, step)
		}
		if got := c.Flags&FlagMovableKeys != 0; got != movable {
			t.Errorf("%s: movablekeys %v, key specs say %v", c.Name, got, movable)
		}
		for _, s := range c.Subs {
			check(s)
		}
	}
	for _, c := range NewTable().All() {
		check(c)
	}
}

func TestMovableKeysIsDerived(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "derived") {
			t.Errorf("declaring movablekeys: recovered %v", r)
		}
	}()
	spec{name: "x", arity: 1, flags: "readonly movablekeys"}.build("")
}
