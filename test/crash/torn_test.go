//go:build linux

package crash

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// quiesced runs the writers for d and then stops them cleanly, so that
// every write is acknowledged and none is in flight: after a kill, the
// recovered values must equal the acknowledged ones exactly.
func (ct *crashTest) quiesced(srv *server, d time.Duration) {
	t := ct.t
	var killed atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, len(ct.counters))
	for _, k := range ct.counters {
		k.acks = 0
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runWriter(srv.addr, k, &killed, stop); err != nil {
				errs <- err
			}
		}()
	}
	time.Sleep(d) // load duration, not a synchronisation
	close(stop)
	waitGroup(t, &wg, 30*time.Second)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var acks int64
	for _, k := range ct.counters {
		acks += k.acks
		if k.inflight {
			t.Fatalf("writer %s stopped with a request in flight", k.key)
		}
	}
	ct.st.acked += acks
	if acks == 0 {
		t.Fatal("no write was acknowledged")
	}
}

func (ct *crashTest) aofPath() string { return filepath.Join(ct.dir, "appendonly.aof") }

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logData is the log's content as its readers see it: without the zeros
// the log preallocates past its last record.
func logData(t *testing.T, path string) []byte {
	t.Helper()
	return bytes.TrimRight(readFile(t, path), "\x00")
}

// writeTorn writes b right after the log's last record, where a write cut
// short by a crash leaves its bytes (in the preallocated space, if any).
func writeTorn(t *testing.T, path string, b []byte) {
	t.Helper()
	off := int64(len(logData(t, path)))
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// appendFile appends b after everything in the file, preallocated zeros
// included, as a shell's ">>" would.
func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// sideFiles returns the torn-tail side files of the log and their contents.
func sideFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, n := range listDir(t, dir) {
		if strings.HasPrefix(n, "appendonly.aof.torn-") {
			m[n] = readFile(t, filepath.Join(dir, n))
		}
	}
	return m
}

// respFrame encodes a command as a multibulk frame.
func respFrame(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// TestTornTail: what a crash in the middle of a write leaves at the end of
// the log (a record cut short, perhaps followed by zeros; a transaction
// without its EXEC) is quarantined to appendonly.aof.torn-*, cut, and every
// complete record is kept; new writes then land after the cut, not behind
// the garbage, and survive the next crash. Zeros alone are the log's own
// preallocated space: no torn tail, no side file.
func TestTornTail(t *testing.T) {
	incr := respFrame("INCR", "c:000")
	zeros := string(make([]byte, 4096))
	cases := []struct{ name, torn string }{
		{"star-only", "*"},
		{"in-count-line", "*2\r"},
		{"in-bulk-payload", incr[:len(incr)-5]},
		{"missing-last-LF", incr[:len(incr)-1]},
		{"multi-without-exec", respFrame("MULTI") + respFrame("INCR", "a:000") + respFrame("INCR", "b:000")},
		{"multi-exec-cut", respFrame("MULTI") + respFrame("INCR", "a:000") + respFrame("INCR", "b:000") + "*1\r\n$4\r\nEX"},
		{"partial-then-zeros", incr[:9] + zeros},
		{"zeros-only", zeros},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := newCrashTest(t, workload{policy: "always", incr: 2, tx: 2})
			srv := startServer(t, ct.dir, "always")
			ct.populate(srv)
			ct.quiesced(srv, 100*time.Millisecond)
			srv.kill()
			ct.st.cycles++

			good := logData(t, ct.aofPath())
			writeTorn(t, ct.aofPath(), []byte(tc.torn))
			// Readers ignore trailing zeros, so only the rest is torn.
			torn := strings.TrimRight(tc.torn, "\x00")

			srv = startServer(t, ct.dir, "always")
			ct.verify(srv) // exact values: nothing was in flight
			if got := logData(t, ct.aofPath()); !bytes.Equal(got, good) {
				t.Errorf("after the restart the log is %d bytes, want the %d bytes of complete records before the torn tail (equal prefix: %v)",
					len(got), len(good), bytes.HasPrefix(got, good))
			}
			sides := sideFiles(t, ct.dir)
			wantSides := 1
			if torn == "" {
				wantSides = 0
			}
			if len(sides) != wantSides {
				t.Fatalf("want %d side file appendonly.aof.torn-*, found %d (%v)", wantSides, len(sides), listDir(t, ct.dir))
			}
			for name, b := range sides {
				if !bytes.Equal(b, []byte(torn)) {
					t.Errorf("side file %s holds %q, want the torn bytes %q", name, tail(string(b), 80), tail(torn, 80))
				}
				if !strings.HasSuffix(name, fmt.Sprintf("-%d", len(good))) {
					t.Logf("side file %s (the cut offset is %d)", name, len(good))
				}
			}

			// New writes go after the cut and survive a crash.
			ct.quiesced(srv, 100*time.Millisecond)
			srv.kill()
			ct.st.cycles++
			data := logData(t, ct.aofPath())
			if !bytes.HasPrefix(data, good) {
				t.Errorf("the log no longer starts with the records kept at the cut")
			}
			if fr := parseLog(data); len(fr) == 0 || fr[len(fr)-1].end != int64(len(data)) {
				t.Errorf("the log does not parse to its end after new writes (%d frames, %d bytes)", len(fr), len(data))
			}
			srv = startServer(t, ct.dir, "always")
			ct.verify(srv)
			if n := len(sideFiles(t, ct.dir)); n != wantSides {
				t.Errorf("after a clean crash the second restart made %d side files, want still %d", n, wantSides)
			}
			srv.kill()
		})
	}
}

// TestTornTailRepeated: torn tails met by restarts in quick succession
// (a crash loop) must each keep their own quarantined bytes; a side file
// must never replace an earlier one.
func TestTornTailRepeated(t *testing.T) {
	ct := newCrashTest(t, workload{policy: "always", incr: 2})
	srv := startServer(t, ct.dir, "always")
	ct.populate(srv)
	ct.quiesced(srv, 100*time.Millisecond)
	srv.kill()
	good := logData(t, ct.aofPath())
	incr := respFrame("INCR", "c:000")
	var torn []string
	// Restarts take well under a second here, so some of these recoveries
	// share a second (the side file's name has one-second resolution).
	for i := range 6 {
		tb := incr[:4+2*i] // a different torn record each time
		torn = append(torn, tb)
		writeTorn(t, ct.aofPath(), []byte(tb))
		srv = startServer(t, ct.dir, "always")
		ct.verify(srv)
		srv.kill()
		ct.st.cycles++
	}
	if got := logData(t, ct.aofPath()); !bytes.Equal(got, good) {
		t.Errorf("log is %d bytes, want %d", len(got), len(good))
	}
	sides := sideFiles(t, ct.dir)
	var names []string
	for n := range sides {
		names = append(names, n)
	}
	for _, tb := range torn {
		found := false
		for _, b := range sides {
			found = found || string(b) == tb
		}
		if !found {
			t.Errorf("the quarantined torn tail %q is gone: a later side file replaced it (side files: %v)", tb, names)
		}
	}
}

// TestCorruptMiddle: a damaged record with more records after it is not a
// crash artefact: the server must refuse to start, exit non-zero, name the
// file and the byte offset, and leave the log exactly as it was. Foreign
// text after the last record is refused the same way (by design, see the
// aof package documentation: only a cut-short record or zeros count as a
// torn tail).
func TestCorruptMiddle(t *testing.T) {
	type damage func(data []byte, f frame) (off int64) // edits data, returns the expected offset
	cases := []struct {
		name string
		edit damage
	}{
		{"frame-type-byte", func(data []byte, f frame) int64 {
			data[f.start] = '!'
			return f.start
		}},
		{"bulk-terminator", func(data []byte, f frame) int64 {
			// The CRLF after the first argument ("INCR").
			i := bytes.Index(data[f.start:f.end], []byte("INCR\r\n"))
			copy(data[f.start+int64(i)+4:], "XX")
			return f.start
		}},
		{"bulk-length", func(data []byte, f frame) int64 {
			i := bytes.Index(data[f.start:f.end], []byte("$4\r\nINCR"))
			data[f.start+int64(i)+1] = '7'
			return f.start
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := newCrashTest(t, workload{policy: "always", incr: 4})
			srv := startServer(t, ct.dir, "always")
			ct.populate(srv)
			ct.quiesced(srv, 100*time.Millisecond)
			srv.kill()
			data := logData(t, ct.aofPath())
			frames := parseLog(data)
			if len(frames) < 40 || frames[len(frames)-1].end != int64(len(data)) {
				t.Fatalf("log has %d frames ending at %d of %d bytes; want a fully parsed log of at least 40", len(frames), frames[len(frames)-1].end, len(data))
			}
			i := len(frames) / 2
			for frames[i].args[0] != "INCR" {
				i++
			}
			off := tc.edit(data, frames[i])
			if err := os.WriteFile(ct.aofPath(), data, 0o644); err != nil {
				t.Fatal(err)
			}
			expectRefusal(t, ct.dir, ct.aofPath(), off, data)
		})
	}
	t.Run("foreign-text-at-end", func(t *testing.T) {
		ct := newCrashTest(t, workload{policy: "always", incr: 2})
		srv := startServer(t, ct.dir, "always")
		ct.populate(srv)
		ct.quiesced(srv, 50*time.Millisecond)
		srv.kill()
		off := int64(len(logData(t, ct.aofPath())))
		appendFile(t, ct.aofPath(), []byte("hello from a shell redirect\n"))
		expectRefusal(t, ct.dir, ct.aofPath(), off, readFile(t, ct.aofPath()))
	})
}

// expectRefusal starts a server on dir and checks that it refuses to start:
// it never reports itself ready, exits non-zero, names the log and the
// offset, and changes nothing.
func expectRefusal(t *testing.T, dir, aofPath string, off int64, want []byte) {
	t.Helper()
	srv := launch(t, dir, "always")
	st, err := srv.waitExit(readyTimeout)
	if err != nil {
		t.Fatalf("server on a log damaged at byte %d: %v", off, err)
	}
	out := srv.out.String()
	if strings.Contains(out, readyLine) {
		t.Errorf("server reported itself ready on a log damaged at byte %d", off)
	}
	if st.ExitCode() == 0 {
		t.Errorf("server exited with status 0 on a damaged log")
	}
	if !strings.Contains(out, aofPath) {
		t.Errorf("error output does not name the log %s:\n%s", aofPath, tail(out, 2000))
	}
	if at := fmt.Sprintf("at byte %d", off); !strings.Contains(out, at) {
		t.Errorf("error output does not give the offset (%q):\n%s", at, tail(out, 2000))
	}
	if got := readFile(t, aofPath); !bytes.Equal(got, want) {
		t.Errorf("the refused log was modified (%d bytes, was %d)", len(got), len(want))
	}
	if n := len(sideFiles(t, dir)); n != 0 {
		t.Errorf("a refused log produced %d side files", n)
	}
	t.Logf("refused with exit status %d: %s", st.ExitCode(), firstLine(out, "refusing"))
}

func firstLine(out, substr string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, substr) {
			return l
		}
	}
	return ""
}

// TestSnapshotTempFilesRemovedOnRestart: a snapshot killed half-written
// leaves dump.rdb.tmp-*; like the log's temporary files, it must be removed
// at the next start, or every crash during a snapshot leaks up to a whole
// dataset's worth of disk.
func TestSnapshotTempFilesRemovedOnRestart(t *testing.T) {
	ct := newCrashTest(t, workload{policy: "always", incr: 2, filler: 40000, fillSize: 200})
	srv := startServer(t, ct.dir, "always")
	ct.populate(srv)
	caught := false
	c, err := dial(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 0; attempt < 20 && !caught; attempt++ {
		r, err := c.do("BGSAVE")
		if err != nil || r.typ != '+' {
			t.Fatalf("BGSAVE answered %v, %v", r, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if temps(t, ct.dir, "dump.rdb.tmp-") > 0 {
				caught = true
				break
			}
			inf, err := c.info("persistence")
			if err != nil {
				t.Fatal(err)
			}
			if inf["rdb_bgsave_in_progress"] == "0" {
				break
			}
		}
	}
	c.close()
	if !caught {
		t.Fatal("never saw a BGSAVE's temporary file to kill it on")
	}
	srv.kill()
	ct.st.cycles++
	n := temps(t, ct.dir, "dump.rdb.tmp-")
	t.Logf("killed during BGSAVE: %d temporary snapshot file(s) in %v", n, listDir(t, ct.dir))
	srv = startServer(t, ct.dir, "always")
	ct.verify(srv)
	if left := temps(t, ct.dir, "dump.rdb.tmp-"); left > 0 {
		t.Errorf("restart left %d half-written snapshot temp file(s) in the data directory: %v", left, listDir(t, ct.dir))
	}
}

func temps(t *testing.T, dir, prefix string) int {
	n := 0
	for _, name := range listDir(t, dir) {
		if strings.HasPrefix(name, prefix) {
			n++
		}
	}
	return n
}
