package vfs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// tempMarker separates a target's base name from the random suffix of its
// temporary files: "<base>.tmp-<16 hex digits>".
const tempMarker = ".tmp-"

// DirSyncError reports that a file was renamed into place but the directory
// could not be synced afterwards: the new file is visible, but a crash may
// still bring the old one back.
type DirSyncError struct {
	Dir string
	Err error
}

func (e *DirSyncError) Error() string {
	return fmt.Sprintf("vfs: renamed into %s but the directory sync failed: %v", e.Dir, e.Err)
}

func (e *DirSyncError) Unwrap() error { return e.Err }

// AtomicFile is a file being written under a temporary name, which Commit
// moves over its target. Create it with CreateAtomic.
type AtomicFile struct {
	fs   FS
	path string
	tmp  string
	f    File
	done bool
}

// CreateAtomic starts writing a file that will replace path when committed.
// The temporary file lives in path's directory so the rename is atomic.
func CreateAtomic(fs FS, path string) (*AtomicFile, error) {
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("vfs: temp name for %s: %w", path, err)
	}
	tmp := path + tempMarker + hex.EncodeToString(rnd[:])
	f, err := fs.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("vfs: create temp for %s: %w", path, err)
	}
	return &AtomicFile{fs: fs, path: path, tmp: tmp, f: f}, nil
}

// TempPath is the temporary file's name; a caller may open it (for example
// for appending) before Commit and keep using the handle afterwards, since a
// rename does not change the file.
func (a *AtomicFile) TempPath() string { return a.tmp }

// Write appends to the temporary file.
func (a *AtomicFile) Write(p []byte) (int, error) {
	n, err := a.f.Write(p)
	if err != nil {
		err = fmt.Errorf("vfs: write %s: %w", a.tmp, err)
	}
	return n, err
}

// Sync flushes what was written so far to disk. Large files call it now and
// then while writing (as Redis's rdb-save-incremental-fsync does), so that
// the final sync in Commit has little left to do and does not stall other
// writers of the same disk behind one huge flush.
func (a *AtomicFile) Sync() error {
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("vfs: sync %s: %w", a.tmp, err)
	}
	return nil
}

// Commit syncs and closes the temporary file, renames it over the target and
// syncs the directory. If it fails before the rename, the target is
// untouched and the temporary file removed. If only the directory sync
// fails, the error is a *DirSyncError: the new file is in place but not yet
// durably so.
func (a *AtomicFile) Commit() error {
	if a.done {
		return errors.New("vfs: atomic file already finished: " + a.path)
	}
	a.done = true
	if err := a.f.Sync(); err != nil {
		a.f.Close()
		a.fs.Remove(a.tmp)
		return fmt.Errorf("vfs: sync %s: %w", a.tmp, err)
	}
	if err := a.f.Close(); err != nil {
		a.fs.Remove(a.tmp)
		return fmt.Errorf("vfs: close %s: %w", a.tmp, err)
	}
	if err := a.fs.Rename(a.tmp, a.path); err != nil {
		a.fs.Remove(a.tmp)
		return fmt.Errorf("vfs: rename %s over %s: %w", a.tmp, a.path, err)
	}
	if err := SyncDir(a.fs, filepath.Dir(a.path)); err != nil {
		return &DirSyncError{Dir: filepath.Dir(a.path), Err: err}
	}
	return nil
}

// Abort closes and removes the temporary file, leaving the target as it was.
// It is a no-op after Commit or a previous Abort.
func (a *AtomicFile) Abort() error {
	if a.done {
		return nil
	}
	a.done = true
	a.f.Close()
	if err := a.fs.Remove(a.tmp); err != nil {
		return fmt.Errorf("vfs: remove %s: %w", a.tmp, err)
	}
	return nil
}

// WriteFileAtomic replaces path with what write produces, atomically and
// durably: temp file in the same directory, write, fsync, close, rename,
// fsync the directory. On any failure before the rename the old file is
// untouched and the temporary file removed; see AtomicFile.Commit for a
// failure of the final directory sync.
func WriteFileAtomic(fs FS, path string, write func(io.Writer) error) error {
	a, err := CreateAtomic(fs, path)
	if err != nil {
		return err
	}
	if err := write(a); err != nil {
		a.Abort()
		return fmt.Errorf("vfs: writing %s: %w", path, err)
	}
	return a.Commit()
}

// SyncDir fsyncs a directory, making the names created, renamed or removed
// in it durable.
func SyncDir(fs FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

// RemoveTemps removes temporary files that CreateAtomic left next to path
// when a process died before Commit or Abort. It returns the names removed.
func RemoveTemps(fs FS, path string) ([]string, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	names, err := fs.List(dir)
	if err != nil {
		return nil, fmt.Errorf("vfs: list %s: %w", dir, err)
	}
	var removed []string
	for _, n := range names {
		if !strings.HasPrefix(n, base+tempMarker) {
			continue
		}
		p := filepath.Join(dir, n)
		if err := fs.Remove(p); err != nil {
			return removed, fmt.Errorf("vfs: remove %s: %w", p, err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}
