package server

import (
	"context"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestMigrateToKevyAndRedis(t *testing.T) {
	ctx := context.Background()
	src := startServer(t, nil)
	c := client(t, src, nil)
	targets := map[string]string{"kevy": startServer(t, nil).Addr().String()}
	if _, err := exec.LookPath("redis-server"); err == nil {
		targets["redis"] = startRedisServer(t)
	} else {
		t.Log("redis-server not on PATH: migrating to kevy only")
	}
	for name, addr := range targets {
		t.Run(name, func(t *testing.T) {
			host, port, _ := net.SplitHostPort(addr)
			c.Set(ctx, "k1", "v1", time.Hour)
			c.RPush(ctx, "k2", "a", "b", 1, 2)
			c.SAdd(ctx, "k3", 1, 2, 3)
			if err := c.Do(ctx, "MIGRATE", host, port, "", 2, 5000, "KEYS", "k1", "k2", "k3", "missing").Err(); err != nil {
				t.Fatal(err)
			}
			if n := c.Exists(ctx, "k1", "k2", "k3").Val(); n != 0 {
				t.Fatalf("%d keys still here after MIGRATE", n)
			}
			dst := redis.NewClient(&redis.Options{Addr: addr, DB: 2})
			defer dst.Close()
			if v := dst.Get(ctx, "k1").Val(); v != "v1" {
				t.Fatalf("k1 on target = %q", v)
			}
			if ttl := dst.TTL(ctx, "k1").Val(); ttl < 59*time.Minute {
				t.Fatalf("TTL on target = %v", ttl)
			}
			if l := dst.LRange(ctx, "k2", 0, -1).Val(); len(l) != 4 || l[3] != "2" {
				t.Fatalf("list on target = %v", l)
			}
			if n := dst.SCard(ctx, "k3").Val(); n != 3 {
				t.Fatalf("set on target has %d members", n)
			}
			// A second MIGRATE of an existing key without REPLACE fails and
			// keeps the source key; COPY keeps it too.
			c.Set(ctx, "k1", "again", 0)
			if err := c.Migrate(ctx, host, port, "k1", 2, 5*time.Second).Err(); err == nil {
				t.Fatal("MIGRATE over an existing key without REPLACE succeeded")
			}
			if v := c.Get(ctx, "k1").Val(); v != "again" {
				t.Fatalf("source key lost after a failed MIGRATE: %q", v)
			}
			if err := c.Do(ctx, "MIGRATE", host, port, "k1", 2, 5000, "COPY", "REPLACE").Err(); err != nil {
				t.Fatal(err)
			}
			if c.Exists(ctx, "k1").Val() != 1 || dst.Get(ctx, "k1").Val() != "again" {
				t.Fatal("COPY REPLACE did not copy")
			}
			if v := c.Do(ctx, "MIGRATE", host, port, "nokey", 2, 5000).Val(); v != "NOKEY" {
				t.Fatalf("MIGRATE of a missing key = %v", v)
			}
			c.FlushAll(ctx)
		})
	}
}
