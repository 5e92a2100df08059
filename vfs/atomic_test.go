package vfs

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// TestWriteFileAtomicEveryFailure fails each operation of WriteFileAtomic in
// turn and checks that the old file survives (live and after a crash) and no
// temporary file is left behind.
func TestWriteFileAtomicEveryFailure(t *testing.T) {
	faults := []Fault{
		{Op: OpCreate}, {Op: OpWrite}, {Op: OpWrite, Short: true, Keep: 3, Err: syscall.ENOSPC},
		{Op: OpSync}, {Op: OpRename},
	}
	for _, ft := range faults {
		t.Run(ft.Op.String(), func(t *testing.T) {
			m := NewMem()
			m.MkdirAll("/d", 0o755)
			if err := WriteFileAtomic(m, "/d/f", writeString("old")); err != nil {
				t.Fatal(err)
			}
			f := NewFault(m, ft)
			if err := WriteFileAtomic(f, "/d/f", writeString("new content")); err == nil {
				t.Fatal("no error")
			}
			if got := mustRead(t, m, "/d/f"); got != "old" {
				t.Fatalf("old file changed: %q", got)
			}
			if names, _ := m.List("/d"); len(names) != 1 {
				t.Fatalf("temp left behind: %v", names)
			}
			m.Crash()
			if got := mustRead(t, m, "/d/f"); got != "old" {
				t.Fatalf("after crash: %q", got)
			}
		})
	}
}

func TestWriteFileAtomicDurable(t *testing.T) {
	m := NewMem()
	if err := WriteFileAtomic(m, "/f", writeString("v1")); err != nil {
		t.Fatal(err)
	}
	m.Crash()
	if got := mustRead(t, m, "/f"); got != "v1" {
		t.Fatalf("after crash: %q", got)
	}
}

func TestWriteFileAtomicCallbackError(t *testing.T) {
	m := NewMem()
	boom := errors.New("boom")
	err := WriteFileAtomic(m, "/f", func(io.Writer) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if names, _ := m.List("/"); len(names) != 0 {
		t.Fatalf("files left: %v", names)
	}
}

func TestRemoveTemps(t *testing.T) {
	m := NewMem()
	a, err := CreateAtomic(m, "/f")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, m, "/other.tmp-1", "", false)
	removed, err := RemoveTemps(m, "/f")
	if err != nil || len(removed) != 1 || removed[0] != a.TempPath() {
		t.Fatalf("RemoveTemps = %v, %v", removed, err)
	}
	if _, err := m.Stat("/other.tmp-1"); err != nil {
		t.Fatal("removed a foreign file")
	}
}

func TestDefaultFS(t *testing.T) {
	fsys := Default()
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFileAtomic(fsys, p, writeString("abc")); err != nil {
		t.Fatal(err)
	}
	f, err := fsys.OpenAppend(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write([]byte("def"))
	if err := f.Truncate(4); err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("Z"))
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, fsys, p); got != "abcdZ" {
		t.Fatalf("content %q", got)
	}
	names, err := fsys.List(dir)
	if err != nil || len(names) != 1 || names[0] != "f" {
		t.Fatalf("List = %v %v", names, err)
	}
	if _, err := fsys.Open(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("open missing: %v", err)
	}
}
