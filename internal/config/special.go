package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// saveKind is the list of RDB save points, canonical "s1 c1 s2 c2 ..." (""
// when snapshotting is off). CONFIG SET replaces the list; while loading,
// the first save line replaces the default and later lines append, and a
// lone "" argument clears the list.
type saveKind struct{}

const reasonBadSave = "Invalid save parameters"

func (saveKind) set(cur string, args []string, appending bool) (string, error) {
	reset := false
	if len(args) == 1 && args[0] == "" {
		args, reset = nil, true
	}
	if len(args)%2 != 0 {
		return "", errors.New(reasonBadSave)
	}
	points := make([]string, 0, len(args))
	for i, a := range args {
		v, ok := parseCLong(a)
		if !ok || i%2 == 0 && v < 1 || i%2 == 1 && v < 0 {
			return "", errors.New(reasonBadSave)
		}
		if i%2 == 1 {
			v = int64(int32(v)) // Redis keeps the change count in a C int
		}
		points = append(points, strconv.FormatInt(v, 10))
	}
	if appending && !reset && cur != "" {
		points = append(strings.Fields(cur), points...)
	}
	return strings.Join(points, " "), nil
}

func (saveKind) show(val string) string { return val }

// lines writes one save line per point, or `save ""` so that a restart does
// not fall back to the defaults.
func (saveKind) lines(val, _ string) []string {
	f := strings.Fields(val)
	if len(f) == 0 {
		return []string{`""`}
	}
	out := make([]string, 0, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		out = append(out, f[i]+" "+f[i+1])
	}
	return out
}

// bindKind is the list of listen addresses, canonical space-separated.
type bindKind struct{}

// maxBindAddrs is Redis's CONFIG_BINDADDR_MAX.
const maxBindAddrs = 16

func (bindKind) set(_ string, args []string, _ bool) (string, error) {
	if len(args) > maxBindAddrs {
		return "", errors.New("Too many bind addresses specified.")
	}
	return strings.Join(args, " "), nil
}

func (bindKind) show(val string) string { return val }

func (bindKind) lines(val, _ string) []string { return []string{val} }

// coblKind is client-output-buffer-limit: hard limit, soft limit and soft
// seconds for the normal, replica and pubsub client classes. Canonical
// form is Redis's CONFIG GET text, all three classes in order. Each line
// or CONFIG SET value updates only the classes it names.
type coblKind struct{}

// coblClass maps a class name to its position in the canonical value;
// "replica" is accepted for "slave", which is how Redis displays it.
func coblClass(name string) int {
	switch strings.ToLower(name) {
	case "normal":
		return 0
	case "slave", "replica":
		return 1
	case "pubsub":
		return 2
	}
	return -1
}

func (coblKind) set(cur string, args []string, _ bool) (string, error) {
	if len(args)%4 != 0 {
		return "", errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	classes := strings.Fields(cur)
	if len(classes) != 12 {
		return "", fmt.Errorf("corrupt current client-output-buffer-limit %q", cur)
	}
	for i := 0; i < len(args); i += 4 {
		c := coblClass(args[i])
		if c < 0 {
			return "", errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, ok1 := parseMemory(args[i+1])
		soft, ok2 := parseMemory(args[i+2])
		secs, ok3 := parseCLong(args[i+3])
		if !ok1 || !ok2 || !ok3 || secs < 0 {
			return "", errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		classes[c*4+1] = strconv.FormatUint(hard, 10)
		classes[c*4+2] = strconv.FormatUint(soft, 10)
		classes[c*4+3] = strconv.FormatInt(secs, 10)
	}
	return strings.Join(classes, " "), nil
}

func (coblKind) show(val string) string { return val }

// lines writes a line per class that differs from the default, so that a
// rewrite of an unchanged configuration changes nothing.
func (coblKind) lines(val, def string) []string {
	v, d := strings.Fields(val), strings.Fields(def)
	var out []string
	for c := 0; c+3 < len(v) && c+3 < len(d); c += 4 {
		if strings.Join(v[c:c+4], " ") == strings.Join(d[c:c+4], " ") {
			continue
		}
		hard, _ := strconv.ParseUint(v[c+1], 10, 64)
		soft, _ := strconv.ParseUint(v[c+2], 10, 64)
		out = append(out, fmt.Sprintf("%s %s %s %s", v[c], formatMemory(hard), formatMemory(soft), v[c+3]))
	}
	return out
}

// nkeKind is notify-keyspace-events. The canonical value lists every set
// flag in the order of keyspaceFlags; show renders it as Redis's CONFIG
// GET does, which folds the type classes into "A" (and then omits "n").
type nkeKind struct{}

// keyspaceFlags orders the event class characters: the classes that "A"
// stands for, then n, K, E, m.
const (
	keyspaceAll   = "g$lshzxetd"
	keyspaceFlags = keyspaceAll + "nKEm"
)

func (nkeKind) set(_ string, args []string, _ bool) (string, error) {
	var set [256]bool
	for i := 0; i < len(args[0]); i++ {
		c := args[0][i]
		switch {
		case c == 'A':
			for j := 0; j < len(keyspaceAll); j++ {
				set[keyspaceAll[j]] = true
			}
		case strings.IndexByte(keyspaceFlags, c) >= 0:
			set[c] = true
		default:
			return "", errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
		}
	}
	var b strings.Builder
	for i := 0; i < len(keyspaceFlags); i++ {
		if set[keyspaceFlags[i]] {
			b.WriteByte(keyspaceFlags[i])
		}
	}
	return b.String(), nil
}

func (nkeKind) show(val string) string {
	var b strings.Builder
	all := true
	for i := 0; i < len(keyspaceAll); i++ {
		if strings.IndexByte(val, keyspaceAll[i]) < 0 {
			all = false
		}
	}
	if all {
		b.WriteByte('A')
	} else {
		for i := 0; i < len(keyspaceAll)+1; i++ { // the classes, then n
			if strings.IndexByte(val, keyspaceFlags[i]) >= 0 {
				b.WriteByte(keyspaceFlags[i])
			}
		}
	}
	for _, c := range []byte("KEm") {
		if strings.IndexByte(val, c) >= 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// lines writes the CONFIG GET form when it keeps every flag, and the full
// flag list otherwise (show hides n next to A), so that a rewritten file
// restores exactly the running setting.
func (k nkeKind) lines(val, _ string) []string {
	if shown := k.show(val); shown != val {
		if back, err := k.set("", []string{shown}, false); err == nil && back == val {
			return []string{quote(shown)}
		}
	}
	return []string{quote(val)}
}
