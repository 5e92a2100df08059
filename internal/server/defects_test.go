package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Regression tests for the reference's defects that live above the log
// (the others are in aof/defects_test.go and test/crash).

// Defect 6, second half: a corrupt snapshot must stop start-up instead of
// loading a prefix of it. (SAVE failures are TestSaveFailureAtEachStep.)
func TestDefect6_CorruptSnapshotRefusesToLoad(t *testing.T) {
	s := startServer(t, func(o *Options) { o.AppendOnly = false })
	ctx := context.Background()
	c := client(t, s, nil)
	for i := 0; i < 100; i++ {
		c.Set(ctx, "k"+strings.Repeat("x", i), "v", 0)
	}
	if err := c.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	dir := s.opts.Dir
	s.Close()
	path := filepath.Join(dir, "dump.rdb")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.WriteFile(path, b, 0o644)
	s2, err := New(Options{Addrs: []string{"127.0.0.1:0"}, Dir: dir, RDBChecksum: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	err = s2.Load()
	if err == nil {
		t.Fatal("a corrupt snapshot was loaded")
	}
	if !strings.Contains(err.Error(), "dump.rdb") {
		t.Fatalf("error does not name the file: %v", err)
	}
	if !s2.loading.Load() {
		t.Fatal("server left the loading state after a failed load")
	}
}

// Defect 7: a random pop must be logged as the members it removed, so a
// replay removes the same ones.
func TestDefect7_SPOPReplaysTheSameMembers(t *testing.T) {
	aofOn := func(o *Options) { o.AppendOnly = true; o.AppendFsync = "always" }
	s := startServer(t, aofOn)
	ctx := context.Background()
	c := client(t, s, nil)
	for i := 0; i < 50; i++ {
		c.SAdd(ctx, "s", i)
	}
	c.SPop(ctx, "s")
	c.SPopN(ctx, "s", 10)
	before := c.SMembers(ctx, "s").Val()
	for i := 0; i < 5; i++ {
		s = restart(t, s, aofOn)
		c = client(t, s, nil)
		after := c.SMembers(ctx, "s").Val()
		if !sameSet(before, after) {
			t.Fatalf("restart %d: set differs from what was acknowledged:\n before %v\n after  %v", i, before, after)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
		if m[x] < 0 {
			return false
		}
	}
	return true
}
