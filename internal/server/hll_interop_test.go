package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/redistest"
)

// fillHLLs creates HyperLogLogs of every shape: sparse with a stale and a
// valid cache, dense, and a merge of the two.
func fillHLLs(t *testing.T, c *redis.Client) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 5000; i += 500 {
		var elems []any
		for j := i; j < i+500; j++ {
			elems = append(elems, fmt.Sprintf("e%d", j))
		}
		if err := c.PFAdd(ctx, "dense", elems...).Err(); err != nil {
			t.Fatal(err)
		}
		if i < 500 {
			c.PFAdd(ctx, "sparse", elems[:100]...)
			c.PFAdd(ctx, "stale", elems[200:250]...)
		}
	}
	c.PFCount(ctx, "sparse")
	c.PFCount(ctx, "dense")
	c.PFMerge(ctx, "merged", "sparse", "stale")
}

var hllKeys = []string{"dense", "sparse", "stale", "merged"}

// hllBytes is every HLL's bytes.
func hllBytes(t *testing.T, c *redis.Client) string {
	t.Helper()
	out := ""
	for _, k := range hllKeys {
		v, err := c.Get(context.Background(), k).Result()
		if err != nil {
			t.Fatalf("GET %s: %v", k, err)
		}
		out += fmt.Sprintf("%s=%x ", k, v)
	}
	return out
}

// hllState is every HLL's bytes and count, and the union count.
func hllState(t *testing.T, c *redis.Client) string {
	t.Helper()
	ctx := context.Background()
	out := hllBytes(t, c)
	// Counting after the bytes: PFCOUNT may refresh a stale cache.
	for _, k := range hllKeys {
		out += fmt.Sprintf("%s:%d ", k, c.PFCount(ctx, k).Val())
	}
	return out + fmt.Sprint(c.PFCount(ctx, hllKeys...).Val())
}

// HLLs written by kevy load in redis-server from kevy's RDB, and Redis's
// load in kevy, with the same bytes and counts on both sides.
func TestHLLSnapshotInteropWithRedis(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, nil)
	kc := client(t, s, nil)
	fillHLLs(t, kc)
	if err := kc.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	rdbDir := s.opts.Dir
	want := hllState(t, kc)

	rc := redis.NewClient(&redis.Options{Addr: redistest.Start(t, "--dir", rdbDir, "--dbfilename", "dump.rdb")})
	defer rc.Close()
	if got := hllState(t, rc); got != want {
		t.Fatalf("redis-server loaded kevy's RDB differently:\nkevy  %s\nredis %s", want, got)
	}

	// And back: Redis's own HLLs, saved by Redis, loaded by kevy.
	redisDir := t.TempDir()
	rc2 := redis.NewClient(&redis.Options{Addr: redistest.Start(t, "--dir", redisDir)})
	defer rc2.Close()
	fillHLLs(t, rc2)
	if err := rc2.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	want = hllState(t, rc2)
	if _, err := os.Stat(filepath.Join(redisDir, "dump.rdb")); err != nil {
		t.Fatal(err)
	}
	k2 := client(t, startServer(t, func(o *Options) { o.Dir = redisDir }), nil)
	if got := hllState(t, k2); got != want {
		t.Fatalf("kevy loaded Redis's RDB differently:\nredis %s\nkevy  %s", want, got)
	}
}

// The log replays HLL changes to the same bytes, caches included, even
// when hll-sparse-max-bytes changed in between.
func TestHLLRestartFromLog(t *testing.T) {
	aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = "always" }
	s := startServer(t, aofOn)
	c := client(t, s, nil)
	fillHLLs(t, c)
	c.PFAdd(context.Background(), "sparse", "late")
	c.PFCount(context.Background(), "stale") // logged: refreshes the cache
	want := hllBytes(t, c)
	s = restart(t, s, func(o *Options) {
		aofOn(o)
		lim := command.DefaultEncodingLimits()
		lim.HLLSparseMaxBytes = 100
		o.Limits = &lim
	})
	if got := hllBytes(t, client(t, s, nil)); got != want {
		t.Fatalf("replayed HLLs differ:\nlive     %s\nreplayed %s", want, got)
	}
}
