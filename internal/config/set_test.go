package config

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func mustParse(t *testing.T, args ...string) *Config {
	t.Helper()
	c, err := Parse(args)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGet(t *testing.T) {
	c := mustParse(t, "--port", "7000")
	tests := []struct {
		patterns []string
		want     []string
	}{
		{[]string{"port"}, []string{"port", "7000"}},
		{[]string{"PORT"}, []string{"PORT", "7000"}},
		{[]string{"nosuch"}, []string{}},
		{[]string{"port", "port", "po*"}, []string{"port", "7000"}},
		{[]string{"PORT", "po*"}, []string{"PORT", "7000"}},
		{[]string{"hash-max-ziplist-entries"}, []string{"hash-max-ziplist-entries", "512"}},
		{[]string{"hash-max-*-entries"}, []string{"hash-max-listpack-entries", "512", "hash-max-ziplist-entries", "512"}},
		{[]string{"HASH*VALUE"}, []string{"hash-max-listpack-value", "64", "hash-max-ziplist-value", "64"}},
		{[]string{"lazyfree-lazy-user-*", "hz"}, []string{"hz", "10", "lazyfree-lazy-user-del", "no", "lazyfree-lazy-user-flush", "no"}},
		{[]string{"a["}, []string{}},
	}
	for _, tt := range tests {
		if got := c.Get(tt.patterns...); !slices.Equal(got, tt.want) {
			t.Errorf("Get(%q) = %q, want %q", tt.patterns, got, tt.want)
		}
	}
	names := len(c.table)
	for _, d := range c.table {
		if d.alias != "" {
			names++
		}
	}
	if all := c.Get("*"); len(all) != 2*names {
		t.Errorf("Get(*) returned %d names, want %d (every directive and alias)", len(all)/2, names)
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		pairs []string
		want  string
	}{
		{nil, "ERR wrong number of arguments for 'config|set' command"},
		{[]string{"port"}, "ERR syntax error"},
		{[]string{"loglevel", "notice", "hz"}, "ERR syntax error"},
		{[]string{"foo", "bar"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"timeout", "x", "foo", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"foo", "1", "daemonize", "yes"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"daemonize", "yes", "foo", "1"}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[]string{"Databases", "5"}, "ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set immutable config"},
		{[]string{"dir", "/tmp"}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[]string{"port", "1", "maxclients", "5", "PORT", "7"}, "ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate parameter"},
		{[]string{"timeout", "1", "timeout", "2", "daemonize", "yes"}, "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter"},
		{[]string{"PORT", "abc"}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"},
		{[]string{"HASH-MAX-ZIPLIST-ENTRIES", "x"}, "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - argument couldn't be parsed into an integer"},
		{[]string{"port", "70000"}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"},
		{[]string{"maxmemory", "-1"}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[]string{"proto-max-bulk-len", "1k"}, "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"},
		{[]string{"appendonly", "maybe"}, "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"},
		{[]string{"save", "100 x"}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[]string{"bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"}, "ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind addresses specified."},
		{[]string{"client-output-buffer-limit", "master 1 1 1"}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."},
		{[]string{"notify-keyspace-events", "Z"}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
	}
	for _, tt := range tests {
		c := mustParse(t)
		before := c.Get("*")
		snap := c.Snapshot()
		err := c.Set(tt.pairs)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Set(%q) = %v, want %q", tt.pairs, err, tt.want)
		}
		if after := c.Get("*"); !slices.Equal(before, after) || c.Snapshot() != snap {
			t.Errorf("Set(%q) failed but changed the configuration", tt.pairs)
		}
	}
}

func TestSetAtomicValidation(t *testing.T) {
	c := mustParse(t)
	calls := 0
	c.OnChange("timeout", func(_, _ string) error { calls++; return nil })
	// The first pair is valid, the second is not: nothing may change.
	if err := c.Set([]string{"timeout", "5", "maxmemory", "1x"}); err == nil {
		t.Fatal("Set with a bad value succeeded")
	}
	if get(t, c, "timeout") != "0" || calls != 0 {
		t.Errorf("timeout = %s after a failed Set, hook called %d times", get(t, c, "timeout"), calls)
	}
}

func TestSetHooksAndSnapshot(t *testing.T) {
	c := mustParse(t)
	var log []string
	record := func(name string) Hook {
		return func(old, new string) error {
			log = append(log, fmt.Sprintf("%s %s->%s", name, old, new))
			return nil
		}
	}
	c.OnChange("appendfsync", record("appendfsync"))
	c.OnChange("hash-max-ziplist-entries", record("hash")) // alias resolves
	c.OnChange("timeout", record("timeout"))
	old := c.Snapshot()
	err := c.Set([]string{"appendfsync", "ALWAYS", "hash-max-listpack-entries", "7", "timeout", "0", "hash-max-ziplist-entries", "9"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"appendfsync everysec->always", "hash 512->9"}
	if !slices.Equal(log, want) {
		t.Errorf("hooks ran %q, want %q (unchanged timeout must not run, alias pair runs once)", log, want)
	}
	v := c.Snapshot()
	if v == old || v.AppendFsync != "always" || v.HashMaxListpackEntries != 9 || old.AppendFsync != "everysec" {
		t.Errorf("snapshot not replaced correctly: old %+v new %+v", old.AppendFsync, v.AppendFsync)
	}
}

func TestSetRollback(t *testing.T) {
	c := mustParse(t)
	var log []string
	c.OnChange("appendonly", func(old, new string) error {
		log = append(log, "appendonly "+old+"->"+new)
		return nil
	})
	c.OnChange("requirepass", func(old, new string) error {
		log = append(log, "requirepass "+old+"->"+new)
		return nil
	})
	boom := errors.New("Unable to listen on this port. Check server logs.")
	c.OnChange("port", func(_, _ string) error { return boom })
	snap := c.Snapshot()
	err := c.Set([]string{"appendonly", "no", "requirepass", "pw", "port", "7000", "hz", "20"})
	var se *SetError
	if !errors.As(err, &se) || !errors.Is(err, boom) || se.Rollback != nil {
		t.Fatalf("Set error = %#v", err)
	}
	if want := "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."; se.Error() != want {
		t.Errorf("error text %q, want %q", se.Error(), want)
	}
	wantLog := []string{"appendonly yes->no", "requirepass ->pw", "requirepass pw->", "appendonly no->yes"}
	if !slices.Equal(log, wantLog) {
		t.Errorf("hook calls %q, want %q", log, wantLog)
	}
	if c.Snapshot() != snap || get(t, c, "hz") != "10" || get(t, c, "appendonly") != "yes" {
		t.Error("failed Set left changes behind")
	}

	// A failing undo is reported, not dropped.
	undoErr := errors.New("cannot undo")
	c2 := mustParse(t)
	c2.OnChange("timeout", func(old, _ string) error {
		if old == "5" {
			return undoErr
		}
		return nil
	})
	c2.OnChange("port", func(_, _ string) error { return boom })
	err = c2.Set([]string{"timeout", "5", "port", "7000"})
	if !errors.As(err, &se) || !errors.Is(se.Rollback, undoErr) {
		t.Errorf("rollback failure not reported: %#v", err)
	}
}

func TestSetValues(t *testing.T) {
	c := mustParse(t)
	tests := []struct{ name, value, want string }{
		{"maxmemory", "1GB", "1073741824"},
		{"maxmemory", "", "0"},
		{"maxmemory", "18446744073709551616", "18446744073709551615"},
		{"loglevel", "DEBUG", "debug"},
		{"hz", "0", "1"},
		{"hz", "1000", "500"},
		{"save", "", ""},
		{"save", "100 1 200 5", "100 1 200 5"},
		{"notify-keyspace-events", "KEA", "AKE"},
		{"notify-keyspace-events", "KEg$lshzxetdmn", "AKEm"},
		{"notify-keyspace-events", "Kn", "nK"},
		{"notify-keyspace-events", "KEtmdn", "tdnKEm"},
		{"client-output-buffer-limit", "replica 1k 2kb 3 slave 5 6 7", "normal 0 0 0 slave 5 6 7 pubsub 33554432 8388608 60"},
		{"client-output-buffer-limit", "", "normal 0 0 0 slave 5 6 7 pubsub 33554432 8388608 60"},
		{"bind", "", ""},
		{"bind", "127.0.0.1 ::1", "127.0.0.1 ::1"},
		{"maxclients", "4294967295", "4294967295"},
		{"slowlog-log-slower-than", "-1", "-1"},
		{"list-max-ziplist-size", "-5", "-5"},
	}
	for _, tt := range tests {
		if err := c.Set([]string{tt.name, tt.value}); err != nil {
			t.Errorf("Set(%s, %q): %v", tt.name, tt.value, err)
			continue
		}
		if got := get(t, c, tt.name); got != tt.want {
			t.Errorf("after Set(%s, %q): %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
	if !c.Snapshot().NotifyKeyspaceEvents.Has('n') {
		t.Error("n flag lost from the typed value")
	}
}

// TestConcurrentSnapshot exercises readers against writers; run with -race.
func TestConcurrentSnapshot(t *testing.T) {
	c := mustParse(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if v := c.Snapshot(); v.Timeout < 0 {
					t.Error("negative timeout")
				}
				c.Get("time*")
			}
		}()
	}
	for i := range 200 {
		if err := c.Set([]string{"timeout", fmt.Sprint(i)}); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}
