package command

import "testing"

func TestSetGetAndPropagation(t *testing.T) {
	te := newTestEnv(t)
	te.expect("SET k v", "+OK\r\n")
	te.expect("GET k", "$1\r\nv\r\n")
	if got, want := te.log(), "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"; got != want {
		t.Fatalf("log %q, want %q", got, want)
	}
	// Relative TTLs are logged as absolute deadlines.
	te.expect("SET k v EX 10", "+OK\r\n")
	if got, want := te.log(), "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000010000\r\n"; got != want {
		t.Fatalf("log %q, want %q", got, want)
	}
	te.expect("SET k v NX", "$-1\r\n")
	if got := te.log(); got != "" {
		t.Fatalf("a write that changed nothing logged %q", got)
	}
}

func TestIncrByFloatFormatting(t *testing.T) {
	te := newTestEnv(t)
	te.expect("SET f 10.5", "+OK\r\n")
	te.expect("INCRBYFLOAT f 0.1", "$4\r\n10.6\r\n")
	te.expect("SET g 5.0e3", "+OK\r\n")
	te.expect("INCRBYFLOAT g 2.0e2", "$4\r\n5200\r\n")
	te.expect("INCRBYFLOAT g abc", "-ERR value is not a valid float\r\n")
}

func TestIncrOverflow(t *testing.T) {
	te := newTestEnv(t)
	te.expect("SET n 9223372036854775807", "+OK\r\n")
	te.expect("INCR n", "-ERR increment or decrement would overflow\r\n")
	te.expect("SET s abc", "+OK\r\n")
	te.expect("INCR s", "-ERR value is not an integer or out of range\r\n")
}

func TestMultiExecWrapsLog(t *testing.T) {
	te := newTestEnv(t)
	te.expect("MULTI", "+OK\r\n")
	te.expect("SET a 1", "+QUEUED\r\n")
	te.expect("INCR a", "+QUEUED\r\n")
	te.expect("EXEC", "*2\r\n+OK\r\n:2\r\n")
	want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*1\r\n$4\r\nEXEC\r\n"
	if got := te.log(); got != want {
		t.Fatalf("log %q, want %q", got, want)
	}
	te.expect("MULTI", "+OK\r\n")
	te.expect("NOSUCH", "-ERR unknown command 'NOSUCH', with args beginning with: \r\n")
	te.expect("EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n")
}

func TestWatchAbortsOnChange(t *testing.T) {
	te := newTestEnv(t)
	te.expect("SET w 1", "+OK\r\n")
	te.expect("WATCH w", "+OK\r\n")
	te.expect("SET w 2", "+OK\r\n")
	te.expect("MULTI", "+OK\r\n")
	te.expect("GET w", "+QUEUED\r\n")
	te.expect("EXEC", "*-1\r\n")
}

func TestLazyExpiryLogsDel(t *testing.T) {
	te := newTestEnv(t)
	te.expect("SET k v PX 100", "+OK\r\n")
	te.log()
	te.now += 200
	te.expect("GET k", "$-1\r\n")
	if got, want := te.log(), "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"; got != want {
		t.Fatalf("log %q, want %q", got, want)
	}
}
