package command

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/resp"
	"pgregory.net/rapid"
)

// cmdCase is one step of a table-driven test: a command, its raw reply and,
// when logged is not "-", the exact log records it must produce ("" for
// none).
type cmdCase struct {
	cmd, reply, logged string
}

// logOf encodes commands given as space-separated lines as log records.
func logOf(lines ...string) string {
	var b []byte
	for _, l := range lines {
		b = resp.AppendCommandStrings(b, strings.Fields(l)...)
	}
	return string(b)
}

func runCases(t *testing.T, te *testEnv, cases []cmdCase) {
	t.Helper()
	te.do("SELECT", "0")
	te.log()
	for _, c := range cases {
		if got := te.cmd(c.cmd); got != c.reply {
			t.Errorf("%s: reply %q, want %q", c.cmd, got, c.reply)
		}
		got := te.log()
		got = strings.TrimPrefix(got, logOf("SELECT 0"))
		if c.logged != "-" && got != c.logged {
			t.Errorf("%s: logged %q, want %q", c.cmd, got, c.logged)
		}
	}
}

func TestHashCommands(t *testing.T) {
	te := newTestEnv(t)
	// One case at a time, so each log check sees only its command.
	for _, c := range []cmdCase{
		{"HSET h a 1 b 2", ":2\r\n", logOf("HSET h a 1 b 2")},
		{"HSET h a 1", ":0\r\n", logOf("HSET h a 1")},
		{"HSET h a", "-ERR wrong number of arguments for 'hset' command\r\n", ""},
		{"HMSET h c 3", "+OK\r\n", logOf("HMSET h c 3")},
		{"HMSET h c", "-ERR wrong number of arguments for 'hmset' command\r\n", ""},
		{"HGET h a", "$1\r\n1\r\n", ""},
		{"HGET h z", "$-1\r\n", ""},
		{"HMGET h a z", "*2\r\n$1\r\n1\r\n$-1\r\n", ""},
		{"HLEN h", ":3\r\n", ""},
		{"HSTRLEN h c", ":1\r\n", ""},
		{"HEXISTS h c", ":1\r\n", ""},
		{"HKEYS h", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", ""},
		{"HVALS h", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", ""},
		{"HGETALL h", "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", ""},
		{"HSETNX h a 9", ":0\r\n", ""},
		{"HSETNX h d 4", ":1\r\n", logOf("HSETNX h d 4")},
		{"HDEL h zz", ":0\r\n", ""},
		{"HDEL h a b zz", ":2\r\n", logOf("HDEL h a b zz")},
		{"HINCRBY h n 5", ":5\r\n", logOf("HINCRBY h n 5")},
		{"HINCRBY h c x", "-ERR value is not an integer or out of range\r\n", ""},
		{"HINCRBYFLOAT h f 10.5", "$4\r\n10.5\r\n", logOf("HSET h f 10.5")},
		{"HINCRBYFLOAT h f 0.1", "$4\r\n10.6\r\n", logOf("HSET h f 10.6")},
		{"HINCRBYFLOAT h f 5.0e3", "$22\r\n5010.60000000000000009\r\n", logOf("HSET h f 5010.60000000000000009")}, // as Redis (long double),
		{"HINCRBYFLOAT h f inf", "-ERR value is NaN or Infinity\r\n", ""},
		{"HSET hs f abc", ":1\r\n", "-"},
		{"HINCRBYFLOAT hs f 1", "-ERR hash value is not a float\r\n", ""},
		{"HINCRBY hs f 1", "-ERR hash value is not an integer\r\n", ""},
		{"HDEL hs f", ":1\r\n", logOf("HDEL hs f")},
		{"EXISTS hs", ":0\r\n", ""},
		{"SET s x", "+OK\r\n", "-"},
		{"HSET s a b", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
		{"HGETALL s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
		{"HSCAN h 0 MATCH d", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n", ""},
		{"HSCAN h x", "-ERR invalid cursor\r\n", ""},
		{"HSCAN nokey 0 COUNT 0", "*2\r\n$1\r\n0\r\n*0\r\n", ""},
		{"HRANDFIELD nokey", "$-1\r\n", ""},
		{"HRANDFIELD h 0", "*0\r\n", ""},
		{"HRANDFIELD h -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", ""},
		{"HRANDFIELD h 4611686018427387904 WITHVALUES", "-ERR value is out of range\r\n", ""},
		{"HRANDFIELD h 1 WITHVALUES x", "-ERR syntax error\r\n", ""},
	} {
		runCases(t, te, []cmdCase{c})
	}
}

// TestHashEncodingThresholds checks OBJECT ENCODING follows the configured
// limits, and that a hash never converts back.
func TestHashEncodingThresholds(t *testing.T) {
	te := newTestEnv(t)
	te.e.Limits.HashMaxListpackEntries = 3
	te.e.Limits.HashMaxListpackValue = 5
	te.expect("HSET h a 1 b 2 c 3", ":3\r\n")
	te.expect("OBJECT ENCODING h", "$8\r\nlistpack\r\n")
	te.expect("HSET h d 4", ":1\r\n")
	te.expect("OBJECT ENCODING h", "$9\r\nhashtable\r\n")
	te.expect("HDEL h a b c", ":3\r\n")
	te.expect("OBJECT ENCODING h", "$9\r\nhashtable\r\n")
	te.expect("HSET v f 12345", ":1\r\n")
	te.expect("OBJECT ENCODING v", "$8\r\nlistpack\r\n")
	te.expect("HINCRBY v g 123456", ":123456\r\n")
	te.expect("OBJECT ENCODING v", "$9\r\nhashtable\r\n")
	te.expect("COPY v v2", ":1\r\n")
	te.expect("OBJECT ENCODING v2", "$9\r\nhashtable\r\n")
	te.expect("HSET v2 x y", ":1\r\n")
	te.expect("HLEN v", ":2\r\n") // the copy is deep
}

// TestHashNoopWriteKeepsWatch: a write that changes nothing does not abort
// a transaction watching the key, as in Redis.
func TestHashNoopWriteKeepsWatch(t *testing.T) {
	te := newTestEnv(t)
	te.expect("HSET h a 1", ":1\r\n")
	te.expect("WATCH h", "+OK\r\n")
	te.expect("HDEL h zz", ":0\r\n")
	te.expect("HSETNX h a 2", ":0\r\n")
	te.expect("MULTI", "+OK\r\n")
	te.expect("HGET h a", "+QUEUED\r\n")
	te.expect("EXEC", "*1\r\n$1\r\n1\r\n")
}

func TestHashRandFieldShapes(t *testing.T) {
	te := newTestEnv(t)
	te.expect("HSET h a 1 b 2 c 3 d 4 e 5 f 6 g 7 i 8 j 9 k 10", ":10\r\n")
	te.e.Limits.HashMaxListpackEntries = 0
	te.expect("HSET big a 1 b 2 c 3 d 4 e 5 f 6 g 7 i 8 j 9 k 10", ":10\r\n")
	for _, key := range []string{"h", "big"} {
		for _, count := range []int{1, 2, 5, 9, 10, 20, -1, -30} {
			v := parseReply(t, te.do("HRANDFIELD", key, fmt.Sprint(count)))
			n := count
			if n > 10 {
				n = 10
			}
			if n < 0 {
				n = -n
			}
			if len(v.Elems) != n {
				t.Fatalf("HRANDFIELD %s %d: %d elements", key, count, len(v.Elems))
			}
			seen := map[string]bool{}
			for _, e := range v.Elems {
				if count > 0 && seen[string(e.Str)] {
					t.Fatalf("HRANDFIELD %s %d repeated %s", key, count, e.Str)
				}
				seen[string(e.Str)] = true
			}
			w := parseReply(t, te.do("HRANDFIELD", key, fmt.Sprint(count), "WITHVALUES"))
			if len(w.Elems) != 2*n {
				t.Fatalf("WITHVALUES: %d elements", len(w.Elems))
			}
		}
	}
	te.do("HELLO", "3")
	w := parseReply(t, te.do("HRANDFIELD", "big", "-3", "WITHVALUES"))
	if len(w.Elems) != 3 || w.Elems[0].Kind != '*' || len(w.Elems[0].Elems) != 2 {
		t.Fatalf("RESP3 WITHVALUES shape: %+v", w)
	}
}

func parseReply(t *testing.T, raw string) resp.Value {
	t.Helper()
	v, err := resp.NewReplyReader(strings.NewReader(raw)).ReadReply()
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return v
}

// TestHashScanCommandGuarantee: HSCAN over a hashtable returns every field
// present throughout, while fields are added between calls.
func TestHashScanCommandGuarantee(t *testing.T) {
	te := newTestEnv(t)
	for i := 0; i < 500; i++ {
		te.do("HSET", "h", fmt.Sprintf("f%d", i), "v")
	}
	seen := map[string]bool{}
	cursor, added := "0", 0
	for {
		v := parseReply(t, te.do("HSCAN", "h", cursor, "COUNT", "7"))
		cursor = string(v.Elems[0].Str)
		for i := 0; i < len(v.Elems[1].Elems); i += 2 {
			seen[string(v.Elems[1].Elems[i].Str)] = true
		}
		if cursor == "0" {
			break
		}
		for i := 0; i < 40 && added < 3000; i++ {
			te.do("HSET", "h", fmt.Sprintf("new%d", added), "v")
			added++
		}
	}
	for i := 0; i < 500; i++ {
		if !seen[fmt.Sprintf("f%d", i)] {
			t.Fatalf("f%d never returned", i)
		}
	}
}

// replayInto replays a log into a fresh engine and returns it.
func replayInto(t *testing.T, log []byte, lim EncodingLimits) *testEnv {
	t.Helper()
	te := newTestEnv(t)
	te.e.Limits = lim
	cl := te.e.NewReplayClient()
	rd := resp.NewReader(bytes.NewReader(log), resp.Limits{})
	for {
		args, err := rd.ReadCommand()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading log: %v", err)
		}
		if is(args[0], "select") {
			cl.DB = 0
			continue
		}
		if err := te.e.Replay(cl, args); err != nil {
			t.Fatalf("replay %q: %v", args, err)
		}
	}
	return te
}

// dumpKeys renders every key of db 0 canonically (type, encoding and
// sorted contents).
func dumpKeys(te *testEnv) string {
	var out []string
	te.st.DB(0).Each(func(e *store.Entry) bool {
		var items []string
		switch o := e.Obj().(type) {
		case *store.Hash:
			o.Each(func(f, v []byte) bool { items = append(items, string(f)+"="+string(v)); return true })
			items = append(items, "enc:"+o.Encoding())
		case *store.Set:
			o.Each(func(m []byte) bool { items = append(items, string(m)); return true })
			items = append(items, "enc:"+o.Encoding())
		default:
			items = append(items, string(e.Str()))
		}
		sort.Strings(items)
		out = append(out, e.Key()+":"+strings.Join(items, ","))
		return true
	})
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestHashCommandsModel runs random hash command sequences against a map
// model, then checks that replaying the log rebuilds the same dataset.
func TestHashCommandsModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		te := newTestEnv(t)
		te.e.Limits.HashMaxListpackEntries = 4
		model := map[string]map[string]string{}
		key := rapid.SampledFrom([]string{"h1", "h2"})
		field := rapid.SampledFrom([]string{"a", "b", "c", "d", "e", "f"})
		var log []byte
		for i := rapid.IntRange(1, 60).Draw(rt, "n"); i > 0; i-- {
			k, f := key.Draw(rt, "k"), field.Draw(rt, "f")
			m := model[k]
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 0:
				v := rapid.StringMatching(`[0-9]{1,3}`).Draw(rt, "v")
				_, had := m[f]
				want := ":1\r\n"
				if had {
					want = ":0\r\n"
				}
				if got := te.do("HSET", k, f, v); got != want {
					rt.Fatalf("HSET: %q want %q", got, want)
				}
				if m == nil {
					m = map[string]string{}
					model[k] = m
				}
				m[f] = v
			case 1:
				_, had := m[f]
				want := ":0\r\n"
				if had {
					want = ":1\r\n"
					delete(m, f)
					if len(m) == 0 {
						delete(model, k)
					}
				}
				if got := te.do("HDEL", k, f); got != want {
					rt.Fatalf("HDEL: %q want %q", got, want)
				}
			case 2:
				got := te.do("HGET", k, f)
				want := "$-1\r\n"
				if v, ok := m[f]; ok {
					want = fmt.Sprintf("$%d\r\n%s\r\n", len(v), v)
				}
				if got != want {
					rt.Fatalf("HGET: %q want %q", got, want)
				}
			case 3:
				if got, want := te.do("HLEN", k), fmt.Sprintf(":%d\r\n", len(m)); got != want {
					rt.Fatalf("HLEN: %q want %q", got, want)
				}
			case 4:
				te.do("HINCRBYFLOAT", k, f, "0.5")
				if m == nil {
					m = map[string]string{}
					model[k] = m
				}
				if _, ok := m[f]; !ok {
					m[f] = "0"
				}
				v, _ := parseLongDouble([]byte(m[f]))
				by, _ := parseLongDouble([]byte("0.5"))
				m[f] = formatLongDouble(v.Add(v, by))
			case 5:
				v := parseReply(t, te.do("HRANDFIELD", k, "-3"))
				for _, e := range v.Elems {
					if _, ok := m[string(e.Str)]; !ok {
						rt.Fatalf("HRANDFIELD returned %s, not a field", e.Str)
					}
				}
			}
			log = append(log, te.log()...)
		}
		for k, m := range model {
			v := parseReply(t, te.do("HGETALL", k))
			if len(v.Elems) != 2*len(m) {
				rt.Fatalf("HGETALL %s: %d elements, model %d fields", k, len(v.Elems), len(m))
			}
			for i := 0; i < len(v.Elems); i += 2 {
				if m[string(v.Elems[i].Str)] != string(v.Elems[i+1].Str) {
					rt.Fatalf("HGETALL %s: %s=%s, model %v", k, v.Elems[i].Str, v.Elems[i+1].Str, m)
				}
			}
		}
		if a, b := dumpKeys(te), dumpKeys(replayInto(t, log, te.e.Limits)); a != b {
			rt.Fatalf("replayed dataset differs:\n%s\nvs\n%s", a, b)
		}
	})
}
