package config

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// diffExcluded are directives whose values legitimately differ between the
// reference redis-server and kevy in these tests: kevy's own defaults
// (bind, dir; appendonly is passed explicitly to both), the random test
// port, and maxclients, which Redis lowers to fit RLIMIT_NOFILE.
var diffExcluded = map[string]bool{"bind": true, "dir": true, "port": true, "maxclients": true}

// redisConfig returns redis-server's CONFIG GET reply as a map.
func redisConfig(t *testing.T, rc *redisConn, patterns ...string) map[string]string {
	t.Helper()
	reply, err := rc.Do(append([]string{"CONFIG", "GET"}, patterns...)...)
	if err != nil {
		t.Fatalf("CONFIG GET %q: %v", patterns, err)
	}
	flat := reply.([]any)
	m := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		m[flat[i].(string)] = flat[i+1].(string)
	}
	return m
}

func kevyConfig(c *Config, patterns ...string) map[string]string {
	flat := c.Get(patterns...)
	m := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		m[flat[i]] = flat[i+1]
	}
	return m
}

// TestDifferentialConfig compares CONFIG GET and CONFIG SET replies of a
// real redis-server and of Config, started with the same options.
func TestDifferentialConfig(t *testing.T) {
	rc := startRedis(t)
	c := mustParse(t, "--save", "", "--appendonly", "no")

	t.Run("defaults", func(t *testing.T) {
		want := redisConfig(t, rc, "*")
		got := kevyConfig(c, "*")
		for name, v := range got {
			if diffExcluded[name] {
				continue
			}
			rv, ok := want[name]
			if !ok {
				t.Errorf("%s: not a Redis 7.0 directive", name)
			} else if rv != v {
				t.Errorf("%s: redis %q, kevy %q", name, rv, v)
			}
		}
	})

	t.Run("get patterns", func(t *testing.T) {
		for _, p := range [][]string{
			{"*max*"}, {"hash-*"}, {"HASH*VALUE"}, {"*-ziplist-*"}, {"appendf*"}, {"lazyfree-lazy-?????"},
			{"[a-c]*"}, {"HZ"}, {"Hash-Max-Ziplist-Entries"}, {"PORT", "po*"}, {"hz", "hz"}, {"nosuch"}, {"a["},
		} {
			want := redisConfig(t, rc, p...)
			got := kevyConfig(c, p...)
			for name, v := range got {
				if rv, ok := want[name]; !ok || (rv != v && !diffExcluded[strings.ToLower(name)]) {
					t.Errorf("CONFIG GET %q: %s redis %q (present %v), kevy %q", p, name, rv, ok, v)
				}
			}
			for name := range want {
				if _, ok := got[name]; !ok {
					if i, _ := lookup(c.table, name); i >= 0 {
						t.Errorf("CONFIG GET %q: kevy lacks %s", p, name)
					}
				}
			}
		}
	})

	t.Run("set", func(t *testing.T) {
		// Each probe runs against both servers in order, so successful
		// probes keep their states in step. port, bind, dir and
		// requirepass are only set to failing values, to keep the
		// connection usable.
		probes := [][]string{
			{"foo", "bar"},
			{"port", "abc"}, {"port", "70000"}, {"port", "-1"},
			{"port", "0", "maxclients", "5", "port", "7"},
			{"PORT", "1", "port", "2"},
			{"timeout", "1", "daemonize", "yes", "timeout", "2"},
			{"timeout", "x", "foo", "1"}, {"foo", "1", "daemonize", "yes"}, {"daemonize", "yes", "foo", "1"},
			{"daemonize", "no"}, {"databases", "5"}, {"appendfilename", "x"}, {"appenddirname", "x"},
			{"logfile", "x"}, {"pidfile", "x"}, {"rdbchecksum", "no"}, {"dir", "/tmp"}, {"dbfilename", "x.rdb"},
			{"appendfsync", "bad"}, {"appendfsync", "ALWAYS"}, {"appendfsync", "everysec"},
			{"appendonly", "maybe"},
			{"maxmemory", "1x"}, {"maxmemory", "1.5gb"}, {"maxmemory", "-1"}, {"maxmemory", "+1"}, {"maxmemory", " 10"},
			{"maxmemory", "1GB"}, {"maxmemory", "1k"}, {"maxmemory", "5B"}, {"maxmemory", "kb"},
			{"maxmemory", "18446744073709551616"}, {"maxmemory", "17179869184gb"}, {"maxmemory", "0"},
			{"timeout", "-1"}, {"timeout", "+10"}, {"timeout", "010"}, {"timeout", "-0"}, {"timeout", ""},
			{"timeout", "2147483648"}, {"timeout", "30"},
			{"tcp-keepalive", "0"}, {"tcp-keepalive", "300"},
			{"proto-max-bulk-len", "1k"}, {"proto-max-bulk-len", "-1"}, {"proto-max-bulk-len", "9223372036854775808"},
			{"proto-max-bulk-len", "2mb"}, {"client-query-buffer-limit", "1"}, {"client-query-buffer-limit", "2gb"},
			{"hash-max-listpack-entries", "1k"}, {"hash-max-listpack-entries", "-1"},
			{"hash-max-listpack-entries", "9223372036854775808"}, {"HASH-MAX-ZIPLIST-ENTRIES", "x"},
			{"hash-max-ziplist-entries", "100", "hash-max-listpack-entries", "5"},
			{"hash-max-ziplist-value", "32"}, {"zset-max-ziplist-entries", "64"}, {"zset-max-listpack-value", "16"},
			{"list-max-ziplist-size", "-5"}, {"list-max-listpack-size", "128"}, {"set-max-intset-entries", "10"},
			{"maxclients", "0"}, {"maxclients", "4294967296"}, {"maxclients", "1k"},
			{"slowlog-log-slower-than", "-2"}, {"slowlog-log-slower-than", "-1"}, {"slowlog-max-len", "-1"},
			{"slowlog-max-len", "1000"},
			{"loglevel", "DEBUG"}, {"loglevel", "loud"}, {"loglevel", "notice"},
			{"maxmemory-policy", "foo"}, {"maxmemory-policy", "ALLKEYS-LRU"},
			{"save", "100 1 200"}, {"save", "100 x"}, {"save", "+100 010"}, {"save", "100 -1"}, {"save", "0 1"},
			{"save", "100 4294967297"}, {"save", "100  1"}, {"save", "100 1 200 5"}, {"save", ""},
			{"notify-keyspace-events", "Z"}, {"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "Kg$"},
			{"notify-keyspace-events", "KEg$lshzxetdmn"}, {"notify-keyspace-events", "Kn"},
			{"notify-keyspace-events", "KEtmdn"}, {"notify-keyspace-events", ""},
			{"bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"},
			{"client-output-buffer-limit", "normal 1 2"}, {"client-output-buffer-limit", "normal 1x 2 3"},
			{"client-output-buffer-limit", "normal 1 2 x"}, {"client-output-buffer-limit", "normal 1 2 -1"},
			{"client-output-buffer-limit", "master 1 1 1"}, {"client-output-buffer-limit", "foo 1 2 3"},
			{"client-output-buffer-limit", "replica 1k 2kb 3 slave 5 6 7"}, {"client-output-buffer-limit", ""},
			{"client-output-buffer-limit", "PUBSUB 1mb 2mb +3"},
			{"hz", "0"}, {"hz", "1000"}, {"hz", "-1"}, {"hz", "10"},
			{"protected-mode", "no"}, {"rdbcompression", "No"}, {"stop-writes-on-bgsave-error", "NO"},
			{"aof-load-truncated", "no"}, {"aof-use-rdb-preamble", "no"}, {"auto-aof-rewrite-percentage", "50"},
			{"auto-aof-rewrite-min-size", "1gb"}, {"lazyfree-lazy-eviction", "yes"}, {"lazyfree-lazy-user-flush", "yes"},
			{"replica-lazy-flush", "yes"},
			{"loglevel", "notice", "hz"},
		}
		for _, p := range probes {
			reply, err := rc.Do(append([]string{"CONFIG", "SET"}, p...)...)
			want := "OK"
			if err != nil {
				want = err.Error()
			} else if reply != "OK" {
				t.Fatalf("CONFIG SET %q: reply %v", p, reply)
			}
			got := "OK"
			if err := c.Set(p); err != nil {
				got = err.Error()
			}
			if got != want {
				t.Errorf("CONFIG SET %q:\n redis %q\n kevy  %q", p, want, got)
			}
			for i := 0; i < len(p); i += 2 {
				rv := redisConfig(t, rc, p[i])
				kv := kevyConfig(c, p[i])
				if rv[p[i]] != kv[p[i]] && !diffExcluded[strings.ToLower(p[i])] {
					t.Errorf("after CONFIG SET %q: %s redis %q, kevy %q", p, p[i], rv[p[i]], kv[p[i]])
				}
			}
		}
	})
}

// TestDifferentialStartupErrors runs redis-server with bad options and
// compares its fatal config report with ParseError.
func TestDifferentialStartupErrors(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH; skipping differential test")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(conf, []byte("port 1234\n# comment\n  SAVE 900 1 300\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unbalanced := filepath.Join(dir, "unbalanced.conf")
	if err := os.WriteFile(unbalanced, []byte("port 1\nrequirepass \"abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.conf")
	if err := os.WriteFile(good, []byte("port 1234\nbind 127.0.0.1"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Every case must make redis-server refuse to start; the context
	// bounds the run should one start anyway.
	cases := [][]string{
		{"--port", "1", "--foo", "bar", "baz"},
		{"--port", "abc"},
		{"--port", "1", "2"},
		{"--port 1 2"},
		{"--loglevel"},
		{"--port", "a\tb\"\x01\xff"},
		{"--save", "900", "1", "300"},
		{"--save", "--port", "x"},
		{"--appendfsync", "bad"},
		{"--maxmemory", "12x"},
		{"--databases", "0"},
		{"--daemonize", "maybe"},
		{"--dbfilename", "a/b"},
		{"--appendfilename", "a/b"},
		{"--appenddirname", "a/b"},
		{"--requirepass", "--x", "--foo"},
		{"--notify-keyspace-events", "Z"},
		{"--client-output-buffer-limit", "normal", "1", "2"},
		{"--hz", "-1"},
		{"--timeout", "010"},
		{conf},
		{conf, "--port", "1"},
		{unbalanced},
		{good, "--foo"},
	}
	re := regexp.MustCompile(`at line (\d+)\n>>> '(.*)'\n(.*)\n`)
	for _, args := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, _ := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		cancel()
		m := re.FindSubmatch(out)
		if m == nil {
			t.Errorf("redis-server %q: no fatal config report in:\n%s", args, out)
			continue
		}
		line, _ := strconv.Atoi(string(m[1]))
		_, err := Parse(args)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a ParseError like redis: line %d %q %q", args, err, line, m[2], m[3])
			continue
		}
		if pe.Line != line || pe.Text != string(m[2]) || pe.Reason != string(m[3]) {
			t.Errorf("Parse(%q):\n redis line %d >>> '%s' %s\n kevy  line %d >>> '%s' %s",
				args, line, m[2], m[3], pe.Line, pe.Text, pe.Reason)
		}
	}
}
