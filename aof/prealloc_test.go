package aof

import (
	"bytes"
	"errors"
	"syscall"
	"testing"

	"github.com/kevy-db/kevy/vfs"
)

func physSize(t *testing.T, fsys vfs.FS, path string) int64 {
	t.Helper()
	fi, err := fsys.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// closeTrimmed closes the log at /a.aof and checks that the file then
// ends with its records (size bytes: no zeros left) and replays as want.
func closeTrimmed(t *testing.T, l *Log, m vfs.FS, size int64, want [][][]byte) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if phys := physSize(t, m, "/a.aof"); phys != size {
		t.Fatalf("after Close the file is %d bytes, its records %d", phys, size)
	}
	got, _, err := replayAll(t, m, "/a.aof", nil)
	if err != nil || join(got) != join(want) {
		t.Fatalf("replay: %v\n%s", err, join(got))
	}
}

// The log reserves space ahead of its records, readers see only the
// records while it is open, and Close leaves no zeros behind.
func TestPreallocatedTailIsInvisible(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	want := setCmds(20)
	for _, c := range want {
		if err := l.Wait(l.AppendCommand(c...)); err != nil {
			t.Fatal(err)
		}
	}
	st := l.Stats()
	if phys := physSize(t, m, "/a.aof"); phys <= st.Size {
		t.Fatalf("file is %d bytes for %d of records: nothing preallocated", phys, st.Size)
	}
	if res, err := Check(m, "/a.aof"); err != nil || !res.Valid() || res.Size != st.Size || res.Commands != 20 {
		t.Fatalf("Check of the open log: %+v %v", res, err)
	}
	closeTrimmed(t, l, m, st.Size, want)
}

// After a crash the zeros stay; the next process appends right after the
// last record, not after the zeros, and replays everything in order.
func TestAppendAfterCrashWithPreallocation(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	for _, c := range setCmds(5) {
		if err := l.Wait(l.AppendCommand(c...)); err != nil {
			t.Fatal(err)
		}
	}
	m.Crash()
	l.Close() // the dead process's handle; its errors do not matter

	l2 := mustOpen(t, m, "/a.aof", slowOpts(Always))
	if err := l2.Wait(l2.AppendCommand(cmd("SET", "after", "crash")...)); err != nil {
		t.Fatal(err)
	}
	m.Crash()
	l2.Close()

	raw, err := vfs.ReadFile(m, "/a.aof")
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.TrimRight(raw, "\x00")
	if bytes.IndexByte(data, 0) >= 0 {
		t.Fatalf("zeros inside the records: %q", data)
	}
	got, _, err := replayAll(t, m, "/a.aof", nil)
	if err != nil || join(got) != join(append(setCmds(5), cmd("SET", "after", "crash"))) {
		t.Fatalf("replay: %v\n%s", err, join(got))
	}
}

// Zeros followed by data are not a preallocated tail: the log is corrupt
// there and loading refuses it.
func TestZerosBeforeDataAreCorrupt(t *testing.T) {
	m := vfs.NewMem()
	good := kevyFile(frame("SET", "a", "1"))
	writeRaw(t, m, "/a.aof", concat(good, make([]byte, 100), frame("SET", "b", "2")))
	_, _, err := replayAll(t, m, "/a.aof", nil)
	var rerr *RecordError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &rerr) || rerr.Offset != int64(len(good)) {
		t.Fatalf("err = %v", err)
	}
}

// A file system that cannot preallocate, or a failing fallocate (a full
// disk), leaves the log appending as before, without an error state.
func TestPreallocationFailureIsNotAWriteFailure(t *testing.T) {
	for _, e := range []error{errors.ErrUnsupported, syscall.ENOSPC} {
		m := vfs.NewMem()
		ff := vfs.NewFault(m)
		ff.Inject(vfs.Fault{Op: vfs.OpAllocate, Err: e, Sticky: true})
		l := mustOpen(t, ff, "/a.aof", slowOpts(EverySec))
		for _, c := range setCmds(3) {
			if err := l.Wait(l.AppendCommand(c...)); err != nil {
				t.Fatalf("%v: %v", e, err)
			}
		}
		st := l.Stats()
		if st.LastWriteErr != nil || physSize(t, m, "/a.aof") != st.Size {
			t.Fatalf("%v: %+v, file %d bytes", e, st, physSize(t, m, "/a.aof"))
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Under always the reservation is written as zeros. A write of them that
// fails half-way (a disk filling up) is not a write failure either: the
// records are written, the log stays out of its error state, and Close
// trims the zeros that did reach the file.
func TestZeroFillFailureIsNotAWriteFailure(t *testing.T) {
	m := vfs.NewMem()
	ff := vfs.NewFault(m)
	l := mustOpen(t, ff, "/a.aof", slowOpts(Always))
	before := ff.Count(vfs.OpAllocate)
	ff.Inject(vfs.Fault{Op: vfs.OpWrite, Err: syscall.ENOSPC, Short: true, Keep: 100})
	want := setCmds(1) // Close right after the failed turn: nothing else extends the file
	if err := l.Wait(l.AppendCommand(want[0]...)); err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	if st.LastWriteErr != nil {
		t.Fatalf("error state after a failed reservation: %v", st.LastWriteErr)
	}
	if n := ff.Count(vfs.OpAllocate) - before; n != 0 {
		t.Fatalf("%d fallocate calls under always; the space is written as zeros", n)
	}
	closeTrimmed(t, l, m, st.Size, want)
}

// A failed write inside the preallocated space is cut off like any other,
// and the next write lands right after the last good record.
func TestFailedWriteInPreallocatedSpace(t *testing.T) {
	m := vfs.NewMem()
	ff := vfs.NewFault(m)
	l := mustOpen(t, ff, "/a.aof", slowOpts(Always))
	if err := l.Wait(l.AppendCommand(cmd("SET", "a", "1")...)); err != nil {
		t.Fatal(err)
	}
	ff.Inject(vfs.Fault{Op: vfs.OpWrite, Err: syscall.EIO, Short: true, Keep: 7})
	if err := l.Wait(l.AppendCommand(cmd("SET", "b", "2")...)); !errors.Is(err, syscall.EIO) {
		t.Fatalf("err = %v", err)
	}
	if err := l.Wait(l.AppendCommand(cmd("SET", "c", "3")...)); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := replayAll(t, m, "/a.aof", nil)
	if err != nil || join(got) != "SET a 1\nSET b 2\nSET c 3\n" {
		t.Fatalf("replay: %v\n%s", err, join(got))
	}
}
