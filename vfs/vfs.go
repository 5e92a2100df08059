package vfs

import (
	"io"
	"os"
)

// FS is the set of filesystem operations persistence code may use. Names are
// slash- or OS-separated paths as accepted by package path/filepath.
type FS interface {
	// Create creates the named file, truncating it if it exists, and opens
	// it for reading and writing at offset 0.
	Create(name string) (File, error)
	// Open opens an existing file for reading.
	Open(name string) (File, error)
	// OpenAppend opens an existing file for reading and appending: every
	// Write goes to the current end of the file, also after Truncate.
	OpenAppend(name string) (File, error)
	// OpenWrite opens an existing file for reading and writing at
	// explicit offsets (WriteAt), without truncating it.
	OpenWrite(name string) (File, error)
	// OpenDir opens a directory so that it can be synced, which makes the
	// creations, renames and removals of names in it durable.
	OpenDir(name string) (File, error)
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// Remove removes the named file.
	Remove(name string) error
	// Stat describes the named file.
	Stat(name string) (os.FileInfo, error)
	// MkdirAll creates a directory and any missing parents.
	MkdirAll(dir string, perm os.FileMode) error
	// List returns the names (not paths) of the entries of dir, sorted.
	List(dir string) ([]string, error)
}

// File is an open file (or directory, for Sync only).
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	// WriteAt fails on a file opened with OpenAppend, as os.File's does.
	io.WriterAt
	io.Closer
	// Sync makes the file's data durable (fdatasync where available). For
	// a directory it makes the directory's entries durable.
	Sync() error
	// Truncate changes the file's size.
	Truncate(size int64) error
	// Stat describes the file.
	Stat() (os.FileInfo, error)
}

// Allocator is implemented by files that can reserve space ahead of the
// data: Allocate extends the file to size bytes, reading as zeros, if it is
// shorter. The OS filesystem does it with fallocate(2) on Linux, which
// makes later writes into the reserved range overwrites that fdatasync can
// persist without also writing the inode (see aof's preallocation). It
// returns an error satisfying errors.Is(err, errors.ErrUnsupported) where
// the filesystem cannot reserve space cheaply.
type Allocator interface {
	Allocate(size int64) error
}

// InlineFile is implemented by files that can be written and synced on
// the calling thread without letting the scheduler run other goroutines
// on its P meanwhile. See SyncInline and WriteAtInline.
type InlineFile interface {
	SyncInline() error
	WriteAtInline(p []byte, off int64) (int, error)
}

// SyncInline syncs f like Sync, but for a caller that has nothing better
// for its P to do than wait: with GOMAXPROCS=1 the OS file system issues
// fdatasync as a raw system call, which keeps the only P for the length of
// the disk round trip (as a single-threaded server blocks its thread),
// instead of handing the wait to a kernel worker (Sync's AIO path), whose
// wake-ups cost 3-4x the fsync itself when the CPUs are busy (measured
// here: 670-870 µs per fsync through AIO against 220 µs inline, at 50
// clients). Files without the method are synced with Sync.
func SyncInline(f File) error {
	if s, ok := f.(InlineFile); ok {
		return s.SyncInline()
	}
	return f.Sync()
}

// WriteAtInline is WriteAt for a caller that wants to leave sysmon asleep:
// with GOMAXPROCS=1 the OS file system issues pwrite as a raw system call.
// Announcing a syscall wakes a sleeping sysmon, which then polls every
// 20 µs and may hand the P to another thread mid-write; for the log's
// writes under appendfsync everysec that cost 30-40 % of the throughput
// without pipelining (kevybench, raw against announced: SET 48k vs 33k/s)
// and doubled p99.9 at a fixed rate. The price: a write that waits for the
// disk (dirty-page throttling) keeps the only P, as a single-threaded
// server's write keeps its thread.
func WriteAtInline(f File, p []byte, off int64) (int, error) {
	if s, ok := f.(InlineFile); ok {
		return s.WriteAtInline(p, off)
	}
	return f.WriteAt(p, off)
}

// ReadFile returns the whole content of the named file.
func ReadFile(fs FS, name string) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
