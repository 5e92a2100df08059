package server

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startServer runs a server on a free loopback port with its data in a
// temporary directory, and stops it when the test ends.
func startServer(t *testing.T, mod func(*Options)) *Server {
	t.Helper()
	opts := Options{Addrs: []string{"127.0.0.1:0"}, Dir: t.TempDir(), ProtectedMode: true, Seed: 1,
		RDBCompression: true, RDBChecksum: true, AOFLoadTruncated: true, BatchReplies: true, IdleWalk: true}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve() }()
	t.Cleanup(func() {
		s.Close()
		if err := <-errc; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s
}

func client(t *testing.T, s *Server, mod func(*redis.Options)) *redis.Client {
	t.Helper()
	o := &redis.Options{Addr: s.Addr().String(), Protocol: 2}
	if mod != nil {
		mod(o)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestGoRedisBasics(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		c := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		if err := c.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
			t.Fatalf("GET = %q, %v", v, err)
		}
		if ttl := c.TTL(ctx, "k").Val(); ttl <= 0 || ttl > time.Minute {
			t.Fatalf("TTL = %v", ttl)
		}
		if _, err := c.Get(ctx, "missing").Result(); err != redis.Nil {
			t.Fatalf("missing key: %v", err)
		}
		if n := c.Incr(ctx, "n").Val(); n < 1 {
			t.Fatalf("INCR = %d", n)
		}
	}
}

func TestPipelineAndTransaction(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	c := client(t, s, nil)
	cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := 0; i < 100; i++ {
			p.Incr(ctx, "ctr")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := cmds[99].(*redis.IntCmd).Val(); got != 100 {
		t.Fatalf("last INCR in pipeline = %d", got)
	}
	// Optimistic locking: a concurrent write between WATCH and EXEC aborts.
	other := client(t, s, nil)
	err = c.Watch(ctx, func(tx *redis.Tx) error {
		if err := other.Set(ctx, "ctr", "0", 0).Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "ctr")
			return nil
		})
		return err
	}, "ctr")
	if err != redis.TxFailedErr {
		t.Fatalf("WATCH after concurrent write: %v, want TxFailedErr", err)
	}
}

func TestProtocolErrorClosesOnlyThatConnection(t *testing.T) {
	s := startServer(t, nil)
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("*1\r\n$x\r\n"))
	line, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil || line != "-ERR Protocol error: invalid bulk length\r\n" {
		t.Fatalf("reply %q, %v", line, err)
	}
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection still open after a protocol error")
	}
	if err := client(t, s, nil).Ping(context.Background()).Err(); err != nil {
		t.Fatalf("other clients affected: %v", err)
	}
}

func TestInlineCommands(t *testing.T) {
	s := startServer(t, nil)
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("PING\r\nSET a \"b c\"\r\nGET a\r\n"))
	r := bufio.NewReader(nc)
	var got []string
	for i := 0; i < 4; i++ {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if want := "+PONG\r\n+OK\r\n$3\r\nb c\r\n"; strings.Join(got, "") != want {
		t.Fatalf("got %q want %q", strings.Join(got, ""), want)
	}
}

func TestRequirePass(t *testing.T) {
	s := startServer(t, func(o *Options) { o.RequirePass = "secret" })
	ctx := context.Background()
	c := client(t, s, nil)
	if err := c.Get(ctx, "k").Err(); err == nil || err.Error() != "NOAUTH Authentication required." {
		t.Fatalf("unauthenticated GET: %v", err)
	}
	authed := client(t, s, func(o *redis.Options) { o.Password = "secret" })
	if err := authed.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("authenticated SET: %v", err)
	}
	bad := client(t, s, func(o *redis.Options) { o.Password = "wrong" })
	if err := bad.Ping(ctx).Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGPASS") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestMaxClients(t *testing.T) {
	s := startServer(t, func(o *Options) { o.MaxClients = 1 })
	first, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// Make sure the first connection is registered before the second.
	first.Write([]byte("PING\r\n"))
	if l, _ := bufio.NewReader(first).ReadString('\n'); l != "+PONG\r\n" {
		t.Fatalf("first client: %q", l)
	}
	second, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	l, _ := bufio.NewReader(second).ReadString('\n')
	if l != "-ERR max number of clients reached\r\n" {
		t.Fatalf("second client got %q", l)
	}
}

func TestIdleTimeout(t *testing.T) {
	s := startServer(t, func(o *Options) { o.IdleTimeout = 200 * time.Millisecond })
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("PING\r\n"))
	r := bufio.NewReader(nc)
	if l, _ := r.ReadString('\n'); l != "+PONG\r\n" {
		t.Fatalf("got %q", l)
	}
	// The server must close the idle connection: the read returns EOF well
	// before this generous deadline.
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	if _, err := r.ReadByte(); err == nil {
		t.Fatal("idle connection not closed")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("closed by the test deadline, not by the server")
	}
}

func TestActiveExpiryReclaimsUnreadKeys(t *testing.T) {
	s := startServer(t, func(o *Options) { o.Hz = 50 })
	ctx := context.Background()
	c := client(t, s, nil)
	p := c.Pipeline()
	for i := 0; i < 500; i++ {
		p.Set(ctx, "tmp:"+string(rune('a'+i%26))+strings.Repeat("x", i%7)+string(rune(i)), "v", 50*time.Millisecond)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := c.DBSize(ctx).Val()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d expired keys still held after 10s", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
