package server

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DUMP on one side RESTOREs on the other, both ways, for every type in its
// small and large encodings, with TTLs.
func TestDumpRestoreBothWaysWithRedis(t *testing.T) {
	ctx := context.Background()
	kevy := client(t, startServer(t, nil), nil)
	rc := redis.NewClient(&redis.Options{Addr: startRedisServer(t)})
	defer rc.Close()
	fill := func(c *redis.Client) {
		c.Set(ctx, "str", "hello", 0)
		c.Set(ctx, "int", 12345, 0)
		c.Set(ctx, "long", fmt.Sprintf("%0500d", 7), time.Hour)
		c.RPush(ctx, "list", "a", 1, "b")
		c.SAdd(ctx, "intset", 1, 2, 3)
		c.SAdd(ctx, "set", "x", "y")
		c.HSet(ctx, "hash", "f", "v")
		c.ZAdd(ctx, "zset", redis.Z{Score: 1.5, Member: "m"})
		for i := 0; i < 700; i++ {
			c.RPush(ctx, "biglist", i)
			c.SAdd(ctx, "bigset", "m"+strconv.Itoa(i))
			c.HSet(ctx, "bighash", "f"+strconv.Itoa(i), i)
			c.ZAdd(ctx, "bigz", redis.Z{Score: float64(i) / 3, Member: "m" + strconv.Itoa(i)})
		}
	}
	describe := func(c *redis.Client, k string) string {
		switch c.Type(ctx, k).Val() {
		case "string":
			return c.Get(ctx, k).Val()
		case "list":
			return fmt.Sprint(c.LRange(ctx, k, 0, -1).Val())
		case "set":
			m := c.SMembers(ctx, k).Val()
			sort.Strings(m)
			return fmt.Sprint(m)
		case "hash":
			return fmt.Sprint(c.HGetAll(ctx, k).Val())
		case "zset":
			return fmt.Sprint(c.ZRangeWithScores(ctx, k, 0, -1).Val())
		}
		return "?"
	}
	keys := []string{"str", "int", "long", "list", "intset", "set", "hash", "zset", "biglist", "bigset", "bighash", "bigz"}
	for _, dir := range []struct {
		name     string
		from, to *redis.Client
	}{{"redis to kevy", rc, kevy}, {"kevy to redis", kevy, rc}} {
		t.Run(dir.name, func(t *testing.T) {
			dir.from.FlushAll(ctx)
			dir.to.FlushAll(ctx)
			fill(dir.from)
			for _, k := range keys {
				payload, err := dir.from.Dump(ctx, k).Result()
				if err != nil {
					t.Fatalf("DUMP %s: %v", k, err)
				}
				ttl := dir.from.PTTL(ctx, k).Val()
				if ttl < 0 {
					ttl = 0
				}
				if err := dir.to.Restore(ctx, k, ttl, payload).Err(); err != nil {
					t.Fatalf("RESTORE %s: %v", k, err)
				}
				if a, b := describe(dir.from, k), describe(dir.to, k); a != b {
					t.Fatalf("%s differs after RESTORE:\n from %s\n to   %s", k, a, b)
				}
				if ea, eb := dir.from.ObjectEncoding(ctx, k).Val(), dir.to.ObjectEncoding(ctx, k).Val(); ea != eb {
					t.Errorf("%s: encoding %s on the source, %s after RESTORE", k, ea, eb)
				}
			}
			if ttl := dir.to.TTL(ctx, "long").Val(); ttl < 59*time.Minute {
				t.Fatalf("TTL lost: %v", ttl)
			}
		})
	}
}
