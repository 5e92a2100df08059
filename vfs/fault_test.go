package vfs

import (
	"errors"
	"io"
	"syscall"
	"testing"
)

func TestFaultNthWrite(t *testing.T) {
	m := NewMem()
	f := NewFault(m, Fault{Op: OpWrite, N: 2, Err: syscall.ENOSPC})
	file, err := f.Create("/a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := file.Write([]byte("one")); err != nil {
		t.Fatal(err)
	}
	if _, err := file.Write([]byte("two")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("second write: %v, want ENOSPC", err)
	}
	if _, err := file.Write([]byte("three")); err != nil {
		t.Fatalf("non-sticky fault fired again: %v", err)
	}
	if got := mustRead(t, m, "/a"); got != "onethree" {
		t.Fatalf("content %q", got)
	}
	if f.Count(OpWrite) != 3 || f.Fired() != 1 {
		t.Fatalf("counts: writes %d fired %d", f.Count(OpWrite), f.Fired())
	}
}

func TestFaultShortWriteStickyAndHeal(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	file, _ := f.Create("/a")
	f.Inject(Fault{Op: OpWrite, Short: true, Keep: 2, Sticky: true, Err: syscall.ENOSPC})
	n, err := file.Write([]byte("abcdef"))
	if n != 2 || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("short write = %d, %v", n, err)
	}
	if _, err := file.Write([]byte("x")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("sticky fault did not repeat: %v", err)
	}
	f.Heal()
	if _, err := file.Write([]byte("gh")); err != nil {
		t.Fatalf("after heal: %v", err)
	}
	if got := mustRead(t, m, "/a"); got != "abgh" {
		t.Fatalf("content %q", got)
	}
}

func TestFaultSyncRenameDirSync(t *testing.T) {
	for _, op := range []Op{OpSync, OpRename, OpDirSync, OpCreate} {
		t.Run(op.String(), func(t *testing.T) {
			m := NewMem()
			f := NewFault(m, Fault{Op: op})
			err := WriteFileAtomic(f, "/a", func(w io.Writer) error {
				_, err := w.Write([]byte("data"))
				return err
			})
			if !errors.Is(err, syscall.EIO) {
				t.Fatalf("err = %v, want EIO", err)
			}
			var dse *DirSyncError
			if errors.As(err, &dse) != (op == OpDirSync) {
				t.Fatalf("DirSyncError = %v for %v", errors.As(err, &dse), op)
			}
		})
	}
}

func TestFaultPathFilter(t *testing.T) {
	m := NewMem()
	f := NewFault(m, Fault{Op: OpCreate, Path: "snap", Sticky: true})
	if _, err := f.Create("/log"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Create("/snap.rdb"); err == nil {
		t.Fatal("filtered fault did not fire")
	}
}

func TestFaultBeforeHook(t *testing.T) {
	m := NewMem()
	called := 0
	f := NewFault(m, Fault{Op: OpSync, Before: func() { called++ }})
	file, _ := f.Create("/a")
	if err := file.Sync(); err != nil {
		t.Fatalf("hook-only fault failed the op: %v", err)
	}
	if called != 1 {
		t.Fatalf("hook called %d times", called)
	}
}
