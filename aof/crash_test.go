package aof

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kevy-db/kevy/vfs"
)

// killFS models a process that dies at its Nth mutating file operation:
// the in-memory FS crashes right there (dropping what was not synced), and
// every later operation of the dead process fails. A restart then uses the
// MemFS directly.
type killFS struct {
	m    *vfs.MemFS
	at   int
	torn bool
	mu   sync.Mutex
	n    int
	dead bool
}

var errKilled = errors.New("process killed")

func (k *killFS) step(mutating bool) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return errKilled
	}
	if !mutating {
		return nil
	}
	k.n++
	if k.n == k.at {
		k.dead = true
		if k.torn {
			k.m.CrashTorn(uint64(k.at))
		} else {
			k.m.Crash()
		}
		return errKilled
	}
	return nil
}

func (k *killFS) wrap(f vfs.File, err error) (vfs.File, error) {
	if err != nil {
		return nil, err
	}
	return &killFile{File: f, k: k}, nil
}

func (k *killFS) Create(name string) (vfs.File, error) {
	if err := k.step(true); err != nil {
		return nil, err
	}
	return k.wrap(k.m.Create(name))
}
func (k *killFS) Open(name string) (vfs.File, error) {
	if err := k.step(false); err != nil {
		return nil, err
	}
	return k.wrap(k.m.Open(name))
}
func (k *killFS) OpenAppend(name string) (vfs.File, error) {
	if err := k.step(false); err != nil {
		return nil, err
	}
	return k.wrap(k.m.OpenAppend(name))
}
func (k *killFS) OpenWrite(name string) (vfs.File, error) {
	if err := k.step(false); err != nil {
		return nil, err
	}
	return k.wrap(k.m.OpenWrite(name))
}
func (k *killFS) OpenDir(name string) (vfs.File, error) {
	if err := k.step(false); err != nil {
		return nil, err
	}
	return k.wrap(k.m.OpenDir(name))
}
func (k *killFS) Rename(a, b string) error {
	if err := k.step(true); err != nil {
		return err
	}
	return k.m.Rename(a, b)
}
func (k *killFS) Remove(name string) error {
	if err := k.step(true); err != nil {
		return err
	}
	return k.m.Remove(name)
}
func (k *killFS) Stat(name string) (os.FileInfo, error) {
	if err := k.step(false); err != nil {
		return nil, err
	}
	return k.m.Stat(name)
}
func (k *killFS) MkdirAll(dir string, perm os.FileMode) error { return k.m.MkdirAll(dir, perm) }
func (k *killFS) List(dir string) ([]string, error) {
	if err := k.step(false); err != nil {
		return nil, err
	}
	return k.m.List(dir)
}

type killFile struct {
	vfs.File
	k *killFS
}

func (f *killFile) Write(p []byte) (int, error) {
	if err := f.k.step(true); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}
func (f *killFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.k.step(true); err != nil {
		return 0, err
	}
	return f.File.WriteAt(p, off)
}
func (f *killFile) Allocate(size int64) error {
	if err := f.k.step(true); err != nil {
		return err
	}
	return f.File.(vfs.Allocator).Allocate(size)
}
func (f *killFile) Sync() error {
	if err := f.k.step(true); err != nil {
		return err
	}
	return f.File.Sync()
}
func (f *killFile) Truncate(n int64) error {
	if err := f.k.step(true); err != nil {
		return err
	}
	return f.File.Truncate(n)
}
func (f *killFile) Read(p []byte) (int, error) {
	if err := f.k.step(false); err != nil {
		return 0, err
	}
	return f.File.Read(p)
}
func (f *killFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.k.step(false); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

// The test snapshot format: one line "snap-id aof-id aof-offset", then the
// list's elements, comma-separated.
const snapPath = "/dump"

func writeSnap(fsys vfs.FS, id string, p Point, list []string) error {
	return vfs.WriteFileAtomic(fsys, snapPath, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s %s %d\n%s", id, p.LogID, p.Size, strings.Join(list, ","))
		return err
	})
}

// load is the test server's startup: snapshot and log through Plan.
func load(t *testing.T, fsys vfs.FS) ([]string, LoadPlan) {
	t.Helper()
	var snap *SnapInfo
	var snapList []string
	if b, err := vfs.ReadFile(fsys, snapPath); err == nil {
		head, body, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(head)
		off, _ := strconv.ParseInt(f[2], 10, 64)
		snap = &SnapInfo{Path: snapPath, SnapID: f[0], AOFID: f[1], AOFOffset: off}
		if body != "" {
			snapList = strings.Split(body, ",")
		}
	}
	mk, err := ReadMarker(fsys, "/a.aof")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Plan(snap, mk)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var list []string
	if plan.LoadSnapshot {
		list = slices.Clone(snapList)
	}
	if plan.ReplayLog {
		_, err := Replay(fsys, "/a.aof", &ReplayOptions{LoadTruncated: true, StartOffset: plan.ReplayFrom}, func(args [][]byte) error {
			switch strings.ToUpper(string(args[0])) {
			case "RPUSH":
				for _, a := range args[2:] {
					list = append(list, string(a))
				}
			case "SELECT":
			default:
				return fmt.Errorf("unexpected command %q", args[0])
			}
			return nil
		})
		if err != nil {
			t.Fatalf("replay (plan %+v): %v", plan, err)
		}
	}
	return list, plan
}

// handOverScenario runs the steps of a snapshot hand-over (snapshot=true)
// or a rewrite, appending numbered RPUSHes throughout under policy always.
// It returns how many appends were acknowledged (Wait returned nil), and
// how many were attempted, before the process died (or all of them).
func handOverScenario(fsys vfs.FS, snapshot bool) (acked, tried int) {
	l, err := Open(fsys, "/a.aof", slowOpts(Always))
	if err != nil {
		return 0, 0
	}
	defer l.Close()
	var list []string
	add := func(n int) error {
		for range n {
			v := strconv.Itoa(tried)
			tried++
			if err := l.Wait(l.AppendCommand(cmd("RPUSH", "l", v)...)); err != nil {
				return err
			}
			list = append(list, v)
			acked++
		}
		return nil
	}
	if add(5) != nil {
		return
	}
	base := SelfContained
	if snapshot {
		base = "snap" + strconv.Itoa(tried)
	}
	rw, err := l.BeginRewrite(base)
	if err != nil {
		return
	}
	view := slices.Clone(list)
	if add(3) != nil {
		return
	}
	if !snapshot {
		NewRewriteWriter(rw).List([]byte("l"), func(yield func([]byte) bool) {
			for _, v := range view {
				if !yield([]byte(v)) {
					return
				}
			}
		}, 0)
	}
	if rw.CatchUp() != nil || add(2) != nil {
		return
	}
	if snapshot {
		if rw.WaitPoint() != nil || writeSnap(fsys, base, rw.Point(), view) != nil {
			return
		}
	}
	l.AppendCommand(cmd("RPUSH", "l", strconv.Itoa(tried))...) // buffered at Commit
	tried++
	if rw.Commit() != nil {
		return
	}
	acked++ // Commit made it durable
	add(3)
	return
}

// TestCrashDuringHandOver kills the process at every mutating file
// operation of a rewrite and of a snapshot hand-over (once dropping all
// unsynced data, once keeping a torn prefix of it). After the restart every
// acknowledged record must be present exactly once, in order, and nothing
// that was never appended; then the log must accept appends again.
func TestCrashDuringHandOver(t *testing.T) {
	for _, snapshot := range []bool{false, true} {
		for _, torn := range []bool{false, true} {
			name := fmt.Sprintf("snapshot=%v/torn=%v", snapshot, torn)
			t.Run(name, func(t *testing.T) {
				for at := 1; ; at++ {
					m := vfs.NewMem()
					k := &killFS{m: m, at: at, torn: torn}
					acked, tried := handOverScenario(k, snapshot)
					list, plan := load(t, m)
					want := make([]string, 0, tried)
					for i := range tried {
						want = append(want, strconv.Itoa(i))
					}
					if len(list) < acked || len(list) > tried || !slices.Equal(list, want[:len(list)]) {
						t.Fatalf("killed at op %d (acked %d of %d, plan %q): list %v", at, acked, tried, plan.Reason, list)
					}
					// The restarted server keeps working.
					l, err := Open(m, "/a.aof", &Options{Policy: Always, Base: plan.Base, SyncInterval: 1 << 40})
					if err != nil {
						t.Fatalf("killed at op %d: reopen: %v", at, err)
					}
					if err := l.Wait(l.AppendCommand(cmd("RPUSH", "l", "new")...)); err != nil {
						t.Fatal(err)
					}
					l.Close()
					m.Crash()
					again, _ := load(t, m)
					if !slices.Equal(again, append(list, "new")) {
						t.Fatalf("killed at op %d: after restart and one append: %v, want %v", at, again, append(list, "new"))
					}
					if !k.dead {
						t.Logf("%d crash points", at-1)
						return
					}
				}
			})
		}
	}
}

// TestCrashDuringAppends kills a writer at every operation of a run of
// grouped appends under each policy, with torn writes.
func TestCrashDuringAppends(t *testing.T) {
	for _, p := range []Policy{Always, EverySec, No} {
		for at := 1; ; at++ {
			m := vfs.NewMem()
			k := &killFS{m: m, at: at, torn: true}
			acked, tried := 0, 0
			if l, err := Open(k, "/a.aof", slowOpts(p)); err == nil {
				for i := range 12 {
					off := l.AppendCommand(cmd("RPUSH", "l", strconv.Itoa(i))...)
					tried++
					if i%3 != 2 {
						continue // three records per group
					}
					if l.WaitDurable(off) != nil {
						break
					}
					acked = tried
				}
				l.Close()
			}
			list, _ := load(t, m)
			if len(list) < acked || len(list) > tried {
				t.Fatalf("%v killed at %d: %d records, acked %d of %d", p, at, len(list), acked, tried)
			}
			for i, v := range list {
				if v != strconv.Itoa(i) {
					t.Fatalf("%v killed at %d: list %v", p, at, list)
				}
			}
			if !k.dead {
				break
			}
		}
	}
}
