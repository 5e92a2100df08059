package server

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kevy-db/kevy/internal/uring"
	"github.com/kevy-db/kevy/resp"
)

// faultySender stands between the reply batch and its ring and changes
// what a send does and reports, to drive the owner's fallbacks.
type faultySender struct {
	real    sender
	mode    atomic.Value // string: "" passes through, "half", "eagain", "fail"
	batches atomic.Int64 // sends of more than one connection's replies
	entries atomic.Int64
}

func (f *faultySender) Send(fds []int32, bufs [][]byte, res []int32) error {
	f.entries.Add(int64(len(fds)))
	if len(fds) > 1 {
		f.batches.Add(1)
	}
	switch f.mode.Load() {
	case "half":
		// Short sends: only the first half of each connection's replies.
		half := make([][]byte, len(bufs))
		for i, b := range bufs {
			half[i] = b[:(len(b)+1)/2]
		}
		return f.real.Send(fds, half, res)
	case "eagain":
		for i := range res {
			res[i] = -int32(syscall.EAGAIN)
		}
		return nil
	case "fail":
		// The first send happens, then the ring breaks before the others'
		// completions are seen.
		if err := f.real.Send(fds[:1], bufs[:1], res[:1]); err != nil {
			return err
		}
		for i := range res {
			res[i] = uring.Unknown
		}
		return errors.New("injected ring failure")
	}
	return f.real.Send(fds, bufs, res)
}

func (f *faultySender) Close() error { return f.real.Close() }

// startBatching starts a server under appendfsync always whose batch
// sends through a faultySender.
func startBatching(t *testing.T) (*Server, *faultySender) {
	t.Helper()
	s := startServer(t, func(o *Options) { o.AppendOnly = true; o.AppendFsync = "always" })
	if s.replies == nil {
		t.Skip("io_uring unavailable here: replies are written one by one, and this test has nothing to check")
	}
	f := &faultySender{}
	f.mode.Store("")
	s.replies.mu.Lock()
	f.real, s.replies.ring = s.replies.ring, f
	s.replies.mu.Unlock()
	return s, f
}

// counting runs n INCRs of key on c, one request at a time, and returns
// how many were acknowledged, whether the server closed the connection
// (ending the run), and an error for a reply that is not the next count.
func counting(c *rawConn, key string, n int) (acked int, closed bool, err error) {
	for j := 1; j <= n; j++ {
		if _, err := c.nc.Write(resp.AppendCommandStrings(nil, "INCR", key)); err != nil {
			return acked, true, nil
		}
		got, err := c.readWithin(10 * time.Second)
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			return acked, true, nil
		}
		if want := ":" + strconv.Itoa(j) + "\r\n"; err != nil || got != want {
			return acked, false, fmt.Errorf("%s request %d: %q, %v; want %q", key, j, got, err, want)
		}
		acked = j
	}
	return acked, false, nil
}

// hammer connects clients that will each INCR their own counter
// (prefix:i) n times, one request at a time, and returns the function
// that runs them and checks every reply.
func hammer(t *testing.T, addr, prefix string, clients, n int) func() error {
	t.Helper()
	conns := make([]*rawConn, clients)
	for i := range conns {
		conns[i] = dialRaw(t, addr)
	}
	return func() error {
		var wg sync.WaitGroup
		errs := make(chan error, clients)
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("%s:%d", prefix, i)
				acked, closed, err := counting(c, key, n)
				if err == nil && closed {
					err = fmt.Errorf("%s: connection closed after %d of %d replies", key, acked, n)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
}

// runHammer runs hammer's clients and fails the test on a wrong reply.
func runHammer(t *testing.T, addr, prefix string, clients, n int) {
	t.Helper()
	if err := hammer(t, addr, prefix, clients, n)(); err != nil {
		t.Fatal(err)
	}
}

// Concurrent clients under appendfsync always: replies that waited for
// the same fsync leave in one batched send, each to its own client, in
// order.
func TestBatchedRepliesReachTheirClients(t *testing.T) {
	s, f := startBatching(t)
	runHammer(t, s.Addr().String(), "c", 20, 200)
	if f.batches.Load() == 0 {
		t.Fatalf("no send carried more than one connection's replies (%d sends in all)", f.entries.Load())
	}
}

// Short and refused sends leave the rest of the replies to their owners,
// which write them themselves.
func TestBatchedSendsFallBackToTheOwner(t *testing.T) {
	for _, mode := range []string{"half", "eagain"} {
		t.Run(mode, func(t *testing.T) {
			s, f := startBatching(t)
			f.mode.Store(mode)
			runHammer(t, s.Addr().String(), "c", 10, 100)
			if f.entries.Load() == 0 {
				t.Fatal("the batch sent nothing")
			}
		})
	}
}

// If the ring fails with sends in flight, the connections whose replies
// may or may not have gone out are closed (a client sees what a network
// failure would show), no reply is sent twice, the writes stay, and the
// server goes on writing replies one by one.
func TestBatchRingFailureClosesUnknownConnections(t *testing.T) {
	s, f := startBatching(t)
	addr := s.Addr().String()
	f.mode.Store("fail")
	const clients = 10
	var wg sync.WaitGroup
	closed := make([]bool, clients)
	acked := make([]int, clients)
	errs := make(chan error, clients)
	for i := range clients {
		c := dialRaw(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			acked[i], closed[i], err = counting(c, fmt.Sprintf("counter:%d", i), 200)
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s.replies.mu.Lock()
	broken := s.replies.ring == nil
	s.replies.mu.Unlock()
	if !broken {
		t.Fatalf("the batch still uses the failed ring (%d batched sends)", f.batches.Load())
	}
	if !slices.Contains(closed, true) {
		t.Fatal("no connection was closed after the ring failed with sends in flight")
	}
	// Every acknowledged INCR is there; the one whose reply was lost
	// may be too.
	c := dialRaw(t, addr)
	for i := range clients {
		r := c.do("GET", fmt.Sprintf("counter:%d", i))
		v := 0
		if r != "$-1\r\n" {
			v, _ = strconv.Atoi(strings.TrimSpace(r[strings.Index(r, "\n")+1:]))
		}
		if v != acked[i] && !(closed[i] && v == acked[i]+1) {
			t.Errorf("counter:%d = %d with %d acknowledged (closed: %v)", i, v, acked[i], closed[i])
		}
	}
	runHammer(t, addr, "after", 5, 50)
}

// A client that does not read while it sends fills its socket: the batch
// sends what fits and its owner waits for room for the rest. Every reply
// arrives, in order.
func TestBatchedSendToAFullSocket(t *testing.T) {
	s, f := startBatching(t)
	c := dialRaw(t, s.Addr().String())
	big := strings.Repeat("x", 64<<10)
	c.do("SET", "big", big)
	const n = 300
	var req []byte
	for range n {
		req = resp.AppendCommandStrings(req, "INCR", "n")
		req = resp.AppendCommandStrings(req, "GET", "big")
	}
	go c.nc.Write(req) // ~20 MB of replies come back while it writes
	// Others share its groups, so its replies go through the batch.
	run := hammer(t, s.Addr().String(), "c", 4, 300)
	others := make(chan error, 1)
	go func() { others <- run() }()
	want := "$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n"
	for i := 1; i <= n; i++ {
		if got := c.read(); got != ":"+strconv.Itoa(i)+"\r\n" {
			t.Fatalf("reply %d = %q", 2*i-1, got)
		}
		if got := c.read(); got != want {
			t.Fatalf("reply %d: %d bytes, want %d", 2*i, len(got), len(want))
		}
	}
	if err := <-others; err != nil {
		t.Fatal(err)
	}
	if f.batches.Load() == 0 {
		t.Fatal("no batched send")
	}
}
