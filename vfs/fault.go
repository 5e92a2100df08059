package vfs

import (
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
)

// Op names a kind of filesystem operation that a Fault can target.
type Op int

// The operations a FaultFS counts and can fail.
const (
	OpWrite    Op = iota + 1 // File.Write on a regular file
	OpSync                   // File.Sync on a regular file
	OpDirSync                // File.Sync on a directory opened with OpenDir
	OpRename                 // FS.Rename
	OpCreate                 // FS.Create
	OpRemove                 // FS.Remove
	OpTruncate               // File.Truncate
	OpOpen                   // FS.Open, FS.OpenAppend, FS.OpenWrite and FS.OpenDir
	OpAllocate               // Allocator.Allocate
	opCount
)

var opNames = [...]string{"", "write", "sync", "dirsync", "rename", "create", "remove", "truncate", "open", "allocate"}

func (o Op) String() string {
	if o > 0 && o < opCount {
		return opNames[o]
	}
	return "op?"
}

// Fault describes one injected failure.
type Fault struct {
	// Op is the kind of operation to fail.
	Op Op
	// N selects the Nth matching operation after the fault is armed
	// (1, or 0, means the very next one).
	N int
	// Err is the error returned (wrapped in an *os.PathError);
	// nil means syscall.EIO.
	Err error
	// Short makes a failing write a short one: Keep bytes (at most
	// len(p)-1) reach the file before Err is returned, as when a disk
	// fills up in the middle of a write.
	Short bool
	Keep  int
	// Sticky keeps failing every later matching operation too, until
	// Heal: a full disk rather than a single glitch.
	Sticky bool
	// Path, if set, restricts the fault to operations on names containing
	// it.
	Path string
	// Before, if set, is called (without locks held) before the selected
	// operation runs; with a nil Err and a non-nil Before the operation
	// then proceeds normally, which lets a test block or observe it.
	Before func()
}

// FaultFS wraps an FS and injects the armed faults. It also counts every
// operation by kind. It is safe for concurrent use.
type FaultFS struct {
	fs     FS
	mu     sync.Mutex
	faults []*armed
	counts [opCount]int
	fired  int
}

type armed struct {
	Fault
	seen      int
	triggered bool
}

// NewFault wraps fs with the given faults armed.
func NewFault(fs FS, faults ...Fault) *FaultFS {
	f := &FaultFS{fs: fs}
	f.Inject(faults...)
	return f
}

// Inject arms more faults; their N counts from now.
func (f *FaultFS) Inject(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ft := range faults {
		if ft.N < 1 {
			ft.N = 1
		}
		if ft.Err == nil && ft.Before == nil {
			ft.Err = syscall.EIO
		}
		f.faults = append(f.faults, &armed{Fault: ft})
	}
}

// Heal disarms every fault: the disk has recovered.
func (f *FaultFS) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// Count reports how many operations of kind op were attempted.
func (f *FaultFS) Count(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[op]
}

// Fired reports how many failures were injected so far.
func (f *FaultFS) Fired() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// hit counts one operation and returns the fault that applies to it, if any.
func (f *FaultFS) hit(op Op, name string) *Fault {
	f.mu.Lock()
	f.counts[op]++
	var hit *Fault
	for _, a := range f.faults {
		if a.Op != op || (a.Path != "" && !strings.Contains(name, a.Path)) {
			continue
		}
		a.seen++
		if a.seen == a.N || (a.Sticky && a.seen > a.N) {
			a.triggered = true
			if a.Err != nil {
				f.fired++
			}
			ft := a.Fault
			hit = &ft
			break
		}
	}
	f.mu.Unlock()
	if hit != nil && hit.Before != nil {
		hit.Before()
	}
	if hit != nil && hit.Err == nil {
		return nil
	}
	return hit
}

func (f *FaultFS) Create(name string) (File, error) {
	return f.open(OpCreate, "create", name, false, f.fs.Create)
}

func (f *FaultFS) Open(name string) (File, error) {
	return f.open(OpOpen, "open", name, false, f.fs.Open)
}

func (f *FaultFS) OpenAppend(name string) (File, error) {
	return f.open(OpOpen, "open", name, false, f.fs.OpenAppend)
}

func (f *FaultFS) OpenWrite(name string) (File, error) {
	return f.open(OpOpen, "open", name, false, f.fs.OpenWrite)
}

func (f *FaultFS) OpenDir(name string) (File, error) {
	return f.open(OpOpen, "open", name, true, f.fs.OpenDir)
}

// open fails with a pending fault of kind op, or opens name with do and
// wraps the file so that its operations can fail too.
func (f *FaultFS) open(op Op, verb, name string, dir bool, do func(string) (File, error)) (File, error) {
	if ft := f.hit(op, name); ft != nil {
		return nil, &os.PathError{Op: verb, Path: name, Err: ft.Err}
	}
	file, err := do(name)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, name: name, dir: dir}, nil
}

func (f *FaultFS) Rename(oldname, newname string) error {
	if ft := f.hit(OpRename, newname); ft != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: ft.Err}
	}
	return f.fs.Rename(oldname, newname)
}

func (f *FaultFS) Remove(name string) error {
	if ft := f.hit(OpRemove, name); ft != nil {
		return &os.PathError{Op: "remove", Path: name, Err: ft.Err}
	}
	return f.fs.Remove(name)
}

func (f *FaultFS) Stat(name string) (os.FileInfo, error) { return f.fs.Stat(name) }

func (f *FaultFS) MkdirAll(dir string, perm os.FileMode) error { return f.fs.MkdirAll(dir, perm) }

func (f *FaultFS) List(dir string) ([]string, error) { return f.fs.List(dir) }

type faultFile struct {
	File
	fs   *FaultFS
	name string
	dir  bool
}

func (f *faultFile) Write(p []byte) (int, error) {
	return f.write(p, f.File.Write)
}

// WriteAt fails like Write.
func (f *faultFile) WriteAt(p []byte, off int64) (int, error) {
	return f.write(p, func(b []byte) (int, error) { return f.File.WriteAt(b, off) })
}

// WriteAtInline fails like Write.
func (f *faultFile) WriteAtInline(p []byte, off int64) (int, error) {
	return f.write(p, func(b []byte) (int, error) { return WriteAtInline(f.File, b, off) })
}

// write applies a pending write fault to one write done by do: a short
// write keeps a prefix of p, then fails.
func (f *faultFile) write(p []byte, do func([]byte) (int, error)) (int, error) {
	ft := f.fs.hit(OpWrite, f.name)
	if ft == nil {
		return do(p)
	}
	if ft.Short && len(p) > 0 {
		keep := min(max(ft.Keep, 0), len(p)-1)
		n, err := do(p[:keep])
		if err != nil {
			return n, err
		}
		return n, &os.PathError{Op: "write", Path: f.name, Err: ft.Err}
	}
	return 0, &os.PathError{Op: "write", Path: f.name, Err: ft.Err}
}

// Allocate passes through to the wrapped file if it can allocate.
func (f *faultFile) Allocate(size int64) error {
	if ft := f.fs.hit(OpAllocate, f.name); ft != nil {
		return &os.PathError{Op: "allocate", Path: f.name, Err: ft.Err}
	}
	a, ok := f.File.(Allocator)
	if !ok {
		return &os.PathError{Op: "allocate", Path: f.name, Err: errors.ErrUnsupported}
	}
	return a.Allocate(size)
}

func (f *faultFile) Sync() error {
	op := OpSync
	if f.dir {
		op = OpDirSync
	}
	if ft := f.fs.hit(op, f.name); ft != nil {
		return &os.PathError{Op: "sync", Path: f.name, Err: ft.Err}
	}
	return f.File.Sync()
}

// SyncInline fails like Sync.
func (f *faultFile) SyncInline() error {
	if ft := f.fs.hit(OpSync, f.name); ft != nil {
		return &os.PathError{Op: "sync", Path: f.name, Err: ft.Err}
	}
	return SyncInline(f.File)
}

func (f *faultFile) Truncate(size int64) error {
	if ft := f.fs.hit(OpTruncate, f.name); ft != nil {
		return &os.PathError{Op: "truncate", Path: f.name, Err: ft.Err}
	}
	return f.File.Truncate(size)
}
