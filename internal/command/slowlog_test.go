package command

import (
	"strings"
	"testing"
)

// slowClock makes every reading of the slow log's clock advance by step
// microseconds, so a command (two readings) takes exactly step.
func slowClock(te *testEnv, step *int64) {
	now := int64(1_700_000_000_000_000)
	te.e.NowMicros = func() int64 {
		now += *step
		return now
	}
}

// slowArgv returns the argument lists of the slow log's entries, newest
// first, read through SLOWLOG GET -1.
func slowArgv(te *testEnv) []string {
	te.t.Helper()
	var out []string
	for _, e := range te.e.slow.entries {
		var a []string
		for _, b := range e.Argv {
			a = append(a, string(b))
		}
		out = append(out, strings.Join(a, " "))
	}
	return out
}

func TestSlowlogThreshold(t *testing.T) {
	te := newTestEnv(t)
	step := int64(99)
	slowClock(te, &step)
	te.e.SetSlowlog(100, 128)
	te.expect("SET a 1", "+OK\r\n")
	if n := len(te.e.slow.entries); n != 0 {
		t.Fatalf("a 99 µs command was logged under a 100 µs threshold: %d entries", n)
	}
	step = 100
	te.cl.Addr, te.cl.Name = "127.0.0.1:5000", "me"
	te.expect("SET a 2", "+OK\r\n")
	want := "*1\r\n*6\r\n:0\r\n:1700000000\r\n:100\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n2\r\n$14\r\n127.0.0.1:5000\r\n$2\r\nme\r\n"
	step = 0
	te.expect("SLOWLOG GET", want)
	te.expect("SLOWLOG LEN", ":1\r\n")
	// A negative threshold disables the log; 0 logs everything.
	step = 1 << 40
	te.e.SetSlowlog(-1, 128)
	te.cmd("GET a")
	te.expect("SLOWLOG LEN", ":1\r\n")
	step = 0
	te.e.SetSlowlog(0, 128)
	te.cmd("GET a")
	te.expect("SLOWLOG LEN", ":2\r\n") // the first SET, then GET
	if got := slowArgv(te); got[0] != "SLOWLOG LEN" || got[1] != "GET a" {
		t.Errorf("entries %q", got)
	}
}

func TestSlowlogGetResetAndMaxLen(t *testing.T) {
	te := newTestEnv(t)
	step := int64(0)
	slowClock(te, &step)
	te.e.SetSlowlog(0, 3)
	for _, k := range []string{"a", "b", "c", "d"} {
		te.cmd("GET " + k)
	}
	if got := slowArgv(te); strings.Join(got, ",") != "GET d,GET c,GET b" {
		t.Fatalf("entries %q", got)
	}
	if te.e.slow.entries[0].ID != 3 {
		t.Errorf("newest id %d, want 3", te.e.slow.entries[0].ID)
	}
	te.e.SetSlowlog(-1, 3)
	if r := te.cmd("SLOWLOG GET 2"); !strings.HasPrefix(r, "*2\r\n") {
		t.Errorf("GET 2: %q", r)
	}
	if r := te.cmd("SLOWLOG GET 0"); r != "*0\r\n" {
		t.Errorf("GET 0: %q", r)
	}
	if r := te.cmd("SLOWLOG GET -1"); !strings.HasPrefix(r, "*3\r\n") {
		t.Errorf("GET -1: %q", r)
	}
	te.expect("SLOWLOG GET -2", "-ERR count should be greater than or equal to -1\r\n")
	te.expect("SLOWLOG GET x", "-ERR count should be greater than or equal to -1\r\n")
	te.expect("SLOWLOG GET 1 2", "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n")
	te.expect("SLOWLOG LEN 1", "-ERR wrong number of arguments for 'slowlog|len' command\r\n")
	te.expect("SLOWLOG FOO", "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n")
	// A shorter maximum trims at the next entry, as in Redis.
	te.e.SetSlowlog(0, 1)
	te.expect("SLOWLOG LEN", ":3\r\n")
	te.expect("SLOWLOG LEN", ":1\r\n")
	te.expect("SLOWLOG RESET", "+OK\r\n")
	// RESET logs itself once it has run; ids go on.
	if got := slowArgv(te); len(got) != 1 || got[0] != "SLOWLOG RESET" || te.e.slow.entries[0].ID != 6 {
		t.Errorf("after RESET: %q", got)
	}
}

func TestSlowlogTransactionsTruncationRedaction(t *testing.T) {
	te := newTestEnv(t)
	step := int64(0)
	slowClock(te, &step)
	te.e.SetSlowlog(0, 128)
	te.cmd("MULTI")
	te.cmd("SET x 1")
	te.cmd("GET x")
	te.cmd("EXEC")
	if got := strings.Join(slowArgv(te), ","); got != "GET x,SET x 1,MULTI" {
		t.Errorf("transaction logged as %q (EXEC is skip_slowlog, its commands are logged)", got)
	}
	te.cmd("SLOWLOG RESET")
	args := []string{"RPUSH", "k"}
	for i := 0; i < 40; i++ {
		args = append(args, "e")
	}
	te.do(args...)
	te.do("SET", strings.Repeat("y", 130), "v")
	te.do("AUTH", "u", "p")
	te.do("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n")
	te.do("MIGRATE", "h", "1", "", "0", "5", "AUTH2", "u", "p", "KEYS", "a")
	got := slowArgv(te)
	want := []string{
		"MIGRATE h 1  0 5 AUTH2 (redacted) (redacted) KEYS a",
		"HELLO 2 AUTH (redacted) (redacted) SETNAME n",
		"AUTH (redacted) (redacted)",
		"SET " + strings.Repeat("y", 128) + "... (2 more bytes) v",
		"RPUSH k " + strings.TrimSpace(strings.Repeat("e ", 29)) + " ... (11 more arguments)",
	}
	if len(got) < len(want) {
		t.Fatalf("entries %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestSlowlogBlockedCommand(t *testing.T) {
	te := newTestEnv(t)
	step := int64(0)
	slowClock(te, &step)
	te.e.SetSlowlog(0, 128)
	b := te.newClient(2)
	step = 7
	te.runAs(b, "BLPOP l 0")
	te.e.ReleaseBlocked(b.cl)
	if len(te.e.slow.entries) != 0 {
		t.Fatalf("a blocked command was logged before being served")
	}
	step = 1 << 30 // the time it waits does not count
	te.now += 5000
	step = 0
	te.cmd("RPUSH l x")
	if got := slowArgv(te); strings.Join(got, ",") != "BLPOP l 0,RPUSH l x" {
		t.Fatalf("entries %q", got)
	}
	if d := te.e.slow.entries[0].Duration; d != 7 {
		t.Errorf("served BLPOP logged with %d µs, want its run time 7", d)
	}
	// One that times out is not logged (Redis 7.0).
	te.cmd("SLOWLOG RESET")
	te.runAs(b, "BLPOP l 1")
	te.e.ReleaseBlocked(b.cl)
	te.e.UnblockClient(b.cl, true)
	if got := slowArgv(te); strings.Join(got, ",") != "SLOWLOG RESET" {
		t.Errorf("entries after a timeout %q", got)
	}
}

func TestSlowlogRedactsConfigSetPasswords(t *testing.T) {
	tab := NewTable()
	args := [][]byte{[]byte("config"), []byte("SET"), []byte("maxclients"), []byte("10"), []byte("REQUIREPASS"), []byte("x")}
	red := redacted(tab.Lookup(args[0]), args)
	for i, want := range []bool{false, false, false, false, false, true} {
		if red(i) != want {
			t.Errorf("argument %d redacted: %v", i, red(i))
		}
	}
}
