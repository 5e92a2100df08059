package server

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/resp"
	"github.com/redis/go-redis/v9"
)

func TestPubSubWithGoRedis(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		sub := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		pub := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		ps := sub.Subscribe(ctx, "news")
		if _, err := ps.Receive(ctx); err != nil { // the confirmation
			t.Fatal(err)
		}
		if err := ps.PSubscribe(ctx, "n*"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "pattern subscription", func() bool { return pub.PubSubNumPat(ctx).Val() == 1 })
		if n := pub.Publish(ctx, "news", "hello").Val(); n != 2 {
			t.Fatalf("PUBLISH reached %d", n)
		}
		ch := ps.Channel()
		got := map[string]bool{}
		for range 2 {
			select {
			case m := <-ch:
				got[m.Pattern+"|"+m.Channel+"|"+m.Payload] = true
			case <-time.After(5 * time.Second):
				t.Fatalf("proto %d: messages so far %v", proto, got)
			}
		}
		if !got["|news|hello"] || !got["n*|news|hello"] {
			t.Fatalf("proto %d: messages %v", proto, got)
		}
		if n := pub.PubSubNumSub(ctx, "news").Val()["news"]; n != 1 {
			t.Fatalf("NUMSUB = %d", n)
		}
		info := pub.Info(ctx, "stats").Val()
		if !strings.Contains(info, "pubsub_channels:1\r\n") || !strings.Contains(info, "pubsub_patterns:1\r\n") {
			t.Fatalf("INFO stats: %q", info)
		}
		ps.Close()
		waitFor(t, "unsubscribe on close", func() bool {
			return pub.PubSubNumSub(ctx, "news").Val()["news"] == 0 && pub.PubSubNumPat(ctx).Val() == 0
		})
	}
}

// Shard channels through a client library: go-redis's SSubscribe reads
// the ssubscribe confirmations and smessage pushes, a regular PUBLISH does
// not reach them, and closing the subscription drops it server-side.
func TestShardPubSubWithGoRedis(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		sub := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		pub := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		ps := sub.SSubscribe(ctx, "orders", "users")
		waitFor(t, "shard subscriptions", func() bool { return len(pub.PubSubShardChannels(ctx, "*").Val()) == 2 })
		if n := pub.Publish(ctx, "orders", "regular").Val(); n != 0 {
			t.Fatalf("PUBLISH reached %d shard subscribers", n)
		}
		if n := pub.SPublish(ctx, "orders", "o1").Val(); n != 1 {
			t.Fatalf("SPUBLISH reached %d", n)
		}
		select {
		case m := <-ps.Channel():
			if m.Channel != "orders" || m.Payload != "o1" {
				t.Fatalf("proto %d: got %+v", proto, m)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("proto %d: no smessage", proto)
		}
		if n := pub.PubSubShardNumSub(ctx, "orders", "none").Val(); n["orders"] != 1 || n["none"] != 0 {
			t.Fatalf("SHARDNUMSUB = %v", n)
		}
		if info := pub.Info(ctx, "stats").Val(); !strings.Contains(info, "pubsubshard_channels:2\r\n") {
			t.Fatalf("INFO stats: %q", info)
		}
		ps.Close()
		waitFor(t, "shard unsubscribe on close", func() bool { return len(pub.PubSubShardChannels(ctx, "*").Val()) == 0 })
	}
}

func TestPubSubRawFrames(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	r2 := dialRaw(t, addr)
	if got := r2.do("SUBSCRIBE", "c"); got != "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n" {
		t.Fatalf("SUBSCRIBE = %q", got)
	}
	r3 := dialRaw(t, addr)
	r3.do("HELLO", "3")
	if got := r3.do("PSUBSCRIBE", "c*"); got != ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:1\r\n" {
		t.Fatalf("PSUBSCRIBE = %q", got)
	}
	// A RESP3 subscriber may publish: its own message comes first.
	r3.send("PUBLISH", "cx", "m1")
	if got := r3.read(); got != ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\ncx\r\n$2\r\nm1\r\n" {
		t.Fatalf("pmessage = %q", got)
	}
	if got := r3.read(); got != ":1\r\n" {
		t.Fatalf("PUBLISH = %q", got)
	}
	p := dialRaw(t, addr)
	if got := p.do("PUBLISH", "c", "hi"); got != ":2\r\n" {
		t.Fatalf("PUBLISH = %q", got)
	}
	if got := r2.read(); got != "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n" {
		t.Fatalf("message = %q", got)
	}
	if got := r3.read(); got != ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$2\r\nhi\r\n" {
		t.Fatalf("pmessage = %q", got)
	}
	// RESET leaves the subscriptions.
	if got := r2.do("RESET"); got != "+RESET\r\n" {
		t.Fatalf("RESET = %q", got)
	}
	if got := p.do("PUBLISH", "c", "again"); got != ":1\r\n" {
		t.Fatalf("PUBLISH after RESET = %q", got)
	}
	if got := r2.do("GET", "x"); got != "$-1\r\n" {
		t.Fatalf("GET after RESET = %q", got)
	}
}

// A subscriber that never reads is disconnected once its pending output
// passes the hard limit, and the server does not keep its messages.
func TestSlowSubscriberHardLimit(t *testing.T) {
	s := startServer(t, func(o *Options) {
		o.PubSubOutputLimit = &OutputBufferLimit{Hard: 1 << 20}
	})
	addr := s.Addr().String()
	sub := dialRaw(t, addr)
	sub.do("SUBSCRIBE", "flood")
	p := dialRaw(t, addr)
	payload := strings.Repeat("x", 8<<10)
	var batch []byte
	for range 64 {
		batch = resp.AppendCommandStrings(batch, "PUBLISH", "flood", payload)
	}
	var peak uint64
	var ms runtime.MemStats
	for i := 0; i < 128; i++ { // 64 MiB of messages in all
		if _, err := p.nc.Write(batch); err != nil {
			t.Fatal(err)
		}
		for range 64 {
			p.read()
		}
		if i%16 == 15 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if got := p.do("PUBSUB", "NUMSUB", "flood"); got != "*2\r\n$5\r\nflood\r\n:0\r\n" {
		t.Fatalf("slow subscriber still subscribed: %q", got)
	}
	if peak > 24<<20 {
		t.Fatalf("heap grew to %d bytes while flooding a non-reading subscriber", peak)
	}
	// Its connection is closed: reading drains what was sent, then fails.
	sub.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64<<10)
	for {
		if _, err := sub.nc.Read(buf); err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				t.Fatal("slow subscriber's connection not closed")
			}
			break
		}
	}
}

func TestSlowSubscriberSoftLimit(t *testing.T) {
	s := startServer(t, func(o *Options) {
		o.PubSubOutputLimit = &OutputBufferLimit{Soft: 256 << 10, SoftSeconds: 50 * time.Millisecond}
	})
	addr := s.Addr().String()
	sub := dialRaw(t, addr)
	sub.do("SUBSCRIBE", "flood")
	p := dialRaw(t, addr)
	payload := strings.Repeat("y", 16<<10)
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.do("PUBLISH", "flood", payload)
		if p.do("PUBSUB", "NUMSUB", "flood") == "*2\r\n$5\r\nflood\r\n:0\r\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("subscriber over the soft limit never disconnected")
		}
	}
}

func TestSubscriberKeepsReceivingWhileIdle(t *testing.T) {
	s := startServer(t, func(o *Options) { o.IdleTimeout = 50 * time.Millisecond })
	addr := s.Addr().String()
	sub := dialRaw(t, addr)
	sub.do("SUBSCRIBE", "c")
	for i := range 5 {
		// Let more than the idle timeout pass: it does not apply to
		// subscribers, so the connection must still deliver. Each
		// message comes from a new publisher, which the timeout does
		// apply to.
		time.Sleep(40 * time.Millisecond)
		p := dialRaw(t, addr)
		if got := p.do("PUBLISH", "c", "m"); got != ":1\r\n" {
			t.Fatalf("PUBLISH %d = %q", i, got)
		}
		if got := sub.read(); got != "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n" {
			t.Fatalf("message %d = %q", i, got)
		}
	}
}
