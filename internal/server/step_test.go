package server

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/resp"
)

// busyClient streams pipelined copies of one command at the server and
// discards the replies, until its connection ends. It returns the client's
// ID and a channel closed when the server has closed the connection.
func busyClient(t *testing.T, addr string, args ...string) (id string, gone <-chan struct{}) {
	t.Helper()
	c := dialRaw(t, addr)
	id = c.clientID()
	batch := bytes.Repeat(resp.AppendCommandStrings(nil, args...), 200)
	done := make(chan struct{})
	go func() {
		for {
			if _, err := c.nc.Write(batch); err != nil {
				return
			}
		}
	}()
	go func() {
		defer close(done)
		io.Copy(io.Discard, c.nc) // until EOF or reset
	}()
	return id, done
}

// A client is killed while its connection runs commands inside a step,
// which holds the socket's descriptor: the killer (holding the execution
// lock) must not wait for the step to end, or neither ever runs again.
func TestKillWhileVictimRunsCommands(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	k := dialRaw(t, addr)
	for range 10 {
		id, gone := busyClient(t, addr, "INCR", "n")
		// The victim is running commands once the counter moves.
		before := k.do("GET", "n")
		waitFor(t, "the victim's commands", func() bool { return k.do("GET", "n") != before })
		if got := k.do("CLIENT", "KILL", "ID", id); got != ":1\r\n" {
			t.Fatalf("CLIENT KILL = %q", got)
		}
		waitClosed(t, gone, 5*time.Second, "the killed client's connection is still open")
	}
}

// Server.Close closes every connection while holding the client registry's
// lock; a connection running CLIENT LIST (which needs that lock) inside a
// step must not make it wait forever.
func TestCloseWhileClientsRunCommands(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	var gone []<-chan struct{}
	for range 3 {
		_, g := busyClient(t, addr, "CLIENT", "LIST")
		gone = append(gone, g)
	}
	k := dialRaw(t, addr)
	waitFor(t, "the clients' commands", func() bool {
		return strings.Contains(k.do("INFO", "clients"), "connected_clients:4\r\n")
	})
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	waitClosed(t, closed, 10*time.Second, "Server.Close did not return")
	for _, g := range gone {
		waitClosed(t, g, 5*time.Second, "a connection is still open after Close")
	}
}

// A client that does not read its replies has its connection's write
// parked in the poller; a kill must still end it.
func TestKillClientWhoseRepliesAreStuck(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	k := dialRaw(t, addr)
	if got := k.do("SET", "big", strings.Repeat("x", 4<<20)); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	v := dialRaw(t, addr)
	id := v.clientID()
	v.send("GET", "big")
	v.send("GET", "big") // 8 MB of replies that nobody reads
	waitFor(t, "the victim's stuck output", func() bool {
		return strings.Contains(k.do("CLIENT", "LIST", "ID", id), " cmd=get ")
	})
	if got := k.do("CLIENT", "KILL", "ID", id); got != ":1\r\n" {
		t.Fatalf("CLIENT KILL = %q", got)
	}
	waitFor(t, "the killed client to leave", func() bool {
		return strings.Contains(k.do("INFO", "clients"), "connected_clients:1\r\n")
	})
	// Its socket was shut down: reading what was sent ends in EOF or reset.
	v.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, v.nc)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the killed client's socket stayed open")
	}
}

// Requests arrive in pieces of random size, sometimes while the server is
// still running the previous ones and sometimes after the client has
// waited for every reply: whenever a step skips a read (its last read
// emptied the socket), the poller must still wake it for what arrives.
// Some requests are larger than the reader's buffer, so a read fills it
// and the socket still holds more. A missed wake-up shows as a reply that
// never comes.
func TestStepsMissNoInput(t *testing.T) {
	s := startServer(t, nil)
	checkSplitStream(t, s.Addr().String())
}

func checkSplitStream(t *testing.T, addr string) {
	t.Helper()
	c := dialRaw(t, addr)
	rng := rand.New(rand.NewPCG(1, 2))
	var stream []byte
	const n = 3000
	ends := make([]int, n) // where each command's bytes end in stream
	big := strings.Repeat("v", 200<<10)
	for i := range n {
		if i%500 == 250 {
			// A big request whose reply counts like the others'.
			stream = resp.AppendCommandStrings(stream, "EVAL_RO_UNKNOWN", big)
		} else {
			stream = resp.AppendCommandStrings(stream, "INCRBY", "k", strconv.Itoa(i%7))
		}
		ends[i] = len(stream)
	}
	want, got, sent := 0, 0, 0
	for i := 0; sent < len(stream); i++ {
		m := 1 + rng.IntN(120)
		if rng.IntN(50) == 0 {
			m = 1 + rng.IntN(300<<10)
		}
		m = min(m, len(stream)-sent)
		if _, err := c.nc.Write(stream[sent : sent+m]); err != nil {
			t.Fatal(err)
		}
		sent += m
		if rng.IntN(4) > 0 && sent < len(stream) {
			continue
		}
		// Read every reply the complete commands sent so far produce.
		for ; got < n && ends[got] <= sent; got++ {
			r := c.read()
			if got%500 == 250 {
				if !strings.HasPrefix(r, "-ERR unknown command 'EVAL_RO_UNKNOWN'") {
					t.Fatalf("reply %d = %q", got, r)
				}
				continue
			}
			want += got % 7
			if r != ":"+strconv.Itoa(want)+"\r\n" {
				t.Fatalf("reply %d = %q, want :%d", got, r, want)
			}
		}
	}
	if got != n {
		t.Fatalf("%d replies, want %d", got, n)
	}
}
