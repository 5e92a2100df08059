//go:build linux

package vfs

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"unsafe"
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

// Allocate must leave written blocks, not fallocate's unwritten extents:
// the first write into an unwritten block converts its extent, a metadata
// change every following fdatasync would pay for (sync_linux.go). Checked
// with FIEMAP where the file system supports it.
func TestOSAllocateWritesBlocks(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	f, err := Default().Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.(Allocator).Allocate(256 << 10); err != nil {
		t.Fatal(err)
	}
	flags, err := extentFlags(f.(osFile).File)
	if err != nil {
		t.Skipf("no FIEMAP here: %v", err)
	}
	if len(flags) == 0 {
		t.Fatal("FIEMAP found no extents after Allocate and a sync")
	}
	const unwritten = 0x800 // FIEMAP_EXTENT_UNWRITTEN
	for i, fl := range flags {
		if fl&unwritten != 0 {
			t.Fatalf("extent %d of %d is unwritten (flags %#x)", i, len(flags), fl)
		}
	}
}

// extentFlags returns the flags of the file's extents (FS_IOC_FIEMAP with
// FIEMAP_FLAG_SYNC, so delayed allocation is resolved first).
func extentFlags(f *os.File) ([]uint32, error) {
	const (
		fsIocFiemap    = 0xC020660B
		fiemapFlagSync = 1
		maxExtents     = 64
		headerSize     = 32
		extentSize     = 56
	)
	buf := make([]byte, headerSize+maxExtents*extentSize)
	binary.LittleEndian.PutUint64(buf[8:], ^uint64(0)) // fm_length: whole file
	binary.LittleEndian.PutUint32(buf[16:], fiemapFlagSync)
	binary.LittleEndian.PutUint32(buf[24:], maxExtents)
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), fsIocFiemap, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
		return nil, e
	}
	n := binary.LittleEndian.Uint32(buf[20:])
	flags := make([]uint32, 0, n)
	for i := range min(n, maxExtents) {
		flags = append(flags, binary.LittleEndian.Uint32(buf[headerSize+int(i)*extentSize+40:]))
	}
	return flags, nil
}
