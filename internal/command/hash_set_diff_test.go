package command

// Differential test of the hash and set families against a real
// redis-server 7.0: the same commands go to both, and the raw replies must be
// identical byte for byte (or, where the order is unspecified, as multisets).

import (
	"bytes"
	"fmt"
	"github.com/kevy-db/kevy/internal/redistest"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/resp"
)

// hsStartRedis starts a private redis-server and returns a connection to it.
func hsStartRedis(t *testing.T) net.Conn { return redistest.Dial(t) }

// hsSplit splits a command line on spaces; "double quotes" group words and
// may be empty.
func hsSplit(line string) []string {
	var out []string
	var cur strings.Builder
	in, have := false, false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == '"':
			in = !in
			have = true
		case ch == ' ' && !in:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(ch)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// hsCanon renders a reply with every aggregate's elements sorted (maps by
// pair), for comparing replies whose order Redis leaves unspecified.
func hsCanon(v resp.Value) string {
	switch v.Kind {
	case '*', '~', '%', '>':
		var parts []string
		if v.Kind == '%' {
			for i := 0; i+1 < len(v.Elems); i += 2 {
				parts = append(parts, hsCanon(v.Elems[i])+"=>"+hsCanon(v.Elems[i+1]))
			}
		} else {
			for _, e := range v.Elems {
				parts = append(parts, hsCanon(e))
			}
		}
		sort.Strings(parts)
		return fmt.Sprintf("%c%d{%s}", v.Kind, len(v.Elems), strings.Join(parts, ","))
	}
	return fmt.Sprintf("%c%q%d%v", v.Kind, v.Str, v.Int, v.Null)
}

// hsShape is the kind and size of a reply (for random replies).
func hsShape(v resp.Value) string {
	return fmt.Sprintf("%c%d%v", v.Kind, len(v.Elems), v.Null)
}

func hsParse(t *testing.T, raw []byte) resp.Value {
	t.Helper()
	v, err := resp.NewReplyReader(bytes.NewReader(raw)).ReadReply()
	if err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	return v
}

// hsDiffScript is the command script. A leading "~" compares as multisets,
// "?" compares only kind and size (random replies), "!" sends without
// comparing (HELLO's reply differs between servers).
func hsDiffScript() []string {
	long64 := strings.Repeat("v", 64)
	long65 := strings.Repeat("w", 65)
	s := []string{
		// Hash basics and errors.
		"HSET h f1 v1", "HSET h f1 v1 f2 v2", "HSET h f3", "HSET h", "HMSET h f4", "HMSET h f4 v4 f5 v5",
		"HGET h f1", "HGET h nope", "HGET nokey f", "HGET h", "HMGET h f1 nope f2", "HMGET nokey a b",
		"HLEN h", "HLEN nokey", "HEXISTS h f1", "HEXISTS h nope", "HEXISTS nokey f", "HSTRLEN h f1", "HSTRLEN h nope",
		"HKEYS h", "HVALS h", "HGETALL h", "HKEYS nokey", "HVALS nokey", "HGETALL nokey",
		"HSETNX h f1 x", "HSETNX h f9 x", "HSETNX newh f x", "HGETALL newh", "HSETNX h f9",
		"HDEL h nope", "HDEL h f1 f1 f2", "HDEL nokey f", "HDEL h", "HGETALL h", "OBJECT ENCODING h",
		"HDEL newh f", "EXISTS newh",
		"SET str x", "HSET str f v", "HGET str f", "HMGET str f", "HLEN str", "HDEL str f", "HGETALL str",
		"HKEYS str", "HINCRBY str f 1", "HINCRBYFLOAT str f 1", "HSETNX str f v", "HSTRLEN str f", "HEXISTS str f",
		"HSCAN str 0", "HRANDFIELD str", "HRANDFIELD str 2", "HMSET str a b",
		// Increments.
		"HINCRBY hi n 5", "HINCRBY hi n -7", "HINCRBY hi n abc", "HINCRBY hi n 9223372036854775808",
		"HSET hi big 9223372036854775807", "HINCRBY hi big 1", "HINCRBY hi big -1", "HSET hi neg -9223372036854775808",
		"HINCRBY hi neg -1", "HSET hi s abc", "HINCRBY hi s 1", "HSET hi z 010", "HINCRBY hi z 1", "HSET hi sp \" 1\"", "HINCRBY hi sp 1",
		"HINCRBYFLOAT hi fl 10.5", "HINCRBYFLOAT hi fl 0.1", "HINCRBYFLOAT hi fl -10.6", "HINCRBYFLOAT hi fl 5.0e3",
		"HINCRBYFLOAT hi fl 1e-20", "HINCRBYFLOAT hi s 1", "HINCRBYFLOAT hi n abc", "HINCRBYFLOAT hi n inf",
		"HINCRBYFLOAT hi n -inf", "HINCRBYFLOAT hi n nan", "HINCRBYFLOAT hi n \"\"", "HINCRBYFLOAT hi n \" 1\"",
		"HINCRBYFLOAT hi big 1", "HSET hx e 1e308", "HINCRBYFLOAT hx e 1e308", "HINCRBYFLOAT hx e 0.1", "HINCRBYFLOAT hx x 1e4000",
		"HSET hi inf inf", "HINCRBYFLOAT hi inf 1", "HINCRBYFLOAT hi g 0x10", "HINCRBYFLOAT hi g 1.5e3",
		"HGETALL hi", "OBJECT ENCODING hi",
		// Encoding thresholds.
		"HSET hl f " + long64, "OBJECT ENCODING hl", "HSET hl g " + long65, "OBJECT ENCODING hl", "HDEL hl g", "OBJECT ENCODING hl",
		"HSET hk " + long65 + " v", "OBJECT ENCODING hk", "HINCRBY hk2 " + long65 + " 1", "OBJECT ENCODING hk2",
		"HINCRBYFLOAT hk3 " + long65 + " 1.5", "OBJECT ENCODING hk3", "HSETNX hk4 " + long65 + " 1", "OBJECT ENCODING hk4",
		// HSCAN and HRANDFIELD on a listpack.
		"HSCAN hi 0", "HSCAN hi 7", "HSCAN hi 0 MATCH f*", "HSCAN hi 0 MATCH *i* COUNT 1", "HSCAN hi 0 COUNT 0",
		"HSCAN hi 0 COUNT -1", "HSCAN hi 0 COUNT abc", "HSCAN hi 0 TYPE string", "HSCAN hi 0 MATCH", "HSCAN hi abc",
		"HSCAN hi -1", "HSCAN hi \"\"", "HSCAN hi +3", "HSCAN hi \" 1\"", "HSCAN hi 18446744073709551616", "HSCAN nokey 0 COUNT 0",
		"HSCAN hi 0 match f* count 100",
		"?HRANDFIELD hi", "HRANDFIELD nokey", "HRANDFIELD nokey 5", "HRANDFIELD nokey 5 WITHVALUES", "HRANDFIELD hi 0",
		"HRANDFIELD hi 0 WITHVALUES", "?HRANDFIELD hi 1", "?HRANDFIELD hi 3", "HRANDFIELD hi 100", "HRANDFIELD hi 100 WITHVALUES",
		"?HRANDFIELD hi -5", "?HRANDFIELD hi -5 WITHVALUES", "?HRANDFIELD hi 2 withvalues", "HRANDFIELD hi abc",
		"HRANDFIELD hi 1 x", "HRANDFIELD hi 1 WITHVALUES x", "HRANDFIELD hi -9223372036854775808",
		"HRANDFIELD hi 9223372036854775807 WITHVALUES", "HRANDFIELD hi -4611686018427387904 WITHVALUES",
		"HRANDFIELD nokey abc", "HRANDFIELD nokey 1 x",
		// Set basics and errors.
		"SADD s 3 1 2", "SADD s 2 4", "SADD s", "SMEMBERS s", "OBJECT ENCODING s", "SCARD s", "SCARD nokey",
		"SISMEMBER s 1", "SISMEMBER s 9", "SISMEMBER s a", "SISMEMBER nokey 1", "SMISMEMBER s 1 9 a", "SMISMEMBER nokey a b",
		"SREM s 9", "SREM s 1 1 2", "SREM nokey a", "SMEMBERS s", "SADD s -5 010 -0 +1 a", "~SMEMBERS s", "OBJECT ENCODING s",
		"SADD si -32769 70000 5000000000 -1", "SMEMBERS si", "OBJECT ENCODING si", "SREM si 70000", "SMEMBERS si",
		"SADD str a", "SREM str a", "SMEMBERS str", "SISMEMBER str a", "SMISMEMBER str a", "SCARD str", "SPOP str",
		"SPOP str 2", "SRANDMEMBER str", "SRANDMEMBER str 2", "SINTER str", "SUNION str", "SDIFF str", "SSCAN str 0",
		"SINTERCARD 1 str", "SMOVE str s a",
		"SMEMBERS nokey", "SRANDMEMBER nokey", "SRANDMEMBER nokey 3", "SPOP nokey", "SPOP nokey 3", "SPOP nokey 0",
		"SPOP s -1", "SPOP s abc", "SPOP s 1 2", "SPOP s 0", "SRANDMEMBER s 0", "SRANDMEMBER s 1 2",
		"SRANDMEMBER s abc", "SRANDMEMBER s -9223372036854775808", "?SRANDMEMBER s", "?SRANDMEMBER s -10", "?SRANDMEMBER s 2",
		"~SRANDMEMBER s 100", "SADD one only", "SPOP one", "EXISTS one", "SADD ints 5 3 9", "SPOP ints 3", "EXISTS ints",
		"SADD ints 5 3 9", "SPOP ints 10", "SADD ints 7", "SPOP ints 1", "EXISTS ints",
		// SMOVE.
		"SMOVE nokey s a", "SADD m1 1 2 x", "SADD m2 3", "SMOVE m1 m2 1", "SMEMBERS m2", "OBJECT ENCODING m2",
		"SMOVE m1 m2 x", "OBJECT ENCODING m2", "SMOVE m1 m2 nope", "SMOVE m1 m1 2", "SMOVE m1 m1 9", "SMOVE m1 m3 2",
		"EXISTS m1", "SMEMBERS m3", "OBJECT ENCODING m3", "SMOVE m2 m3 3", "SMEMBERS m3", "SMOVE m2 str x", "SMOVE str m2 x",
		"SMOVE m2 h 3",
		// Set algebra.
		"SADD a 1 2 3 4 5", "SADD b 4 5 6", "SADD c 5 x", "SINTER a b", "SINTER a b c", "SINTER a nokey", "SINTER nokey str",
		"SINTER a str", "SINTERSTORE d a b", "SMEMBERS d", "OBJECT ENCODING d", "SINTERSTORE d a nokey", "EXISTS d",
		"SET d x", "EXPIRE d 100", "SINTERSTORE d a b", "TTL d", "SINTERSTORE d a str", "SUNION a b", "~SUNION a c",
		"SUNION nokey", "SUNION a nokey b", "SUNIONSTORE u a b", "SMEMBERS u", "OBJECT ENCODING u", "SUNIONSTORE u a c",
		"OBJECT ENCODING u", "SUNIONSTORE u nokey", "EXISTS u", "SDIFF a b", "SDIFF a b c", "SDIFF nokey a", "SDIFF a nokey",
		"SDIFF a a", "SDIFF b a a", "SDIFFSTORE df a b", "SMEMBERS df", "SDIFFSTORE df a a", "EXISTS df",
		"SADD big1 1 2 3 4 5 6 7 8 9 10 y", "SADD small1 y", "SDIFFSTORE df2 small1 big1", "EXISTS df2",
		"SDIFFSTORE df3 big1 small1", "OBJECT ENCODING df3", "SADD onlyx x 1 2", "SADD rmx x",
		"SDIFFSTORE df4 onlyx rmx", "OBJECT ENCODING df4", "SMEMBERS df4",
		"SINTERCARD 2 a b", "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 2 a b LIMIT 0", "SINTERCARD 2 a b limit 10",
		"SINTERCARD 1 a LIMIT 3", "SINTERCARD 2 a nokey", "SINTERCARD 0 a", "SINTERCARD abc a", "SINTERCARD -1 a",
		"SINTERCARD 3 a b", "SINTERCARD 1 a LIMIT", "SINTERCARD 1 a LIMIT -1", "SINTERCARD 1 a LIMIT abc",
		"SINTERCARD 1 a FOO 1", "SINTERCARD 2 nokey str", "SINTERCARD 1 a LIMIT 1 LIMIT 2",
		// SSCAN on an intset.
		"SSCAN a 0", "SSCAN a 5 COUNT 1", "SSCAN a 0 MATCH 1*", "SSCAN a 0 COUNT 0", "SSCAN a 0 TYPE set",
		"SSCAN a x", "SSCAN nokey 0", "SSCAN nokey x", "SSCAN a 0 MATCH",
		// Arity.
		"HGET", "HGETALL", "SADD x", "SPOP", "SMOVE a b", "SINTERCARD 1", "SINTERSTORE d", "HINCRBY h f",
	}
	// Crossing the entry thresholds.
	var hf []string
	for i := 0; i < 128; i++ {
		hf = append(hf, fmt.Sprintf("f%d", i), "v")
	}
	s = append(s, "HSET hb "+strings.Join(hf, " "), "OBJECT ENCODING hb", "HSET hb f128 v", "OBJECT ENCODING hb",
		"HDEL hb f128 f0", "OBJECT ENCODING hb", "HLEN hb", "~HGETALL hb", "~HKEYS hb", "~HVALS hb")
	var sm []string
	for i := 0; i < 512; i++ {
		sm = append(sm, strconv.Itoa(i*7-1000))
	}
	s = append(s, "SADD sb "+strings.Join(sm, " "), "OBJECT ENCODING sb", "SCARD sb", "SMEMBERS sb",
		"SADD sb 100000", "OBJECT ENCODING sb", "SREM sb 100000", "OBJECT ENCODING sb", "~SMEMBERS sb",
		"SUNIONSTORE sb2 sb", "OBJECT ENCODING sb2", "SMEMBERS sb2", "SINTERSTORE sb3 sb sb", "OBJECT ENCODING sb3",
		"SPOP sb2 600", "EXISTS sb2")
	// RESP3 shapes.
	s = append(s, "!HELLO 3", "HGETALL hi", "HGETALL nokey", "~HGETALL hb", "HRANDFIELD hi 100 WITHVALUES",
		"?HRANDFIELD hi -3 WITHVALUES", "HRANDFIELD nokey", "HRANDFIELD nokey 2 WITHVALUES", "SMEMBERS a", "SMEMBERS nokey",
		"SINTER a b", "SINTER a nokey", "SUNION a b", "SDIFF a b", "SPOP nokey", "SPOP nokey 2", "SPOP a 0",
		"SRANDMEMBER a 100", "SRANDMEMBER nokey 2", "SRANDMEMBER nokey", "HMGET hi nope", "HGET hi nope",
		"SMISMEMBER a 1 9", "SINTERCARD 2 a b", "HSCAN hi 0", "SSCAN a 0", "SPOP ints 5", "SADD p 1 2 3", "SPOP p 3",
		"!HELLO 2")
	return s
}

func TestHashSetDifferential(t *testing.T) {
	conn := hsStartRedis(t)
	rr := resp.NewReplyReader(conn)
	te := newTestEnv(t)
	// Same encoding thresholds on both sides (a redis-server started
	// without a config file has hash-max-listpack-entries 512, redis.conf
	// and kevy 128).
	lim := te.e.Limits
	for _, kv := range [][2]string{
		{"hash-max-listpack-entries", strconv.Itoa(lim.HashMaxListpackEntries)},
		{"hash-max-listpack-value", strconv.Itoa(lim.HashMaxListpackValue)},
		{"set-max-intset-entries", strconv.Itoa(lim.SetMaxIntsetEntries)},
	} {
		conn.Write(resp.AppendCommandStrings(nil, "CONFIG", "SET", kv[0], kv[1]))
		if raw, err := rr.ReadRaw(); err != nil || string(raw) != "+OK\r\n" {
			t.Fatalf("CONFIG SET %s: %q %v", kv[0], raw, err)
		}
	}
	script := hsDiffScript()
	if len(script) < 150 {
		t.Fatalf("script has only %d commands", len(script))
	}
	for _, line := range script {
		mode := byte(0)
		if line[0] == '~' || line[0] == '?' || line[0] == '!' {
			mode, line = line[0], line[1:]
		}
		args := hsSplit(line)
		if _, err := conn.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
			t.Fatal(err)
		}
		want, err := rr.ReadRaw()
		if err != nil {
			t.Fatalf("%s: reading from redis: %v", line, err)
		}
		got := []byte(te.do(args...))
		short := line
		if len(short) > 80 {
			short = short[:80] + "…"
		}
		trunc := func(b []byte) string {
			if len(b) > 300 {
				return fmt.Sprintf("%q…", b[:300])
			}
			return fmt.Sprintf("%q", b)
		}
		switch mode {
		case '!':
		case '~':
			if g, w := hsCanon(hsParse(t, got)), hsCanon(hsParse(t, want)); g != w {
				t.Errorf("%s:\n got %s\nwant %s", short, trunc(got), trunc(want))
			}
		case '?':
			if g, w := hsShape(hsParse(t, got)), hsShape(hsParse(t, want)); g != w {
				t.Errorf("%s: shape\n got %s\nwant %s", short, trunc(got), trunc(want))
			}
		default:
			if !bytes.Equal(got, want) {
				t.Errorf("%s:\n got %s\nwant %s", short, trunc(got), trunc(want))
			}
		}
	}
}
