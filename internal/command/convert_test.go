package command

import "testing"

func TestDumpRestoreIntsetAndList(t *testing.T) {
	te := newTestEnv(t)
	te.cmd("SADD s 1 2 3 400 -5")
	te.cmd("RPUSH l 1 2 3 hello 99999999999")
	for _, k := range []string{"s", "l"} {
		d := te.do("DUMP", k)
		if d[0] != '$' {
			t.Fatalf("DUMP %s: %q", k, d)
		}
		// strip bulk header
		i := 0
		for d[i] != '\n' {
			i++
		}
		payload := d[i+1 : len(d)-2]
		if r := te.do("RESTORE", k+"2", "0", payload); r != "+OK\r\n" {
			t.Fatalf("restore %s: %q", k, r)
		}
	}
	if a, b := te.cmd("SMEMBERS s"), te.cmd("SMEMBERS s2"); a != b {
		t.Fatalf("set: %q vs %q", a, b)
	}
	if a, b := te.cmd("LRANGE l 0 -1"), te.cmd("LRANGE l2 0 -1"); a != b {
		t.Fatalf("list: %q vs %q", a, b)
	}
}
