package rdb

import (
	"bytes"
	"context"
	"encoding/hex"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func strs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func fields(kv ...string) []HashField {
	var out []HashField
	for i := 0; i < len(kv); i += 2 {
		out = append(out, HashField{[]byte(kv[i]), []byte(kv[i+1])})
	}
	return out
}

// legacyFile builds a version 9 file holding every encoding Redis 7.0
// still loads but no longer writes (zipmap, ziplists, quicklist v1, text
// zset scores, EXPIRETIME in seconds) plus the plain types and the
// version 10 listpack encodings, with the entries it must decode to.
func legacyFile() ([]byte, []*Entry) {
	long100 := strings.Repeat("L", 100)
	long17k := strings.Repeat("K", 17000)
	long300 := strings.Repeat("z", 300)
	f := newFile(9).aux("redis-ver", "5.0.0").aux("redis-bits", "64")
	f.selectDB(0).raw(opResizeDB).length(20).length(2)
	var want []*Entry
	add := func(e Entry) {
		e.Idle, e.Freq = -1, -1
		want = append(want, &e)
	}

	f.key(typeHashZipmap, "zipmap").blob(buildZipmap(2, "f1", "v1", "big", long300, "n", "5"))
	add(Entry{Key: []byte("zipmap"), Type: TypeHash, Hash: fields("f1", "v1", "big", long300, "n", "5")})

	f.key(typeListZiplist, "zl-list").blob(buildZiplist(
		zlItem{"abc", 0}, zlItem{long100, 0}, zlItem{long17k, 0}, zlItem{"0", -1}, zlItem{"12", -1},
		zlItem{"-100", 1}, zlItem{"1000", 2}, zlItem{"-1000000", 3}, zlItem{"100000000", 4},
		zlItem{"-5000000000", 8}, zlItem{"", 0}))
	add(Entry{Key: []byte("zl-list"), Type: TypeList, List: strs("abc", long100, long17k, "0", "12", "-100", "1000", "-1000000", "100000000", "-5000000000", "")})

	f.key(typeSetIntset, "intset16").blob(mustHex("02000000 03000000 fdff 0100 e803"))
	add(Entry{Key: []byte("intset16"), Type: TypeSet, Set: strs("-3", "1", "1000")})
	f.key(typeSetIntset, "intset32").blob(mustHex("04000000 02000000 60eaffff a0860100"))
	add(Entry{Key: []byte("intset32"), Type: TypeSet, Set: strs("-5536", "100000")})
	f.key(typeSetIntset, "intset64").blob(mustHex("08000000 02000000 0100000000000000 00e40b5402000000"))
	add(Entry{Key: []byte("intset64"), Type: TypeSet, Set: strs("1", "10000000000")})

	f.key(typeZSetZiplist, "zl-zset").blob(buildZiplist(
		zlItem{"c", 0}, zlItem{"-inf", 0}, zlItem{"a", 0}, zlItem{"1.5", 0}, zlItem{"b", 0}, zlItem{"2", -1}))
	add(Entry{Key: []byte("zl-zset"), Type: TypeZSet, ZSet: []ZMember{{[]byte("c"), math.Inf(-1)}, {[]byte("a"), 1.5}, {[]byte("b"), 2}}})

	f.key(typeHashZiplist, "zl-hash").blob(buildZiplist(zlItem{"name", 0}, zlItem{"kevy", 0}, zlItem{"7", -1}, zlItem{"30000", 2}))
	add(Entry{Key: []byte("zl-hash"), Type: TypeHash, Hash: fields("name", "kevy", "7", "30000")})

	f.key(typeListQuicklist, "ql1").length(3).
		blob(buildZiplist(zlItem{"x", 0}, zlItem{"1", -1})).
		blob(buildZiplist()).
		blob(buildZiplist(zlItem{long300, 0}, zlItem{"y", 0}))
	add(Entry{Key: []byte("ql1"), Type: TypeList, List: strs("x", "1", long300, "y")})

	f.key(typeList, "plain-list").length(2).str("p").str("q")
	add(Entry{Key: []byte("plain-list"), Type: TypeList, List: strs("p", "q")})
	f.key(typeSet, "plain-set").length(2).str("s1").str("s2")
	add(Entry{Key: []byte("plain-set"), Type: TypeSet, Set: strs("s1", "s2")})
	f.key(typeZSet, "text-zset").length(3).str("m").raw(3, '1', '.', '5').str("hi").raw(254).str("lo").raw(255)
	add(Entry{Key: []byte("text-zset"), Type: TypeZSet, ZSet: []ZMember{{[]byte("m"), 1.5}, {[]byte("hi"), math.Inf(1)}, {[]byte("lo"), math.Inf(-1)}}})
	f.key(typeHash, "plain-hash").length(1).str("k").str("v")
	add(Entry{Key: []byte("plain-hash"), Type: TypeHash, Hash: fields("k", "v")})
	f.key(typeZSet2, "bin-zset").length(1).str("m").u64(math.Float64bits(-2.25))
	add(Entry{Key: []byte("bin-zset"), Type: TypeZSet, ZSet: []ZMember{{[]byte("m"), -2.25}}})

	// Version 10 encodings, with every listpack entry encoding: 7-bit,
	// 13-bit, 16/24/32/64-bit integers, 6/12/32-bit-length strings and
	// 1-, 2- and 3-byte backlens.
	long4000, long20k := strings.Repeat("m", 4000), strings.Repeat("w", 20000)
	lpItems := []string{"5", "-100", "4000", "30000", "-8000000", "2000000000", "-9000000000000", "str", long100, long4000, long20k, ""}
	f.key(typeListQuicklist2, "ql2").length(2).length(qlPacked).blob(buildListpack(lpItems...)).length(qlPlain).str("plain node")
	add(Entry{Key: []byte("ql2"), Type: TypeList, List: strs(append(lpItems, "plain node")...)})
	f.key(typeHashListpack, "lp-hash").blob(buildListpack("a", "1", "b", long100))
	add(Entry{Key: []byte("lp-hash"), Type: TypeHash, Hash: fields("a", "1", "b", long100)})
	f.key(typeZSetListpack, "lp-zset").blob(buildListpack("x", "-1", "y", "0.5", "z", "3"))
	add(Entry{Key: []byte("lp-zset"), Type: TypeZSet, ZSet: []ZMember{{[]byte("x"), -1}, {[]byte("y"), 0.5}, {[]byte("z"), 3}}})

	// Expiry in seconds and in ms, IDLE and FREQ, another database.
	f.raw(opExpireTime).raw(0x00, 0x94, 0x35, 0x77) // 2000000000 s
	f.raw(opIdle).length(100)
	f.key(typeString, "exp-sec").str("s")
	add(Entry{Key: []byte("exp-sec"), Type: TypeString, Str: []byte("s"), ExpireAt: 2000000000000, Idle: 100})
	want[len(want)-1].Idle = 100
	f.selectDB(5)
	f.raw(opExpireTimeMS).u64(4102444800123)
	f.raw(opFreq, 7)
	f.key(typeString, "exp-ms").raw(0xC0, 0x85) // int8 -123
	add(Entry{DB: 5, Key: []byte("exp-ms"), Type: TypeString, Str: []byte("-123"), ExpireAt: 4102444800123})
	want[len(want)-1].Freq = 7
	return f.end(9, true), want
}

func TestLegacyEncodings(t *testing.T) {
	data, want := legacyFile()
	got, r := readAll(t, data)
	if len(got) != len(want) {
		t.Fatalf("read %d keys, want %d", len(got), len(want))
	}
	for i := range want {
		sameEntry(t, want[i], got[i])
	}
	if r.Version() != 9 || r.Aux()["redis-ver"] != "5.0.0" {
		t.Errorf("version %d aux %v", r.Version(), r.Aux())
	}
}

// TestLegacyFileRedisAgrees proves the hand-built legacy fixture is real
// RDB: redis-check-rdb accepts it and Redis loads the same values.
func TestLegacyFileRedisAgrees(t *testing.T) {
	needRedis(t, "redis-check-rdb")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	data, want := legacyFile()
	dir := t.TempDir()
	path := filepath.Join(dir, "dump.rdb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "redis-check-rdb", path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("RDB looks OK")) {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
	s := startRedis(t, dir)
	for _, e := range want {
		c := s.client(e.DB)
		got, err := fetchEntry(ctx, c, string(e.Key))
		c.Close()
		if err != nil {
			t.Fatalf("%q: %v", e.Key, err)
		}
		got.DB, got.Idle, got.Freq = e.DB, e.Idle, e.Freq
		sameEntry(t, e, got)
	}
}

// TestNewerOpcodes reads what Redis 7.x and Valkey add beyond version 10:
// listpack sets, functions, module AUX data, slot info, a stored checksum
// of 0.
func newerOpcodesFile() []byte {
	f := newFile(12).aux("redis-ver", "7.4.0")
	f.raw(opFunction2).str("#!lua name=lib\nredis.register_function('f', function() return 1 end)")
	// Module AUX: id, when-opcode UINT, when, then sint, uint, float,
	// double, string items and the module EOF.
	f.raw(opModuleAux).length(0x1234).length(modOpUInt).length(2).
		length(modOpSInt).length(5).length(modOpUInt).length(6).
		length(modOpFloat).raw(0, 0, 0x80, 0x3f).length(modOpDouble).u64(0).
		length(modOpString).str("payload").length(modOpEOF)
	f.selectDB(0).raw(opSlotInfo).length(1).length(2).length(0)
	f.key(typeSetListpack, "lp-set").blob(buildListpack("a", "7", "-3"))
	return f.end(12, false)
}

func TestNewerOpcodes(t *testing.T) {
	data := newerOpcodesFile()

	var codes []string
	r, err := NewReader(bytes.NewReader(data), &ReaderOptions{OnFunction: func(code []byte) error {
		codes = append(codes, string(code))
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	sameEntry(t, &Entry{Key: []byte("lp-set"), Type: TypeSet, Set: strs("a", "7", "-3"), Idle: -1, Freq: -1}, e)
	if _, err := r.Next(); err.Error() != "EOF" {
		t.Fatalf("want EOF, got %v", err)
	}
	if len(codes) != 1 || !strings.HasPrefix(codes[0], "#!lua") {
		t.Errorf("functions: %q", codes)
	}
	if w := r.Warnings(); len(w) != 1 || !strings.Contains(w[0], "module AUX") {
		t.Errorf("warnings: %q", w)
	}
	// Without OnFunction the library is skipped with a warning.
	sum, err := Check(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Warnings) != 2 || sum.ChecksumVerified || sum.Keys != 1 {
		t.Errorf("summary %+v", sum)
	}
}

// TestOldVersionNoChecksum reads a version 4 file, which ends at the EOF
// opcode with no checksum.
func TestOldVersionNoChecksum(t *testing.T) {
	f := newFile(4)
	f.key(typeString, "k").str("v")
	data := f.end(4, false)
	got, r := readAll(t, data)
	if len(got) != 1 || r.Version() != 4 || string(got[0].Str) != "v" {
		t.Fatalf("got %v", got)
	}
}

// TestEmptyCollectionsSkipped: Redis skips empty keys on load; so do we.
func TestEmptyCollectionsSkipped(t *testing.T) {
	f := newFile(10)
	f.key(typeList, "empty").length(0)
	f.key(typeHashListpack, "empty-lp").blob(buildListpack())
	f.key(typeString, "k").str("v")
	got, r := readAll(t, f.end(10, true))
	if len(got) != 1 || string(got[0].Key) != "k" || len(r.Warnings()) != 2 {
		t.Fatalf("got %d entries, warnings %q", len(got), r.Warnings())
	}
}
