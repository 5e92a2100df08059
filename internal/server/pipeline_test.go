package server

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/resp"
)

// TestLongPipelineReusesTheReplyBuffer: a pipeline of large replies is sent
// in pieces small enough for the connection to keep its reply buffer, so
// the replies cost no allocation once it has grown. With the piece size at
// the writer's give-back limit, every piece dropped the buffer and the next
// regrew it: about twice the reply bytes in garbage.
func TestLongPipelineReusesTheReplyBuffer(t *testing.T) {
	s := startServer(t, nil)
	rc := dialRaw(t, s.Addr().String())
	args := []string{"RPUSH", "big"}
	for range 300 {
		args = append(args, strings.Repeat("x", 200))
	}
	rc.do(args...)
	one := len(rc.do("LRANGE", "big", "0", "-1"))
	const depth = 200
	req := bytes.Repeat(resp.AppendCommandStrings(nil, "LRANGE", "big", "0", "-1"), depth)
	buf := make([]byte, one*depth)
	roundTrip := func() {
		t.Helper()
		rc.nc.SetDeadline(time.Now().Add(30 * time.Second))
		errc := make(chan error, 1)
		go func() { _, err := rc.nc.Write(req); errc <- err }()
		if _, err := io.ReadFull(rc.nc, buf); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	roundTrip() // the buffer grows to its working size
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	roundTrip()
	runtime.ReadMemStats(&after)
	replies := uint64(one * depth)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > replies/8 {
		t.Fatalf("%d bytes allocated for %d bytes of replies", alloc, replies)
	}
}
