package vfs

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// MemFS is an in-memory FS that tracks durability, for crash tests.
//
// The model, deliberately pessimistic:
//   - A file's content survives a crash only as far as the last File.Sync
//     on it (CrashTorn may keep a prefix of the bytes appended after it).
//     Truncations that were not synced are undone.
//   - A name created, renamed or removed changes the durable namespace only
//     when its directory is synced (OpenDir + Sync); a crash restores the
//     namespace as of each directory's last sync.
//   - Directories themselves are durable as soon as MkdirAll returns; kevy
//     never depends on creating a directory crash-safely.
//
// After a crash every file handle opened before it fails with os.ErrClosed.
type MemFS struct {
	mu      sync.Mutex
	files   map[string]*memNode // live namespace: clean path → file
	durable map[string]*memNode // namespace as of the last directory syncs
	dirs    map[string]bool     // existing directories (always durable)
	gen     int                 // crash generation; older handles are dead
}

// memNode is one file's content, shared by every name and handle that refer
// to it (like an inode).
type memNode struct {
	data   []byte
	synced []byte // content as of the last Sync
}

// NewMem returns an empty in-memory filesystem with the root and "." as
// existing directories.
func NewMem() *MemFS {
	return &MemFS{
		files:   make(map[string]*memNode),
		durable: make(map[string]*memNode),
		dirs:    map[string]bool{"/": true, ".": true},
	}
}

func (m *MemFS) parentExists(name string) error {
	if !m.dirs[filepath.Dir(name)] {
		return fs.ErrNotExist
	}
	return nil
}

// Create implements FS.
func (m *MemFS) Create(name string) (File, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.parentExists(name); err != nil || m.dirs[name] {
		if err == nil {
			err = fs.ErrExist
		}
		return nil, &os.PathError{Op: "create", Path: name, Err: err}
	}
	n := m.files[name]
	if n == nil {
		n = &memNode{}
		m.files[name] = n
	}
	n.data = n.data[:0:0]
	return &memFile{fs: m, node: n, name: name, gen: m.gen, write: true}, nil
}

// Open implements FS.
func (m *MemFS) Open(name string) (File, error) {
	return m.open("open", name, false)
}

// OpenAppend implements FS.
func (m *MemFS) OpenAppend(name string) (File, error) {
	return m.open("open", name, true)
}

// OpenWrite implements FS.
func (m *MemFS) OpenWrite(name string) (File, error) {
	f, err := m.open("open", name, false)
	if err != nil {
		return nil, err
	}
	f.(*memFile).write = true
	return f, nil
}

func (m *MemFS) open(op, name string, appendMode bool) (File, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.files[name]
	if n == nil {
		return nil, &os.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, node: n, name: name, gen: m.gen, write: appendMode, appendMode: appendMode}, nil
}

// OpenDir implements FS.
func (m *MemFS) OpenDir(name string) (File, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[name] {
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, name: name, gen: m.gen, dir: true}, nil
}

// Rename implements FS.
func (m *MemFS) Rename(oldname, newname string) error {
	oldname, newname = filepath.Clean(oldname), filepath.Clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.files[oldname]
	if n == nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
	}
	if err := m.parentExists(newname); err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	delete(m.files, oldname)
	m.files[newname] = n
	return nil
}

// Remove implements FS.
func (m *MemFS) Remove(name string) error {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files[name] == nil {
		return &os.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

// Stat implements FS.
func (m *MemFS) Stat(name string) (os.FileInfo, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dirs[name] {
		return memInfo{name: filepath.Base(name), dir: true}, nil
	}
	n := m.files[name]
	if n == nil {
		return nil, &os.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return memInfo{name: filepath.Base(name), size: int64(len(n.data))}, nil
}

// MkdirAll implements FS.
func (m *MemFS) MkdirAll(dir string, _ os.FileMode) error {
	dir = filepath.Clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := dir; !m.dirs[d]; d = filepath.Dir(d) {
		if m.files[d] != nil {
			return &os.PathError{Op: "mkdir", Path: d, Err: fs.ErrExist}
		}
		m.dirs[d] = true
	}
	return nil
}

// List implements FS.
func (m *MemFS) List(dir string) ([]string, error) {
	dir = filepath.Clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[dir] {
		return nil, &os.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	var names []string
	for p := range m.files {
		if filepath.Dir(p) == dir {
			names = append(names, filepath.Base(p))
		}
	}
	for p := range m.dirs {
		if p != dir && filepath.Dir(p) == dir {
			names = append(names, filepath.Base(p))
		}
	}
	slices.Sort(names)
	return names, nil
}

// SyncedSize reports how many bytes of the named file would survive a crash
// right now if its name is durable (the size at its last Sync).
func (m *MemFS) SyncedSize(name string) (int64, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.files[name]
	if n == nil {
		return 0, &os.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return int64(len(n.synced)), nil
}

// Crash simulates a power failure: only synced data and names in synced
// directories survive, and every open handle becomes invalid.
func (m *MemFS) Crash() { m.crash(nil) }

// CrashTorn is Crash, except that each surviving file also keeps a random
// prefix (chosen by a generator seeded with seed) of the bytes appended
// after its last Sync, as a torn write would leave them.
func (m *MemFS) CrashTorn(seed uint64) {
	m.crash(rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
}

func (m *MemFS) crash(rng *rand.Rand) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	// Visit names in a fixed order so a seed always tears the same way.
	names := make([]string, 0, len(m.durable))
	for p := range m.durable {
		names = append(names, p)
	}
	slices.Sort(names)
	seen := make(map[*memNode]bool)
	m.files = make(map[string]*memNode, len(names))
	for _, p := range names {
		n := m.durable[p]
		m.files[p] = n
		if seen[n] {
			continue
		}
		seen[n] = true
		keep := n.synced
		if rng != nil && len(n.data) > len(n.synced) && bytes.HasPrefix(n.data, n.synced) {
			keep = n.data[:len(n.synced)+rng.IntN(len(n.data)-len(n.synced)+1)]
		}
		n.data = bytes.Clone(keep)
		n.synced = bytes.Clone(keep)
	}
}

// syncDir makes the live entries of dir durable. Called with m.mu held.
func (m *MemFS) syncDir(dir string) {
	for p := range m.durable {
		if filepath.Dir(p) == dir && m.files[p] == nil {
			delete(m.durable, p)
		}
	}
	for p, n := range m.files {
		if filepath.Dir(p) == dir {
			m.durable[p] = n
		}
	}
}

// String lists the live files and their sizes, for test failure messages.
func (m *MemFS) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.files))
	for p := range m.files {
		names = append(names, p)
	}
	slices.Sort(names)
	var b bytes.Buffer
	for _, p := range names {
		n := m.files[p]
		fmt.Fprintf(&b, "%s: %d bytes (%d synced)\n", p, len(n.data), len(n.synced))
	}
	return b.String()
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() os.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
