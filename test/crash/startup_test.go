//go:build linux

package crash

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestNoServiceBeforeLoad: a client that connects the instant the server
// listens must get either -LOADING or the loaded dataset, never the empty
// store that exists before loading begins; and a write it gets +OK for
// must be in the log, so it survives the next crash.
func TestNoServiceBeforeLoad(t *testing.T) {
	ct := newCrashTest(t, workload{policy: "always", incr: 1})
	srv := startServer(t, ct.dir, "always")
	ct.populate(srv)
	ct.quiesced(srv, 100*time.Millisecond)
	srv.kill()
	want := strconv.FormatInt(ct.counters[0].acked, 10)

	attempts := scale(40) // the window is short: one start in 10-20 falls in it here
	var acked []string    // keys whose SET was acknowledged
	early := 0            // GETs answered from a dataset not loaded yet
	for i := range attempts {
		s := launch(t, ct.dir, "always")
		c := dialEarly(t, s)
		key := fmt.Sprintf("early:%d", i)
		c.send("GET", "c:000")
		c.send("SET", key, "1")
		if err := c.flush(); err != nil {
			t.Fatal(err)
		}
		get, err1 := c.recv()
		set, err2 := c.recv()
		c.close()
		if err1 != nil || err2 != nil {
			t.Fatalf("attempt %d: %v %v", i, err1, err2)
		}
		switch {
		case get.typ == '-' && strings.HasPrefix(get.str, "LOADING"):
		case get.typ == '$' && !get.null && get.str == want:
		default:
			early++
			t.Errorf("attempt %d: the first GET answered %s, want %q or -LOADING: the server served its dataset before loading it", i, get, want)
		}
		if set.typ == '+' {
			acked = append(acked, key)
		}
		if err := s.waitReady(readyTimeout); err != nil {
			t.Fatal(err)
		}
		s.kill()
		ct.st.cycles++
		if early > 0 {
			break // the point is made; check what the early write became
		}
	}
	srv = startServer(t, ct.dir, "always")
	c, err := dial(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for _, key := range acked {
		r, err := c.do("GET", key)
		if err != nil {
			t.Fatal(err)
		}
		if r.typ != '$' || r.null || r.str != "1" {
			ct.st.lost++
			t.Errorf("SET %s was acknowledged with +OK but is %s after a crash and restart: the write was executed before the log was open and never logged", key, r)
		}
	}
	t.Logf("%d starts, %d served the unloaded dataset, %d SETs acknowledged", ct.st.cycles, early, len(acked))
}

// dialEarly connects as soon as the server listens.
func dialEarly(t *testing.T, s *server) *client {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if c, err := dial(s.addr); err == nil {
			return c
		}
		select {
		case <-s.exited:
			t.Fatalf("server exited: %s", tail(s.out.String(), 2000))
		default:
		}
	}
	t.Fatalf("could not connect within %v", readyTimeout)
	return nil
}
