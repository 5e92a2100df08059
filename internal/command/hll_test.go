package command

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/internal/store"
)

// The expected values below were produced by redis-server 7.0.15: the
// elements e0 … e<n-1> added one PFADD at a time, then PFCOUNT, then the
// SHA-256 of GET (the value with its cached cardinality).

// pfaddRange adds the elements prefix<from> … prefix<to-1>, a thousand per
// call.
func (te *testEnv) pfaddRange(key, prefix string, from, to int) {
	te.t.Helper()
	for i := from; i < to; i += 1000 {
		args := []string{"PFADD", key}
		for j := i; j < min(i+1000, to); j++ {
			args = append(args, fmt.Sprintf("%s%d", prefix, j))
		}
		if r := te.do(args...); r != ":1\r\n" && r != ":0\r\n" {
			te.t.Fatalf("PFADD: %q", r)
		}
	}
}

// valueHash is the SHA-256 of a string key's value, hex.
func (te *testEnv) valueHash(key string) string {
	te.t.Helper()
	e := te.st.DB(0).Peek([]byte(key))
	if e == nil {
		te.t.Fatalf("%s: no such key", key)
	}
	sum := sha256.Sum256(e.Str())
	return hex.EncodeToString(sum[:])
}

func TestHLLCountsAndBytesAsRedis(t *testing.T) {
	cases := []struct {
		n      int
		count  int
		strlen int
		sha    string
	}{
		{1, 1, 21, "ccda8ba82764c30e591077812417c1f3a165c993cdaba7a6c5c185325d6745c5"},
		{100, 100, 285, "aebee27e50c672722325ed27d2acb1011cc7138f9a0f43d52abc23308a822a44"},
		{10000, 9973, 12304, "c44e2d26f9f332c8f4369b82fc1a4a99449b59ddf9337f9680ccdd66872ca7b5"},
		{100000, 100853, 12304, "548dba672576d8a299d51943c2728e21beda0aea57391bd87567dba08eed8e4e"},
		{1000000, 991657, 12304, "9a4c3b1fc4651eeeaa0333e9a4b1c5bdec1f002a185b11590d97d312ad7c535b"},
	}
	te := newTestEnv(t)
	for _, c := range cases {
		if testing.Short() && c.n > 100000 {
			continue
		}
		key := fmt.Sprintf("k%d", c.n)
		te.pfaddRange(key, "e", 0, c.n)
		te.expect("PFCOUNT "+key, fmt.Sprintf(":%d\r\n", c.count))
		te.expect("PFADD "+key, ":0\r\n")
		te.expect("STRLEN "+key, fmt.Sprintf(":%d\r\n", c.strlen))
		if got := te.valueHash(key); got != c.sha {
			t.Errorf("%s: value sha256 %s, Redis's %s", key, got, c.sha)
		}
	}
	// The empty set: a missing key counts 0; PFADD without elements
	// creates the empty sparse value (18 bytes, cache stale).
	te.expect("PFCOUNT k0", ":0\r\n")
	te.expect("PFADD k0", ":1\r\n")
	te.expect("GET k0", "$18\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\r\n")
	te.expect("PFCOUNT k0", ":0\r\n")
	te.expect("GET k0", "$18\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff\r\n")
}

func TestHLLPromotion(t *testing.T) {
	te := newTestEnv(t)
	// Redis promotes at the 1684th element e0…, from exactly 3000 bytes.
	te.pfaddRange("p", "e", 0, 1683)
	te.expect("STRLEN p", ":3000\r\n")
	te.expect("PFDEBUG ENCODING p", "+sparse\r\n")
	te.expect("PFADD p e1683", ":1\r\n")
	te.expect("STRLEN p", ":12304\r\n")
	te.expect("PFDEBUG ENCODING p", "+dense\r\n")

	// hll-sparse-max-bytes 30: four elements fit in exactly 30 bytes.
	te.e.Limits.HLLSparseMaxBytes = 30
	te.expect("PFADD k2 a b c d", ":1\r\n")
	te.expect("STRLEN k2", ":30\r\n")
	te.expect("PFADD k2 e", ":1\r\n")
	te.expect("STRLEN k2", ":12304\r\n")
	te.expect("PFCOUNT k2", ":5\r\n")
}

func TestHLLMergeAsRedis(t *testing.T) {
	te := newTestEnv(t)
	te.pfaddRange("k100", "e", 0, 100)
	te.pfaddRange("k10000", "e", 0, 10000)
	te.pfaddRange("s2", "f", 0, 200)
	// Sparse with sparse stays sparse (Redis 7.0 promotes only for a
	// dense input or past hll-sparse-max-bytes).
	te.expect("PFMERGE m1 k100 s2", "+OK\r\n")
	te.expect("STRLEN m1", ":699\r\n")
	if got := te.valueHash("m1"); got != "728f325e4bd8c020e27aa0f3c1aaf502f04b81e5e5b45e33a483be7236a6c9ee" {
		t.Errorf("m1 bytes differ from Redis's: %s", got)
	}
	te.expect("PFCOUNT m1", ":300\r\n")
	if got := te.valueHash("m1"); got != "1ba0eb8a056379c4ead791465a3976955a32b28b27e1d69ef001e5213e8cb03d" {
		t.Errorf("m1 bytes after PFCOUNT differ from Redis's: %s", got)
	}
	// Sparse with dense: dense.
	te.expect("PFMERGE m2 k100 k10000", "+OK\r\n")
	te.expect("STRLEN m2", ":12304\r\n")
	te.expect("PFCOUNT m2", ":9973\r\n")
	if got := te.valueHash("m2"); got != "c44e2d26f9f332c8f4369b82fc1a4a99449b59ddf9337f9680ccdd66872ca7b5" {
		t.Errorf("m2 bytes differ from Redis's: %s", got)
	}
	// The union count writes nothing.
	te.expect("PFCOUNT k100 s2 k10000", ":10175\r\n")
	te.expect("PFCOUNT k100 nokey", ":100\r\n")
}

func TestHLLErrors(t *testing.T) {
	te := newTestEnv(t)
	te.expect("SET s foo", "+OK\r\n")
	te.expect("PFADD s x", "-"+errNotHLL+"\r\n")
	te.expect("PFCOUNT s", "-"+errNotHLL+"\r\n")
	te.expect("LPUSH l a", ":1\r\n")
	te.expect("PFADD l a", "-"+ErrWrongType+"\r\n")
	te.expect("PFMERGE d l", "-"+ErrWrongType+"\r\n")
	te.expect("EXISTS d", ":0\r\n")
	// A sparse value covering 16383 registers: PFADD may still find its
	// register (as Redis, which checks only the opcodes it walks), the
	// count and the merge see the whole value and refuse it.
	te.do("SET", "c", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe")
	te.expect("PFCOUNT c", "-"+errCorruptHLL+"\r\n")
	te.expect("PFMERGE z c", "-"+errCorruptHLL+"\r\n")
	te.expect("PFADD c a", ":1\r\n")
	te.expect("GET c", "$21\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80q\xa6\x84NV\r\n")
	// Too short, wrong encoding, dense of the wrong size.
	te.do("SET", "w", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	te.expect("PFCOUNT w", "-"+errNotHLL+"\r\n")
	te.do("SET", "w", "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff")
	te.expect("PFCOUNT w", "-"+errNotHLL+"\r\n")
	te.do("SET", "w", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff")
	te.expect("PFCOUNT w", "-"+errNotHLL+"\r\n")
	te.expect("PFDEBUG ENCODING nokey", "-ERR The specified key does not exist\r\n")
	te.expect("PFDEBUG foo c", "-ERR Unknown PFDEBUG subcommand 'foo'\r\n")
	te.expect("PFSELFTEST", "+OK\r\n")
}

// TestHLLLogReplaysBytes replays the log of a mixed workload into an engine
// with another hll-sparse-max-bytes: every value must come back byte for
// byte, caches included, which the records' choice (hll.go) guarantees.
func TestHLLLogReplaysBytes(t *testing.T) {
	te := newTestEnv(t)
	te.e.Limits.HLLSparseMaxBytes = 200
	te.pfaddRange("a", "x", 0, 30)
	te.pfaddRange("b", "y", 0, 2000) // promoted
	te.expect("PFCOUNT a", ":30\r\n")
	te.pfaddRange("b", "z", 0, 10)
	te.expect("PFMERGE c a", "+OK\r\n")
	te.expect("PFMERGE d a b", "+OK\r\n")
	te.expect("MULTI", "+OK\r\n")
	te.expect("PFADD a q1 q2", "+QUEUED\r\n")
	te.expect("PFCOUNT a b", "+QUEUED\r\n")
	te.expect("PFCOUNT b", "+QUEUED\r\n")
	te.cmd("EXEC")
	te.pfaddRange("c", "w", 0, 100) // promoted during the batch
	te.expect("PFCOUNT a", ":32\r\n")
	te.expect("PFCOUNT a", ":32\r\n") // cache valid: no record
	te.expect("PFDEBUG TODENSE a", ":1\r\n")
	log := te.log()
	if !strings.Contains(log, "PFADD") || !strings.Contains(log, "KEEPTTL") || !strings.Contains(log, "PFCOUNT") {
		t.Fatalf("expected PFADD (dense), SET … KEEPTTL (sparse) and PFCOUNT records:\n%q", log)
	}
	want := dumpKeys(te)
	lim := DefaultEncodingLimits()
	lim.HLLSparseMaxBytes = 10000
	if got := dumpKeys(replayInto(t, []byte(log), lim)); got != want {
		t.Fatal("replayed HLL values differ from the live ones")
	}
}

func TestHLLWatch(t *testing.T) {
	te := newTestEnv(t)
	te.expect("PFADD h a b c", ":1\r\n")
	te.expect("PFCOUNT h", ":3\r\n")
	// Changing nothing (no new register, cache valid) leaves WATCH alone.
	te.expect("WATCH h", "+OK\r\n")
	te.expect("PFADD h a", ":0\r\n")
	te.expect("PFCOUNT h", ":3\r\n")
	te.expect("MULTI", "+OK\r\n")
	te.expect("PING", "+QUEUED\r\n")
	te.expect("EXEC", "*1\r\n+PONG\r\n")
	// A new register does, and so does a PFCOUNT that refreshes the cache.
	for _, cmd := range []string{"PFADD h d", "PFCOUNT h"} {
		te.expect("WATCH h", "+OK\r\n")
		te.cmd(cmd)
		te.expect("MULTI", "+OK\r\n")
		te.expect("PING", "+QUEUED\r\n")
		te.expect("EXEC", "*-1\r\n") // PFADD left the cache stale for PFCOUNT
	}
}

// TestSparseAddMatchesDense checks the sparse editor against the dense
// form on random registers, ranks and thresholds: same registers always,
// and the sparse opcodes always cover exactly 16384 registers.
func TestSparseAddMatchesDense(t *testing.T) {
	seed := uint64(1)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	for round := 0; round < 50; round++ {
		v := newSparseHLL(0)
		d, _ := sparseToDense(v)
		limit := 20 + next(400)
		for i := 0; i < 400; i++ {
			index := next(64) + 64*next(3) // clustered: exercises VAL merges
			rank := uint8(1 + next(40))
			var err error
			if v, _, err = hllAdd(v, index, rank, limit); err != nil {
				t.Fatal(err)
			}
			denseAdd(d[hllHdrSize:], index, rank)
			if v[4] == hllEncSparse && len(v) > limit {
				t.Fatalf("sparse value of %d bytes past the %d limit", len(v), limit)
			}
		}
		conv := v
		if v[4] == hllEncSparse {
			var err error
			if conv, err = sparseToDense(v); err != nil {
				t.Fatalf("round %d: sparse value does not cover the registers: %v", round, err)
			}
		}
		if string(conv[hllHdrSize:]) != string(d[hllHdrSize:]) {
			t.Fatalf("round %d: sparse and dense registers differ", round)
		}
	}
}

func BenchmarkPFAddDense(b *testing.B) {
	te := newTestEnv(b)
	te.pfaddRange("h", "e", 0, 20000)
	args := [][]byte{[]byte("PFADD"), []byte("h"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[2] = fmt.Appendf(args[2][:0], "x%d", i)
		te.e.Call(te.cl, args)
		te.out.Reset()
	}
}

func BenchmarkPFCountDenseStale(b *testing.B) {
	te := newTestEnv(b)
	te.pfaddRange("h", "e", 0, 20000)
	add := [][]byte{[]byte("PFADD"), []byte("h"), nil}
	count := [][]byte{[]byte("PFCOUNT"), []byte("h")}
	te.e.LogOff = true
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		add[2] = fmt.Appendf(add[2][:0], "x%d", i) // mostly stales the cache
		te.e.Call(te.cl, add)
		te.e.Call(te.cl, count)
		te.cl.W.Flush()
		te.out.Reset()
	}
}

func BenchmarkPFCountUnion(b *testing.B) {
	te := newTestEnv(b)
	te.pfaddRange("a", "e", 0, 20000)
	te.pfaddRange("b", "f", 0, 500)
	args := [][]byte{[]byte("PFCOUNT"), []byte("a"), []byte("b")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		te.e.Call(te.cl, args)
		te.cl.W.Flush()
		te.out.Reset()
	}
}

// TestHLLSnapshotSeesOldBytes: PFADD, PFCOUNT and PFMERGE edit values in
// place, so a snapshot running meanwhile must still get the bytes of its
// starting instant (the before-write hook), for dense and sparse values.
func TestHLLSnapshotSeesOldBytes(t *testing.T) {
	te := newTestEnv(t)
	te.pfaddRange("dense", "e", 0, 5000)
	te.pfaddRange("sparse", "e", 0, 50)
	te.pfaddRange("stale", "f", 0, 50)
	te.pfaddRange("merged", "g", 0, 50)
	old := map[string]string{}
	for _, k := range []string{"dense", "sparse", "stale", "merged"} {
		old[k] = string(te.st.DB(0).Peek([]byte(k)).Str())
	}
	got := map[string]string{}
	sn := te.st.BeginSnapshot(func(_ int, e *store.Entry) error {
		got[e.Key()] = string(e.Str())
		return nil
	})
	te.expect("PFADD dense new1 new2 new3", ":1\r\n")
	te.expect("PFADD sparse new1 new2 new3", ":1\r\n")
	te.cmd("PFCOUNT stale")
	te.expect("PFMERGE merged dense", "+OK\r\n")
	for {
		done, err := sn.Step(100)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
	}
	sn.End()
	for k, v := range old {
		if got[k] != v {
			t.Errorf("%s: the snapshot got the bytes written after it began", k)
		}
		if string(te.st.DB(0).Peek([]byte(k)).Str()) == v {
			t.Errorf("%s: the command changed nothing, the test proves nothing", k)
		}
	}
}
