package server

import (
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/resp"
)

func TestClientPauseWriteHoldsOnlyWrites(t *testing.T) {
	s := startServer(t, nil)
	a, b, c := dialRaw(t, s.Addr().String()), dialRaw(t, s.Addr().String()), dialRaw(t, s.Addr().String())
	if r := a.do("CLIENT", "PAUSE", "60000", "WRITE"); r != "+OK\r\n" {
		t.Fatalf("CLIENT PAUSE: %q", r)
	}
	// A pipeline: the read's reply comes at once, the write waits.
	if _, err := b.nc.Write(resp.AppendCommandStrings(resp.AppendCommandStrings(nil, "GET", "k"), "SET", "k", "v")); err != nil {
		t.Fatal(err)
	}
	if r := b.read(); r != "$-1\r\n" {
		t.Fatalf("GET before the paused SET: %q", r)
	}
	waitFor(t, "the SET to wait", func() bool { return s.pause.waiting.Load() == 1 })
	if r, err := b.readWithin(50 * time.Millisecond); err == nil {
		t.Fatalf("SET answered during the pause: %q", r)
	}
	// CLIENT LIST shows it as Redis does: blocked, on the command it waits for.
	if r := c.do("CLIENT", "LIST"); !strings.Contains(r, "flags=b ") || !strings.Contains(r, "cmd=set ") {
		t.Fatalf("CLIENT LIST during the pause: %q", r)
	}
	// Reads, and commands that are refused anyway, still run.
	if r := c.do("GET", "k"); r != "$-1\r\n" {
		t.Fatalf("GET during the pause: %q", r)
	}
	if r := c.do("SET", "k"); !strings.HasPrefix(r, "-ERR wrong number") {
		t.Fatalf("bad SET during the pause: %q", r)
	}
	c.send("MULTI")
	c.read()
	c.send("SET", "k", "w") // queuing a write waits too
	waitFor(t, "the queued SET to wait", func() bool { return s.pause.waiting.Load() == 2 })
	if r := a.do("CLIENT", "UNPAUSE"); r != "+OK\r\n" {
		t.Fatalf("CLIENT UNPAUSE: %q", r)
	}
	if r := b.read(); r != "+OK\r\n" {
		t.Fatalf("SET after UNPAUSE: %q", r)
	}
	if r := c.read(); r != "+QUEUED\r\n" {
		t.Fatalf("queued SET after UNPAUSE: %q", r)
	}
	c.do("DISCARD")
	if r := c.do("GET", "k"); r != "$1\r\nv\r\n" {
		t.Fatalf("GET after the pause: %q", r)
	}
}

func TestClientPauseAllEndsByItself(t *testing.T) {
	s := startServer(t, nil)
	a, b := dialRaw(t, s.Addr().String()), dialRaw(t, s.Addr().String())
	start := time.Now()
	if r := a.do("CLIENT", "PAUSE", "200", "ALL"); r != "+OK\r\n" {
		t.Fatalf("CLIENT PAUSE: %q", r)
	}
	if r := b.do("PING"); r != "+PONG\r\n" {
		t.Fatalf("PING: %q", r)
	}
	// The pause began after start, so its end cannot come sooner, less the
	// millisecond its end is rounded to (unix ms, as Redis).
	if d := time.Since(start); d < 199*time.Millisecond {
		t.Fatalf("PING answered %v into a 200 ms pause", d)
	}
	if s.pause.cur.Load() != nil {
		t.Errorf("the ended pause is still installed")
	}
}

func TestClientPauseMergesAndKillEndsTheWait(t *testing.T) {
	s := startServer(t, nil)
	a, b := dialRaw(t, s.Addr().String()), dialRaw(t, s.Addr().String())
	bid := b.clientID()
	a.do("CLIENT", "PAUSE", "60000", "WRITE")
	first := s.pause.cur.Load()
	// A shorter ALL pause keeps the later end and makes the mode ALL.
	a.do("CLIENT", "PAUSE", "10", "ALL")
	st := s.pause.cur.Load()
	if st == nil || !st.all || st.end != first.end {
		t.Fatalf("merged pause %+v, first %+v", st, first)
	}
	// (Under ALL, CLIENT PAUSE itself waits: call the host.)
	s.mu.Lock()
	(*host)(s).PauseClients(time.Now().UnixMilli()+10, false)
	s.mu.Unlock()
	if st := s.pause.cur.Load(); !st.all || st.end != first.end {
		t.Fatalf("a WRITE pause weakened ALL")
	}
	s.mu.Lock()
	(*host)(s).UnpauseClients()
	s.mu.Unlock()
	a.do("CLIENT", "PAUSE", "60000", "WRITE")
	b.send("SET", "k", "v")
	waitFor(t, "the SET to wait", func() bool { return s.pause.waiting.Load() == 1 })
	// Killing a waiting client ends its wait, and its connection, at once.
	if r := a.do("CLIENT", "KILL", "ID", bid); r != ":1\r\n" {
		t.Fatalf("CLIENT KILL: %q", r)
	}
	if r, err := b.readWithin(5 * time.Second); err == nil {
		t.Fatalf("the killed client got %q", r)
	}
	waitFor(t, "the wait to end", func() bool { return s.pause.waiting.Load() == 0 })
	if r := a.do("EXISTS", "k"); r != ":0\r\n" {
		t.Fatalf("the killed client's SET ran: EXISTS %q", r)
	}
	// Close ends the waits of a pause that is still in force.
	c := dialRaw(t, s.Addr().String())
	c.send("SET", "k", "v")
	waitFor(t, "the SET to wait", func() bool { return s.pause.waiting.Load() == 1 })
	s.Close()
	waitFor(t, "the wait to end", func() bool { return s.pause.waiting.Load() == 0 })
}

func TestClientUnblockWakesTheConnection(t *testing.T) {
	s := startServer(t, nil)
	a, b := dialRaw(t, s.Addr().String()), dialRaw(t, s.Addr().String())
	bid := b.clientID()
	b.send("BLPOP", "l", "0")
	waitBlocked(t, s, 1)
	if r := a.do("CLIENT", "UNBLOCK", bid, "ERROR"); r != ":1\r\n" {
		t.Fatalf("CLIENT UNBLOCK: %q", r)
	}
	if r := b.read(); r != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Fatalf("unblocked client got %q", r)
	}
	b.send("BRPOP", "l", "0")
	waitBlocked(t, s, 1)
	if r := a.do("CLIENT", "UNBLOCK", bid); r != ":1\r\n" {
		t.Fatalf("CLIENT UNBLOCK: %q", r)
	}
	if r := b.read(); r != "*-1\r\n" {
		t.Fatalf("unblocked client got %q", r)
	}
	if r := b.do("PING"); r != "+PONG\r\n" {
		t.Fatalf("after the unblock: %q", r)
	}
	if r := a.do("CLIENT", "UNBLOCK", bid); r != ":0\r\n" {
		t.Fatalf("CLIENT UNBLOCK of an unblocked client: %q", r)
	}
}

func TestClientPauseHoldsExpiry(t *testing.T) {
	s := startServer(t, nil)
	a := dialRaw(t, s.Addr().String())
	a.do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	a.do("SET", "k", "v", "PX", "20")
	a.do("CLIENT", "PAUSE", "60000", "WRITE")
	// Reads see the key go at its time, but it is not deleted (nor its
	// DEL logged) while the pause lasts.
	waitFor(t, "k to expire", func() bool { return a.do("GET", "k") == "$-1\r\n" })
	present := func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.st.DB(0).Peek([]byte("k")) != nil
	}
	if !present() {
		t.Fatal("an expired key was deleted during the pause")
	}
	a.do("CLIENT", "UNPAUSE")
	if r := a.do("EXISTS", "k"); r != ":0\r\n" {
		t.Fatalf("EXISTS after the pause: %q", r)
	}
	if present() {
		t.Fatal("the expired key stayed after the pause")
	}
}

// With the log on (appendfsync always), a command that waits for a pause
// first makes the earlier commands' records durable and sends their
// replies: the pipeline's first replies arrive while its last command
// waits.
func TestClientPauseWithTheLog(t *testing.T) {
	s := startServer(t, func(o *Options) { o.AppendOnly, o.AppendFsync = true, "always" })
	a, b := dialRaw(t, s.Addr().String()), dialRaw(t, s.Addr().String())
	var req []byte
	req = resp.AppendCommandStrings(req, "SET", "x", "1")
	req = resp.AppendCommandStrings(req, "CLIENT", "PAUSE", "60000", "WRITE")
	req = resp.AppendCommandStrings(req, "SET", "y", "2")
	if _, err := b.nc.Write(req); err != nil {
		t.Fatal(err)
	}
	if r := b.read(); r != "+OK\r\n" {
		t.Fatalf("SET x: %q", r)
	}
	if r := b.read(); r != "+OK\r\n" {
		t.Fatalf("CLIENT PAUSE: %q", r)
	}
	waitFor(t, "SET y to wait", func() bool { return s.pause.waiting.Load() == 1 })
	if r := a.do("MGET", "x", "y"); r != "*2\r\n$1\r\n1\r\n$-1\r\n" {
		t.Fatalf("MGET during the pause: %q", r)
	}
	a.do("CLIENT", "UNPAUSE")
	if r := b.read(); r != "+OK\r\n" {
		t.Fatalf("SET y: %q", r)
	}
	if r := a.do("MGET", "x", "y"); r != "*2\r\n$1\r\n1\r\n$1\r\n2\r\n" {
		t.Fatalf("MGET after the pause: %q", r)
	}
}

func TestTrackingAcrossConnections(t *testing.T) {
	s := startServer(t, nil)
	a, b := dialRaw(t, s.Addr().String()), dialRaw(t, s.Addr().String())
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on")
	a.do("GET", "k")
	b.do("SET", "k", "1")
	// Sent by the flusher while a's goroutine waits for input.
	if r := a.read(); r != ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n" {
		t.Fatalf("invalidation: %q", r)
	}
	if r := b.do("CLIENT", "LIST"); !strings.Contains(r, "flags=t ") {
		t.Fatalf("CLIENT LIST: %q", r)
	}
	a.nc.Close()
	waitFor(t, "the tracking client to be forgotten", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.eng.TrackingClients() == 0
	})
}
