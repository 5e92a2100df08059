package server

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/resp"
	"github.com/redis/go-redis/v9"
)

// rawConn is a test client speaking RESP over a plain socket, so tests see
// the exact reply bytes and control when (or whether) replies are read.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	rr *resp.ReplyReader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, rr: resp.NewReplyReader(nc)}
}

func (r *rawConn) send(args ...string) {
	r.t.Helper()
	if _, err := r.nc.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		r.t.Fatalf("send %v: %v", args, err)
	}
}

// read returns the next reply's raw bytes, failing after 5 s.
func (r *rawConn) read() string {
	r.t.Helper()
	s, err := r.readWithin(5 * time.Second)
	if err != nil {
		r.t.Fatalf("read: %v", err)
	}
	return s
}

func (r *rawConn) readWithin(d time.Duration) (string, error) {
	r.nc.SetReadDeadline(time.Now().Add(d))
	defer r.nc.SetReadDeadline(time.Time{})
	b, err := r.rr.ReadRaw()
	return string(b), err
}

func (r *rawConn) do(args ...string) string {
	r.t.Helper()
	r.send(args...)
	return r.read()
}

// clientID is this connection's CLIENT ID, as CLIENT KILL ID takes it.
func (r *rawConn) clientID() string {
	r.t.Helper()
	return strings.TrimSpace(strings.TrimPrefix(r.do("CLIENT", "ID"), ":"))
}

// waitClosed waits for ch to be closed, failing after d.
func waitClosed(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatal(what)
	}
}

// waitFor polls cond until it holds, failing after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func blockedCount(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eng.BlockedClients()
}

// waitBlocked waits until n clients are blocked.
func waitBlocked(t *testing.T, s *Server, n int) {
	t.Helper()
	waitFor(t, "blocked clients", func() bool { return blockedCount(s) == n })
}

func bulkPair(k, v string) string {
	return "*2\r\n$" + strconv.Itoa(len(k)) + "\r\n" + k + "\r\n$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n"
}

func TestBlockedClientsServedInFIFOOrder(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	var cs []*rawConn
	for i := 0; i < 3; i++ {
		c := dialRaw(t, addr)
		c.send("BLPOP", "q", "other", "0")
		waitBlocked(t, s, i+1)
		cs = append(cs, c)
	}
	p := dialRaw(t, addr)
	if got := p.do("RPUSH", "q", "a", "b", "c", "d"); got != ":4\r\n" {
		t.Fatalf("RPUSH = %q", got)
	}
	for i, want := range []string{"a", "b", "c"} {
		if got := cs[i].read(); got != bulkPair("q", want) {
			t.Errorf("client %d got %q, want %q", i, got, want)
		}
	}
	if got := p.do("LRANGE", "q", "0", "-1"); got != "*1\r\n$1\r\nd\r\n" {
		t.Errorf("left in list: %q", got)
	}
	if n := blockedCount(s); n != 0 {
		t.Errorf("blocked clients = %d", n)
	}
	// A served client reads its pipelined commands again.
	if got := cs[0].do("PING"); got != "+PONG\r\n" {
		t.Errorf("PING after being served = %q", got)
	}
}

func TestBlockingTimeouts(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	for _, tc := range []struct {
		args  []string
		hello bool
		want  string
	}{
		{[]string{"BLPOP", "k", "0.15"}, false, "*-1\r\n"},
		{[]string{"BRPOP", "k", "j", ".1"}, true, "_\r\n"},
		{[]string{"BLMOVE", "k", "d", "LEFT", "RIGHT", "0.1"}, false, "*-1\r\n"},
		{[]string{"BRPOPLPUSH", "k", "d", "0.1"}, false, "*-1\r\n"},
		{[]string{"BZPOPMIN", "z", "0.1"}, false, "*-1\r\n"},
		{[]string{"BZMPOP", "0.1", "1", "z", "MAX"}, true, "_\r\n"},
		{[]string{"BLMPOP", "0.1", "2", "k", "j", "LEFT", "COUNT", "3"}, false, "*-1\r\n"},
	} {
		c := dialRaw(t, addr)
		if tc.hello {
			c.do("HELLO", "3")
		}
		start := time.Now()
		got := c.do(tc.args...)
		el := time.Since(start)
		if got != tc.want {
			t.Errorf("%v = %q, want %q", tc.args, got, tc.want)
		}
		if el < 90*time.Millisecond || el > 3*time.Second { // the clock has whole milliseconds
			t.Errorf("%v timed out after %v", tc.args, el)
		}
		if got := c.do("PING"); got != "+PONG\r\n" {
			t.Errorf("PING after timeout = %q", got)
		}
	}
	waitBlocked(t, s, 0)
	// Timeout 0 blocks until served; a tiny negative one truncates to 0.
	c := dialRaw(t, addr)
	c.send("BLPOP", "k", "-0.0001")
	waitBlocked(t, s, 1)
	if _, err := c.readWithin(200 * time.Millisecond); err == nil {
		t.Fatal("BLPOP with timeout -0.0001 answered")
	}
	dialRaw(t, addr).do("LPUSH", "k", "v")
	if got := c.read(); got != bulkPair("k", "v") {
		t.Errorf("got %q", got)
	}
}

func TestIdleTimeoutSparesBlockedClients(t *testing.T) {
	s := startServer(t, func(o *Options) { o.IdleTimeout = 100 * time.Millisecond })
	c := dialRaw(t, s.Addr().String())
	c.send("BLPOP", "k", "0.5")
	if got := c.read(); got != "*-1\r\n" {
		t.Fatalf("BLPOP = %q", got)
	}
}

func TestDisconnectWhileBlockedLosesNothing(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	c := dialRaw(t, addr)
	c.send("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	c.nc.Close()
	waitBlocked(t, s, 0)
	p := dialRaw(t, addr)
	p.do("LPUSH", "k", "x")
	if got := p.do("LRANGE", "k", "0", "-1"); got != "*1\r\n$1\r\nx\r\n" {
		t.Fatalf("after the blocked client left: %q", got)
	}

	// CLIENT KILL of a blocked client.
	b := dialRaw(t, addr)
	id := b.clientID()
	b.send("BRPOPLPUSH", "empty", "dst", "0")
	waitBlocked(t, s, 1)
	if got := p.do("CLIENT", "KILL", "ID", id); got != ":1\r\n" {
		t.Fatalf("CLIENT KILL = %q", got)
	}
	waitBlocked(t, s, 0)
	if _, err := b.readWithin(5 * time.Second); err == nil {
		t.Fatal("killed client got a reply")
	}
	p.do("RPUSH", "empty", "y")
	if got := p.do("LRANGE", "empty", "0", "-1"); got != "*1\r\n$1\r\ny\r\n" {
		t.Fatalf("after the killed client: %q", got)
	}
	if got := p.do("EXISTS", "dst"); got != ":0\r\n" {
		t.Fatalf("dst exists: %q", got)
	}
	// The count is INFO's.
	if info := p.do("INFO", "clients"); !strings.Contains(info, "blocked_clients:0\r\n") {
		t.Fatalf("INFO: %q", info)
	}
}

func TestPipelinedCommandsWaitWhileBlocked(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	c := dialRaw(t, addr)
	// The reply to SET leaves when the client blocks; PING waits.
	c.nc.Write(resp.AppendCommandStrings(resp.AppendCommandStrings(resp.AppendCommandStrings(nil,
		"SET", "a", "1"), "BLPOP", "k", "0"), "PING"))
	if got := c.read(); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	waitBlocked(t, s, 1)
	if _, err := c.readWithin(100 * time.Millisecond); err == nil {
		t.Fatal("a reply arrived while blocked")
	}
	p := dialRaw(t, addr)
	if info := p.do("INFO", "clients"); !strings.Contains(info, "blocked_clients:1\r\n") {
		t.Fatalf("INFO: %q", info)
	}
	p.do("RPUSH", "k", "v")
	if got := c.read(); got != bulkPair("k", "v") {
		t.Fatalf("BLPOP = %q", got)
	}
	if got := c.read(); got != "+PONG\r\n" {
		t.Fatalf("PING = %q", got)
	}
}

func TestWakeAfterTransactionAndRetype(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	c := dialRaw(t, addr)
	c.send("BLPOP", "k", "0")
	waitBlocked(t, s, 1)
	p := dialRaw(t, addr)
	// A push undone in the same transaction wakes nobody.
	p.do("MULTI")
	p.do("LPUSH", "k", "x")
	p.do("LPOP", "k")
	if got := p.do("EXEC"); got != "*2\r\n:1\r\n$1\r\nx\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	// A string at the key keeps the client blocked (Redis 7.0), and so
	// does a sorted set.
	p.do("SET", "k", "str")
	p.do("DEL", "k")
	p.do("ZADD", "k", "1", "m")
	p.do("DEL", "k")
	if n := blockedCount(s); n != 1 {
		t.Fatalf("blocked = %d", n)
	}
	// The client is served after the whole transaction: it sees its end
	// state.
	p.do("MULTI")
	p.do("RPUSH", "k", "a")
	p.do("LPUSH", "k", "b")
	if got := p.do("EXEC"); got != "*2\r\n:1\r\n:2\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	if got := c.read(); got != bulkPair("k", "b") {
		t.Fatalf("BLPOP = %q", got)
	}
	if got := p.do("LRANGE", "k", "0", "-1"); got != "*1\r\n$1\r\na\r\n" {
		t.Fatalf("list = %q", got)
	}
	// Inside MULTI a blocking command answers at once.
	p.do("MULTI")
	p.do("BLPOP", "none", "0")
	p.do("BLMOVE", "none", "x", "LEFT", "LEFT", "0")
	if got := p.do("EXEC"); got != "*2\r\n*-1\r\n$-1\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
}

func TestBLMoveWakesTheNextInChain(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	a := dialRaw(t, addr)
	a.send("BLMOVE", "src", "mid", "RIGHT", "LEFT", "0")
	waitBlocked(t, s, 1)
	b := dialRaw(t, addr)
	b.send("BRPOPLPUSH", "mid", "dst", "0")
	waitBlocked(t, s, 2)
	c := dialRaw(t, addr)
	c.send("BLPOP", "dst", "0")
	waitBlocked(t, s, 3)
	p := dialRaw(t, addr)
	p.do("RPUSH", "src", "1", "2")
	if got := a.read(); got != "$1\r\n2\r\n" {
		t.Fatalf("BLMOVE = %q", got)
	}
	if got := b.read(); got != "$1\r\n2\r\n" {
		t.Fatalf("BRPOPLPUSH = %q", got)
	}
	if got := c.read(); got != bulkPair("dst", "2") {
		t.Fatalf("BLPOP = %q", got)
	}
	if got := p.do("KEYS", "*"); got != "*1\r\n$3\r\nsrc\r\n" {
		t.Fatalf("keys = %q", got)
	}
}

func TestServedPopsAreLogged(t *testing.T) {
	aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = "always" }
	s := startServer(t, aofOn)
	addr := s.Addr().String()
	type blocker struct {
		args []string
		want string
	}
	bs := []blocker{
		{[]string{"BLPOP", "l", "0"}, bulkPair("l", "1")},
		{[]string{"BZPOPMAX", "z", "0"}, "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{[]string{"BLMOVE", "s", "d", "RIGHT", "LEFT", "0"}, "$1\r\ny\r\n"},
		{[]string{"BLMPOP", "0", "2", "x", "m", "RIGHT", "COUNT", "2"}, "*2\r\n$1\r\nm\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n"},
		{[]string{"BZMPOP", "0", "1", "y", "MIN"}, "*2\r\n$1\r\ny\r\n*1\r\n*2\r\n$1\r\np\r\n$1\r\n5\r\n"},
	}
	var cs []*rawConn
	for i, b := range bs {
		c := dialRaw(t, addr)
		c.do("SELECT", "3") // the records must name the blocked client's database
		c.send(b.args...)
		waitBlocked(t, s, i+1)
		cs = append(cs, c)
	}
	p := dialRaw(t, addr)
	p.do("SELECT", "3")
	p.do("RPUSH", "l", "1", "2")
	p.do("ZADD", "z", "1", "a", "2", "b")
	p.do("RPUSH", "s", "x", "y")
	p.do("RPUSH", "m", "1", "2", "3")
	p.do("ZADD", "y", "5", "p", "6", "q")
	for i, b := range bs {
		if got := cs[i].read(); got != b.want {
			t.Errorf("%v = %q, want %q", b.args, got, b.want)
		}
	}
	s2 := restart(t, s, aofOn)
	c := client(t, s2, func(o *redis.Options) { o.DB = 3 })
	ctx := context.Background()
	check := func(what string, got, want []string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s after restart = %v, want %v", what, got, want)
		}
	}
	check("l", c.LRange(ctx, "l", 0, -1).Val(), []string{"2"})
	check("z", c.ZRange(ctx, "z", 0, -1).Val(), []string{"a"})
	check("s", c.LRange(ctx, "s", 0, -1).Val(), []string{"x"})
	check("d", c.LRange(ctx, "d", 0, -1).Val(), []string{"y"})
	check("m", c.LRange(ctx, "m", 0, -1).Val(), []string{"1"})
	check("y", c.ZRange(ctx, "y", 0, -1).Val(), []string{"q"})
}

func TestBlockingWithGoRedis(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		c := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		p := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		res := make(chan []string, 1)
		errc := make(chan error, 1)
		go func() {
			v, err := c.BLPop(ctx, 0, "gk").Result()
			errc <- err
			res <- v
		}()
		waitBlocked(t, s, 1)
		p.RPush(ctx, "gk", "hello")
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if v := <-res; strings.Join(v, " ") != "gk hello" {
			t.Fatalf("BLPOP = %v", v)
		}
		p.ZAdd(ctx, "gz", redis.Z{Score: 1.5, Member: "m"})
		z, err := c.BZPopMin(ctx, time.Second, "gz").Result()
		if err != nil || z.Member != "m" || z.Score != 1.5 || z.Key != "gz" {
			t.Fatalf("BZPOPMIN = %+v, %v", z, err)
		}
	}
}
