package server

import (
	"errors"
	"fmt"
	"io"
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

// hammer runs clients that each INCR their own counter n times, one
// request at a time, and checks every reply.
func hammer(t *testing.T, addr string, clients, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		c := dialRaw(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("counter:%d", i)
			for j := 1; j <= n; j++ {
				if _, err := c.nc.Write(resp.AppendCommandStrings(nil, "INCR", key)); err != nil {
					errs <- err
					return
				}
				got, err := c.readWithin(10 * time.Second)
				if want := ":" + strconv.Itoa(j) + "\r\n"; err != nil || got != want {
					errs <- fmt.Errorf("client %d request %d: %q, %v; want %q", i, j, got, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Concurrent clients under appendfsync always: replies that waited for
// the same fsync leave in one batched send, each to its own client, in
// order.
func TestBatchedRepliesReachTheirClients(t *testing.T) {
	s, f := startBatching(t)
	hammer(t, s.Addr().String(), 20, 200)
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
			hammer(t, s.Addr().String(), 10, 100)
			if f.entries.Load() == 0 {
				t.Fatal("the batch sent nothing")
			}
		})
	}
}

// If the ring fails with sends in flight, the connections whose replies
// may or may not have gone out are closed (a client sees what a network
// failure would show), the writes stay durable, and the server goes on
// writing replies one by one.
func TestBatchRingFailureClosesUnknownConnections(t *testing.T) {
	s, f := startBatching(t)
	addr := s.Addr().String()
	f.mode.Store("fail")
	c := dialRaw(t, addr)
	c.send("SET", "k", "v")
	// The first entry of the failed batch is the sender's own, whose reply
	// went out before the failure; it is closed all the same.
	r, err := c.readWithin(5 * time.Second)
	if err == nil {
		if r != "+OK\r\n" {
			t.Fatalf("reply %q", r)
		}
		_, err = c.readWithin(5 * time.Second)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("after the ring failed: %v, want the connection closed", err)
	}
	s.replies.mu.Lock()
	broken := s.replies.ring == nil
	s.replies.mu.Unlock()
	if !broken {
		t.Fatal("the batch still uses the failed ring")
	}
	c2 := dialRaw(t, addr)
	if got := c2.do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("GET k = %q after the failure", got)
	}
	hammer(t, addr, 5, 50)
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
	want := "$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n"
	for i := 1; i <= n; i++ {
		if got := c.read(); got != ":"+strconv.Itoa(i)+"\r\n" {
			t.Fatalf("reply %d = %q", 2*i-1, got)
		}
		if got := c.read(); got != want {
			t.Fatalf("reply %d: %d bytes, want %d", 2*i, len(got), len(want))
		}
	}
	if f.entries.Load() == 0 {
		t.Fatal("the batch sent nothing")
	}
}
