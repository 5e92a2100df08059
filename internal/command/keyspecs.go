package command

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// KeySpec is one of a command's key specifications, the model Redis 7
// reports in COMMAND INFO and uses for COMMAND GETKEYS. A command has one
// per group of key arguments that share a role (SMOVE: the source it reads
// and deletes from, the destination it inserts into). Finding a group's keys
// takes two steps:
//
//   - begin search: where the group starts. Either a fixed argument index
//     (Keyword == ""), or the argument after a keyword, looked for from
//     argument StartFrom on (a negative StartFrom counts from the end and
//     searches backwards: MIGRATE's KEYS is among the last arguments).
//   - find keys: from that start, either a range (KeyNum false): keys up to
//     LastKey relative to the start, or counted from the end when
//     negative, every KeyStep arguments, with Limit > 1 keeping only that
//     fraction of the remaining arguments; or a counted list (KeyNum): the
//     argument at start+KeyNumIdx says how many keys follow, the first at
//     start+FirstKey, then every KeyStep.
//
// Flags say what the command does with the keys (Redis's key-spec flags:
// RW/RO/OW/RM, access, update, insert, delete, not_key, incomplete,
// variable_flags). The flags and positions are interface facts and match
// Redis 7.0 exactly.
//
// Notes: Redis attaches a free-text "notes" string to some key specs. Those
// texts are Redis's prose, so kevy does not reproduce them and its key specs
// carry no notes field at all; the differential test in test/compat
// (TestCommandInfo) drops Redis's notes field before comparing and tolerates
// nothing else.
type KeySpec struct {
	Flags []string

	Index     int    // begin search by index: the start argument
	Keyword   string // begin search by keyword ("" for an index)
	StartFrom int    // begin search by keyword: where the search starts

	KeyNum    bool // find keys by a count argument instead of a range
	LastKey   int  // range: last key relative to the start, <0 from the end
	KeyStep   int  // range and keynum: distance between keys
	Limit     int  // range: keep 1/Limit of the remaining arguments (0: all)
	KeyNumIdx int  // keynum: the count's position relative to the start
	FirstKey  int  // keynum: the first key's position relative to the start

	// Unknown: neither where the keys start nor how they follow can be
	// told from positions (SORT's BY/GET patterns and STORE, which may
	// come anywhere); only the command's own parsing finds them.
	Unknown bool
}

// simple reports whether ks is an index with a range, the form the legacy
// first/last/step triple can express. A command with any other spec has
// movable keys, as Redis flags it.
func (ks *KeySpec) simple() bool { return ks.Keyword == "" && !ks.KeyNum && !ks.Unknown }

// parseKeySpecs reads a spec's keys field: key specs separated by ";", each
// a list of flags followed by its begin search and find keys:
//
//	RW access delete index(1) range(0,1,0)
//	RO access index(2) keynum(0,1,1)
//	RW access delete incomplete keyword(KEYS,-2) range(-1,1,0)
//	OW update unknown()
//
// A spec of flags only ("OW update") takes its positions from the legacy
// triple: index(first) range(last-first or last when negative, step, 0).
// An empty field with key positions gets one such spec flagged "RW update"
// for a write command and "RO access" otherwise. A mistake panics: the
// table is built from constants, so it is a programming error.
func parseKeySpecs(s string, first, last, step int, write bool) []KeySpec {
	if strings.TrimSpace(s) == "" {
		if first <= 0 {
			return nil
		}
		s = "RO access"
		if write {
			s = "RW update"
		}
	}
	var out []KeySpec
	for _, part := range strings.Split(s, ";") {
		ks, err := parseKeySpec(part, first, last, step)
		if err != nil {
			panic(fmt.Sprintf("command table: key spec %q: %v", part, err))
		}
		out = append(out, ks)
	}
	return out
}

func parseKeySpec(s string, first, last, step int) (KeySpec, error) {
	var ks KeySpec
	begin, find := false, false
	for _, w := range strings.Fields(s) {
		name, argList, isCall := strings.Cut(w, "(")
		if !isCall {
			if begin || find {
				return ks, fmt.Errorf("flag %s after the positions", w)
			}
			ks.Flags = append(ks.Flags, w)
			continue
		}
		args := strings.Split(strings.TrimSuffix(argList, ")"), ",")
		switch {
		case name == "index" && len(args) == 1 && !begin:
			begin = true
			ks.Index = atoi(args[0])
		case name == "keyword" && len(args) == 2 && !begin:
			begin = true
			ks.Keyword, ks.StartFrom = args[0], atoi(args[1])
		case name == "range" && len(args) == 3 && begin && !find:
			find = true
			ks.LastKey, ks.KeyStep, ks.Limit = atoi(args[0]), atoi(args[1]), atoi(args[2])
		case name == "unknown" && argList == ")" && !begin:
			begin, find = true, true
			ks.Unknown = true
		case name == "keynum" && len(args) == 3 && begin && !find:
			find = true
			ks.KeyNum = true
			ks.KeyNumIdx, ks.FirstKey, ks.KeyStep = atoi(args[0]), atoi(args[1]), atoi(args[2])
		default:
			return ks, fmt.Errorf("bad or misplaced %s", w)
		}
	}
	switch {
	case begin && find:
	case !begin && !find && first > 0:
		ks.Index, ks.KeyStep = first, step
		ks.LastKey = last
		if last >= 0 {
			ks.LastKey = last - first
		}
	default:
		return ks, fmt.Errorf("needs both a begin search and a find keys, or legacy key positions")
	}
	if len(ks.Flags) == 0 {
		return ks, fmt.Errorf("no flags")
	}
	return ks, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		panic("command table: key spec number " + s)
	}
	return n
}

// writeKeySpecs writes a command's key-spec list for COMMAND INFO.
func writeKeySpecs(c *Ctx, cmd *Command) {
	c.W.Set(len(cmd.KeySpecs))
	for i := range cmd.KeySpecs {
		ks := &cmd.KeySpecs[i]
		c.W.Map(3)
		c.W.BulkString("flags")
		c.W.Set(len(ks.Flags))
		for _, f := range ks.Flags {
			c.W.SimpleString(f)
		}
		c.W.BulkString("begin_search")
		c.W.Map(2)
		c.W.BulkString("type")
		if ks.Unknown {
			writeUnknownSearch(c)
			c.W.BulkString("find_keys")
			c.W.Map(2)
			c.W.BulkString("type")
			writeUnknownSearch(c)
			continue
		}
		if ks.Keyword != "" {
			c.W.BulkString("keyword")
			c.W.BulkString("spec")
			c.W.Map(2)
			c.W.BulkString("keyword")
			c.W.BulkString(ks.Keyword)
			c.W.BulkString("startfrom")
			c.W.Int(int64(ks.StartFrom))
		} else {
			c.W.BulkString("index")
			c.W.BulkString("spec")
			c.W.Map(1)
			c.W.BulkString("index")
			c.W.Int(int64(ks.Index))
		}
		c.W.BulkString("find_keys")
		c.W.Map(2)
		c.W.BulkString("type")
		if ks.KeyNum {
			c.W.BulkString("keynum")
			c.W.BulkString("spec")
			c.W.Map(3)
			c.W.BulkString("keynumidx")
			c.W.Int(int64(ks.KeyNumIdx))
			c.W.BulkString("firstkey")
			c.W.Int(int64(ks.FirstKey))
			c.W.BulkString("keystep")
			c.W.Int(int64(ks.KeyStep))
		} else {
			c.W.BulkString("range")
			c.W.BulkString("spec")
			c.W.Map(3)
			c.W.BulkString("lastkey")
			c.W.Int(int64(ks.LastKey))
			c.W.BulkString("keystep")
			c.W.Int(int64(ks.KeyStep))
			c.W.BulkString("limit")
			c.W.Int(int64(ks.Limit))
		}
	}
}

// writeUnknownSearch writes the type and the empty spec of a key spec
// part that positions cannot describe.
func writeUnknownSearch(c *Ctx) {
	c.W.BulkString("unknown")
	c.W.BulkString("spec")
	c.W.Map(0)
}

// hasNotKey reports whether a key spec marks its arguments as not keys.
func hasNotKey(specs []KeySpec) bool {
	for _, ks := range specs {
		if slices.Contains(ks.Flags, "not_key") {
			return true
		}
	}
	return false
}
