package aof

// Regression tests for the defects of the reference design
// (/work/shared/reference/README.md) that concern the log. Defects 6 (SAVE
// replying OK on failure, partial snapshot loads) and 7 (SPOP logged
// verbatim) belong to the snapshot and command layers.

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/kevy-db/kevy/vfs"
)

// Defect 1: after a torn tail, new writes were appended behind the garbage
// and lost at the next replay.
func TestDefect1_NoAppendBehindTornTail(t *testing.T) {
	m := vfs.NewMem()
	full := kevyFile(frame("SET", "a", "1"), frame("SET", "b", "2"))
	writeRaw(t, m, "/a.aof", full[:len(full)-4])
	if _, err := Open(m, "/a.aof", nil); !errors.Is(err, ErrTornTail) {
		t.Fatalf("Open appended to a torn log: %v", err)
	}
	if _, _, err := replayAll(t, m, "/a.aof", nil); err != nil {
		t.Fatal(err)
	}
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	if err := l.Wait(l.AppendCommand(cmd("SET", "c", "3")...)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{})
	if err != nil || join(got) != "SET a 1\nSET c 3\n" {
		t.Fatalf("got %q, %v", join(got), err)
	}
}

// Defect 1, live variant: a short write in the middle of a run must not
// leave half a record in front of the next good one.
func TestDefect1_ShortWriteCutBeforeNextWrite(t *testing.T) {
	m := vfs.NewMem()
	ff := vfs.NewFault(m)
	l := mustOpen(t, ff, "/a.aof", slowOpts(EverySec))
	defer l.Close()
	ff.Inject(vfs.Fault{Op: vfs.OpWrite, Short: true, Keep: 10, Err: syscall.ENOSPC})
	if err := l.Wait(l.AppendCommand(cmd("SET", "a", "1")...)); err == nil {
		t.Fatal("short write not reported")
	}
	if err := l.Wait(l.AppendCommand(cmd("SET", "b", "2")...)); err != nil {
		t.Fatal(err)
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	got, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{})
	if err != nil || join(got) != "SET a 1\nSET b 2\n" {
		t.Fatalf("got %q, %v", join(got), err)
	}
}

// Defect 2: multi-key writes were logged in a form the replayer rejected.
func TestDefect2_MultiKeyWritesReplay(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	args := cmd("MSET", "k1", "v1", "k2", "", "k3", "v\r\n3")
	if err := l.Wait(l.AppendCommand(args...)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{})
	if err != nil || len(got) != 1 || join(got) != join([][][]byte{args}) {
		t.Fatalf("got %q, %v", join(got), err)
	}
}

// Defect 3: relative TTLs were logged as given, extending them on every
// restart. The rewrite emits absolute Unix-millisecond deadlines.
func TestDefect3_RewriteWritesAbsoluteExpiry(t *testing.T) {
	var b bytes.Buffer
	w := NewRewriteWriter(&b)
	w.String([]byte("s"), []byte("v"), 1700000000123)
	w.Hash([]byte("h"), func(yield func([]byte, []byte) bool) { yield([]byte("f"), []byte("v")) }, 1700000000456)
	out := b.String()
	if !strings.Contains(out, "PXAT\r\n$13\r\n1700000000123") || !strings.Contains(out, "PEXPIREAT\r\n$1\r\nh\r\n$13\r\n1700000000456") {
		t.Fatalf("expiry not absolute: %q", out)
	}
	for _, rel := range []string{"EXPIRE\r\n", "PEXPIRE\r\n", "\r\nEX\r\n", "\r\nPX\r\n"} {
		if strings.Contains(out, rel) {
			t.Fatalf("relative expiry %q in %q", rel, out)
		}
	}
}

// Defect 4: a crash between the snapshot's rename and the log's truncation
// replayed the whole log on top of the snapshot. (TestCrashDuringHandOver
// covers every crash point; this is the named one.)
func TestDefect4_CrashBetweenSnapshotAndLogReset(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	for _, v := range []string{"a", "b"} {
		if err := l.Wait(l.AppendCommand(cmd("RPUSH", "l", v)...)); err != nil {
			t.Fatal(err)
		}
	}
	rw, err := l.BeginRewrite("snapA")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(l.AppendCommand(cmd("RPUSH", "l", "c")...)); err != nil {
		t.Fatal(err)
	}
	if err := rw.WaitPoint(); err != nil {
		t.Fatal(err)
	}
	if err := writeSnap(m, "snapA", rw.Point(), []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	m.Crash() // before rw.Commit: the log was not reset
	list, plan := load(t, m)
	if strings.Join(list, ",") != "a,b,c" || !plan.LoadSnapshot {
		t.Fatalf("list %v (plan %q): writes applied twice or lost", list, plan.Reason)
	}
}

// Defect 5: shutdown did not flush buffered bytes; with appendfsync no,
// recent writes could be lost on a clean shutdown.
func TestDefect5_CloseFlushesAndSyncs(t *testing.T) {
	for _, p := range []Policy{No, EverySec, Always} {
		m := vfs.NewMem()
		l := mustOpen(t, m, "/a.aof", slowOpts(p))
		l.AppendCommand(cmd("SET", "a", "1")...) // nobody waits
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		m.Crash()
		got, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{})
		if err != nil || join(got) != "SET a 1\n" {
			t.Fatalf("%v: got %q, %v", p, join(got), err)
		}
	}
}

// Defect 8: the directory was never fsynced after a rename, so a rewritten
// log could vanish in a crash.
func TestDefect8_RewriteRenameIsDurable(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	l.Wait(l.AppendCommand(cmd("SET", "a", "1")...))
	rw, err := l.BeginRewrite(SelfContained)
	if err != nil {
		t.Fatal(err)
	}
	NewRewriteWriter(rw).String([]byte("a"), []byte("1"), 0)
	if err := rw.Commit(); err != nil {
		t.Fatal(err)
	}
	id := l.Stats().ID
	m.Crash() // nothing synced after Commit
	mk, err := ReadMarker(m, "/a.aof")
	if err != nil || mk == nil || mk.ID != id {
		t.Fatalf("rewritten log lost in a crash: marker %+v, %v", mk, err)
	}
	// And when the directory sync fails, the log says so and retries it.
	m2 := vfs.NewMem()
	ff := vfs.NewFault(m2)
	l2 := mustOpen(t, ff, "/a.aof", slowOpts(EverySec))
	defer l2.Close()
	rw2, _ := l2.BeginRewrite(SelfContained)
	ff.Inject(vfs.Fault{Op: vfs.OpDirSync})
	var dse *vfs.DirSyncError
	if err := rw2.Commit(); !errors.As(err, &dse) || l2.LastWriteErr() == nil {
		t.Fatalf("dir sync failure not reported: %v", err)
	}
	if err := l2.Sync(); err != nil || l2.LastWriteErr() != nil {
		t.Fatalf("dir sync not retried: %v %v", err, l2.LastWriteErr())
	}
	m2.Crash()
	if mk, _ := ReadMarker(m2, "/a.aof"); mk == nil || mk.ID != rw2.ID() {
		t.Fatalf("retried dir sync not durable: %+v", mk)
	}
}

// Defect 9: a replay that met a corrupt frame in the middle still started
// the server with the prefix.
func TestDefect9_CorruptMiddleStopsLoading(t *testing.T) {
	m := vfs.NewMem()
	data := concat(kevyFile(frame("SET", "a", "1")), []byte("*2\r\n$3\r\nGET\r\n$x\r\n"), frame("SET", "b", "2"))
	writeRaw(t, m, "/a.aof", data)
	for _, opts := range []*ReplayOptions{nil, {LoadTruncated: true}, {}} {
		if _, _, err := replayAll(t, m, "/a.aof", opts); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("replay accepted a corrupt middle: %v", err)
		}
	}
	if !bytes.Equal(readFile(t, m, "/a.aof"), data) {
		t.Fatal("loading repaired the file by itself")
	}
	if _, err := Open(m, "/a.aof", nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open: %v", err)
	}
}
