package command

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/resp"
)

// TestScriptLogsEffects: a script is logged as the records of the writes
// it ran (in MULTI/EXEC when several), never as EVAL; a script that writes
// nothing logs nothing; a script that fails after writing keeps and logs
// what it wrote, as Redis 7 does. Replaying the log rebuilds the dataset.
func TestScriptLogsEffects(t *testing.T) {
	te := newTestEnv(t)
	te.do("SET", "base", "0")
	log := []byte(te.log()) // starts with SELECT 0
	step := func(reply, record string, args ...string) {
		t.Helper()
		if got := te.do(args...); got != reply {
			t.Fatalf("%q: reply %q, want %q", args, got, reply)
		}
		got := te.log()
		if record != "*" && got != record {
			t.Fatalf("%q: logged %q, want %q", args, got, record)
		}
		if strings.Contains(strings.ToUpper(got), "EVAL") {
			t.Fatalf("%q: logged the script itself: %q", args, got)
		}
		log = append(log, got...)
	}
	step("+OK\r\n", logOf("set a 1"), "EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "a", "1")
	step(":2\r\n", logOf("MULTI", "incr a", "rpush l x y", "EXEC"),
		"EVAL", "redis.call('incr', 'a') return redis.call('rpush', 'l', 'x', 'y')", "0")
	// Reads only: nothing to log.
	step("$1\r\n2\r\n", "", "EVAL", "return redis.call('get', 'a')", "0")
	step("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "", "EVAL_RO", "return redis.call('lrange', 'l', 0, -1)", "0")
	// A failed write logs nothing either.
	step("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "",
		"EVAL", "return redis.pcall('incr', 'l')", "0")
	// Records are the commands as the script called them (lower case
	// here), or the effect that a command logs instead.
	step("$3\r\n3.5\r\n", logOf("SET f 3.5 KEEPTTL"), "EVAL", "return redis.call('incrbyfloat', 'f', '3.5')", "0")
	// An error after a write: the write stays and is logged.
	sha := sha1hex([]byte("redis.call('set', 'kept', 'v') redis.call('nosuch')"))
	step("-ERR Unknown Redis command called from script script: "+sha+", on @user_script:1.\r\n", logOf("set kept v"),
		"EVAL", "redis.call('set', 'kept', 'v') redis.call('nosuch')", "0")
	// SELECT inside the script: records name their database, and the
	// client's database does not change.
	step("+OK\r\n", logOf("MULTI", "set in0 a", "SELECT 5", "set in5 b", "EXEC"),
		"EVAL", "redis.call('set', 'in0', 'a') redis.call('select', 5) return redis.call('set', 'in5', 'b')", "0")
	step("+OK\r\n", logOf("SELECT 0", "MULTI", "del in0", "set in0 c", "EXEC"), "EVAL", "redis.call('del', 'in0') return redis.call('set', 'in0', 'c')", "0")
	// Inside a transaction, a script's records join EXEC's.
	step("+OK\r\n", "", "MULTI")
	step("+QUEUED\r\n", "", "EVAL", "return redis.call('set', 'm1', 'x')", "0")
	step("+QUEUED\r\n", "", "EVAL", "return redis.call('get', 'm1')", "0")
	step("+QUEUED\r\n", "", "SET", "m2", "y")
	step("*3\r\n+OK\r\n$1\r\nx\r\n+OK\r\n", logOf("MULTI", "set m1 x", "SET m2 y", "EXEC"), "EXEC")

	want := dumpDBs(te, 0, 5)
	if got := dumpDBs(replayLog(t, log), 0, 5); got != want {
		t.Fatalf("replayed:\n%s\nwant:\n%s", got, want)
	}
}

// replayLog replays a log, SELECTs included, into a fresh engine.
func replayLog(t *testing.T, log []byte) *testEnv {
	t.Helper()
	te := newTestEnv(t)
	cl := te.e.NewReplayClient()
	rd := resp.NewReader(bytes.NewReader(log), resp.Limits{})
	for {
		args, err := rd.ReadCommand()
		if err == io.EOF {
			return te
		}
		if err != nil {
			t.Fatalf("reading log: %v", err)
		}
		if is(args[0], "select") {
			db, _ := strconv.Atoi(string(args[1]))
			cl.DB = db
			continue
		}
		if err := te.e.Replay(cl, args); err != nil {
			t.Fatalf("replay %q: %v", args, err)
		}
	}
}

// dumpDBs renders the keys of the given databases with their values.
func dumpDBs(te *testEnv, dbs ...int) string {
	var b strings.Builder
	for _, db := range dbs {
		te.do("SELECT", strconv.Itoa(db))
		keys := parseBulks(te.do("KEYS", "*"))
		fmt.Fprintf(&b, "db%d %q\n", db, keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s %q %q\n", k, te.do("TYPE", k), te.do("DUMP", k))
		}
	}
	te.do("SELECT", "0")
	return b.String()
}

func parseBulks(reply string) []string {
	v, err := resp.NewReplyReader(strings.NewReader(reply)).ReadReply()
	if err != nil {
		return nil
	}
	var out []string
	for _, el := range v.Elems {
		out = append(out, string(el.Str))
	}
	sort.Strings(out) // KEYS has no order
	return out
}

// TestScriptCache: a body is compiled once, whether EVAL or SCRIPT LOAD
// sees it first, and SCRIPT FLUSH drops the scripts and the interpreter.
func TestScriptCache(t *testing.T) {
	te := newTestEnv(t)
	body := "return ARGV[1]"
	sha := sha1hex([]byte(body))
	te.expect("SCRIPT EXISTS "+sha, "*1\r\n:0\r\n")
	if got := te.do("EVAL", body, "0", "x"); got != "$1\r\nx\r\n" {
		t.Fatalf("EVAL: %q", got)
	}
	s := te.e.lua.cache[sha]
	if s == nil {
		t.Fatal("EVAL did not cache the script")
	}
	fn := s.fn
	te.expect("SCRIPT EXISTS "+strings.ToUpper(sha), "*1\r\n:1\r\n")
	if got := te.do("SCRIPT", "LOAD", body); got != "$40\r\n"+sha+"\r\n" {
		t.Fatalf("SCRIPT LOAD: %q", got)
	}
	te.do("EVAL", body, "0", "y")
	if len(te.e.lua.cache) != 1 || te.e.lua.cache[sha].fn != fn {
		t.Fatal("the body was compiled again")
	}
	te.expect("EVALSHA "+sha+" 0 z", "$1\r\nz\r\n")
	te.expect("SCRIPT FLUSH", "+OK\r\n")
	if te.e.lua != nil {
		t.Fatal("SCRIPT FLUSH kept the interpreter")
	}
	te.expect("EVALSHA "+sha+" 0 z", "-"+errNoScript+"\r\n")
	if got := te.do("EVAL", body, "0", "again"); got != "$5\r\nagain\r\n" {
		t.Fatalf("EVAL after FLUSH: %q", got)
	}
}

// TestScriptSandboxState: globals cannot leak from one script to the next,
// KEYS and ARGV are each call's own, and the script's database and
// protocol are reset for every script.
func TestScriptSandboxState(t *testing.T) {
	te := newTestEnv(t)
	te.do("SELECT", "3")
	te.do("EVAL", "redis.setresp(3) redis.call('select', 7) return 1", "0")
	if te.cl.DB != 3 {
		t.Fatalf("the script changed the client's database to %d", te.cl.DB)
	}
	if got := te.do("EVAL", "redis.call('set', 'k', 'v') return redis.call('hgetall', 'nokey')", "0"); got != "*0\r\n" {
		t.Fatalf("second script: %q (RESP3 or db left over?)", got)
	}
	te.expect("EXISTS k", ":1\r\n")
	if got := te.do("EVAL", "return #KEYS .. ',' .. #ARGV", "1", "a"); got != "$3\r\n1,0\r\n" {
		t.Fatalf("KEYS/ARGV: %q", got)
	}
	if got := te.do("EVAL", "return rawset(_G, 'leak', 1)", "0"); !strings.HasPrefix(got, "-ERR Attempt to modify a readonly table script: ") {
		t.Fatalf("rawset on _G: %q", got)
	}
	if got := te.do("EVAL", "pcall(loadstring('leak = 1')) return 1", "0"); got != ":1\r\n" {
		t.Fatalf("loadstring: %q", got)
	}
	if got := te.do("EVAL", "return leak", "0"); !strings.Contains(got, "nonexistent global variable 'leak'") {
		t.Fatalf("a global leaked: %q", got)
	}
	// A table that contains itself is cut off, not followed forever.
	if got := te.do("EVAL", "local t = {} t[1] = t return t", "0"); !strings.Contains(got, "-ERR reached lua stack limit\r\n") {
		t.Fatalf("cyclic table: %.100q", got)
	}
}

// TestScriptNoBlocking: a blocking command inside a script answers at once
// (here with a null), and the client is not left blocked.
func TestScriptNoBlocking(t *testing.T) {
	te := newTestEnv(t)
	if got := te.do("EVAL", "return redis.call('blmpop', 0, 1, 'nolist', 'left')", "0"); got != "$-1\r\n" {
		t.Fatalf("BLMPOP in a script: %q", got)
	}
	if te.cl.blk != nil || te.e.lua.cl.blk != nil {
		t.Fatal("a client is blocked")
	}
	te.expect("PING", "+PONG\r\n")
}

// TestScriptCjsonDecodeErrors: malformed JSON is an error raised in the
// script (lua-cjson's wording is not reproduced, only its position).
func TestScriptCjsonDecodeErrors(t *testing.T) {
	te := newTestEnv(t)
	for _, doc := range []string{"[", `{"a":1} x`, `{"a"}`, "", "[1,]"} {
		got := te.do("EVAL", "return cjson.decode(ARGV[1])", "0", doc)
		if !strings.HasPrefix(got, "-ERR user_script:1: ") || !strings.Contains(got, " script: ") {
			t.Errorf("decode %q: %q", doc, got)
		}
	}
	if got := te.do("EVAL", "return cjson.encode(0/0)", "0"); !strings.Contains(got, "Cannot serialise number: must not be NaN or Inf") {
		t.Errorf("encode NaN: %q", got)
	}
}

// writeErrHost refuses writes as a server does after a failed log write.
type writeErrHost struct {
	Host
	msg string
}

func (h writeErrHost) WriteError() string  { return h.msg }
func (h writeErrHost) RequirePass() string { return "" }
func (h writeErrHost) Loading() bool       { return false }

// TestScriptRefusedWrites: when the server refuses writes, a script's
// write commands get the server's error (its reads still work), and
// nothing is logged.
func TestScriptRefusedWrites(t *testing.T) {
	te := newTestEnv(t)
	te.do("SET", "a", "1")
	te.log()
	te.e.Host = writeErrHost{msg: "MISCONF no writes"}
	body := "redis.call('get', 'a') return redis.call('set', 'a', '2')"
	want := "-MISCONF no writes script: " + sha1hex([]byte(body)) + ", on @user_script:1.\r\n"
	if got := te.do("EVAL", body, "0"); got != want {
		t.Fatalf("EVAL: %q, want %q", got, want)
	}
	if got := te.do("EVAL", "return redis.pcall('set', 'a', '2')", "0"); got != "-MISCONF no writes\r\n" {
		t.Fatalf("pcall: %q", got)
	}
	if got := te.do("EVAL", "return redis.call('get', 'a')", "0"); got != "$1\r\n1\r\n" {
		t.Fatalf("read: %q", got)
	}
	// A script declaring it may write is refused before it runs; one
	// declaring no-writes runs.
	if got := te.do("EVAL", "#!lua\nreturn redis.call('get', 'a')", "0"); got != "-MISCONF no writes\r\n" {
		t.Fatalf("shebang without no-writes: %q", got)
	}
	if got := te.do("EVAL_RO", "#!lua\nreturn redis.call('get', 'a')", "0"); got != "-MISCONF no writes\r\n" {
		t.Fatalf("EVAL_RO, shebang without no-writes: %q", got)
	}
	if got := te.do("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'a')", "0"); got != "$1\r\n1\r\n" {
		t.Fatalf("no-writes: %q", got)
	}
	if log := te.log(); log != "" {
		t.Fatalf("logged %q", log)
	}
}

// TestScriptHandlerPanic: a handler that panics inside a script panics out
// of EVAL as it would outside a script, instead of becoming a script error
// that the interpreter's recovery (or the script's own pcall) swallows, and
// the engine's nesting depth is restored.
func TestScriptHandlerPanic(t *testing.T) {
	te := newTestEnv(t)
	te.e.Table.byName["boom"] = &Command{Name: "boom", Arity: 1, Run: func(*Ctx) { panic("boom") }}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want the handler's panic", r)
			}
		}()
		te.do("EVAL", "pcall(redis.call, 'boom') return redis.call('set', 'after', '1')", "0")
		t.Fatal("EVAL returned")
	}()
	if te.e.depth != 1 { // Call's own increment: the test unwound past it
		t.Fatalf("depth %d", te.e.depth)
	}
	te.e.depth = 0
	te.e.recs = te.e.recs[:0]
	te.expect("EXISTS after", ":0\r\n")
	te.expect("BLPOP nolist 0", "")
}

// TestScriptWakesBlockedClients: a client blocked on a key a script fills
// is served after the script, with what the script left in it (nothing to
// serve if the script emptied the key again), and the pop is logged after
// the script's records.
func TestScriptWakesBlockedClients(t *testing.T) {
	te := newTestEnv(t)
	b := te.newClient(10)
	if got := te.runAs(b, "BLPOP k 0"); got != "" {
		t.Fatalf("BLPOP answered %q", got)
	}
	te.e.ReleaseBlocked(b.cl)
	te.log()
	if got := te.do("EVAL", "redis.call('rpush', KEYS[1], 'x') return redis.call('lpop', KEYS[1])", "1", "k"); got != "$1\r\nx\r\n" {
		t.Fatalf("EVAL: %q", got)
	}
	if woken := te.e.TakeWoken(); len(woken) != 0 || !b.cl.Blocked() {
		t.Fatalf("served from a list the script left empty: %v", woken)
	}
	te.log()
	if got := te.do("EVAL", "redis.call('rpush', KEYS[1], 'x', 'y') return redis.call('lpop', KEYS[1])", "1", "k"); got != "$1\r\nx\r\n" {
		t.Fatalf("EVAL: %q", got)
	}
	if woken := te.e.TakeWoken(); len(woken) != 1 || woken[0] != b.cl {
		t.Fatalf("woken %v", woken)
	}
	if got := b.take(); got != "*2\r\n$1\r\nk\r\n$1\r\ny\r\n" {
		t.Fatalf("blocked client got %q", got)
	}
	if got, want := te.log(), logOf("MULTI", "rpush k x y", "lpop k", "EXEC", "LPOP k"); got != want {
		t.Fatalf("log %q, want %q", got, want)
	}
}

// TestScriptLargeReply: a large reply reaches the script whole, and its
// buffer is not kept afterwards.
func TestScriptLargeReply(t *testing.T) {
	te := newTestEnv(t)
	args := []string{"RPUSH", "big"}
	for i := 0; i < 100000; i++ {
		args = append(args, fmt.Sprintf("element-%06d", i))
	}
	te.do(args...)
	if got := te.do("EVAL", "local r = redis.call('lrange', 'big', 0, -1) return {#r, r[1], r[#r]}", "0"); got != "*3\r\n:100000\r\n$14\r\nelement-000000\r\n$14\r\nelement-099999\r\n" {
		t.Fatalf("EVAL: %q", got)
	}
	if c := te.e.lua.out.Cap(); c > maxIdleScriptReply {
		t.Fatalf("kept a %d-byte reply buffer", c)
	}
}

// logHost records redis.log's messages.
type logHost struct {
	writeErrHost
	lines []string
}

func (h *logHost) ScriptLog(level int, msg string) {
	h.lines = append(h.lines, fmt.Sprintf("%d %s", level, msg))
}

// TestScriptLog: redis.log hands the server its level and its message,
// the arguments after the level joined by spaces (strings and numbers;
// others are skipped, as Redis does).
func TestScriptLog(t *testing.T) {
	te := newTestEnv(t)
	h := &logHost{}
	te.e.Host = h
	if got := te.do("EVAL", "redis.log(redis.LOG_WARNING, 'a', 5, {}, 'b') redis.log(redis.LOG_DEBUG, 'dbg') return 1", "0"); got != ":1\r\n" {
		t.Fatalf("EVAL: %q", got)
	}
	if got := strings.Join(h.lines, "|"); got != "3 a 5 b|0 dbg" {
		t.Fatalf("logged %q", got)
	}
}
