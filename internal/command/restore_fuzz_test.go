package command

import (
	"strings"
	"testing"
)

// FuzzRestore feeds arbitrary payloads to RESTORE through the engine: it
// must answer OK or an error, never panic, and a restored value must dump
// and restore again to the same contents.
func FuzzRestore(f *testing.F) {
	seed := newTestEnv(f)
	for _, setup := range []string{
		"SET k hello", "SET k 12345", "RPUSH k a 1 b", "SADD k 1 2 3", "SADD k a b",
		"HSET k f v g w", "ZADD k 1 a 2.5 b",
	} {
		seed.cmd("DEL k")
		seed.cmd(setup)
		if p, ok := bulkBody(seed.do("DUMP", "k")); ok {
			f.Add([]byte(p))
		}
	}
	f.Add([]byte{})
	f.Add([]byte("\x00\x05hello\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		te := newTestEnv(t)
		reply := te.do("RESTORE", "k", "0", string(payload))
		if reply != "+OK\r\n" {
			if !strings.HasPrefix(reply, "-") {
				t.Fatalf("RESTORE answered %q", reply)
			}
			return
		}
		dump, ok := bulkBody(te.do("DUMP", "k"))
		if !ok {
			t.Fatal("a restored key cannot be dumped")
		}
		if r := te.do("RESTORE", "k2", "0", dump); r != "+OK\r\n" {
			t.Fatalf("our own DUMP does not restore: %q", r)
		}
		if a, b := te.cmd("TYPE k"), te.cmd("TYPE k2"); a != b {
			t.Fatalf("types differ after a second round trip: %q %q", a, b)
		}
	})
}

// bulkBody extracts the payload of a raw bulk-string reply.
func bulkBody(reply string) (string, bool) {
	if !strings.HasPrefix(reply, "$") || strings.HasPrefix(reply, "$-1") {
		return "", false
	}
	i := strings.Index(reply, "\r\n")
	return reply[i+2 : len(reply)-2], true
}
