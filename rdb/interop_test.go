package rdb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "regenerate the golden files in testdata/ from redis-server")

const (
	goldenRDB   = "testdata/redis-7.0.15.rdb"
	goldenDumps = "testdata/redis-7.0.15-dumps.txt"
)

// entriesByKey indexes entries by db and key.
func entriesByKey(es []*Entry) map[string]*Entry {
	m := make(map[string]*Entry, len(es))
	for _, e := range es {
		m[fmt.Sprintf("%d/%s", e.DB, e.Key)] = e
	}
	return m
}

// checkSameSet compares what was read with what was stored, ignoring
// order and Idle/Freq (Redis writes neither under its default policy).
func checkSameSet(t *testing.T, want, got []*Entry) {
	t.Helper()
	w, g := entriesByKey(want), entriesByKey(got)
	for k, we := range w {
		ge, ok := g[k]
		if !ok {
			t.Errorf("key %s missing", k)
			continue
		}
		sameEntry(t, we, ge)
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("unexpected key %s", k)
		}
	}
}

// TestRedisSaveRead has Redis save every type and encoding, and reads
// its dump.rdb. With -update it also refreshes the golden files.
func TestRedisSaveRead(t *testing.T) {
	needRedis(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	s := startRedis(t, dir)
	want := sampleEntries()
	if err := populate(ctx, s, want); err != nil {
		t.Fatal(err)
	}
	c := s.client(0)
	defer c.Close()
	// Make sure the sample really exercises both encodings of each type.
	for key, enc := range map[string]string{
		"int:127": "int", "str": "embstr", "long": "raw",
		"list-small": "quicklist", "set-int16": "intset", "set-str": "hashtable",
		"set-many-ints": "hashtable", "hash-small": "listpack", "hash-long-value": "hashtable",
		"zset-small": "listpack", "zset-big": "skiplist", "zset-long-member": "skiplist",
	} {
		if got := objectEncoding(ctx, c, key); got != enc {
			t.Errorf("Redis encodes %q as %s, want %s", key, got, enc)
		}
	}
	if err := c.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	got, r := readAll(t, data)
	checkSameSet(t, want, got)
	if r.Version() != 10 || r.Aux()["redis-ver"] != "7.0.15" {
		t.Errorf("version %d aux %v", r.Version(), r.Aux())
	}

	// DUMP every key and decode it.
	var golden bytes.Buffer
	for _, e := range want {
		cdb := s.client(e.DB)
		payload, err := cdb.Dump(ctx, string(e.Key)).Result()
		cdb.Close()
		if err != nil {
			t.Fatalf("DUMP %q: %v", e.Key, err)
		}
		checkDump(t, e, []byte(payload))
		fmt.Fprintf(&golden, "%d %s %x\n", e.DB, strconv.Quote(string(e.Key)), payload)
	}
	if *update {
		if err := os.WriteFile(goldenRDB, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenDumps, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s and %s", goldenRDB, goldenDumps)
	}
}

func checkDump(t *testing.T, want *Entry, payload []byte) {
	t.Helper()
	got, err := DecodeDump(payload)
	if err != nil {
		t.Errorf("DecodeDump(%q): %v", want.Key, err)
		return
	}
	got.DB, got.Key, got.ExpireAt = want.DB, want.Key, want.ExpireAt
	sameEntry(t, want, got)
}

// TestGoldenRedisFile reads the committed file saved by Redis 7.0.15.
func TestGoldenRedisFile(t *testing.T) {
	data, err := os.ReadFile(goldenRDB)
	if err != nil {
		t.Fatalf("%v (regenerate with go test -run TestRedisSaveRead -update)", err)
	}
	got, _ := readAll(t, data)
	checkSameSet(t, sampleEntries(), got)
	sum, err := Check(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Keys != len(sampleEntries()) || !sum.ChecksumVerified {
		t.Errorf("Check summary: %+v", sum)
	}
}

// TestGoldenDumps decodes the committed DUMP payloads of Redis 7.0.15.
func TestGoldenDumps(t *testing.T) {
	f, err := os.Open(goldenDumps)
	if err != nil {
		t.Fatalf("%v (regenerate with go test -run TestRedisSaveRead -update)", err)
	}
	defer f.Close()
	want := entriesByKey(sampleEntries())
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		sp1 := strings.IndexByte(line, ' ')
		sp2 := strings.LastIndexByte(line, ' ')
		key, err := strconv.Unquote(line[sp1+1 : sp2])
		if err != nil {
			t.Fatalf("bad line %q", line)
		}
		payload, err := hex.DecodeString(line[sp2+1:])
		if err != nil {
			t.Fatal(err)
		}
		e := want[line[:sp1]+"/"+key]
		if e == nil {
			t.Fatalf("golden dump of unknown key %q", key)
		}
		checkDump(t, e, payload)
		n++
	}
	if n != len(want) {
		t.Errorf("%d golden dumps, want %d", n, len(want))
	}
}

// TestRedisLoadsOurFile writes a file, has redis-check-rdb check it and
// redis-server load it, and compares every key, value, TTL and encoding.
// It then RESTOREs EncodeDump payloads of every entry.
func TestRedisLoadsOurFile(t *testing.T) {
	needRedis(t, "redis-check-rdb")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	want := sampleEntries()
	path := filepath.Join(dir, "dump.rdb")
	if err := os.WriteFile(path, writeAll(t, want, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "redis-check-rdb", path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("RDB looks OK")) {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
	s := startRedis(t, dir)
	var got []*Entry
	for db := 0; db < 4; db++ {
		c := s.client(db)
		keys, err := c.Keys(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			e, err := fetchEntry(ctx, c, k)
			if err != nil {
				t.Fatal(err)
			}
			e.DB = db
			got = append(got, e)
		}
		c.Close()
	}
	checkSameSet(t, want, got)
	c := s.client(0)
	defer c.Close()
	for key, enc := range map[string]string{
		"int:127": "int", "list-big": "quicklist", "set-int16": "intset", "set-int64": "intset",
		"set-str": "hashtable", "hash-small": "listpack", "zset-small": "listpack",
		"zset-big": "skiplist", "hash-long-value": "hashtable",
	} {
		if got := objectEncoding(ctx, c, key); got != enc {
			t.Errorf("Redis loaded %q as %s, want %s", key, got, enc)
		}
	}

	// RESTORE our payloads under new names and read them back.
	for _, e := range want {
		payload, err := EncodeDump(e, nil)
		if err != nil {
			t.Fatal(err)
		}
		key := "restored:" + string(e.Key)
		if err := c.Restore(ctx, key, 0, string(payload)).Err(); err != nil {
			t.Fatalf("RESTORE %q: %v", key, err)
		}
		g, err := fetchEntry(ctx, c, key)
		if err != nil {
			t.Fatal(err)
		}
		g.Key = e.Key
		w := *e
		w.DB, w.ExpireAt = 0, 0
		sameEntry(t, &w, g)
	}
}

// TestDumpBytesMatchRedis compares EncodeDump with Redis's own DUMP bytes
// wherever the encoding is deterministic (not a hash table or skiplist
// with several elements, whose iteration order is Redis's own), with LZF
// off on both sides since the two compressors may pick different matches.
func TestDumpBytesMatchRedis(t *testing.T) {
	needRedis(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := startRedis(t, t.TempDir(), "--rdbcompression", "no")
	want := sampleEntries()
	if err := populate(ctx, s, want); err != nil {
		t.Fatal(err)
	}
	opts := DefaultWriterOptions()
	opts.Compress = false
	enc, _ := newEncoder(&opts)
	compared := 0
	for _, e := range want {
		typ, err := enc.valueType(e)
		if err != nil {
			t.Fatal(err)
		}
		if e.Len() > 1 && (typ == typeSet || typ == typeHash || typ == typeZSet2) {
			continue
		}
		c := s.client(e.DB)
		theirs, err := c.Dump(ctx, string(e.Key)).Result()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		ours, err := EncodeDump(e, &opts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, []byte(theirs)) {
			t.Errorf("key %q: DUMP differs: %s", e.Key, firstDiff([]byte(theirs), ours))
		}
		compared++
	}
	if compared < len(want)/2 {
		t.Errorf("compared only %d of %d payloads", compared, len(want))
	}
}

// firstDiff describes where two byte strings first differ.
func firstDiff(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	ctx := func(b []byte) []byte { return b[max(i-8, 0):min(i+24, len(b))] }
	return fmt.Sprintf("lengths %d/%d, first difference at byte %d:\nwant ...%x\n got ...%x", len(want), len(got), i, ctx(want), ctx(got))
}

// TestRedisIdleFreq checks the IDLE and FREQ opcodes both ways: Redis
// applies what we write under the matching maxmemory-policy, and what it
// writes under that policy reaches Entry.Idle / Entry.Freq.
func TestRedisIdleFreq(t *testing.T) {
	needRedis(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct {
		policy string
		entry  Entry
		query  string
		want   int64
	}{
		{"allkeys-lru", Entry{Key: []byte("k"), Type: TypeString, Str: []byte("v"), Idle: 5000, Freq: -1}, "IDLETIME", 5000},
		{"allkeys-lfu", Entry{Key: []byte("k"), Type: TypeString, Str: []byte("v"), Idle: -1, Freq: 77}, "FREQ", 77},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), writeAll(t, []*Entry{&tc.entry}, nil), 0o644); err != nil {
			t.Fatal(err)
		}
		s := startRedis(t, dir, "--maxmemory-policy", tc.policy)
		c := s.client(0)
		got, err := c.Do(ctx, "OBJECT", tc.query, "k").Int64()
		// IDLETIME advances with the clock; allow a few seconds.
		if err != nil || got < tc.want || got > tc.want+5 {
			t.Errorf("%s: OBJECT %s = %d, %v; want %d", tc.policy, tc.query, got, err, tc.want)
		}
		if err := c.Save(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		c.Close()
		data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
		if err != nil {
			t.Fatal(err)
		}
		es, _ := readAll(t, data)
		if len(es) != 1 {
			t.Fatalf("%d entries", len(es))
		}
		if v := max(es[0].Idle, int64(es[0].Freq)); v < tc.want || v > tc.want+5 {
			t.Errorf("%s: read back idle %d freq %d, want %d", tc.policy, es[0].Idle, es[0].Freq, tc.want)
		}
		s.stop()
	}
}
