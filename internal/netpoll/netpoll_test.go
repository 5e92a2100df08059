package netpoll

import (
	"net"
	"runtime"
	"sync/atomic"
	"testing"
)

// With one P, a goroutine parked on a socket that has become readable runs
// before Yield returns; with runtime.Gosched it would not (the contrast is
// checked too, so the test shows what Yield adds).
func TestYieldPollsTheNetwork(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	y := New()
	if y == nil {
		t.Skip("no pollable pipe on this platform")
	}
	defer y.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	var got atomic.Int32
	parked := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1)
		close(parked)
		for i := 0; i < 2; i++ {
			if _, err := server.Read(buf); err != nil {
				return
			}
			got.Add(1)
		}
	}()
	<-parked
	runtime.Gosched() // let the reader reach its Read and park

	// Gosched alone: the reader's data is in the socket, but the only
	// runnable goroutine is this one, so the scheduler does not poll.
	// (It may, rarely, if sysmon polls in between; then the contrast
	// simply is not shown, which is why only Yield's half is asserted.)
	if _, err := client.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	runtime.Gosched()
	before := got.Load()

	if _, err := client.Write([]byte{2}); err != nil {
		t.Fatal(err)
	}
	y.Yield()
	if n := got.Load(); n != 2 {
		t.Fatalf("after Yield the reader has read %d bytes, want 2 (after Gosched alone: %d)", n, before)
	}
	t.Logf("bytes read after Gosched alone: %d; after Yield: 2", before)
	<-done
}

func TestYieldReusable(t *testing.T) {
	y := New()
	if y == nil {
		t.Skip("no pollable pipe on this platform")
	}
	for i := 0; i < 1000; i++ {
		y.Yield()
	}
	if err := y.Close(); err != nil {
		t.Fatal(err)
	}
	var nilY *Yielder
	nilY.Yield() // falls back to Gosched
	if err := nilY.Close(); err != nil {
		t.Fatal(err)
	}
}
