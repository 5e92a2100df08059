package rdb

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// readErr reads a whole file and returns the first error other than EOF.
func readErr(data []byte) error {
	r, err := NewReader(bytes.NewReader(data), nil)
	if err != nil {
		return err
	}
	for {
		_, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func smallFile(t testing.TB) []byte {
	es := []*Entry{
		{Key: []byte("s"), Type: TypeString, Str: []byte(strings.Repeat("compress me ", 5))},
		{Key: []byte("l"), Type: TypeList, List: strs("a", "1", "b"), ExpireAt: 4102444800000},
		{Key: []byte("set"), Type: TypeSet, Set: strs("1", "2")},
		{Key: []byte("h"), Type: TypeHash, Hash: fields("f", "v")},
		{Key: []byte("z"), Type: TypeZSet, ZSet: []ZMember{{[]byte("m"), 1.5}}, DB: 2},
	}
	return writeAll(t, es, nil)
}

func TestCRCCheckValue(t *testing.T) {
	if got := crc64Update(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x", got)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 1000)
	if got, want := crc64Update(crc64Update(0, data[:777]), data[777:]), jonesCRC(data); got != want {
		t.Fatalf("incremental crc %#x, want %#x", got, want)
	}
}

// TestTruncatedEverywhere cuts a valid file at every length: each prefix
// must fail with ErrTruncated (matching io.ErrUnexpectedEOF), never
// succeed or report something else.
func TestTruncatedEverywhere(t *testing.T) {
	for _, data := range [][]byte{smallFile(t), func() []byte { d, _ := legacyFile(); return d[:4096] }()} {
		for n := 0; n < len(data); n++ {
			err := readErr(data[:n])
			if !errors.Is(err, ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("prefix of %d bytes: %v", n, err)
			}
		}
	}
	// Check reports where the file stops making sense.
	data := smallFile(t)
	sum, err := Check(bytes.NewReader(data[:len(data)-3]))
	if !errors.Is(err, ErrTruncated) || sum.ErrOffset != int64(len(data)-8) {
		t.Fatalf("Check: %v, offset %d (file %d bytes)", err, sum.ErrOffset, len(data))
	}
}

// TestEveryBitFlipDetected flips each bit of a small file: the reader must
// report an error each time (the CRC-64 catches every single-bit error
// that the structure checks do not).
func TestEveryBitFlipDetected(t *testing.T) {
	data := smallFile(t)
	for i := 0; i < len(data); i++ {
		for bit := 0; bit < 8; bit++ {
			c := bytes.Clone(data)
			c[i] ^= 1 << bit
			err := readErr(c)
			if err == nil {
				t.Fatalf("flipping bit %d of byte %d went unnoticed", bit, i)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("byte %d: error %v is not an *Error", i, err)
			}
		}
	}
}

func TestChecksum(t *testing.T) {
	data := smallFile(t)
	bad := bytes.Clone(data)
	bad[len(bad)-1] ^= 0x40
	err := readErr(bad)
	if !errors.Is(err, ErrChecksum) || ErrorOffset(err) != int64(len(data)-8) {
		t.Fatalf("got %v", err)
	}
	// Stored 0 means unchecked, as written with Checksum off.
	opts := DefaultWriterOptions()
	opts.Checksum = false
	data = writeAll(t, sampleEntries()[:3], &opts)
	if !bytes.Equal(data[len(data)-8:], make([]byte, 8)) {
		t.Fatalf("checksum not zero: %x", data[len(data)-8:])
	}
	if err := readErr(data); err != nil {
		t.Fatal(err)
	}
	sum, err := Check(bytes.NewReader(data))
	if err != nil || sum.ChecksumVerified {
		t.Fatalf("%v %+v", err, sum)
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		data string
		want error
	}{
		{"REDIS0013", ErrUnsupported},
		{"VALKEY080", ErrUnsupported},
		{"REDIS00a1", ErrCorrupt},
		{"REDIS0000", ErrCorrupt},
		{"KEVYSNAP\x03", ErrCorrupt},
		{"REDIS", ErrTruncated},
	} {
		_, err := NewReader(strings.NewReader(tc.data), nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.data, err, tc.want)
		}
	}
}

func TestErrorsNameOffsetAndKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		build  func(f *fileBuilder)
		want   error
		offset int64
		key    string
	}{
		{"unknown opcode", func(f *fileBuilder) { f.raw(30) }, ErrCorrupt, 9, ""},
		{"unknown type after key", func(f *fileBuilder) { f.key(typeString, "a").str("b").key(8, "k") }, ErrCorrupt, 14, ""},
		{"stream", func(f *fileBuilder) { f.key(typeStreamV2, "events").str("x") }, ErrUnsupported, 9, "events"},
		{"module value", func(f *fileBuilder) { f.key(typeModule2, "m").length(1) }, ErrUnsupported, 9, "m"},
		{"field expiry hash", func(f *fileBuilder) { f.key(24, "h") }, ErrUnsupported, 9, "h"},
		{"pre-GA functions", func(f *fileBuilder) { f.raw(opFunctionPre) }, ErrUnsupported, 9, ""},
		{"bad length prefix", func(f *fileBuilder) { f.raw(typeString, 0x85) }, ErrCorrupt, 10, ""},
		{"bad string encoding", func(f *fileBuilder) { f.raw(typeString, 0xC7) }, ErrCorrupt, 10, ""},
		{"duplicate set member", func(f *fileBuilder) { f.key(typeSet, "s").length(2).str("a").str("a") }, ErrCorrupt, 12, "s"},
		{"duplicate hash field", func(f *fileBuilder) { f.key(typeHashListpack, "h").blob(buildListpack("a", "1", "a", "2")) }, ErrCorrupt, 12, "h"},
		{"odd hash listpack", func(f *fileBuilder) { f.key(typeHashListpack, "h").blob(buildListpack("a")) }, ErrCorrupt, 12, "h"},
		{"nan score", func(f *fileBuilder) { f.key(typeZSet, "z").length(1).str("m").raw(253) }, ErrCorrupt, 15, "z"},
		{"bad score text", func(f *fileBuilder) { f.key(typeZSetListpack, "z").blob(buildListpack("m", "x1")) }, ErrCorrupt, 12, "z"},
		{"intset unsorted", func(f *fileBuilder) { f.key(typeSetIntset, "i").blob(mustHex("02000000 02000000 0200 0100")) }, ErrCorrupt, 12, "i"},
		{"intset bad width", func(f *fileBuilder) { f.key(typeSetIntset, "i").blob(mustHex("03000000 00000000")) }, ErrCorrupt, 12, "i"},
		{"intset short", func(f *fileBuilder) { f.key(typeSetIntset, "i").blob(mustHex("02000000 05000000 0100")) }, ErrCorrupt, 12, "i"},
		{"listpack bad size", func(f *fileBuilder) {
			lp := buildListpack("a")
			lp[0]++
			f.key(typeHashListpack, "h").blob(lp)
		}, ErrCorrupt, 12, "h"},
		{"listpack bad backlen", func(f *fileBuilder) {
			lp := buildListpack("abc")
			lp[len(lp)-2] = 9
			f.key(typeSetListpack, "h").blob(lp)
		}, ErrCorrupt, 12, "h"},
		{"listpack bad count", func(f *fileBuilder) {
			lp := buildListpack("a", "b")
			lp[4] = 3
			f.key(typeSetListpack, "h").blob(lp)
		}, ErrCorrupt, 12, "h"},
		{"listpack bad encoding", func(f *fileBuilder) {
			lp := buildListpack("a")
			lp[6] = 0xF7
			f.key(typeSetListpack, "h").blob(lp)
		}, ErrCorrupt, 12, "h"},
		{"ziplist bad prevlen", func(f *fileBuilder) {
			zl := buildZiplist(zlItem{"a", 0}, zlItem{"b", 0})
			zl[13] = 5
			f.key(typeListZiplist, "l").blob(zl)
		}, ErrCorrupt, 12, "l"},
		{"ziplist bad tail", func(f *fileBuilder) {
			zl := buildZiplist(zlItem{"a", 0}, zlItem{"b", 0})
			zl[4] = 10
			f.key(typeListZiplist, "l").blob(zl)
		}, ErrCorrupt, 12, "l"},
		{"zipmap overrun", func(f *fileBuilder) { f.key(typeHashZipmap, "z").blob([]byte{1, 5, 'a', 0xFF}) }, ErrCorrupt, 12, "z"},
		{"quicklist bad container", func(f *fileBuilder) { f.key(typeListQuicklist2, "q").length(1).length(3) }, ErrCorrupt, 13, "q"},
		{"lzf bad stream", func(f *fileBuilder) { f.key(typeString, "s").raw(0xC3).length(2).length(40).raw(0xE0, 0xFF) }, ErrCorrupt, 12, "s"},
		{"lzf forged size", func(f *fileBuilder) { f.key(typeString, "s").raw(0xC3).length(2).length(1<<40).raw(0, 'a') }, ErrCorrupt, 12, "s"},
		{"module aux bad when", func(f *fileBuilder) { f.raw(opModuleAux).length(1).length(1) }, ErrCorrupt, 9, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFile(10)
			tc.build(f)
			err := readErr(f.end(10, true))
			var e *Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if e.Offset != tc.offset || string(e.Key) != tc.key {
				t.Errorf("offset %d key %q, want %d %q (%v)", e.Offset, e.Key, tc.offset, tc.key, err)
			}
		})
	}
}

// TestForgedLengthsBoundedAllocation feeds lengths that claim gigabytes or
// billions of elements with only a few bytes behind them: the reader must
// fail fast without allocating anywhere near the claimed size.
func TestForgedLengthsBoundedAllocation(t *testing.T) {
	cases := map[string]func(f *fileBuilder){
		"string 2^62":    func(f *fileBuilder) { f.key(typeString, "k").length(1<<62).raw('a', 'b', 'c') },
		"string 4GiB":    func(f *fileBuilder) { f.key(typeString, "k").length(1<<32 - 1).raw(make([]byte, 100000)...) },
		"list 2^40":      func(f *fileBuilder) { f.key(typeList, "k").length(1 << 40).str("a") },
		"hash 2^40":      func(f *fileBuilder) { f.key(typeHash, "k").length(1 << 40).str("a").str("b") },
		"zset 2^40":      func(f *fileBuilder) { f.key(typeZSet2, "k").length(1 << 40).str("a") },
		"quicklist 2^40": func(f *fileBuilder) { f.key(typeListQuicklist2, "k").length(1 << 40).length(2) },
		"lzf 2^40":       func(f *fileBuilder) { f.key(typeString, "k").raw(0xC3).length(1<<40).length(1<<41).raw(1, 2, 3) },
		"key 2^50":       func(f *fileBuilder) { f.raw(typeString).length(1 << 50) },
		"aux 2^33":       func(f *fileBuilder) { f.raw(opAux).length(1 << 33) },
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFile(10)
			build(f)
			data := f.b // no EOF: the claimed bytes are missing
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := readErr(data)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("forged length accepted")
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("allocated %d bytes for a %d-byte input (%v)", alloc, len(data), err)
			}
		})
	}
}

func TestReaderErrorsAreSticky(t *testing.T) {
	f := newFile(10)
	f.raw(30)
	r, err := NewReader(bytes.NewReader(f.end(10, true)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err1 := r.Next()
	_, err2 := r.Next()
	if err1 == nil || err1 != err2 {
		t.Fatalf("%v / %v", err1, err2)
	}
}

// failingWriter fails after n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriterErrors(t *testing.T) {
	w, err := NewWriter(&failingWriter{n: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 200000)
	x := uint32(1)
	for i := range noise {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		noise[i] = byte(x)
	}
	big := &Entry{Key: []byte("k"), Type: TypeString, Str: noise}
	err = w.WriteEntry(big)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("WriteEntry: %v", err)
	}
	if err2 := w.Close(); err2 != err {
		t.Fatalf("Close after failure: %v", err2)
	}

	w, _ = NewWriter(io.Discard, nil)
	for _, bad := range []*Entry{
		{Key: []byte("e"), Type: TypeList},
		{Key: []byte("d"), Type: TypeSet, Set: strs("a", "a")},
		{Key: []byte("h"), Type: TypeHash, Hash: fields("f", "1", "f", "2")},
		{Key: []byte("z"), Type: TypeZSet, ZSet: []ZMember{{[]byte("m"), 1}, {[]byte("m"), 2}}},
		{Key: []byte("n"), Type: TypeZSet, ZSet: []ZMember{{[]byte("m"), nan()}}},
		{Key: []byte("t"), Type: Type(9)},
	} {
		if err := w.WriteEntry(bad); err == nil {
			t.Errorf("%q accepted", bad.Key)
		}
	}
	// Refused entries do not poison the writer.
	if err := w.WriteEntry(&Entry{Key: []byte("ok"), Type: TypeString}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Fatal("second Close succeeded")
	}
	bad := DefaultWriterOptions()
	bad.ListMaxListpackSize = -6
	if _, err := NewWriter(io.Discard, &bad); err == nil {
		t.Fatal("invalid options accepted")
	}
}

func nan() float64 { var z float64; return z / z }
