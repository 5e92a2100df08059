package server

import (
	"testing"

	"github.com/kevy-db/kevy/resp"
)

// TestClockFreshAfterBlocking: a command pipelined behind a blocking one
// runs after the wait without a new read from the socket, so the clock
// kept from the previous command (conn.exec) must not serve it: the key
// set with a 100 ms TTL before a 300 ms BLPOP is gone by the time the
// EXISTS behind them runs. Active expiry is off so that only the clock
// the command runs with can expire it.
func TestClockFreshAfterBlocking(t *testing.T) {
	s := startServer(t, nil)
	r := dialRaw(t, s.Addr().String())
	if got := r.do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); got != "+OK\r\n" {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE: %q", got)
	}
	var batch []byte
	batch = resp.AppendCommandStrings(batch, "SET", "k", "v", "PX", "100")
	batch = resp.AppendCommandStrings(batch, "BLPOP", "nolist", "0.3")
	batch = resp.AppendCommandStrings(batch, "EXISTS", "k")
	if _, err := r.nc.Write(batch); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"+OK\r\n", "*-1\r\n", ":0\r\n"} {
		if got := r.read(); got != want {
			t.Fatalf("reply %d: %q, want %q", i, got, want)
		}
	}
}
