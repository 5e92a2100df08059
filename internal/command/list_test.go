package command

import "testing"

func TestListCommandsAndLog(t *testing.T) {
	te := newTestEnv(t)
	for _, c := range []struct{ cmd, want string }{
		{"RPUSH l a b c", ":3\r\n"},
		{"LPUSH l z", ":4\r\n"},
		{"LRANGE l 0 -1", "*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
		{"LPOP l 2", "*2\r\n$1\r\nz\r\n$1\r\na\r\n"},
		{"LPOP l -1", "-ERR value is out of range, must be positive\r\n"},
		{"LINSERT l BEFORE c x", ":3\r\n"},
		{"LPOS l c", ":2\r\n"},
		{"LPOS l c RANK 0", "-" + ErrLPosRankZero + "\r\n"},
		{"LSET l 9 x", "-ERR index out of range\r\n"},
		{"LMPOP 1 l RIGHT COUNT 5", "*2\r\n$1\r\nl\r\n*3\r\n$1\r\nc\r\n$1\r\nx\r\n$1\r\nb\r\n"},
		{"EXISTS l", ":0\r\n"},
		{"LPOP l", "$-1\r\n"},
	} {
		te.expect(c.cmd, c.want)
	}
	log := te.log()
	// LMPOP is logged as the equivalent deterministic RPOP.
	want := "*5\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
	if len(log) < len(want) || log[len(log)-len("*3\r\n$4\r\nRPOP\r\n$1\r\nl\r\n$1\r\n5\r\n"):] != "*3\r\n$4\r\nRPOP\r\n$1\r\nl\r\n$1\r\n5\r\n" {
		t.Fatalf("log %q", log)
	}
	// A write that changes nothing is not logged.
	te.expect("LTRIM nokey 0 1", "+OK\r\n")
	te.expect("RPUSH t a", ":1\r\n")
	te.log()
	te.expect("LTRIM t 0 -1", "+OK\r\n")
	te.expect("LREM t 0 zz", ":0\r\n")
	if got := te.log(); got != "" {
		t.Fatalf("no-op writes logged %q", got)
	}
	te.expect("OBJECT ENCODING t", "$9\r\nquicklist\r\n")
}
