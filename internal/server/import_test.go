package server

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// kevySnapV3 builds a kevy 1.x snapshot holding string keys.
func kevySnapV3(kv map[string]string, ttl map[string]int64) []byte {
	b := []byte("KEVYSNAP\x03")
	str := func(s string) {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	for k, v := range kv {
		b = append(b, 1)
		if at, ok := ttl[k]; ok {
			b = append(b, 1)
			b = binary.LittleEndian.AppendUint64(b, uint64(at))
		} else {
			b = append(b, 0)
		}
		str(k)
		str(v)
	}
	return append(b, 0)
}

func TestImportKevy1(t *testing.T) {
	src := t.TempDir()
	future := time.Now().Add(time.Hour).UnixMilli()
	os.WriteFile(filepath.Join(src, "dump-0.rdb"), kevySnapV3(map[string]string{"a": "1", "t": "x"}, map[string]int64{"t": future}), 0o644)
	os.WriteFile(filepath.Join(src, "dump-1.rdb"), kevySnapV3(map[string]string{"b": "2"}, nil), 0o644)
	// Shard 0's log: writes after its snapshot, and a torn last frame.
	log0 := "KEVYAOF1\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nm\r\n*2\r\n$4\r\nINCR\r\n$1"
	os.WriteFile(filepath.Join(src, "aof-0.aof"), []byte(log0), 0o644)

	dest := t.TempDir()
	s, err := New(Options{Addrs: []string{"127.0.0.1:0"}, Dir: dest, AppendOnly: true, RDBChecksum: true, AOFLoadTruncated: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	n, err := s.ImportKevy1(src)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("imported %d keys, want 4 (a, t, b, s)", n)
	}
	if got, _ := os.ReadFile(filepath.Join(src, "aof-0.aof")); string(got) != log0 {
		t.Fatal("the source log was modified")
	}
	s2 := startServer(t, func(o *Options) { o.Dir = dest; o.AppendOnly = true })
	c := client(t, s2, nil)
	ctx := context.Background()
	if v := c.Get(ctx, "a").Val(); v != "2" {
		t.Fatalf("a = %q, want 2 (snapshot 1 + logged INCR)", v)
	}
	if v := c.Get(ctx, "b").Val(); v != "2" {
		t.Fatalf("b = %q", v)
	}
	if !c.SIsMember(ctx, "s", "m").Val() {
		t.Fatal("set from the log missing")
	}
	if ttl := c.TTL(ctx, "t").Val(); ttl < 59*time.Minute {
		t.Fatalf("TTL of t = %v", ttl)
	}
}
