package server

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kevy-db/kevy/internal/config"
)

// restart stops s (Close, as a crash would leave the files, minus unsynced
// data which Close does flush) and starts a new server on the same dir.
func restart(t *testing.T, s *Server, mod func(*Options)) *Server {
	t.Helper()
	dir := s.opts.Dir
	s.Close()
	return startServer(t, func(o *Options) {
		o.Dir = dir
		if mod != nil {
			mod(o)
		}
	})
}

func TestRestartFromLogEveryType(t *testing.T) {
	for _, policy := range []string{"always", "everysec", "no"} {
		t.Run(policy, func(t *testing.T) {
			aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = policy }
			s := startServer(t, aofOn)
			ctx := context.Background()
			c := client(t, s, nil)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(c.Set(ctx, "s", "v", 0).Err())
			must(c.Set(ctx, "ttl", "v", time.Hour).Err())
			must(c.MSet(ctx, "m1", "a", "m2", "b").Err())
			must(c.Incr(ctx, "n").Err())
			must(c.IncrByFloat(ctx, "f", 1.5).Err())
			must(c.RPush(ctx, "l", "a", "b", "c").Err())
			must(c.SAdd(ctx, "set", "x", "y").Err())
			must(c.HSet(ctx, "h", "f", "v").Err())
			must(c.ZAdd(ctx, "z", redis.Z{Score: 1.5, Member: "m"}).Err())
			must(c.Rename(ctx, "m2", "m3").Err())
			_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Incr(ctx, "n")
				p.Incr(ctx, "n")
				return nil
			})
			must(err)
			s = restart(t, s, aofOn)
			c = client(t, s, nil)
			checks := map[string]string{"s": "v", "m1": "a", "m3": "b", "n": "3", "f": "1.5"}
			for k, want := range checks {
				if got, err := c.Get(ctx, k).Result(); err != nil || got != want {
					t.Errorf("GET %s = %q, %v; want %q", k, got, err, want)
				}
			}
			if ttl := c.TTL(ctx, "ttl").Val(); ttl < 59*time.Minute {
				t.Errorf("TTL after restart = %v", ttl)
			}
			if got := c.LRange(ctx, "l", 0, -1).Val(); fmt.Sprint(got) != "[a b c]" {
				t.Errorf("list = %v", got)
			}
			if got := c.SCard(ctx, "set").Val(); got != 2 {
				t.Errorf("set card = %d", got)
			}
			if got := c.HGet(ctx, "h", "f").Val(); got != "v" {
				t.Errorf("hash = %q", got)
			}
			if got := c.ZScore(ctx, "z", "m").Val(); got != 1.5 {
				t.Errorf("zscore = %v", got)
			}
		})
	}
}

func TestRestartFromSnapshotAndLogTail(t *testing.T) {
	aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = "always" }
	s := startServer(t, aofOn)
	ctx := context.Background()
	c := client(t, s, nil)
	for i := 0; i < 100; i++ {
		c.Incr(ctx, "ctr")
	}
	if err := c.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		c.Incr(ctx, "ctr") // only in the log after the snapshot
	}
	s = restart(t, s, aofOn)
	c = client(t, s, nil)
	if got := c.Get(ctx, "ctr").Val(); got != "150" {
		t.Fatalf("ctr = %s after snapshot + log tail, want 150 (never twice, never lost)", got)
	}
	// Snapshot alone (appendonly off) also loads.
	s = restart(t, s, func(o *Options) { o.AppendOnly = false })
	c = client(t, s, nil)
	if got := c.Get(ctx, "ctr").Val(); got != "100" {
		t.Fatalf("ctr from the snapshot alone = %s, want 100", got)
	}
}

// TestBGSaveIsPointInTime moves units between keys inside MULTI/EXEC while
// a BGSAVE runs: the total must be exactly the same in the saved file.
func TestBGSaveIsPointInTime(t *testing.T) {
	const keys, units = 2000, 100
	s := startServer(t, func(o *Options) { o.AppendOnly = false })
	ctx := context.Background()
	c := client(t, s, nil)
	p := c.Pipeline()
	for i := 0; i < keys; i++ {
		p.Set(ctx, "acct:"+strconv.Itoa(i), units, 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			wc := client(t, s, nil)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a, b := "acct:"+strconv.Itoa((i*7+w)%keys), "acct:"+strconv.Itoa((i*13+w*3+1)%keys)
				wc.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.DecrBy(ctx, a, 3)
					p.IncrBy(ctx, b, 3)
					return nil
				})
			}
		}(w)
	}
	time.Sleep(50 * time.Millisecond) // let the writers get going (not a correctness wait)
	if err := c.BgSave(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for c.Info(ctx, "persistence").Val() != "" {
		info := c.Info(ctx, "persistence").Val()
		if !contains(info, "rdb_bgsave_in_progress:1") {
			if !contains(info, "rdb_last_bgsave_status:ok") {
				t.Fatalf("bgsave failed:\n%s", info)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("bgsave did not finish in 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	s = restart(t, s, func(o *Options) { o.AppendOnly = false })
	c = client(t, s, nil)
	total := 0
	for i := 0; i < keys; i++ {
		v, err := c.Get(ctx, "acct:"+strconv.Itoa(i)).Int()
		if err != nil {
			t.Fatal(err)
		}
		total += v
	}
	if total != keys*units {
		t.Fatalf("snapshot total = %d, want %d: not a point-in-time view", total, keys*units)
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestBGRewriteAOFKeepsEverything(t *testing.T) {
	aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = "everysec" }
	s := startServer(t, aofOn)
	ctx := context.Background()
	c := client(t, s, nil)
	for i := 0; i < 300; i++ {
		c.RPush(ctx, "biglist", i)
		c.Incr(ctx, "ctr")
	}
	if err := c.BgRewriteAOF(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		c.Incr(ctx, "ctr") // concurrent with the rewrite
	}
	deadline := time.Now().Add(30 * time.Second)
	for contains(c.Info(ctx, "persistence").Val(), "aof_rewrite_in_progress:1") {
		if time.Now().After(deadline) {
			t.Fatal("rewrite did not finish")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if info := c.Info(ctx, "persistence").Val(); !contains(info, "aof_last_bgrewrite_status:ok") || !contains(info, "aof_rewrites:1") {
		t.Fatalf("rewrite status:\n%s", info)
	}
	s = restart(t, s, aofOn)
	c = client(t, s, nil)
	if got := c.Get(ctx, "ctr").Val(); got != "400" {
		t.Fatalf("ctr = %s, want 400", got)
	}
	if n := c.LLen(ctx, "biglist").Val(); n != 300 {
		t.Fatalf("biglist len = %d", n)
	}
}

// Every encoding survives a snapshot: intsets and lists hand out elements
// that are only valid during iteration, which the snapshot must copy.
func TestSnapshotEveryEncoding(t *testing.T) {
	s := startServer(t, func(o *Options) { o.AppendOnly = false })
	ctx := context.Background()
	c := client(t, s, nil)
	c.SAdd(ctx, "intset", 1, 2, 3, 400, -5, 70000, 1<<40)
	c.SAdd(ctx, "set", "a", "b", "c")
	c.RPush(ctx, "list", 1, 2, "three", 4, 99999999999)
	c.HSet(ctx, "hash", "f1", "v1", "f2", 2)
	c.ZAdd(ctx, "zset", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: -2.5, Member: "b"})
	for i := 0; i < 600; i++ { // large encodings too
		c.SAdd(ctx, "bigint", i)
		c.RPush(ctx, "biglist", i)
		c.HSet(ctx, "bighash", strconv.Itoa(i), i)
		c.ZAdd(ctx, "bigz", redis.Z{Score: float64(i), Member: strconv.Itoa(i)})
	}
	want := map[string]string{}
	for _, k := range []string{"intset", "set", "bigint"} {
		want[k] = fmt.Sprint(sortedStrings(c.SMembers(ctx, k).Val()))
	}
	for _, k := range []string{"list", "biglist"} {
		want[k] = fmt.Sprint(c.LRange(ctx, k, 0, -1).Val())
	}
	for _, k := range []string{"hash", "bighash"} {
		want[k] = fmt.Sprint(c.HGetAll(ctx, k).Val())
	}
	for _, k := range []string{"zset", "bigz"} {
		want[k] = fmt.Sprint(c.ZRangeWithScores(ctx, k, 0, -1).Val())
	}
	if err := c.BgSave(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for contains(c.Info(ctx, "persistence").Val(), "rdb_bgsave_in_progress:1") {
		if time.Now().After(deadline) {
			t.Fatal("bgsave did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
	s = restart(t, s, func(o *Options) { o.AppendOnly = false })
	c = client(t, s, nil)
	got := map[string]string{}
	for _, k := range []string{"intset", "set", "bigint"} {
		got[k] = fmt.Sprint(sortedStrings(c.SMembers(ctx, k).Val()))
	}
	for _, k := range []string{"list", "biglist"} {
		got[k] = fmt.Sprint(c.LRange(ctx, k, 0, -1).Val())
	}
	for _, k := range []string{"hash", "bighash"} {
		got[k] = fmt.Sprint(c.HGetAll(ctx, k).Val())
	}
	for _, k := range []string{"zset", "bigz"} {
		got[k] = fmt.Sprint(c.ZRangeWithScores(ctx, k, 0, -1).Val())
	}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("%s after snapshot:\n got  %s\n want %s", k, got[k], want[k])
		}
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// A rewrite of a dataset large enough to need many walk steps, with writes
// going on, completes and keeps everything (a rewrite used to fail once the
// log's tail copy started before the dataset was complete).
func TestBGRewriteAOFLargeDataset(t *testing.T) {
	aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = "no"; o.AutoAOFRewritePercentage = 0 }
	s := startServer(t, aofOn)
	ctx := context.Background()
	c := client(t, s, nil)
	const keys = 300000 // > 64 walk steps of 2048 buckets
	for i := 0; i < keys; i += 10000 {
		p := c.Pipeline()
		for j := i; j < i+10000; j++ {
			p.Set(ctx, "k"+strconv.Itoa(j), j, 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pushBig(t, c, "big", 3*spillAt) // written out while encoding (spillBuffer)
	if err := c.BgRewriteAOF(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		c.Incr(ctx, "during")
	}
	deadline := time.Now().Add(60 * time.Second)
	for contains(c.Info(ctx, "persistence").Val(), "aof_rewrite_in_progress:1") {
		if time.Now().After(deadline) {
			t.Fatal("rewrite did not finish")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if info := c.Info(ctx, "persistence").Val(); !contains(info, "aof_last_bgrewrite_status:ok") || !contains(info, "aof_rewrites:1") {
		t.Fatalf("rewrite failed:\n%s", info)
	}
	s = restart(t, s, aofOn)
	c = client(t, s, nil)
	if n := c.DBSize(ctx).Val(); n != keys+2 {
		t.Fatalf("dbsize after restart = %d, want %d", n, keys+2)
	}
	checkBig(t, c, "big", 3*spillAt)
	if v := c.Get(ctx, "during").Val(); v != "100" {
		t.Fatalf("during = %q", v)
	}
}

// With no log the engine encodes no records (command.Engine.LogOff).
// Switching the log on at run time must switch the records back on: every
// write after CONFIG SET appendonly yes is in the log, across an off/on
// cycle too.
func TestLogSwitchedOnAtRunTimeGetsLaterWrites(t *testing.T) {
	cfg, err := config.Parse([]string{"--appendonly", "no"})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, func(o *Options) { o.Config = cfg })
	s.BindConfig(cfg)
	ctx := context.Background()
	c := client(t, s, nil)
	step := func(args ...any) {
		t.Helper()
		if err := c.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	step("SET", "before", "1")
	step("CONFIG", "SET", "appendonly", "yes")
	step("SET", "on1", "1")
	step("CONFIG", "SET", "appendonly", "no")
	step("SET", "off", "1")
	step("CONFIG", "SET", "appendonly", "yes")
	step("SET", "on2", "1")
	step("INCR", "on2")
	s = restart(t, s, func(o *Options) { o.AppendOnly = true })
	c = client(t, s, nil)
	for k, want := range map[string]string{"before": "1", "on1": "1", "off": "1", "on2": "2"} {
		if got, err := c.Get(ctx, k).Result(); err != nil || got != want {
			t.Errorf("after restart from the log: GET %s = %q, %v; want %q", k, got, err, want)
		}
	}
}
