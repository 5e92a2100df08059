package command

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// keyRef is one key argument of a call: its position in the arguments
// (the command name is 0) and the flags of what found it.
type keyRef struct {
	pos   int
	flags []string
}

// keyFinder finds a call's keys by reading its arguments, for the commands
// where key specs alone do not tell what Redis reports (keyFinders).
type keyFinder func(args [][]byte) []keyRef

// keyFinders are Redis 7.0's own key-finding routines for some commands, as
// COMMAND GETKEYS shows them. They take over from the key specs in three
// cases (Command.getKeys): always for a command whose key flags depend on
// its arguments (variable_flags: SET with or without GET, BITFIELD with
// writing or only reading operations); when an incomplete key spec matches
// (MIGRATE … KEYS, where the spec cannot tell a KEYS password apart); and
// when the key specs find no keys or fail, where their own, more lenient
// parsing can still find some (a count of "2x" reads as 2, and the keys
// then have no flags). Keyed by command name.
var keyFinders = map[string]keyFinder{
	"set":         setKeys,
	"bitfield":    bitfieldKeys,
	"migrate":     migrateKeys,
	"sort":        sortKeys,
	"sort_ro":     sortROKeys,
	"zunion":      countedKeys(0, 1, 2),
	"zinter":      countedKeys(0, 1, 2),
	"zdiff":       countedKeys(0, 1, 2),
	"zintercard":  countedKeys(0, 1, 2),
	"sintercard":  countedKeys(0, 1, 2),
	"lmpop":       countedKeys(0, 1, 2),
	"zmpop":       countedKeys(0, 1, 2),
	"blmpop":      countedKeys(0, 2, 3),
	"bzmpop":      countedKeys(0, 2, 3),
	"zunionstore": countedKeys(1, 2, 3),
	"zinterstore": countedKeys(1, 2, 3),
	"zdiffstore":  countedKeys(1, 2, 3),
}

// getKeys finds the keys of a call of cmd (args[0] is the command name,
// the arity already checked) as Redis 7.0's COMMAND GETKEYS does. No keys
// means the arguments do not say.
func (cmd *Command) getKeys(args [][]byte) []keyRef {
	var variable, hasKeys bool
	for _, ks := range cmd.KeySpecs {
		variable = variable || slices.Contains(ks.Flags, "variable_flags")
		hasKeys = hasKeys || !slices.Contains(ks.Flags, "not_key")
	}
	find := keyFinders[cmd.Name]
	if find != nil && (variable || !hasKeys) {
		return find(args)
	}
	if hasKeys {
		if keys := keysFromSpecs(cmd.KeySpecs, args); len(keys) > 0 {
			return keys
		}
	}
	if find != nil {
		return find(args)
	}
	return nil
}

// hasKeyArgs reports whether any key spec names real keys.
func (cmd *Command) hasKeyArgs() bool {
	for _, ks := range cmd.KeySpecs {
		if !slices.Contains(ks.Flags, "not_key") {
			return true
		}
	}
	return keyFinders[cmd.Name] != nil
}

// keysFromSpecs applies key specs to a call. A spec whose begin keyword is
// absent finds nothing; a spec that does not fit the arguments (a key
// count that is no number, keys beyond the end) or an incomplete spec that
// matches makes the whole search fail (nil).
func keysFromSpecs(specs []KeySpec, args [][]byte) []keyRef {
	argc := len(args)
	var keys []keyRef
	for i := range specs {
		ks := &specs[i]
		if slices.Contains(ks.Flags, "not_key") {
			continue
		}
		first := ks.Index
		if ks.Keyword != "" {
			first = keywordStart(ks, args)
			if first == 0 {
				continue
			}
		}
		if ks.Unknown || slices.Contains(ks.Flags, "incomplete") {
			return nil
		}
		var last, step int
		if ks.KeyNum {
			step = ks.KeyStep
			if ks.KeyNumIdx >= argc-first {
				return nil
			}
			n, err := strictInt(args[first+ks.KeyNumIdx])
			if err != nil || n < 0 {
				return nil
			}
			// n keys, KeyStep apart (no Redis 7.0 command has a step
			// other than 1 here); Redis counts in a C int.
			first += ks.FirstKey
			last = first + (int(int32(n))-1)*step
		} else {
			step = ks.KeyStep
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit == 0:
				last = argc + ks.LastKey
			default:
				last = first + (argc-first)/ks.Limit + ks.LastKey
			}
		}
		if last >= argc || last < first || first >= argc {
			return nil
		}
		for p := first; p <= last; p += step {
			keys = append(keys, keyRef{pos: p, flags: ks.Flags})
		}
	}
	return keys
}

// keywordStart looks for a key spec's keyword from StartFrom on (backwards
// from the end when negative, never at the far end it moves toward) and
// returns the position after it, or 0.
func keywordStart(ks *KeySpec, args [][]byte) int {
	argc := len(args)
	start, end := ks.StartFrom, argc-1
	if start <= 0 {
		start, end = argc+ks.StartFrom, 0
	}
	for i := start; i != end; {
		if i >= argc || i < 1 {
			break
		}
		if strings.EqualFold(string(args[i]), ks.Keyword) {
			return i + 1
		}
		if start <= end {
			i++
		} else {
			i--
		}
	}
	return 0
}

// strictInt parses a key count as Redis's key specs do: a plain decimal,
// no sign but minus, no spaces, no leading zeros.
func strictInt(b []byte) (int64, error) {
	s := string(b)
	if len(s) > 1 && (s[0] == '0' || s[0] == '+' || strings.HasPrefix(s, "-0")) {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}

// cAtoi reads a number the lenient way of C's atoi, which Redis's own key
// finders use: leading spaces, a sign, the digits up to the first other
// byte, 0 if none; the value as a 64-bit long cut to a 32-bit int.
func cAtoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n <= math.MaxInt64 {
			n = n*10 + uint64(b[i]-'0')
		}
	}
	var v int64
	switch {
	case neg && n > math.MaxInt64:
		v = math.MinInt64
	case neg:
		v = -int64(n)
	case n > math.MaxInt64:
		v = math.MaxInt64
	default:
		v = int64(n)
	}
	return int(int32(v))
}

// countedKeys finds keys after a count: the count at countPos, the keys
// from firstPos on, then the destination at storePos if not 0. A count
// that is not positive or exceeds the arguments finds nothing. The keys
// carry no flags, as with Redis.
func countedKeys(storePos, countPos, firstPos int) keyFinder {
	return func(args [][]byte) []keyRef {
		n := cAtoi(args[countPos])
		if n < 1 || n > len(args)-firstPos {
			return nil
		}
		keys := make([]keyRef, 0, n+1)
		for i := range n {
			keys = append(keys, keyRef{pos: firstPos + i})
		}
		if storePos > 0 {
			keys = append(keys, keyRef{pos: storePos})
		}
		return keys
	}
}

// setKeys: SET reads the old value only with GET.
func setKeys(args [][]byte) []keyRef {
	for _, a := range args[3:] {
		if strings.EqualFold(string(a), "get") {
			return []keyRef{{pos: 1, flags: []string{"RW", "access", "update"}}}
		}
	}
	return []keyRef{{pos: 1, flags: []string{"OW", "update"}}}
}

// bitfieldKeys: BITFIELD only reads when every operation is a complete GET
// or OVERFLOW; anything else, malformed included, counts as a write.
func bitfieldKeys(args [][]byte) []keyRef {
	readOnly := true
scan:
	for i := 2; i < len(args); i++ {
		rest := len(args) - i - 1
		switch op := strings.ToLower(string(args[i])); {
		case op == "get" && rest >= 2:
			i += 2
		case op == "overflow" && rest >= 1:
			i++
		default:
			readOnly = false
			break scan
		}
	}
	if readOnly {
		return []keyRef{{pos: 1, flags: []string{"RO", "access"}}}
	}
	return []keyRef{{pos: 1, flags: []string{"RW", "access", "update"}}}
}

// migrateKeys: the key argument, or with KEYS (and an empty key argument)
// every argument after KEYS; the values of AUTH and AUTH2 are skipped.
func migrateKeys(args [][]byte) []keyRef {
	first, n := 3, 1
	for i := 6; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "keys":
			if len(args[3]) > 0 {
				return nil
			}
			first, n = i+1, len(args)-i-1
			i = len(args)
		case "auth":
			i++
		case "auth2":
			i += 2
		}
	}
	keys := make([]keyRef, n)
	for i := range keys {
		keys[i] = keyRef{pos: first + i, flags: []string{"RW", "access", "delete"}}
	}
	return keys
}

// cmdCommandGetKeys is COMMAND GETKEYS and, with flags, GETKEYSANDFLAGS.
func cmdCommandGetKeys(c *Ctx, withFlags bool) {
	args := c.Args[2:]
	cmd := c.E.Table.Lookup(args[0])
	if cmd != nil && len(cmd.Subs) > 0 && len(args) > 1 {
		cmd = cmd.Sub(args[1])
	}
	switch {
	case cmd == nil:
		c.W.Error("ERR Invalid command specified")
		return
	case !cmd.hasKeyArgs():
		c.W.Error("ERR The command has no key arguments")
		return
	case !cmd.arityOK(len(args)):
		c.W.Error("ERR Invalid number of arguments specified for command")
		return
	}
	keys := cmd.getKeys(args)
	if len(keys) == 0 {
		if cmd.Flags&FlagNoMandatoryKeys != 0 {
			c.W.Array(0)
		} else {
			c.W.Error("ERR Invalid arguments specified for command")
		}
		return
	}
	c.W.Array(len(keys))
	for _, k := range keys {
		if !withFlags {
			c.W.Bulk(args[k.pos])
			continue
		}
		c.W.Array(2)
		c.W.Bulk(args[k.pos])
		c.W.Set(len(k.flags))
		for _, f := range k.flags {
			c.W.SimpleString(f)
		}
	}
}
