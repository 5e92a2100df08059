package compat

import (
	"bytes"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCommandInfo compares COMMAND INFO of every command and subcommand that
// kevy lists in COMMAND LIST with Redis's, in RESP2 and RESP3, by the rules
// of compareCommandEntry: byte for byte, except that Redis's key-spec notes
// (prose kevy does not copy) are dropped and subcommand lists are matched by
// name. It also checks that kevy's COMMAND lists the same entries as its
// COMMAND INFO, and COMMAND COUNT agrees.
//
//	go test ./test/compat -run TestCommandInfo -v
func TestCommandInfo(t *testing.T) {
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH; COMMAND INFO is compared against a Redis 7.0")
	}
	peerName, peerBin, peerArgs := peerServer(t, redisBin)
	redisAddr := start(t, "redis", redisBin, redisArgs)
	peerAddr := start(t, peerName, peerBin, peerArgs)
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			redis, kevy := dialProto(t, redisAddr, proto), dialProto(t, peerAddr, proto)
			list := call(t, kevy, "COMMAND", "LIST")
			var names []string
			for _, e := range list.elems {
				names = append(names, string(e.data))
			}
			slices.Sort(names)
			if len(names) == 0 {
				t.Fatalf("COMMAND LIST is empty: %q", list.raw)
			}
			differ := 0
			var notImplemented []string
			for _, name := range names {
				want := call(t, redis, "COMMAND", "INFO", name)
				got := call(t, kevy, "COMMAND", "INFO", name)
				if len(want.elems) != 1 || want.elems[0].null {
					differ++
					t.Errorf("%s: Redis has no such command: %q", name, want.raw)
					continue
				}
				if len(got.elems) != 1 {
					differ++
					t.Errorf("%s: kevy's COMMAND INFO is not one entry: %q", name, got.raw)
					continue
				}
				diff, missing := compareCommandEntry(want.elems[0], got.elems[0], peerName != "kevy")
				if diff != "" {
					differ++
					t.Errorf("COMMAND INFO %s: %s", name, diff)
				}
				notImplemented = append(notImplemented, missing...)
			}
			if differ > 0 {
				t.Errorf("%d of %d commands differ from Redis in COMMAND INFO", differ, len(names))
			}
			if len(notImplemented) > 0 {
				slices.Sort(notImplemented)
				t.Logf("Redis subcommands kevy does not implement (not compared): %s", strings.Join(notImplemented, " "))
			}
			checkCommandListsInfo(t, kevy)
			checkGetKeys(t, redis, kevy, names)
		})
	}
}

// checkCommandListsInfo checks that COMMAND gives, for each top-level
// command, the bytes COMMAND INFO gives for it, and that COMMAND COUNT is
// their number.
func checkCommandListsInfo(t *testing.T, kevy *conn) {
	all := call(t, kevy, "COMMAND")
	for _, e := range all.elems {
		if len(e.elems) == 0 {
			t.Fatalf("COMMAND: entry %q is not an entry", e.raw)
		}
		name := string(e.elems[0].data)
		info := call(t, kevy, "COMMAND", "INFO", name)
		if len(info.elems) != 1 || !bytes.Equal(info.elems[0].raw, e.raw) {
			t.Errorf("COMMAND's entry for %s is not COMMAND INFO's:\n COMMAND: %q\n    INFO: %q", name, e.raw, info.raw)
		}
	}
	count := call(t, kevy, "COMMAND", "COUNT")
	if want := ":" + strconv.Itoa(len(all.elems)) + "\r\n"; string(count.raw) != want {
		t.Errorf("COMMAND COUNT = %q, COMMAND lists %d", count.raw, len(all.elems))
	}
}

// getKeysArgs are argument lists tried with COMMAND GETKEYSANDFLAGS on every
// command: plain names of several lengths, and counts in the places where
// counted-key commands (ZUNION, ZUNIONSTORE, BLMPOP …) expect them, valid,
// zero, too large and malformed.
var getKeysArgs = [][]string{
	{}, {"k1"}, {"k1", "k2"}, {"k1", "k2", "k3"}, {"k1", "k2", "k3", "k4"},
	{"k1", "k2", "k3", "k4", "k5", "k6", "k7"},
	{"2", "k1", "k2", "x"}, {"0", "k1", "x"}, {"5", "k1", "x"}, {"2x", "k1", "k2", "x"},
	{"d", "2", "k1", "k2"}, {"d", "0", "k1"}, {"0", "2", "k1", "k2", "x"},
	{"h", "p", "k", "0", "5000"}, {"h", "p", "", "0", "5000", "keys", "k1", "k2"},
}

// checkGetKeys compares COMMAND GETKEYSANDFLAGS, errors included, for every
// command and subcommand with each of getKeysArgs.
func checkGetKeys(t *testing.T, redis, kevy *conn, names []string) {
	differ := 0
	for _, name := range names {
		for _, extra := range getKeysArgs {
			args := append([]string{"COMMAND", "GETKEYSANDFLAGS"}, strings.Split(name, "|")...)
			args = append(args, extra...)
			want, err := redis.roundTrip(encodeCommand(args))
			if err != nil {
				t.Fatalf("redis: %s: %v", strings.Join(args, " "), err)
			}
			got, err := kevy.roundTrip(encodeCommand(args))
			if err != nil {
				t.Fatalf("kevy: %s: %v", strings.Join(args, " "), err)
			}
			if !bytes.Equal(want.raw, got.raw) {
				differ++
				t.Errorf("%q:\n redis: %q\n  kevy: %q", args, want.raw, got.raw)
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d COMMAND GETKEYSANDFLAGS calls differ from Redis", differ)
	}
}

// dialProto connects to addr and switches to RESP3 when proto is "3".
func dialProto(t *testing.T, addr, proto string) *conn {
	t.Helper()
	s := newSession(addr)
	t.Cleanup(s.close)
	c, err := s.conn()
	if err != nil {
		t.Fatal(err)
	}
	if proto == "3" {
		if r := call(t, c, "HELLO", "3"); r.kind != '%' {
			t.Fatalf("HELLO 3 on %s: %q", addr, r.raw)
		}
	}
	return c
}

// call sends one command and returns its reply, failing the test on an I/O
// error or an error reply.
func call(t *testing.T, c *conn, args ...string) reply {
	t.Helper()
	r, err := c.roundTrip(encodeCommand(args))
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	if r.kind == '-' || r.kind == 'x' {
		t.Fatalf("%s: %q", strings.Join(args, " "), r.raw)
	}
	return r
}

// entryWire builds a RESP2 COMMAND INFO entry: name, arity 2, the flags, key
// positions 1 1 1, no categories or tips, the key specs (already encoded, one
// spec per element) and the subcommand entries.
func entryWire(name string, flags []string, specs []string, subs ...string) string {
	var b strings.Builder
	b.WriteString("*10\r\n$" + strconv.Itoa(len(name)) + "\r\n" + name + "\r\n:2\r\n")
	b.WriteString("*" + strconv.Itoa(len(flags)) + "\r\n")
	for _, f := range flags {
		b.WriteString("+" + f + "\r\n")
	}
	b.WriteString(":1\r\n:1\r\n:1\r\n*0\r\n*0\r\n")
	b.WriteString("*" + strconv.Itoa(len(specs)) + "\r\n" + strings.Join(specs, ""))
	b.WriteString("*" + strconv.Itoa(len(subs)) + "\r\n" + strings.Join(subs, ""))
	return b.String()
}

func TestCompareCommandEntry(t *testing.T) {
	spec := "*4\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$4\r\nmore\r\n:1\r\n"
	specNotes := "*6\r\n$5\r\nnotes\r\n$3\r\nabc\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$4\r\nmore\r\n:1\r\n"
	specRW := "*4\r\n$5\r\nflags\r\n*1\r\n+RW\r\n$4\r\nmore\r\n:1\r\n"
	subA := entryWire("c|a", []string{"fast"}, nil)
	subB := entryWire("c|b", []string{"fast"}, nil)
	subX := entryWire("c|x", []string{"fast"}, nil)
	subAslow := entryWire("c|a", []string{"slow"}, nil)
	tests := []struct {
		name     string
		redis    string
		kevy     string
		notesToo bool
		same     bool
		missing  []string
	}{
		{"identical", entryWire("c", []string{"fast"}, []string{spec}), entryWire("c", []string{"fast"}, []string{spec}), false, true, nil},
		{"redis notes dropped", entryWire("c", nil, []string{specNotes, spec}), entryWire("c", nil, []string{spec, spec}), false, true, nil},
		{"kevy notes are a difference", entryWire("c", nil, []string{specNotes}), entryWire("c", nil, []string{specNotes}), false, false, nil},
		{"peer notes dropped too", entryWire("c", nil, []string{specNotes}), entryWire("c", nil, []string{specNotes}), true, true, nil},
		{"key-spec flags", entryWire("c", nil, []string{spec}), entryWire("c", nil, []string{specRW}), false, false, nil},
		{"missing key spec", entryWire("c", nil, []string{spec, spec}), entryWire("c", nil, []string{spec}), false, false, nil},
		{"flags", entryWire("c", []string{"fast"}, nil), entryWire("c", []string{"fast", "movablekeys"}, nil), false, false, nil},
		{"subcommands by name", entryWire("c", nil, nil, subB, subX, subA), entryWire("c", nil, nil, subA, subB), false, true, []string{"c|x"}},
		{"subcommand differs", entryWire("c", nil, nil, subA), entryWire("c", nil, nil, subAslow), false, false, nil},
		{"subcommand unknown to redis", entryWire("c", nil, nil, subA), entryWire("c", nil, nil, subA, subB), false, false, nil},
		{"not an entry", "*1\r\n:1\r\n", entryWire("c", nil, nil), false, false, nil},
	}
	for _, tt := range tests {
		diff, missing := compareCommandEntry(parseReply(t, tt.redis), parseReply(t, tt.kevy), tt.notesToo)
		if (diff == "") != tt.same {
			t.Errorf("%s: diff %q, want same=%v", tt.name, diff, tt.same)
		}
		if !slices.Equal(missing, tt.missing) {
			t.Errorf("%s: missing %q, want %q", tt.name, missing, tt.missing)
		}
	}
}
