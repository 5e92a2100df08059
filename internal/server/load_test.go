package server

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/rdb"
)

// writeSnapshot writes dump.rdb into dir with the first entries, n string
// keys k0, k1 … in database 0, then the extra entries.
func writeSnapshot(t *testing.T, dir string, first []*rdb.Entry, n int, extra ...*rdb.Entry) {
	t.Helper()
	var buf bytes.Buffer
	w, err := rdb.NewWriter(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Each of first and extra is written under its own SELECT.
	writeEach := func(es []*rdb.Entry) {
		for _, e := range es {
			if err := w.SelectDB(e.DB, 1, 0); err != nil {
				t.Fatal(err)
			}
			if err := w.WriteEntry(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeEach(first)
	if err := w.SelectDB(0, uint64(n), 0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		e := &rdb.Entry{Key: fmt.Appendf(nil, "k%d", i), Type: rdb.TypeString, Str: fmt.Appendf(nil, "v%d", i), Idle: -1, Freq: -1}
		if err := w.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	writeEach(extra)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotLoadRefusesBadKeys: a duplicate key or a key in a database
// beyond the configured ones fails the load with a message naming it, and
// the decoding goroutine of the loading pipeline ends.
func TestSnapshotLoadRefusesBadKeys(t *testing.T) {
	str := func(db int, k string) *rdb.Entry {
		return &rdb.Entry{DB: db, Key: []byte(k), Type: rdb.TypeString, Str: []byte("x"), Idle: -1, Freq: -1}
	}
	for _, tc := range []struct {
		name         string
		first, extra []*rdb.Entry
		want         string
	}{
		// Found while the decoder is still far ahead: it must stop.
		{"duplicate-early", []*rdb.Entry{str(0, "k7")}, nil, `duplicate key "k7" in database 0`},
		{"duplicate-last", nil, []*rdb.Entry{str(0, "k7")}, `duplicate key "k7" in database 0`},
		{"database", nil, []*rdb.Entry{str(20, "far")}, `key "far" is in database 20, but only 16 databases are configured`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSnapshot(t, dir, tc.first, 20*loadBatch, tc.extra...)
			before := runtime.NumGoroutine()
			s := newLoadServer(t, dir)
			err := s.Load()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load() = %v, want an error with %q", err, tc.want)
			}
			for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
				if time.Now().After(deadline) {
					t.Fatalf("%d goroutines after the failed load, %d before", runtime.NumGoroutine(), before)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}

// newLoadServer returns a server on dir, not listening, closed when the
// test ends.
func newLoadServer(t *testing.T, dir string) *Server {
	t.Helper()
	s, err := New(Options{Addrs: []string{"127.0.0.1:0"}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSnapshotLoadEveryKey: every key of a snapshot spanning many
// pipeline batches is loaded, with its value.
func TestSnapshotLoadEveryKey(t *testing.T) {
	dir := t.TempDir()
	n := 5*loadBatch + 3
	writeSnapshot(t, dir, nil, n)
	s := newLoadServer(t, dir)
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if got := s.st.KeyCount(); got != n {
		t.Fatalf("%d keys loaded, want %d", got, n)
	}
	for _, i := range []int{0, loadBatch - 1, loadBatch, n - 1} {
		e := s.st.DB(0).LookupNoStats(fmt.Appendf(nil, "k%d", i))
		if e == nil || string(e.Str()) != fmt.Sprintf("v%d", i) {
			t.Fatalf("key k%d: %v", i, e)
		}
	}
}

// TestSnapshotLoadKeyAndValueLengths: keys and string values of every size
// class round the loader's buffer and the entry's inline room (empty, short,
// exactly loadShortValue, one more, long, and keys past the inline limit)
// load intact, across several batches so buffers are reused.
func TestSnapshotLoadKeyAndValueLengths(t *testing.T) {
	dir := t.TempDir()
	var extra []*rdb.Entry
	want := map[string]string{}
	for _, kl := range []int{8, 9, 24, 25, 40, 72, 73, 200} {
		for _, vl := range []int{0, 1, 8, 40, loadShortValue - 1, loadShortValue, loadShortValue + 1, 5000} {
			k := fmt.Sprintf("%d|%d|", kl, vl) // unique, then padded to kl bytes
			k += strings.Repeat("k", max(kl-len(k), 0))
			v := strings.Repeat(string(rune('a'+vl%26)), vl)
			want[k] = v
			extra = append(extra, &rdb.Entry{Key: []byte(k), Type: rdb.TypeString, Str: []byte(v), Idle: -1, Freq: -1})
		}
	}
	writeSnapshot(t, dir, nil, 2*loadBatch+1, extra...)
	s := newLoadServer(t, dir)
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		e := s.st.DB(0).LookupNoStats([]byte(k))
		if e == nil || string(e.Str()) != v || e.Key() != k {
			t.Fatalf("key %q (%d bytes): entry %v, value of %d bytes, want %d", k, len(k), e, len(e.Str()), len(v))
		}
	}
	if got := s.st.KeyCount(); got != 2*loadBatch+1+len(want) {
		t.Fatalf("%d keys loaded, want %d", got, 2*loadBatch+1+len(want))
	}
}
