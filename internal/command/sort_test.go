package command

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/internal/store"
)

// lists renders the given keys of te as TYPE plus LRANGE replies.
func lists(te *testEnv, keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %s %q\n", k, te.cmd("TYPE "+k), te.cmd("LRANGE "+k+" 0 -1"))
	}
	return b.String()
}

// TestSortStoreLogsItsResult: SORT … STORE logs the stored list itself (a
// DEL and RPUSHes, in one MULTI/EXEC), never the SORT, whose replay could
// order ALPHA ties by a rebuilt set's iteration order; replaying the log
// rebuilds the same lists.
func TestSortStoreLogsItsResult(t *testing.T) {
	te := newTestEnv(t)
	te.do("SELECT", "0")
	var log []byte
	step := func(line, reply, record string) string {
		t.Helper()
		te.expect(line, reply)
		got := te.log()
		if record != "*" && got != record {
			t.Fatalf("%s: logged %q, want %q", line, got, record)
		}
		if strings.Contains(strings.ToUpper(got), "SORT") {
			t.Fatalf("%s: logged the SORT itself: %q", line, got)
		}
		log = append(log, got...)
		return got
	}
	step("SADD s b a c 10", ":4\r\n", "*")
	step("MSET w_a 3 w_b 1 w_c 2 w_10 0", "+OK\r\n", "*")
	step("SORT s BY w_* STORE dst", ":4\r\n", logOf("MULTI", "DEL dst", "RPUSH dst 10 b c a", "EXEC"))
	step("SORT s BY nosort DESC STORE dst2", ":4\r\n", logOf("MULTI", "DEL dst2", "RPUSH dst2 c b a 10", "EXEC"))
	step("SORT s BY w_* GET w_* GET # LIMIT 1 2 STORE dst3", ":4\r\n", logOf("MULTI", "DEL dst3", "RPUSH dst3 1 b 2 c", "EXEC"))
	step("SORT s BY w_* GET nosuch_* LIMIT 0 1 STORE dst4", ":1\r\n", "*")
	// An empty result deletes the destination, and logs that only if it
	// existed.
	step("SORT nokey STORE dst2", ":0\r\n", logOf("DEL dst2"))
	step("SORT nokey STORE dst2", ":0\r\n", "")
	step("SORT s ALPHA LIMIT 9 1 STORE dst2", ":0\r\n", "")
	// A result larger than one record's worth of elements.
	args := []string{"RPUSH", "big"}
	for i := 2500; i > 0; i-- {
		args = append(args, fmt.Sprint(i))
	}
	te.do(args...)
	log = append(log, te.log()...)
	if got := step("SORT big STORE bigdst", ":2500\r\n", "*"); strings.Count(got, "RPUSH") != 3 || !strings.HasPrefix(got, logOf("MULTI", "DEL bigdst")) {
		t.Fatalf("SORT big STORE bigdst: want DEL and 3 RPUSH records, logged %d bytes: %.80q", len(got), got)
	}
	// Inside a transaction, the records join EXEC's.
	step("MULTI", "+OK\r\n", "")
	step("SORT s BY w_* DESC STORE m1", "+QUEUED\r\n", "")
	step("SORT s ALPHA STORE s", "+QUEUED\r\n", "")
	step("EXEC", "*2\r\n:4\r\n:4\r\n", "*")

	keys := []string{"dst", "dst2", "dst3", "dst4", "bigdst", "m1", "s"}
	want := lists(te, keys...)
	if !strings.Contains(want, `dst4 +list`) || !strings.Contains(want, `"*1\r\n$0\r\n\r\n"`) {
		t.Fatalf("dst4 should hold one empty string:\n%s", want)
	}
	if got := lists(replayInto(t, log, te.e.Limits), keys...); got != want {
		t.Fatalf("replayed:\n%s\nwant:\n%s", got, want)
	}
}

// TestSortStoreWakesBlockedClients: a list that SORT … STORE creates serves
// a client blocked on it, and the pop is logged after the store.
func TestSortStoreWakesBlockedClients(t *testing.T) {
	te := newTestEnv(t)
	te.cmd("RPUSH l 3 1 2")
	b := te.newClient(7)
	if got := te.runAs(b, "BLPOP dst 0"); got != "" {
		t.Fatalf("BLPOP answered %q", got)
	}
	te.e.ReleaseBlocked(b.cl)
	te.log()
	te.expect("SORT l STORE dst", ":3\r\n")
	if got := b.take(); got != "*2\r\n$3\r\ndst\r\n$1\r\n1\r\n" {
		t.Fatalf("BLPOP reply %q", got)
	}
	if got := te.log(); !strings.HasSuffix(got, logOf("LPOP dst")) {
		t.Fatalf("log %q", got)
	}
	te.expect("LRANGE dst 0 -1", "*2\r\n$1\r\n2\r\n$1\r\n3\r\n")
}

// TestSortConvertsSortedSetsQuietly: sorting a small sorted set makes it a
// skiplist, as in Redis; a snapshot in progress is told first, WATCH is not.
func TestSortConvertsSortedSetsQuietly(t *testing.T) {
	te := newTestEnv(t)
	te.cmd("ZADD z 1 b 2 a")
	te.log()
	var hooked []string
	te.st.SetBeforeWrite(func(db int, e *store.Entry) { hooked = append(hooked, e.Key()) })
	te.expect("WATCH z", "+OK\r\n")
	te.expect("SORT z ALPHA", "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
	te.expect("SORT z BY nosort", "*2\r\n$1\r\nb\r\n$1\r\na\r\n")
	te.expect("MULTI", "+OK\r\n")
	te.expect("PING", "+QUEUED\r\n")
	te.expect("EXEC", "*1\r\n+PONG\r\n")
	te.expect("OBJECT ENCODING z", "$8\r\nskiplist\r\n")
	if fmt.Sprint(hooked) != "[z]" {
		t.Fatalf("before-write hook ran for %v, want once for z", hooked)
	}
	if got := te.log(); got != "" {
		t.Fatalf("logged %q", got)
	}
}

func TestSortScore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"\x00", 0, true}, {"5\x00x", 5, true}, {" \t5", 5, true},
		{"0x10", 16, true}, {"-0x8", -8, true}, {"1e1", 10, true}, {"inf", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true}, {".5", 0.5, true}, {"5.", 5, true},
		{"2.2250738585072014e-308", 0x1p-1022, true}, {"0x1p-1074", 0x1p-1074, true},
		{"0e-999", 0, true},
		{" ", 0, false}, {"-", 0, false}, {"5 ", 0, false}, {"0x", 0, false}, {"1e", 0, false},
		{"nan", 0, false}, {"1e400", 0, false}, {"1e-310", 0, false}, {"1e-400", 0, false},
		{"0x1.8p-1074", 0, false}, {"x", 0, false},
	} {
		got, ok := sortScore([]byte(tc.in))
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("sortScore(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSortWindow(t *testing.T) {
	for _, tc := range []struct {
		off, cnt   int64
		n          int
		start, end int
	}{
		{0, -1, 5, 0, 4}, {2, 2, 5, 2, 3}, {-5, 2, 5, 0, 1}, {1, 0, 5, 1, 0},
		{4, 9, 5, 4, 4}, {5, 1, 5, 4, 3}, {100, 1, 5, 4, 3}, {2, math.MaxInt64, 5, 2, 4},
		{math.MaxInt64, math.MaxInt64, 5, 4, 3}, {math.MinInt64, math.MinInt64, 3, 0, 2},
		{0, -1, 0, -1, -2}, {0, 1, 0, -1, -2},
	} {
		s, e := sortWindow(tc.off, tc.cnt, tc.n)
		if s != tc.start || e != tc.end {
			t.Errorf("sortWindow(%d, %d, %d) = %d, %d; want %d, %d", tc.off, tc.cnt, tc.n, s, e, tc.start, tc.end)
		}
	}
}
