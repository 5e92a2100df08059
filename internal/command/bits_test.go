package command

import (
	"fmt"
	"github.com/kevy-db/kevy/internal/redistest"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/resp"
)

// bitsCase is one step of a bit-command script: a command line and its
// exact raw reply. Arguments are separated by spaces; an argument written
// "…" is a Go-quoted string (for spaces, empty and binary values). Lines
// starting with '!' are directives understood by runBits and by the
// differential test: "!list KEY" creates a list key (for WRONGTYPE), "!proto
// N" switches the protocol, "!maxbulk N" sets proto-max-bulk-len. Their want
// is empty. The expected replies were taken from Redis 7.0.15.
type bitsCase struct{ line, want string }

// bitsSplit splits a script line into arguments.
func bitsSplit(t testing.TB, line string) []string {
	var out []string
	for {
		line = strings.TrimLeft(line, " ")
		if line == "" {
			return out
		}
		if line[0] == '"' {
			end := 1
			for end < len(line) && line[end] != '"' {
				if line[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(line) {
				t.Fatalf("unterminated quote in %q", line)
			}
			s, err := strconv.Unquote(line[:end+1])
			if err != nil {
				t.Fatalf("bad quoted argument %q: %v", line[:end+1], err)
			}
			out = append(out, s)
			line = line[end+1:]
			continue
		}
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		out = append(out, line[:i])
		line = line[i:]
	}
}

// directive applies a '!' line to the in-process engine.
func (te *testEnv) directive(line string) {
	te.t.Helper()
	f := strings.Fields(line)
	switch f[0] {
	case "!list":
		te.st.DB(te.cl.DB).SetObj([]byte(f[1]), store.KindList, store.NewList(-2))
	case "!proto":
		n, _ := strconv.Atoi(f[1])
		te.cl.W.SetProto(n)
	case "!maxbulk":
		n, _ := strconv.ParseInt(f[1], 10, 64)
		te.e.ProtoMaxBulkLen = n
	default:
		te.t.Fatalf("unknown directive %q", line)
	}
}

// runBits runs a script in a fresh environment.
func runBits(t *testing.T, cases []bitsCase) {
	t.Helper()
	te := newTestEnv(t)
	for _, c := range cases {
		if strings.HasPrefix(c.line, "!") {
			te.directive(c.line)
			continue
		}
		if got := te.do(bitsSplit(t, c.line)...); got != c.want {
			t.Errorf("%s: got %q, want %q", c.line, got, c.want)
		}
	}
}

var setbitCases = []bitsCase{
	{`SETBIT k 7 1`, ":0\r\n"},
	{`SETBIT k 7 1`, ":1\r\n"},
	{`GETBIT k 7`, ":1\r\n"},
	{`GETBIT k 6`, ":0\r\n"},
	{`GETBIT k 8`, ":0\r\n"},
	{`GETBIT k 100`, ":0\r\n"},
	{`SETBIT k 7 0`, ":1\r\n"},
	{`GET k`, "$1\r\n\x00\r\n"},
	{`SETBIT k 23 1`, ":0\r\n"},
	{`STRLEN k`, ":3\r\n"},
	{`GET k`, "$3\r\n\x00\x00\x01\r\n"},
	{`SETBIT k 0 2`, "-ERR bit is not an integer or out of range\r\n"},
	{`SETBIT k 0 -1`, "-ERR bit is not an integer or out of range\r\n"},
	{`SETBIT k 0 a`, "-ERR bit is not an integer or out of range\r\n"},
	{`SETBIT k 0 " 1"`, "-ERR bit is not an integer or out of range\r\n"},
	{`SETBIT k -1 1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`SETBIT k a 1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`SETBIT k 01 1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`SETBIT k +1 1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`SETBIT k 4294967296 1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`SETBIT k 4294967296 x`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`SETBIT k 0`, "-ERR wrong number of arguments for 'setbit' command\r\n"},
	{`SETBIT k 0 1 1`, "-ERR wrong number of arguments for 'setbit' command\r\n"},
	{`GETBIT k 4294967296`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`GETBIT k -1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`GETBIT k`, "-ERR wrong number of arguments for 'getbit' command\r\n"},
	{`GETBIT nokey 5`, ":0\r\n"},
	{`SETBIT new 3 0`, ":0\r\n"},
	{`GET new`, "$1\r\n\x00\r\n"},
	{`SET n 12`, "+OK\r\n"},
	{`SETBIT n 6 0`, ":0\r\n"},
	{`GET n`, "$2\r\n12\r\n"},
	{`OBJECT ENCODING n`, "$3\r\nraw\r\n"},
	{`SET e ""`, "+OK\r\n"},
	{`SETBIT e 0 0`, ":0\r\n"},
	{`GET e`, "$1\r\n\x00\r\n"},
	{`!list l`, ""},
	{`SETBIT l 0 1`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`SETBIT l 0 x`, "-ERR bit is not an integer or out of range\r\n"},
	{`SETBIT l x 1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`GETBIT l 0`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`GETBIT l x`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`!maxbulk 1048576`, ""},
	{`SETBIT m 8388607 1`, ":0\r\n"},
	{`STRLEN m`, ":1048576\r\n"},
	{`SETBIT m 8388608 1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`GETBIT m 8388608`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`GETBIT m 8388607`, ":1\r\n"},
}

var bitcountCases = []bitsCase{
	{`SET s foobar`, "+OK\r\n"},
	{`BITCOUNT s`, ":26\r\n"},
	{`BITCOUNT s 0 0`, ":4\r\n"},
	{`BITCOUNT s 1 1`, ":6\r\n"},
	{`BITCOUNT s 1 1 BYTE`, ":6\r\n"},
	{`BITCOUNT s 1 1 byte`, ":6\r\n"},
	{`BITCOUNT s 5 30 BIT`, ":17\r\n"},
	{`BITCOUNT s 5 30 bit`, ":17\r\n"},
	{`BITCOUNT s 0 -1 BIT`, ":26\r\n"},
	{`BITCOUNT s -1 -2`, ":0\r\n"},
	{`BITCOUNT s -2 -1`, ":7\r\n"},
	{`BITCOUNT s -100 100`, ":26\r\n"},
	{`BITCOUNT s 3 1`, ":0\r\n"},
	{`BITCOUNT s 9 9 BIT`, ":1\r\n"},
	{`BITCOUNT s 7 7 BIT`, ":0\r\n"},
	{`BITCOUNT s 1 6 BIT`, ":4\r\n"},
	{`BITCOUNT s 3 4 BIT`, ":0\r\n"},
	{`BITCOUNT s -5 -1 BIT`, ":2\r\n"},
	{`BITCOUNT s 47 100 BIT`, ":0\r\n"},
	{`BITCOUNT s 48 100 BIT`, ":0\r\n"},
	{`BITCOUNT s 0`, "-ERR syntax error\r\n"},
	{`BITCOUNT s 0 1 2 3`, "-ERR syntax error\r\n"},
	{`BITCOUNT s 0 1 FOO`, "-ERR syntax error\r\n"},
	{`BITCOUNT s -1 -2 FOO`, ":0\r\n"},
	{`BITCOUNT s a 1`, "-ERR value is not an integer or out of range\r\n"},
	{`BITCOUNT s 1 a`, "-ERR value is not an integer or out of range\r\n"},
	{`BITCOUNT s a 1 FOO`, "-ERR value is not an integer or out of range\r\n"},
	{`BITCOUNT s 9223372036854775807 -9223372036854775808 BIT`, ":0\r\n"},
	{`BITCOUNT s -9223372036854775808 9223372036854775807 BIT`, ":26\r\n"},
	{`BITCOUNT s -9223372036854775808 9223372036854775807`, ":26\r\n"},
	{`BITCOUNT nokey a b`, ":0\r\n"},
	{`BITCOUNT nokey 0`, ":0\r\n"},
	{`BITCOUNT nokey 0 0 FOO`, ":0\r\n"},
	{`SET e ""`, "+OK\r\n"},
	{`BITCOUNT e`, ":0\r\n"},
	{`BITCOUNT e 0 -1`, ":0\r\n"},
	{`BITCOUNT e 0 -1 BIT`, ":0\r\n"},
	{`!list l`, ""},
	{`BITCOUNT l`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`BITCOUNT l a`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`SET long "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"`, "+OK\r\n"},
	{`BITCOUNT long`, ":153\r\n"},
	{`BITCOUNT long 1 -2`, ":144\r\n"},
	{`BITCOUNT long 3 150 BIT`, ":148\r\n"},
	{`SET n 12345`, "+OK\r\n"},
	{`BITCOUNT n`, ":17\r\n"},
}

var bitposCases = []bitsCase{
	{`SET p "\xff\xf0\x00"`, "+OK\r\n"},
	{`BITPOS p 0`, ":12\r\n"},
	{`BITPOS p 1`, ":0\r\n"},
	{`BITPOS p 0 2`, ":16\r\n"},
	{`BITPOS p 1 2`, ":-1\r\n"},
	{`BITPOS p 1 1`, ":8\r\n"},
	{`BITPOS p 0 1 -1`, ":12\r\n"},
	{`BITPOS p 1 2 -1 BYTE`, ":-1\r\n"},
	{`BITPOS p 1 7 15 BIT`, ":7\r\n"},
	{`BITPOS p 1 8 15 bit`, ":8\r\n"},
	{`BITPOS p 0 0 11 BIT`, ":-1\r\n"},
	{`BITPOS p 0 0 12 BIT`, ":12\r\n"},
	{`BITPOS p 0 3 5 BIT`, ":-1\r\n"},
	{`BITPOS p 1 12 23 BIT`, ":-1\r\n"},
	{`BITPOS p 0 -12 -1 BIT`, ":12\r\n"},
	{`BITPOS p 1 -1 -1`, ":-1\r\n"},
	{`BITPOS p 0 -100 -100`, ":-1\r\n"},
	{`BITPOS p 0 5`, ":-1\r\n"},
	{`BITPOS p 1 5`, ":-1\r\n"},
	{`SET q "\xff\xff"`, "+OK\r\n"},
	{`BITPOS q 0`, ":16\r\n"},
	{`BITPOS q 0 0`, ":16\r\n"},
	{`BITPOS q 0 1`, ":16\r\n"},
	{`BITPOS q 0 0 -1`, ":-1\r\n"},
	{`BITPOS q 0 0 -1 BIT`, ":-1\r\n"},
	{`BITPOS q 0 0 -1 BYTE`, ":-1\r\n"},
	{`BITPOS q 1 3 BIT`, "-ERR value is not an integer or out of range\r\n"},
	{`BITPOS q 2`, "-ERR The bit argument must be 1 or 0.\r\n"},
	{`BITPOS q -1`, "-ERR The bit argument must be 1 or 0.\r\n"},
	{`BITPOS q a`, "-ERR value is not an integer or out of range\r\n"},
	{`BITPOS q 0 1 2 3 4`, "-ERR syntax error\r\n"},
	{`BITPOS q 0 0 1 FOO`, "-ERR syntax error\r\n"},
	{`BITPOS q 0 0 x FOO`, "-ERR syntax error\r\n"},
	{`BITPOS q 0 x`, "-ERR value is not an integer or out of range\r\n"},
	{`BITPOS q 0 0 x`, "-ERR value is not an integer or out of range\r\n"},
	{`BITPOS q`, "-ERR wrong number of arguments for 'bitpos' command\r\n"},
	{`BITPOS nokey 0`, ":0\r\n"},
	{`BITPOS nokey 1`, ":-1\r\n"},
	{`BITPOS nokey 2`, "-ERR The bit argument must be 1 or 0.\r\n"},
	{`BITPOS nokey 1 a b c d`, ":-1\r\n"},
	{`BITPOS nokey 0 a`, ":0\r\n"},
	{`!list l`, ""},
	{`BITPOS l 1`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`BITPOS l 2`, "-ERR The bit argument must be 1 or 0.\r\n"},
	{`BITPOS l 1 a`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`SET e ""`, "+OK\r\n"},
	{`BITPOS e 0`, ":-1\r\n"},
	{`BITPOS e 1`, ":-1\r\n"},
	{`BITPOS e 0 0`, ":-1\r\n"},
	{`SETBIT z 200 1`, ":0\r\n"},
	{`BITPOS z 1`, ":200\r\n"},
	{`BITPOS z 1 2`, ":200\r\n"},
	{`BITPOS z 1 25`, ":200\r\n"},
	{`BITPOS z 1 26`, ":-1\r\n"},
	{`BITPOS z 1 0 199 BIT`, ":-1\r\n"},
	{`BITPOS z 1 0 200 BIT`, ":200\r\n"},
	{`BITPOS z 1 193 255 BIT`, ":200\r\n"},
	{`BITPOS z 0`, ":0\r\n"},
	{`BITPOS z 0 25`, ":201\r\n"},
	{`BITPOS z 0 25 -1`, ":201\r\n"},
	{`BITPOS z 0 200 200 BIT`, ":-1\r\n"},
	{`SET o "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\xff"`, "+OK\r\n"},
	{`BITPOS o 0`, ":176\r\n"},
	{`BITPOS o 0 3`, ":176\r\n"},
	{`BITPOS o 0 3 20`, ":-1\r\n"},
	{`BITPOS o 0 180 183 BIT`, ":-1\r\n"},
	{`BITPOS o 0 185 -1 BIT`, ":-1\r\n"},
	{`BITPOS o 0 185 BIT`, "-ERR value is not an integer or out of range\r\n"},
	{`BITPOS o 1 177 BIT`, "-ERR value is not an integer or out of range\r\n"},
}

var bitopCases = []bitsCase{
	{`SET a "\x0f\xf0\x55"`, "+OK\r\n"},
	{`SET b "\xff\x0f"`, "+OK\r\n"},
	{`BITOP AND d a b`, ":3\r\n"},
	{`GET d`, "$3\r\n\x0f\x00\x00\r\n"},
	{`BITOP and d a b`, ":3\r\n"},
	{`BITOP OR d a b`, ":3\r\n"},
	{`GET d`, "$3\r\n\xff\xffU\r\n"},
	{`BITOP XOR d a b`, ":3\r\n"},
	{`GET d`, "$3\r\n\xf0\xffU\r\n"},
	{`BITOP NOT d a`, ":3\r\n"},
	{`GET d`, "$3\r\n\xf0\x0f\xaa\r\n"},
	{`BITOP not d b`, ":2\r\n"},
	{`GET d`, "$2\r\n\x00\xf0\r\n"},
	{`BITOP XOR d a`, ":3\r\n"},
	{`GET d`, "$3\r\n\x0f\xf0U\r\n"},
	{`BITOP AND d a nokey`, ":3\r\n"},
	{`GET d`, "$3\r\n\x00\x00\x00\r\n"},
	{`BITOP OR d nokey a`, ":3\r\n"},
	{`GET d`, "$3\r\n\x0f\xf0U\r\n"},
	{`BITOP NOT d a b`, "-ERR BITOP NOT must be called with a single source key.\r\n"},
	{`BITOP NOT d`, "-ERR wrong number of arguments for 'bitop' command\r\n"},
	{`BITOP FOO d a`, "-ERR syntax error\r\n"},
	{`BITOP AND d`, "-ERR wrong number of arguments for 'bitop' command\r\n"},
	{`BITOP AND d nokey1 nokey2`, ":0\r\n"},
	{`EXISTS d`, ":0\r\n"},
	{`BITOP AND d nokey1 nokey2`, ":0\r\n"},
	{`SET e ""`, "+OK\r\n"},
	{`SET d x`, "+OK\r\n"},
	{`BITOP NOT d e`, ":0\r\n"},
	{`EXISTS d`, ":0\r\n"},
	{`!list l`, ""},
	{`BITOP OR d a l`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`BITOP OR d l a`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`BITOP OR l a`, ":3\r\n"},
	{`TYPE l`, "+string\r\n"},
	{`GET l`, "$3\r\n\x0f\xf0U\r\n"},
	{`BITOP OR a a b`, ":3\r\n"},
	{`GET a`, "$3\r\n\xff\xffU\r\n"},
	{`SET n 123`, "+OK\r\n"},
	{`BITOP NOT d n`, ":3\r\n"},
	{`GET d`, "$3\r\n\xce\xcd\xcc\r\n"},
	{`OBJECT ENCODING d`, "$3\r\nraw\r\n"},
	{`SET t v`, "+OK\r\n"},
	{`EXPIRE t 100`, ":1\r\n"},
	{`BITOP OR t a`, ":3\r\n"},
	{`TTL t`, ":-1\r\n"},
}

func TestSetBitGetBit(t *testing.T) { runBits(t, setbitCases) }
func TestBitCount(t *testing.T)     { runBits(t, bitcountCases) }
func TestBitPos(t *testing.T)       { runBits(t, bitposCases) }
func TestBitOp(t *testing.T)        { runBits(t, bitopCases) }

// Writes that change nothing must not reach the log (nor bump the dirty
// counter); the ones that do are logged verbatim.
func TestBitWritesLogging(t *testing.T) {
	te := newTestEnv(t)
	steps := []struct{ line, log string }{
		{"SETBIT k 7 1", "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*4\r\n$6\r\nSETBIT\r\n$1\r\nk\r\n$1\r\n7\r\n$1\r\n1\r\n"},
		{"SETBIT k 7 1", ""}, // bit already set
		{"SETBIT k 3 0", ""}, // bit already clear, no growth
		{"SETBIT k 8 0", "*4\r\n$6\r\nSETBIT\r\n$1\r\nk\r\n$1\r\n8\r\n$1\r\n0\r\n"}, // grows the string
		{"SETBIT k 2 x", ""},      // error
		{"BITOP AND d nokey", ""}, // nothing to delete
		{"BITOP OR d k", "*4\r\n$5\r\nBITOP\r\n$2\r\nOR\r\n$1\r\nd\r\n$1\r\nk\r\n"},
		{"BITOP AND d nokey", "*4\r\n$5\r\nBITOP\r\n$3\r\nAND\r\n$1\r\nd\r\n$5\r\nnokey\r\n"}, // deletes d
		{"BITFIELD k GET u8 0", ""},
		{"BITFIELD k OVERFLOW SAT", ""},
		{"BITFIELD k SET u8 0 x", ""},
		// A FAIL that writes nothing still counts as a change in Redis.
		{"BITFIELD k OVERFLOW FAIL INCRBY u8 0 1000", "*8\r\n$8\r\nBITFIELD\r\n$1\r\nk\r\n$8\r\nOVERFLOW\r\n$4\r\nFAIL\r\n$6\r\nINCRBY\r\n$2\r\nu8\r\n$1\r\n0\r\n$4\r\n1000\r\n"},
		{"BITFIELD_RO k GET u8 0", ""},
		{"LCS k d", ""},
	}
	for _, s := range steps {
		dirty := te.e.Dirty
		te.cmd(s.line)
		if got := te.log(); got != s.log {
			t.Errorf("%s: logged %q, want %q", s.line, got, s.log)
		}
		if changed := te.e.Dirty != dirty; changed != (s.log != "") {
			t.Errorf("%s: dirty went from %d to %d", s.line, dirty, te.e.Dirty)
		}
	}
}

// A SETBIT that changes nothing must not abort a transaction watching the key
// (Redis only signals a modified key when something changed).
func TestSetBitNoopKeepsWatch(t *testing.T) {
	te := newTestEnv(t)
	te.expect("SETBIT k 7 1", ":0\r\n")
	te.expect("WATCH k", "+OK\r\n")
	te.expect("SETBIT k 7 1", ":1\r\n")
	te.expect("MULTI", "+OK\r\n")
	te.expect("GETBIT k 7", "+QUEUED\r\n")
	te.expect("EXEC", "*1\r\n:1\r\n")
	te.expect("WATCH k", "+OK\r\n")
	te.expect("SETBIT k 7 0", ":1\r\n")
	te.expect("MULTI", "+OK\r\n")
	te.expect("GETBIT k 7", "+QUEUED\r\n")
	te.expect("EXEC", "*-1\r\n")
}

// Replaying the log is not bound by proto-max-bulk-len: a record accepted
// under a larger limit must load.
func TestBitOffsetLimitNotAppliedOnReplay(t *testing.T) {
	te := newTestEnv(t)
	te.e.ProtoMaxBulkLen = 4
	te.expect("SETBIT k 40 1", "-ERR bit offset is not an integer or out of range\r\n")
	cl := te.e.NewReplayClient()
	if err := te.e.Replay(cl, [][]byte{[]byte("SETBIT"), []byte("k"), []byte("40"), []byte("1")}); err != nil {
		t.Fatal(err)
	}
	te.expect("STRLEN k", ":6\r\n")
}

func TestBitCommandTable(t *testing.T) {
	tab := NewTable()
	want := []struct {
		name              string
		arity             int
		flags             string
		first, last, step int
		acl               string
	}{
		{"setbit", 4, "write denyoom", 1, 1, 1, "@write @bitmap @slow"},
		{"getbit", 3, "readonly fast", 1, 1, 1, "@read @bitmap @fast"},
		{"bitcount", -2, "readonly", 1, 1, 1, "@read @bitmap @slow"},
		{"bitpos", -3, "readonly", 1, 1, 1, "@read @bitmap @slow"},
		{"bitop", -4, "write denyoom", 2, -1, 1, "@write @bitmap @slow"},
		{"bitfield", -2, "write denyoom", 1, 1, 1, "@write @bitmap @slow"},
		{"bitfield_ro", -2, "readonly fast", 1, 1, 1, "@read @bitmap @fast"},
		{"lcs", -3, "readonly", 1, 2, 1, "@read @string @slow"},
	}
	for _, w := range want {
		c := tab.Lookup([]byte(strings.ToUpper(w.name)))
		if c == nil {
			t.Errorf("%s missing", w.name)
			continue
		}
		if c.Arity != w.arity || strings.Join(c.Flags.Names(), " ") != w.flags ||
			c.FirstKey != w.first || c.LastKey != w.last || c.Step != w.step ||
			strings.Join(c.ACL, " ") != w.acl {
			t.Errorf("%s: got %d %v %d %d %d %v", w.name, c.Arity, c.Flags.Names(), c.FirstKey, c.LastKey, c.Step, c.ACL)
		}
	}
}

// TestBitsDifferential runs the scripts above and a seeded random workload
// against a private redis-server and the in-process engine, and compares the
// raw replies byte for byte.
func TestBitsDifferential(t *testing.T) {
	addr := bitsStartRedis(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	rr := resp.NewReplyReader(conn)
	redis := func(args ...string) string {
		t.Helper()
		if _, err := conn.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
			t.Fatal(err)
		}
		raw, err := rr.ReadRaw()
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		return string(raw)
	}
	n := 0
	run := func(name string, lines []string, argv [][]string) {
		redis("FLUSHALL")
		redis("HELLO", "2")
		redis("CONFIG", "SET", "proto-max-bulk-len", "536870912")
		te := newTestEnv(t)
		for i, line := range lines {
			var args []string
			if argv != nil {
				args = argv[i]
			} else if strings.HasPrefix(line, "!") {
				f := strings.Fields(line)
				switch f[0] {
				case "!list":
					redis("RPUSH", f[1], "x")
				case "!proto":
					redis("HELLO", f[1])
				case "!maxbulk":
					redis("CONFIG", "SET", "proto-max-bulk-len", f[1])
				}
				te.directive(line)
				continue
			} else {
				args = bitsSplit(t, line)
			}
			want := redis(args...)
			got := te.do(args...)
			n++
			if got != want {
				t.Errorf("%s: %q: kevy %q, redis %q", name, args, got, want)
			}
		}
	}
	scripts := []struct {
		name  string
		cases []bitsCase
	}{
		{"setbit", setbitCases}, {"bitcount", bitcountCases}, {"bitpos", bitposCases},
		{"bitop", bitopCases}, {"bitfield", bitfieldCases}, {"lcs", lcsCases},
	}
	for _, s := range scripts {
		lines := make([]string, len(s.cases))
		for i, c := range s.cases {
			lines[i] = c.line
		}
		run(s.name, lines, nil)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		argv := randomBitCommands(rand.New(rand.NewPCG(seed, 7)), 400)
		lines := make([]string, len(argv))
		for i, a := range argv {
			lines[i] = fmt.Sprintf("%q", a)
		}
		run(fmt.Sprintf("random seed %d", seed), lines, argv)
	}
	t.Logf("%d commands compared", n)
}

// randomBitCommands generates a workload over a few keys holding short
// random strings, biased towards the edge cases (all-zero and all-one bytes,
// ranges crossing the ends, widths and values at the limits).
func randomBitCommands(r *rand.Rand, count int) [][]string {
	keys := []string{"a", "b", "c", "d"}
	key := func() string { return keys[r.IntN(len(keys))] }
	num := func(lo, hi int) string { return strconv.Itoa(lo + r.IntN(hi-lo+1)) }
	value := func(alphabet string) string {
		b := make([]byte, r.IntN(24))
		for i := range b {
			switch r.IntN(4) {
			case 0:
				b[i] = 0
			case 1:
				b[i] = 0xff
			default:
				if alphabet != "" {
					b[i] = alphabet[r.IntN(len(alphabet))]
				} else {
					b[i] = byte(r.IntN(256))
				}
			}
		}
		return string(b)
	}
	unit := func(args []string) []string {
		switch r.IntN(3) {
		case 0:
			return append(args, "BIT")
		case 1:
			return append(args, "byte")
		}
		return args
	}
	bfValues := []string{"0", "1", "-1", "7", "-8", "127", "-128", "255", "256", "1000", "-1000",
		"9223372036854775807", "-9223372036854775808", "4611686018427387904"}
	var out [][]string
	for len(out) < count {
		switch r.IntN(12) {
		case 0:
			alphabet := ""
			if r.IntN(2) == 0 {
				alphabet = "abcab"
			}
			out = append(out, []string{"SET", key(), value(alphabet)})
		case 1:
			out = append(out, []string{"SETBIT", key(), num(0, 250), num(0, 1)})
		case 2:
			out = append(out, []string{"GETBIT", key(), num(0, 250)})
		case 3:
			args := []string{"BITCOUNT", key()}
			if r.IntN(4) > 0 {
				args = unit(append(args, num(-40, 40), num(-40, 40)))
			}
			out = append(out, args)
		case 4, 5:
			args := []string{"BITPOS", key(), num(0, 1)}
			switch r.IntN(4) {
			case 1:
				args = append(args, num(-30, 30))
			case 2:
				args = append(args, num(-30, 30), num(-30, 30))
			case 3:
				args = unit(append(args, num(-200, 200), num(-200, 200)))
			}
			out = append(out, args)
		case 6:
			ops := []string{"AND", "OR", "XOR", "NOT"}
			op := ops[r.IntN(len(ops))]
			args := []string{"BITOP", op, key(), key()}
			if op != "NOT" {
				for range r.IntN(3) {
					args = append(args, key())
				}
			}
			out = append(out, args)
		case 7, 8:
			name := "BITFIELD"
			if r.IntN(5) == 0 {
				name = "BITFIELD_RO"
			}
			args := []string{name, key()}
			for range 1 + r.IntN(4) {
				width := 1 + r.IntN(64)
				typ := "i" + strconv.Itoa(width)
				if r.IntN(2) == 0 && width < 64 {
					typ = "u" + strconv.Itoa(width)
				}
				off := num(0, 200)
				if r.IntN(4) == 0 {
					off = "#" + num(0, 5)
				}
				switch r.IntN(5) {
				case 0:
					args = append(args, "OVERFLOW", []string{"WRAP", "SAT", "FAIL"}[r.IntN(3)])
				case 1, 2:
					args = append(args, "GET", typ, off)
				case 3:
					args = append(args, "SET", typ, off, bfValues[r.IntN(len(bfValues))])
				default:
					args = append(args, "INCRBY", typ, off, bfValues[r.IntN(len(bfValues))])
				}
			}
			out = append(out, args)
		case 9, 10:
			args := []string{"LCS", key(), key()}
			switch r.IntN(4) {
			case 1:
				args = append(args, "LEN")
			case 2, 3:
				args = append(args, "IDX")
				if r.IntN(2) == 0 {
					args = append(args, "MINMATCHLEN", num(0, 3))
				}
				if r.IntN(2) == 0 {
					args = append(args, "WITHMATCHLEN")
				}
			}
			out = append(out, args)
		default:
			out = append(out, []string{"GET", key()})
		}
	}
	return out
}

// bitsStartRedis starts a private redis-server for the differential test and
// returns its address; it skips the test when redis-server is not installed.
func bitsStartRedis(t *testing.T) string { return redistest.Start(t) }
