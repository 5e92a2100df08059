package server

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestScriptWritesSurviveRestart: a script's writes reach the log as their
// own records (never as EVAL) and a restart from the log restores them,
// including those of a script that failed after writing and of a script
// that switched databases.
func TestScriptWritesSurviveRestart(t *testing.T) {
	aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = "always" }
	s := startServer(t, aofOn)
	ctx := context.Background()
	c := client(t, s, nil)
	incr := redis.NewScript("local v = redis.call('incrby', KEYS[1], ARGV[1]) redis.call('rpush', KEYS[2], v) return v")
	for i := 1; i <= 3; i++ {
		if err := incr.Run(ctx, c, []string{"n", "hist"}, i).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Eval(ctx, "redis.call('set', 'kept', 'yes') return redis.call('nosuch')", nil).Err(); err == nil {
		t.Fatal("the failing script did not fail")
	}
	if err := c.Eval(ctx, "redis.call('select', 2) return redis.call('set', 'in2', 'v')", nil).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.EvalRO(ctx, "return redis.call('get', 'n')", nil).Err(); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(s.p.aofPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte("incrby")) {
		t.Fatalf("the log lacks the script's writes:\n%q", log)
	}
	if bytes.Contains(bytes.ToLower(log), []byte("eval")) {
		t.Fatalf("the log holds a script:\n%q", log)
	}
	s = restart(t, s, aofOn)
	c = client(t, s, nil)
	if got := c.Get(ctx, "n").Val(); got != "6" {
		t.Errorf("n = %q, want 6", got)
	}
	if got := c.LRange(ctx, "hist", 0, -1).Val(); len(got) != 3 || got[2] != "6" {
		t.Errorf("hist = %v", got)
	}
	if got := c.Get(ctx, "kept").Val(); got != "yes" {
		t.Errorf("kept = %q", got)
	}
	if n := c.Exists(ctx, "in2").Val(); n != 0 {
		t.Errorf("in2 is in db 0")
	}
	c2 := client(t, s, func(o *redis.Options) { o.DB = 2 })
	if got := c2.Get(ctx, "in2").Val(); got != "v" {
		t.Errorf("db 2 in2 = %q", got)
	}
}

// TestScriptsAreAtomic: read-modify-write scripts from many clients at once
// lose no update, since each runs whole under the execution lock.
func TestScriptsAreAtomic(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	script := redis.NewScript("local v = tonumber(redis.call('get', KEYS[1]) or '0') redis.call('set', KEYS[1], v + 1) return v + 1")
	const clients, each = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client(t, s, nil)
			for j := 0; j < each; j++ {
				if err := script.Run(ctx, c, []string{"ctr"}).Err(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c := client(t, s, nil)
	if got := c.Get(ctx, "ctr").Val(); got != strconv.Itoa(clients*each) {
		t.Fatalf("ctr = %s, want %d", got, clients*each)
	}
	// One body, cached once, reported by INFO until SCRIPT FLUSH.
	if info := c.Info(ctx, "memory").Val(); !strings.Contains(info, "number_of_cached_scripts:1\r\n") {
		t.Fatalf("INFO memory:\n%s", info)
	}
	c.ScriptFlush(ctx)
	if info := c.Info(ctx, "memory").Val(); !strings.Contains(info, "number_of_cached_scripts:0\r\n") {
		t.Fatalf("INFO memory after SCRIPT FLUSH:\n%s", info)
	}
}
