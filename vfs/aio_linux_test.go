//go:build linux && (amd64 || arm64)

package vfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

func requireAIO(t *testing.T) {
	t.Helper()
	if !AsyncSync() {
		t.Skip("Linux AIO is unavailable here (io_setup refused, or KEVY_NO_AIO set): Sync uses blocking fdatasync")
	}
}

// Many goroutines syncing many files at once each get their own
// completion, and the data is there afterwards.
func TestAIOSyncConcurrent(t *testing.T) {
	requireAIO(t)
	dir := t.TempDir()
	fs := Default()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := filepath.Join(dir, string(rune('a'+g)))
			f, err := fs.Create(name)
			if err != nil {
				errs <- err
				return
			}
			defer f.Close()
			for i := range 20 {
				if _, err := f.Write([]byte{byte(i)}); err != nil {
					errs <- err
					return
				}
				if err := f.Sync(); err != nil {
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
	for g := range 16 {
		b, err := os.ReadFile(filepath.Join(dir, string(rune('a'+g))))
		if err != nil {
			t.Fatal(err)
		}
		if want := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}; !bytes.Equal(b, want) {
			t.Fatalf("file %d holds %v", g, b)
		}
	}
}

// The kernel's verdict reaches the caller: a descriptor that cannot be
// synced fails with the errno, whether AIO refused it at submission or the
// blocking fallback did.
func TestAIOSyncError(t *testing.T) {
	requireAIO(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	err = datasync(w)
	if !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("datasync of a pipe: %v, want EINVAL", err)
	}
	submitted, err := getAIO().fdatasync(^uintptr(0) >> 33) // not an open descriptor
	if submitted || err != nil {
		t.Fatalf("AIO fdatasync of a bad descriptor: submitted=%v err=%v, want a refused submission", submitted, err)
	}
}
