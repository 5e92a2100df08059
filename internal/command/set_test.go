package command

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestSetCommands(t *testing.T) {
	te := newTestEnv(t)
	for _, c := range []cmdCase{
		{"SADD s 3 1 2", ":3\r\n", logOf("SADD s 3 1 2")},
		{"SADD s 1 2", ":0\r\n", ""},
		{"SMEMBERS s", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", ""},
		{"OBJECT ENCODING s", "$6\r\nintset\r\n", ""},
		{"SISMEMBER s 2", ":1\r\n", ""},
		{"SMISMEMBER s 2 x", "*2\r\n:1\r\n:0\r\n", ""},
		{"SCARD s", ":3\r\n", ""},
		{"SREM s 9", ":0\r\n", ""},
		{"SREM s 3 9", ":1\r\n", logOf("SREM s 3 9")},
		{"SADD t 2 x", ":2\r\n", "-"},
		{"OBJECT ENCODING t", "$9\r\nhashtable\r\n", ""},
		{"SINTER s t", "*1\r\n$1\r\n2\r\n", ""},
		{"SINTERCARD 2 s t LIMIT 5", ":1\r\n", ""},
		{"SINTERSTORE d s t", ":1\r\n", logOf("SINTERSTORE d s t")},
		{"SINTERSTORE d s nokey", ":0\r\n", logOf("SINTERSTORE d s nokey")}, // deleted d
		{"SINTERSTORE d s nokey", ":0\r\n", ""},                             // nothing to delete
		{"SUNIONSTORE u s t", ":3\r\n", logOf("SUNIONSTORE u s t")},
		{"SDIFF s t", "*1\r\n$1\r\n1\r\n", ""},
		{"SDIFFSTORE df t s", ":1\r\n", logOf("SDIFFSTORE df t s")},
		{"SMOVE s t 1", ":1\r\n", logOf("SMOVE s t 1")},
		{"SMOVE s t 1", ":0\r\n", ""},
		{"SMOVE s t 2", ":1\r\n", logOf("SMOVE s t 2")}, // already in t: only s changes
		{"EXISTS s", ":0\r\n", ""},
		{"SMOVE t s x", ":1\r\n", logOf("SMOVE t s x")},
		{"OBJECT ENCODING s", "$9\r\nhashtable\r\n", ""},
		{"SADD one m", ":1\r\n", "-"},
		{"SPOP one", "$1\r\nm\r\n", logOf("SREM one m")},
		{"EXISTS one", ":0\r\n", ""},
		{"SADD three 1 2 3", ":3\r\n", "-"},
		{"SPOP three 5", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", logOf("DEL three")},
		{"SPOP three 1", "*0\r\n", ""},
		{"SPOP three", "$-1\r\n", ""},
		{"SPOP s -1", "-ERR value is out of range, must be positive\r\n", ""},
		{"SPOP s 1 2", "-ERR syntax error\r\n", ""},
		{"SRANDMEMBER nokey 3", "*0\r\n", ""},
		{"SRANDMEMBER s -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", ""},
		{"SINTERCARD 0 s", "-ERR numkeys should be greater than 0\r\n", ""},
		{"SINTERCARD 2 s", "-ERR Number of keys can't be greater than number of args\r\n", ""},
		{"SINTERCARD 1 s LIMIT -1", "-ERR LIMIT can't be negative\r\n", ""},
		{"SSCAN s 0 COUNT 0", "-ERR syntax error\r\n", ""},
		{"SET str v", "+OK\r\n", "-"},
		{"SADD str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
		{"SMOVE nokey str a", ":0\r\n", ""},
		{"SMOVE t str 2", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
		{"SUNION s str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
	} {
		runCases(t, te, []cmdCase{c})
	}
}

// TestSPopLogsRemovedMembers: SPOP with a count smaller than the set logs
// one SREM naming exactly the members it removed, and replaying it gives the
// same set.
func TestSPopLogsRemovedMembers(t *testing.T) {
	for _, n := range []int{20, 3000} { // intset and hashtable
		te := newTestEnv(t)
		args := []string{"SADD", "s"}
		for i := 0; i < n; i++ {
			args = append(args, fmt.Sprint(i))
		}
		te.do(args...)
		if n > 512 {
			te.do("SADD", "s", "x") // hashtable
		}
		for _, count := range []string{"2", "7", "", "1"} {
			te.log()
			var reply string
			if count == "" {
				reply = te.do("SPOP", "s")
			} else {
				reply = te.do("SPOP", "s", count)
			}
			v := parseReply(t, reply)
			var popped []string
			if v.Kind == '$' {
				popped = []string{string(v.Str)}
			} else {
				for _, e := range v.Elems {
					popped = append(popped, string(e.Str))
				}
			}
			want := logOf("SREM s " + strings.Join(popped, " "))
			if got := strings.TrimPrefix(te.log(), logOf("SELECT 0")); got != want {
				t.Fatalf("SPOP s %s: logged %q, want %q", count, got, want)
			}
			for _, m := range popped {
				if te.cmd("SISMEMBER s "+m) != ":0\r\n" {
					t.Fatalf("%s still a member after SPOP", m)
				}
			}
		}
	}
}

func TestSetEncodingThresholds(t *testing.T) {
	te := newTestEnv(t)
	te.e.Limits.SetMaxIntsetEntries = 3
	te.expect("SADD s 1 2 3", ":3\r\n")
	te.expect("OBJECT ENCODING s", "$6\r\nintset\r\n")
	te.expect("SADD s 4", ":1\r\n")
	te.expect("OBJECT ENCODING s", "$9\r\nhashtable\r\n")
	te.expect("SREM s 1 2 3", ":3\r\n")
	te.expect("OBJECT ENCODING s", "$9\r\nhashtable\r\n")
	te.expect("SADD a 1 2", ":2\r\n")
	te.expect("SADD b 3 4", ":2\r\n")
	te.expect("SUNIONSTORE u a b", ":4\r\n")
	te.expect("OBJECT ENCODING u", "$9\r\nhashtable\r\n")
	te.expect("SUNIONSTORE u a", ":2\r\n")
	te.expect("OBJECT ENCODING u", "$6\r\nintset\r\n")
	te.expect("SADD x notint", ":1\r\n")
	te.expect("OBJECT ENCODING x", "$9\r\nhashtable\r\n")
}

func TestSetScanCommandGuarantee(t *testing.T) {
	te := newTestEnv(t)
	args := []string{"SADD", "s"}
	for i := 0; i < 400; i++ {
		args = append(args, fmt.Sprintf("m%d", i))
	}
	te.do(args...)
	for i := 0; i < 3000; i++ {
		te.do("SADD", "s", fmt.Sprintf("tmp%d", i))
	}
	seen := map[string]bool{}
	cursor, removed := "0", 0
	for {
		v := parseReply(t, te.do("SSCAN", "s", cursor))
		cursor = string(v.Elems[0].Str)
		for _, e := range v.Elems[1].Elems {
			seen[string(e.Str)] = true
		}
		if cursor == "0" {
			break
		}
		for i := 0; i < 100 && removed < 3000; i++ { // shrink under the scan
			te.do("SREM", "s", fmt.Sprintf("tmp%d", removed))
			removed++
		}
	}
	for i := 0; i < 400; i++ {
		if !seen[fmt.Sprintf("m%d", i)] {
			t.Fatalf("m%d never returned", i)
		}
	}
}

// TestSetCommandsModel runs random set command sequences against a map
// model, then checks that replaying the log rebuilds the same dataset
// (SPOP's randomness included).
func TestSetCommandsModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		te := newTestEnv(t)
		te.e.Limits.SetMaxIntsetEntries = 5
		model := map[string]map[string]bool{}
		keys := []string{"s1", "s2", "s3"}
		key := rapid.SampledFrom(keys)
		member := rapid.SampledFrom([]string{"1", "2", "3", "4", "5", "6", "-7", "a", "b"})
		var log []byte
		members := func(k string) []string {
			var out []string
			for m := range model[k] {
				out = append(out, m)
			}
			sort.Strings(out)
			return out
		}
		add := func(k, m string) {
			if model[k] == nil {
				model[k] = map[string]bool{}
			}
			model[k][m] = true
		}
		del := func(k, m string) {
			delete(model[k], m)
			if len(model[k]) == 0 {
				delete(model, k)
			}
		}
		for i := rapid.IntRange(1, 60).Draw(rt, "n"); i > 0; i-- {
			k, m := key.Draw(rt, "k"), member.Draw(rt, "m")
			switch rapid.IntRange(0, 6).Draw(rt, "op") {
			case 0:
				want := ":1\r\n"
				if model[k][m] {
					want = ":0\r\n"
				}
				if got := te.do("SADD", k, m); got != want {
					rt.Fatalf("SADD: %q want %q", got, want)
				}
				add(k, m)
			case 1:
				want := ":0\r\n"
				if model[k][m] {
					want = ":1\r\n"
				}
				if got := te.do("SREM", k, m); got != want {
					rt.Fatalf("SREM: %q want %q", got, want)
				}
				del(k, m)
			case 2:
				count := rapid.IntRange(1, 4).Draw(rt, "count")
				v := parseReply(t, te.do("SPOP", k, fmt.Sprint(count)))
				if want := min(count, len(model[k])); len(v.Elems) != want {
					rt.Fatalf("SPOP %d: %d elements, want %d", count, len(v.Elems), want)
				}
				for _, e := range v.Elems {
					if !model[k][string(e.Str)] {
						rt.Fatalf("SPOP returned non-member %s", e.Str)
					}
					del(k, string(e.Str))
				}
			case 3:
				dst := key.Draw(rt, "dst")
				want := ":0\r\n"
				if model[k][m] {
					want = ":1\r\n"
				}
				if got := te.do("SMOVE", k, dst, m); got != want {
					rt.Fatalf("SMOVE: %q want %q", got, want)
				}
				if model[k][m] && k != dst {
					del(k, m)
					add(dst, m)
				}
			case 4:
				dst, other := key.Draw(rt, "dst"), key.Draw(rt, "other")
				inter := map[string]bool{}
				for x := range model[k] {
					if model[other][x] {
						inter[x] = true
					}
				}
				if got, want := te.do("SINTERSTORE", dst, k, other), fmt.Sprintf(":%d\r\n", len(inter)); got != want {
					rt.Fatalf("SINTERSTORE: %q want %q", got, want)
				}
				delete(model, dst)
				for x := range inter {
					add(dst, x)
				}
			case 5:
				dst, other := key.Draw(rt, "dst"), key.Draw(rt, "other")
				diff := map[string]bool{}
				for x := range model[k] {
					if !model[other][x] {
						diff[x] = true
					}
				}
				if got, want := te.do("SDIFFSTORE", dst, k, other), fmt.Sprintf(":%d\r\n", len(diff)); got != want {
					rt.Fatalf("SDIFFSTORE: %q want %q", got, want)
				}
				delete(model, dst)
				for x := range diff {
					add(dst, x)
				}
			case 6:
				v := parseReply(t, te.do("SMEMBERS", k))
				var got []string
				for _, e := range v.Elems {
					got = append(got, string(e.Str))
				}
				sort.Strings(got)
				if fmt.Sprint(got) != fmt.Sprint(members(k)) {
					rt.Fatalf("SMEMBERS %s: %v, model %v", k, got, members(k))
				}
			}
			log = append(log, te.log()...)
		}
		for _, k := range keys {
			if got, want := te.do("SCARD", k), fmt.Sprintf(":%d\r\n", len(model[k])); got != want {
				rt.Fatalf("SCARD %s: %q want %q", k, got, want)
			}
		}
		if a, b := dumpKeys(te), dumpKeys(replayInto(t, log, te.e.Limits)); a != b {
			rt.Fatalf("replayed dataset differs:\n%s\nvs\n%s", a, b)
		}
	})
}
