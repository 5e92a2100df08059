package vfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"testing"
)

func writeFile(t *testing.T, fsys FS, name, data string, sync bool) File {
	t.Helper()
	f, err := fsys.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func mustRead(t *testing.T, fsys FS, name string) string {
	t.Helper()
	b, err := ReadFile(fsys, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

func TestMemCrashDropsUnsyncedData(t *testing.T) {
	m := NewMem()
	f := writeFile(t, m, "/a", "hello", true)
	if err := SyncDir(m, "/"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(" world")); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, m, "/a"); got != "hello world" {
		t.Fatalf("live content %q", got)
	}
	m.Crash()
	if got := mustRead(t, m, "/a"); got != "hello" {
		t.Fatalf("after crash %q, want synced prefix", got)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("old handle after crash: %v", err)
	}
}

func TestMemCrashNeedsDirSync(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "/a", "one", true).Close()
	m.Crash()
	if _, err := m.Stat("/a"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("created file survived without dir sync: %v", err)
	}

	writeFile(t, m, "/a", "one", true).Close()
	if err := SyncDir(m, "/"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, m, "/b", "two", true).Close()
	if err := m.Rename("/b", "/a"); err != nil {
		t.Fatal(err)
	}
	m.Crash()
	if got := mustRead(t, m, "/a"); got != "one" {
		t.Fatalf("rename without dir sync survived: %q", got)
	}

	writeFile(t, m, "/b", "two", true).Close()
	if err := m.Rename("/b", "/a"); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(m, "/"); err != nil {
		t.Fatal(err)
	}
	m.Crash()
	if got := mustRead(t, m, "/a"); got != "two" {
		t.Fatalf("synced rename lost: %q", got)
	}
	if _, err := m.Stat("/b"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("old name came back: %v", err)
	}
}

func TestMemCrashTornKeepsPrefix(t *testing.T) {
	sizes := make(map[int]bool)
	for seed := uint64(0); seed < 40; seed++ {
		m := NewMem()
		f := writeFile(t, m, "/a", "base", true)
		if err := SyncDir(m, "/"); err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("0123456789"))
		m.CrashTorn(seed)
		got := mustRead(t, m, "/a")
		if !bytes.HasPrefix([]byte("base0123456789"), []byte(got)) || len(got) < 4 {
			t.Fatalf("seed %d: %q is not a prefix extending the synced data", seed, got)
		}
		sizes[len(got)] = true
	}
	if len(sizes) < 3 {
		t.Fatalf("torn crash kept too few distinct sizes: %v", sizes)
	}
}

func TestMemUnsyncedTruncateUndone(t *testing.T) {
	m := NewMem()
	f := writeFile(t, m, "/a", "abcdef", true)
	SyncDir(m, "/")
	if err := f.Truncate(2); err != nil {
		t.Fatal(err)
	}
	m.Crash()
	if got := mustRead(t, m, "/a"); got != "abcdef" {
		t.Fatalf("unsynced truncate survived: %q", got)
	}
}

func TestMemAppendAfterTruncate(t *testing.T) {
	m := NewMem()
	writeFile(t, m, "/a", "abcdef", true).Close()
	f, err := m.OpenAppend("/a")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("gh"))
	f.Truncate(3)
	f.Write([]byte("XY"))
	if got := mustRead(t, m, "/a"); got != "abcXY" {
		t.Fatalf("append after truncate: %q", got)
	}
	buf := make([]byte, 3)
	if n, err := f.ReadAt(buf, 3); n != 2 || err != io.EOF {
		t.Fatalf("ReadAt past end: %d %v", n, err)
	}
}

func TestMemListAndStat(t *testing.T) {
	m := NewMem()
	if err := m.MkdirAll("/d/e", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, m, "/d/b", "x", false).Close()
	writeFile(t, m, "/d/a", "xy", false).Close()
	names, err := m.List("/d")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "e"}; !equalStrings(names, want) {
		t.Fatalf("List = %v, want %v", names, want)
	}
	fi, err := m.Stat("/d/a")
	if err != nil || fi.Size() != 2 || fi.IsDir() {
		t.Fatalf("Stat = %v, %v", fi, err)
	}
	if _, err := m.Create("/nodir/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("create in missing dir: %v", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
