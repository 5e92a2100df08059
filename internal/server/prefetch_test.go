package server

import (
	"context"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Pipelined commands are prefetched in batches (conn.prefetchKeys), which
// reads the keys of commands that have not run yet, in the database the
// client has selected now. A batch that switches database, reads collections
// in both their forms and writes the keys it reads must still get exactly
// the replies of running the commands one by one.
func TestPipelinedBatchesAcrossDatabasesAndShapes(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	c := client(t, s, func(o *redis.Options) { o.PoolSize = 1 })
	setup := c.Pipeline()
	for i := 0; i < 300; i++ {
		setup.HSet(ctx, "hbig", fmt.Sprint("f", i), i)
		setup.SAdd(ctx, "sbig", fmt.Sprint("m", i))
		setup.Set(ctx, fmt.Sprint("k", i), i, 0)
	}
	setup.HSet(ctx, "hsmall", "f1", "small")
	setup.SAdd(ctx, "sint", 1)
	if _, err := setup.Exec(ctx); err != nil {
		t.Fatal(err)
	}

	// One pipeline, one write: the server finds the whole batch buffered.
	p := c.Pipeline()
	var want []string
	for i := 0; i < 200; i++ {
		switch i % 7 {
		case 0:
			p.HGet(ctx, "hbig", fmt.Sprint("f", i))
			want = append(want, fmt.Sprint(i))
		case 1:
			p.SIsMember(ctx, "sbig", fmt.Sprint("m", i))
			want = append(want, "true")
		case 2:
			p.Incr(ctx, fmt.Sprint("k", i))
			want = append(want, fmt.Sprint(i+1))
		case 3:
			p.HGet(ctx, "hsmall", "f1")
			want = append(want, "small")
		case 4:
			p.SIsMember(ctx, "sint", "1")
			want = append(want, "true")
		case 5:
			p.MGet(ctx, fmt.Sprint("k", i-5), "nokey", fmt.Sprint("k", i-4))
			want = append(want, fmt.Sprintf("[%d <nil> %d]", i-5, i-4))
		case 6:
			// In a database where none of these keys exists.
			p.Select(ctx, 1)
			p.Get(ctx, fmt.Sprint("k", i))
			p.Select(ctx, 0)
			want = append(want, "OK", "redis: nil", "OK")
		}
	}
	cmds, _ := p.Exec(ctx)
	var got []string
	for _, cmd := range cmds {
		switch r := cmd.(type) {
		case *redis.StringCmd:
			v, err := r.Result()
			if err != nil {
				got = append(got, err.Error())
			} else {
				got = append(got, v)
			}
		case *redis.BoolCmd:
			got = append(got, fmt.Sprint(r.Val()))
		case *redis.IntCmd:
			got = append(got, fmt.Sprint(r.Val()))
		case *redis.SliceCmd:
			got = append(got, fmt.Sprint(r.Val()))
		case *redis.StatusCmd:
			got = append(got, r.Val())
		default:
			t.Fatalf("unexpected %T", cmd)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("replies differ from one-by-one execution:\n got  %v\n want %v", got, want)
	}
}

// A batch on one key and member is not prefetched; one whose keys or
// members differ (INCR on many keys, HSET of many fields of one hash) is.
func TestOneLookup(t *testing.T) {
	b := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, x := range s {
			if x != "-" {
				out[i] = []byte(x)
			}
		}
		return out
	}
	for _, c := range []struct {
		keys, members [][]byte
		want          bool
	}{
		{b("l", "l", "l"), b("x", "x", "x"), true},     // LPUSH l x
		{b("l", "l"), b("-", "-"), true},               // RPOP l
		{b("k1", "k2"), b("-", "-"), false},            // INCR
		{b("h", "h", "h"), b("f1", "f2", "f1"), false}, // HSET h f v
		{b("h", "h"), b("f", "-"), false},
	} {
		if got := oneLookup(c.keys, c.members); got != c.want {
			t.Errorf("oneLookup(%q, %q) = %v, want %v", c.keys, c.members, got, c.want)
		}
	}
}
