package command

import "testing"

func TestZSetCommandsAndLog(t *testing.T) {
	te := newTestEnv(t)
	for _, c := range []struct{ cmd, want string }{
		{"ZADD z 1 a 2 b 3 c", ":3\r\n"},
		{"ZADD z GT 0 a", ":0\r\n"},
		{"ZSCORE z b", "$1\r\n2\r\n"},
		{"ZINCRBY z 0.1 a", "$18\r\n1.1000000000000001\r\n"},
		{"ZRANGE z (1 +inf BYSCORE WITHSCORES LIMIT 0 1", "*2\r\n$1\r\na\r\n$18\r\n1.1000000000000001\r\n"},
		{"ZCOUNT z x 1", "-ERR min or max is not a float\r\n"},
		{"ZRANGEBYLEX z x y", "-ERR min or max not valid string range item\r\n"},
		{"ZADD z INCR -inf i", "$4\r\n-inf\r\n"},
		{"ZADD z INCR +inf i", "-ERR resulting score is not a number (NaN)\r\n"},
		{"ZMPOP 1 z MAX COUNT 2", "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"OBJECT ENCODING z", "$8\r\nlistpack\r\n"},
	} {
		te.expect(c.cmd, c.want)
	}
	log := te.log()
	tail := "*3\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n$1\r\n2\r\n"
	if len(log) < len(tail) || log[len(log)-len(tail):] != tail {
		t.Fatalf("ZMPOP not logged as ZPOPMAX: %q", log)
	}
	te.expect("ZADD z NX 5 a", ":0\r\n")
	te.expect("ZREM z nope", ":0\r\n")
	if got := te.log(); got != "" {
		t.Fatalf("no-op writes logged %q", got)
	}
	// Conversion to skiplist exactly past the limits, never back.
	te.e.Limits.ZSetMaxListpackEntries = 2
	te.expect("ZADD e 1 a 2 b", ":2\r\n")
	te.expect("OBJECT ENCODING e", "$8\r\nlistpack\r\n")
	te.expect("ZADD e 3 c", ":1\r\n")
	te.expect("OBJECT ENCODING e", "$8\r\nskiplist\r\n")
	te.expect("ZREM e a b", ":2\r\n")
	te.expect("OBJECT ENCODING e", "$8\r\nskiplist\r\n")
}
