package aof

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kevy-db/kevy/vfs"
)

// syncCheckFS records, at each successful fsync of the log, how many bytes
// it made durable, so a test can check that no waiter returned early.
func TestGroupCommit(t *testing.T) {
	t.Run("procs=default", testGroupCommit)
	// With one P the leader forms its group through gather, polling the
	// network through a pipe of its own.
	t.Run("procs=1", func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		testGroupCommit(t)
	})
}

func testGroupCommit(t *testing.T) {
	m := vfs.NewMem()
	ff := vfs.NewFault(m)
	l := mustOpen(t, ff, "/a.aof", slowOpts(Always))
	syncsBefore := ff.Count(vfs.OpSync)
	const workers, per = 32, 40
	writeConcurrently(t, l, workers, per, func(off int64) error {
		// The record must be durable now: it survives a crash.
		if s, _ := m.SyncedSize("/a.aof"); s < off {
			return fmt.Errorf("Wait(%d) returned with only %d bytes synced", off, s)
		}
		return nil
	})
	syncs := ff.Count(vfs.OpSync) - syncsBefore
	if syncs >= workers*per {
		t.Fatalf("%d fsyncs for %d appends: no group commit", syncs, workers*per)
	}
	t.Logf("%d appends, %d fsyncs", workers*per, syncs)
	closeAndReplayCount(t, l, m, "/a.aof", workers*per)
}

// writeConcurrently runs workers goroutines that each append per distinct
// SETs, one at a time (appends serialised, as the server's lock does), and
// wait for each; check, if not nil, runs after every wait. It fails the
// test with the first error.
func writeConcurrently(t *testing.T, l *Log, workers, per int, check func(off int64) error) {
	t.Helper()
	var wg sync.WaitGroup
	var appendMu sync.Mutex
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				appendMu.Lock()
				off := l.AppendCommand(cmd("SET", fmt.Sprint("k", w, "-", i), "v")...)
				appendMu.Unlock()
				err := l.Wait(off)
				if err == nil && check != nil {
					err = check(off)
				}
				if err != nil {
					errs <- err
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

// closeAndReplayCount closes l and checks that its file replays to want
// commands.
func closeAndReplayCount(t *testing.T, l *Log, fsys vfs.FS, path string, want int) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := replayAll(t, fsys, path, nil)
	if err != nil || len(got) != want {
		t.Fatalf("replayed %d commands, %v", len(got), err)
	}
}

// With one P, a leader under everysec (or no) lets the runnable
// connections append before it writes, so concurrent waiters share writes.
func TestWriteBatchingOneP(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, p := range []Policy{EverySec, No} {
		t.Run(p.String(), func(t *testing.T) {
			m := vfs.NewMem()
			ff := vfs.NewFault(m)
			l := mustOpen(t, ff, "/a.aof", slowOpts(p))
			writesBefore := ff.Count(vfs.OpWrite)
			const workers, per = 32, 40
			writeConcurrently(t, l, workers, per, nil)
			writes := ff.Count(vfs.OpWrite) - writesBefore
			if writes > workers*per/4 {
				t.Fatalf("%d writes for %d appends: waiters did not share writes", writes, workers*per)
			}
			t.Logf("%d appends, %d writes", workers*per, writes)
			closeAndReplayCount(t, l, m, "/a.aof", workers*per)
		})
	}
}

// Switching the policy while waiters yield with one P (CONFIG SET
// appendfsync under load) must not race: run with -race.
func TestPolicySwitchWhileWaitingOneP(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(EverySec))
	stop := make(chan struct{})
	stopSwitching := sync.OnceFunc(func() { close(stop) })
	defer stopSwitching() // also when the writers fail the test
	switched := make(chan error, 1)
	go func() {
		policies := []Policy{Always, EverySec, No}
		for i := 0; ; i++ {
			select {
			case <-stop:
				switched <- nil
				return
			default:
			}
			if err := l.SetPolicy(policies[i%len(policies)]); err != nil {
				switched <- err
				return
			}
			runtime.Gosched()
		}
	}()
	const workers, per = 8, 50
	writeConcurrently(t, l, workers, per, nil)
	stopSwitching()
	if err := <-switched; err != nil {
		t.Fatal(err)
	}
	closeAndReplayCount(t, l, m, "/a.aof", workers*per)
}

// TestWriteFailures injects each kind of write failure into a group and
// checks: its waiters get the error, the log enters the error state, nothing
// half-written stays in the file, and after healing the buffered records
// are written, in order, and the error state clears.
func TestWriteFailures(t *testing.T) {
	faults := map[string]vfs.Fault{
		"enospc":       {Op: vfs.OpWrite, Err: syscall.ENOSPC},
		"eio":          {Op: vfs.OpWrite, Err: syscall.EIO},
		"short":        {Op: vfs.OpWrite, Short: true, Keep: 7, Err: syscall.ENOSPC},
		"fsync-eio":    {Op: vfs.OpSync, Err: syscall.EIO},
		"sticky-short": {Op: vfs.OpWrite, Short: true, Keep: 3, Sticky: true, Err: syscall.ENOSPC},
	}
	for name, ft := range faults {
		for _, p := range []Policy{Always, EverySec, No} {
			if ft.Op == vfs.OpSync && p != Always {
				continue // no fsync in the waiter's path
			}
			t.Run(name+"/"+p.String(), func(t *testing.T) {
				m := vfs.NewMem()
				ff := vfs.NewFault(m)
				l := mustOpen(t, ff, "/a.aof", slowOpts(p))
				defer l.Close()
				ok := l.AppendCommand(cmd("SET", "a", "1")...)
				if err := l.Wait(ok); err != nil {
					t.Fatal(err)
				}
				ff.Inject(ft)
				off := l.AppendCommand(cmd("SET", "b", "2")...)
				err := l.Wait(off)
				if !errors.Is(err, ft.Err) {
					t.Fatalf("Wait = %v, want %v", err, ft.Err)
				}
				if !errors.Is(l.LastWriteErr(), ft.Err) {
					t.Fatalf("LastWriteErr = %v", l.LastWriteErr())
				}
				if size := int64(len(readFile(t, m, "/a.aof"))); size != ok && !(ft.Op == vfs.OpSync) {
					t.Fatalf("file has %d bytes after the failure, want %d", size, ok)
				}
				if ft.Sticky {
					// Still failing: the retry fails too, and still leaves
					// nothing behind.
					waitTick(l)
					if l.LastWriteErr() == nil {
						t.Fatal("error state cleared while the disk is still full")
					}
					if size := int64(len(readFile(t, m, "/a.aof"))); size != ok {
						t.Fatalf("retry left %d bytes", size)
					}
				}
				ff.Heal()
				off2 := l.AppendCommand(cmd("SET", "c", "3")...)
				if err := l.Wait(off2); err != nil {
					t.Fatalf("after heal: %v", err)
				}
				if l.LastWriteErr() != nil {
					t.Fatalf("error state not cleared: %v", l.LastWriteErr())
				}
				if err := l.Sync(); err != nil {
					t.Fatal(err)
				}
				got, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{})
				if err != nil || join(got) != "SET a 1\nSET b 2\nSET c 3\n" {
					t.Fatalf("replayed %q, %v", join(got), err)
				}
			})
		}
	}
}

// TestRetryInBackground: with nobody waiting, the periodic retry catches up
// once the disk recovers.
func TestRetryInBackground(t *testing.T) {
	m := vfs.NewMem()
	ff := vfs.NewFault(m)
	l := mustOpen(t, ff, "/a.aof", slowOpts(EverySec))
	defer l.Close()
	ff.Inject(vfs.Fault{Op: vfs.OpWrite, Sticky: true, Err: syscall.ENOSPC})
	off := l.AppendCommand(cmd("SET", "a", "1")...)
	if err := l.Wait(off); err == nil {
		t.Fatal("no error")
	}
	ff.Heal()
	waitTick(l)
	if l.LastWriteErr() != nil || l.Stats().Durable < off {
		t.Fatalf("not caught up: %+v", l.Stats())
	}
}

// TestBackgroundFsyncFailureRewrites: a failed everysec fsync may have lost
// the dirty pages; the log must write the unsynced bytes again rather than
// trust a later fsync.
func TestBackgroundFsyncFailureRewrites(t *testing.T) {
	m := vfs.NewMem()
	ff := vfs.NewFault(m)
	l := mustOpen(t, ff, "/a.aof", slowOpts(EverySec))
	defer l.Close()
	off := l.AppendCommand(cmd("SET", "a", "1")...)
	if err := l.Wait(off); err != nil {
		t.Fatal(err)
	}
	writesBefore := ff.Count(vfs.OpWrite)
	ff.Inject(vfs.Fault{Op: vfs.OpSync, Err: syscall.EIO})
	waitTick(l)
	if !errors.Is(l.LastWriteErr(), syscall.EIO) {
		t.Fatalf("LastWriteErr = %v", l.LastWriteErr())
	}
	waitTick(l) // rollback, rewrite, fsync
	if l.LastWriteErr() != nil || l.Stats().Durable < off {
		t.Fatalf("not recovered: %+v", l.Stats())
	}
	if ff.Count(vfs.OpWrite) == writesBefore {
		t.Fatal("unsynced bytes were not written again")
	}
	if got := readFile(t, m, "/a.aof"); !bytes.HasSuffix(got, frame("SET", "a", "1")) || bytes.Count(got, []byte("SET")) != 1 {
		t.Fatalf("file %q", got)
	}
}

// TestDelayedFsync: writes made while an everysec fsync is stuck are counted
// and are not blocked by it.
func TestDelayedFsync(t *testing.T) {
	m := vfs.NewMem()
	release := make(chan struct{})
	entered := make(chan struct{})
	ff := vfs.NewFault(m)
	l := mustOpen(t, ff, "/a.aof", slowOpts(EverySec))
	l.mu.Lock()
	l.stallAfter = 0 // any running fsync counts as stalled
	l.mu.Unlock()
	off := l.AppendCommand(cmd("SET", "a", "1")...)
	if err := l.Wait(off); err != nil {
		t.Fatal(err)
	}
	ff.Inject(vfs.Fault{Op: vfs.OpSync, Before: func() { close(entered); <-release }})
	done := make(chan struct{})
	go func() { l.backgroundSync(); close(done) }()
	<-entered
	// The fsync is stuck; a writer still gets its record written.
	off = l.AppendCommand(cmd("SET", "b", "2")...)
	if err := l.WaitWritten(off); err != nil {
		t.Fatal(err)
	}
	if l.Stats().DelayedFsync != 1 {
		t.Fatalf("DelayedFsync = %d", l.Stats().DelayedFsync)
	}
	close(release)
	<-done
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// Under everysec the buffer holds the records of a whole fsync interval and
// is nearly empty right after each fsync. It must keep its capacity while
// the load goes on (regrowing it every interval cost 6 % of the CPU), and
// give it back once its intervals have used little of it for bufKeep.
func TestBufferKeptAcrossCyclesThenGivenBack(t *testing.T) {
	fsys := vfs.NewMem()
	l := mustOpen(t, fsys, "appendonly.aof", slowOpts(EverySec))
	defer l.Close()
	record := frame("SET", "key", strings.Repeat("v", 100))
	burst := func(bytes int) {
		t.Helper()
		for n := 0; n < bytes; n += len(record) {
			l.Append(record)
		}
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	burst(8 << 20)
	grown := l.bufCap()
	if grown < 8<<20 {
		t.Fatalf("capacity %d after an 8 MB burst", grown)
	}
	burst(8 << 20)
	if c := l.bufCap(); c < grown {
		t.Fatalf("capacity %d after the second busy cycle, was %d: given back under load", c, grown)
	}
	// Quiet cycles within bufKeep of the last busy one keep it: a burst
	// after a pause starts with one.
	burst(len(record))
	burst(len(record))
	if c := l.bufCap(); c < grown {
		t.Fatalf("capacity %d after quiet cycles just after a busy one, was %d", c, grown)
	}
	later := time.Now().Add(bufKeep)
	l.mu.Lock()
	l.now = func() time.Time { return later }
	l.mu.Unlock()
	burst(len(record))
	if c := l.bufCap(); c >= 4<<20 {
		t.Fatalf("capacity %d after quiet cycles for %v: not given back", c, bufKeep)
	}

	// A server that goes quiet after a burst gives the buffer back too,
	// from the background tick, with no write to trigger it.
	burst(8 << 20)
	if c := l.bufCap(); c < 8<<20 {
		t.Fatalf("capacity %d after another burst", c)
	}
	l.tick() // the cycle's bytes are durable: dropped, the buffer marked busy
	muchLater := later.Add(2 * bufKeep)
	l.mu.Lock()
	l.now = func() time.Time { return muchLater }
	l.mu.Unlock()
	l.tick()
	if c := l.bufCap(); c >= 4<<20 {
		t.Fatalf("capacity %d after %v without writes: kept", c, bufKeep)
	}
}

// Under everysec the bytes waiting for the fsync stay in memory
// (invariant 5); past maxUnsynced a writer asks for the fsync at once
// rather than letting a second of writes pile up.
func TestEverysecSyncsEarlyPastMaxUnsynced(t *testing.T) {
	fsys := vfs.NewMem()
	l := mustOpen(t, fsys, "appendonly.aof", slowOpts(EverySec)) // the tick is an hour away
	defer l.Close()
	record := frame("SET", "key", strings.Repeat("v", 1000))
	var off int64
	for n := 0; n <= maxUnsynced; n += len(record) {
		off = l.Append(record)
	}
	if err := l.WaitWritten(off); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.Stats().Durable < off {
		if time.Now().After(deadline) {
			t.Fatalf("durable %d of %d after 10 s: no early fsync", l.Stats().Durable, off)
		}
		time.Sleep(time.Millisecond)
	}
	// Below the bound nothing is fsynced before the tick.
	small := l.Append(frame("SET", "k", "v"))
	if err := l.WaitWritten(small); err != nil {
		t.Fatal(err)
	}
	if st := l.Stats(); st.Durable >= small || st.Fsyncs != 1 {
		t.Fatalf("a small write was fsynced early: durable %d, written %d, fsyncs %d", st.Durable, small, st.Fsyncs)
	}
}

func (l *Log) bufCap() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return cap(l.buf)
}

// Acked is the offset up to which Wait returns at once: durable under
// always, written otherwise.
func TestAcked(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	off := l.Append(frame("SET", "a", "1"))
	if got := l.Acked(); got >= off {
		t.Fatalf("Acked = %d before any turn, record ends at %d", got, off)
	}
	if err := l.Wait(off); err != nil {
		t.Fatal(err)
	}
	if got := l.Acked(); got < off {
		t.Fatalf("Acked = %d after Wait under always (record ends at %d)", got, off)
	}
	if err := l.SetPolicy(EverySec); err != nil {
		t.Fatal(err)
	}
	off = l.Append(frame("SET", "b", "2"))
	if err := l.WaitWritten(off); err != nil {
		t.Fatal(err)
	}
	// Written, not fsynced, is what everysec acknowledges.
	if d := l.Stats().Durable; d >= off {
		t.Fatalf("durable offset %d under everysec with an hour's interval: the record (ending at %d) was fsynced", d, off)
	}
	if got := l.Acked(); got < off {
		t.Fatalf("Acked = %d under everysec with the record written (ends at %d)", got, off)
	}
}
