//go:build linux

package vfs

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// The inline (raw pwrite) path writes where asked, past the end too, and
// reports the kernel's errors, like WriteAt.
func TestOSWriteAtInline(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	name := filepath.Join(t.TempDir(), "f")
	fs := Default()
	f, err := fs.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("hello world")); err != nil {
		t.Fatal(err)
	}
	if n, err := WriteAtInline(f, []byte("W"), 6); n != 1 || err != nil {
		t.Fatalf("WriteAtInline = %d, %v", n, err)
	}
	if n, err := WriteAtInline(f, []byte("!"), 13); n != 1 || err != nil {
		t.Fatalf("WriteAtInline past the end = %d, %v", n, err)
	}
	if _, err := WriteAtInline(f, []byte("x"), -1); err == nil {
		t.Fatal("WriteAtInline at a negative offset succeeded")
	}
	f.Close()
	if b, _ := os.ReadFile(name); string(b) != "hello World\x00\x00!" {
		t.Fatalf("file holds %q", b)
	}
	ro, err := fs.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := WriteAtInline(ro, []byte("x"), 0); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("WriteAtInline on a read-only file: %v, want EBADF", err)
	}
}

// Allocate reserves space that reads as zeros and never shrinks a file.
func TestOSAllocate(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	f, err := Default().Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write([]byte("abc"))
	a := f.(Allocator)
	if err := a.Allocate(1 << 20); errors.Is(err, errors.ErrUnsupported) {
		t.Skip("this file system cannot preallocate")
	} else if err != nil {
		t.Fatal(err)
	}
	if err := a.Allocate(10); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(name)
	if len(b) != 1<<20 || string(b[:3]) != "abc" || b[3] != 0 || b[len(b)-1] != 0 {
		t.Fatalf("after Allocate the file is %d bytes starting %q", len(b), b[:4])
	}
}

// SyncInline works with one P (raw fdatasync) and with several, and
// reports the kernel's errors.
func TestOSSyncInline(t *testing.T) {
	f, err := Default().Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		f.Write([]byte("x"))
		err := SyncInline(f)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatalf("GOMAXPROCS=%d: %v", procs, err)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	prev := runtime.GOMAXPROCS(1)
	err = datasyncInline(w)
	runtime.GOMAXPROCS(prev)
	if !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("inline fdatasync of a pipe: %v, want EINVAL", err)
	}
}
