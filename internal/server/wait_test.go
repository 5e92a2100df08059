package server

import (
	"testing"
	"time"
)

// TestWaitWithoutReplicas: with no replicas WAIT answers 0, at once when
// nothing needs acknowledging, otherwise after its timeout in milliseconds;
// a timeout of 0 blocks until the client goes away, and no write wakes it.
func TestWaitWithoutReplicas(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	c := dialRaw(t, addr)
	start := time.Now()
	if got := c.do("WAIT", "0", "0"); got != ":0\r\n" {
		t.Fatalf("WAIT 0 0 = %q", got)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("WAIT 0 0 took %v", el)
	}
	start = time.Now()
	if got := c.do("WAIT", "1", "150"); got != ":0\r\n" {
		t.Fatalf("WAIT 1 150 = %q", got)
	}
	if el := time.Since(start); el < 140*time.Millisecond || el > 3*time.Second {
		t.Fatalf("WAIT 1 150 answered after %v", el)
	}
	// A pipelined command waits for the blocked WAIT.
	c.nc.Write([]byte("*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$3\r\n100\r\n*1\r\n$4\r\nPING\r\n"))
	waitBlocked(t, s, 1)
	if got := c.read(); got != ":0\r\n" {
		t.Fatalf("pipelined WAIT = %q", got)
	}
	if got := c.read(); got != "+PONG\r\n" {
		t.Fatalf("PING after WAIT = %q", got)
	}
	waitBlocked(t, s, 0)

	b := dialRaw(t, addr)
	b.send("WAIT", "1", "0")
	waitBlocked(t, s, 1)
	p := dialRaw(t, addr)
	p.do("RPUSH", "k", "v")
	p.do("SET", "x", "1")
	if _, err := b.readWithin(200 * time.Millisecond); err == nil {
		t.Fatal("WAIT 1 0 answered")
	}
	b.nc.Close()
	waitBlocked(t, s, 0)
}
