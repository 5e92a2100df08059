package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds are small valid inputs of every kind for the fuzzers.
func fuzzReaderSeeds(t testing.TB) map[string][]byte {
	f := newFile(9)
	f.key(typeHashZipmap, "zm").blob(buildZipmap(1, "f", "v"))
	f.key(typeListZiplist, "zl").blob(buildZiplist(zlItem{"a", 0}, zlItem{"5", -1}, zlItem{"-100", 1}, zlItem{"1000", 2}, zlItem{"-1000000", 3}, zlItem{"100000000", 4}, zlItem{"-5000000000", 8}))
	f.key(typeSetIntset, "is").blob(mustHex("04000000 02000000 60eaffff a0860100"))
	f.key(typeZSetZiplist, "zz").blob(buildZiplist(zlItem{"m", 0}, zlItem{"1.5", 0}))
	f.key(typeListQuicklist, "q1").length(1).blob(buildZiplist(zlItem{"x", 0}))
	f.raw(opExpireTime).raw(0, 0x94, 0x35, 0x77)
	f.key(typeZSet, "tz").length(1).str("m").raw(254)
	legacy := f.end(9, true)
	return map[string][]byte{
		"small":  smallFile(t),
		"legacy": legacy,
		"newer":  newerOpcodesFile(),
		"v4":     newFile(4).key(typeString, "k").str("v").end(4, false),
	}
}

func fuzzDumpSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	for _, e := range []*Entry{
		{Type: TypeString, Str: []byte("12345")},
		{Type: TypeString, Str: bytes.Repeat([]byte("lzf!"), 10)},
		{Type: TypeList, List: strs("a", "1", "-70000")},
		{Type: TypeSet, Set: strs("1", "2", "300000")},
		{Type: TypeSet, Set: strs("a", "b")},
		{Type: TypeHash, Hash: fields("f", "v")},
		{Type: TypeZSet, ZSet: []ZMember{{[]byte("m"), 2.5}}},
		{Type: TypeZSet, ZSet: []ZMember{{bytes.Repeat([]byte("m"), 70), 2.5}}},
	} {
		p, err := EncodeDump(e, nil)
		if err != nil {
			t.Fatal(err)
		}
		seeds[fmt.Sprintf("%s-%d", e.Type, len(seeds))] = p
	}
	return seeds
}

// TestUpdateFuzzCorpus writes the seed corpora under testdata/fuzz with
// -update (never edited by hand).
func TestUpdateFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata/fuzz")
	}
	for target, seeds := range map[string]map[string][]byte{
		"FuzzReader": fuzzReaderSeeds(t), "FuzzDecodeDump": fuzzDumpSeeds(t),
	} {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// metaless clears what the Writer cannot reproduce exactly: Idle and Freq
// of 0 are written as absent.
func metaless(e *Entry) *Entry {
	c := *e
	if c.Idle <= 0 {
		c.Idle = -1
	}
	if c.Freq <= 0 {
		c.Freq = -1
	}
	return &c
}

// FuzzReader feeds arbitrary files to the reader. It must never panic
// and, when it accepts a file, writing what it read and reading that back
// must give the same entries. A reader with ReuseEntry must read exactly
// what one without it reads.
func FuzzReader(f *testing.F) {
	for _, s := range fuzzReaderSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReuseMatches(t, data)
		r, err := NewReader(bytes.NewReader(data), nil)
		if err != nil {
			checkErrorKind(t, err)
			return
		}
		var got []*Entry
		for {
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				checkErrorKind(t, err)
				return
			}
			got = append(got, e)
		}
		again, _ := readAll(t, writeAll(t, got, nil))
		if len(again) != len(got) {
			t.Fatalf("rewrite has %d entries, want %d", len(again), len(got))
		}
		for i := range got {
			sameEntry(t, metaless(got[i]), metaless(again[i]))
		}
	})
}

// FuzzDecodeDump feeds arbitrary payloads to DecodeDump; accepted ones
// must survive EncodeDump and DecodeDump unchanged.
func FuzzDecodeDump(f *testing.F) {
	for _, s := range fuzzDumpSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		fuzzDump(t, payload)
		// Most random payloads fail the checksum; also try the input as
		// a value body with a valid trailer, to reach the decoders.
		body := bytes.Clone(payload)
		body = binary.LittleEndian.AppendUint16(body, Version)
		fuzzDump(t, binary.LittleEndian.AppendUint64(body, crc64Update(0, body)))
	})
}

func fuzzDump(t *testing.T, payload []byte) {
	e, err := DecodeDump(payload)
	if err != nil {
		checkErrorKind(t, err)
		return
	}
	p, err := EncodeDump(e, nil)
	if err != nil {
		t.Fatalf("re-encoding an accepted payload: %v", err)
	}
	e2, err := DecodeDump(p)
	if err != nil {
		t.Fatal(err)
	}
	sameEntry(t, e, e2)
}

func checkErrorKind(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	kinds := 0
	for _, k := range []error{ErrChecksum, ErrTruncated, ErrCorrupt, ErrUnsupported} {
		if errors.Is(err, k) {
			kinds++
		}
	}
	if kinds != 1 {
		t.Fatalf("error %v wraps %d sentinel kinds", err, kinds)
	}
}
