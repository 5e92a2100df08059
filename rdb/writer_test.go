package rdb

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// valueTypeOf returns the RDB type byte the writer picks for e.
func valueTypeOf(t *testing.T, e *Entry, opts *WriterOptions) byte {
	t.Helper()
	enc, err := newEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	typ, err := enc.valueType(e)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

func intStrs(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(strconv.Itoa(i))
	}
	return out
}

func TestEncodingChoice(t *testing.T) {
	def := DefaultWriterOptions()
	small := DefaultWriterOptions()
	small.SetMaxIntsetEntries, small.HashMaxListpackEntries, small.HashMaxListpackValue = 2, 1, 3
	small.ZSetMaxListpackEntries, small.ZSetMaxListpackValue = 1, 3
	long := strings.Repeat("x", 65)
	for _, tc := range []struct {
		name string
		e    *Entry
		opts *WriterOptions
		want byte
	}{
		{"intset", &Entry{Type: TypeSet, Set: intStrs(512)}, &def, typeSetIntset},
		{"intset over limit", &Entry{Type: TypeSet, Set: intStrs(513)}, &def, typeSet},
		{"non-canonical int", &Entry{Type: TypeSet, Set: strs("1", "01")}, &def, typeSet},
		{"intset custom limit", &Entry{Type: TypeSet, Set: intStrs(3)}, &small, typeSet},
		{"hash listpack", &Entry{Type: TypeHash, Hash: fields("f", strings.Repeat("v", 64))}, &def, typeHashListpack},
		{"hash long value", &Entry{Type: TypeHash, Hash: fields("f", long)}, &def, typeHash},
		{"hash long field", &Entry{Type: TypeHash, Hash: fields(long, "v")}, &def, typeHash},
		{"hash custom value", &Entry{Type: TypeHash, Hash: fields("f", "vvvv")}, &small, typeHash},
		{"hash custom entries", &Entry{Type: TypeHash, Hash: fields("a", "1", "b", "2")}, &small, typeHash},
		{"zset listpack", &Entry{Type: TypeZSet, ZSet: []ZMember{{[]byte("m"), 1}}}, nil, typeZSetListpack},
		{"zset long member", &Entry{Type: TypeZSet, ZSet: []ZMember{{[]byte(long), 1}}}, nil, typeZSet2},
		{"zset custom entries", &Entry{Type: TypeZSet, ZSet: []ZMember{{[]byte("a"), 1}, {[]byte("b"), 1}}}, &small, typeZSet2},
		{"list", &Entry{Type: TypeList, List: strs("a")}, nil, typeListQuicklist2},
	} {
		if got := valueTypeOf(t, tc.e, tc.opts); got != tc.want {
			t.Errorf("%s: type %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestQuicklistNodeSizes(t *testing.T) {
	list := make([][]byte, 5000)
	for i := range list {
		list[i] = []byte(strings.Repeat("e", i%90))
	}
	for _, fill := range []int{-1, -2, -5, 1, 100} {
		opts := DefaultWriterOptions()
		opts.ListMaxListpackSize, opts.Compress = fill, false
		data := writeAll(t, []*Entry{{Key: []byte("l"), Type: TypeList, List: list}}, &opts)
		got, _ := readAll(t, data)
		if len(got) != 1 || len(got[0].List) != len(list) {
			t.Fatalf("fill %d: list not read back", fill)
		}
		for i := range list {
			if !bytes.Equal(got[0].List[i], list[i]) {
				t.Fatalf("fill %d: element %d differs", fill, i)
			}
		}
		// Inspect node sizes and counts through the payload.
		p, _ := EncodeDump(&Entry{Type: TypeList, List: list}, &opts)
		r := &Reader{in: newBytesInput(p[1 : len(p)-10])}
		nodes, _ := r.in.readPlainLen()
		maxBytes, maxCount := 8192, fill
		if fill < 0 {
			maxBytes, maxCount = 4096<<(-fill-1), 1<<30
		}
		for i := uint64(0); i < nodes; i++ {
			r.in.readPlainLen()
			lp, err := r.in.readString()
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			lpParse(lp, nil, func([]byte) error { n++; return nil })
			if len(lp) > maxBytes || n > maxCount {
				t.Fatalf("fill %d: node of %d bytes and %d elements", fill, len(lp), n)
			}
		}
	}
}

func TestSelectDBAndResize(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, &WriterOptions{Compress: true, Checksum: true, ListMaxListpackSize: -2,
		SetMaxIntsetEntries: 512, HashMaxListpackEntries: 128, HashMaxListpackValue: 64,
		ZSetMaxListpackEntries: 128, ZSetMaxListpackValue: 64, CTime: 1700000000, UsedMem: 12345, AOFBase: true,
		Aux: []AuxField{{"kevy-aof-id", "7"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SelectDB(3, 2, 1); err != nil {
		t.Fatal(err)
	}
	w.WriteEntry(&Entry{DB: 3, Key: []byte("a"), Type: TypeString, Str: []byte("1"), ExpireAt: 5000, Idle: 10})
	w.WriteEntry(&Entry{DB: 3, Key: []byte("b"), Type: TypeString, Str: []byte("2"), Freq: 3})
	w.WriteEntry(&Entry{DB: 7, Key: []byte("c"), Type: TypeString, Str: []byte("3")})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Written() != int64(buf.Len()) {
		t.Errorf("Written %d, buffer %d", w.Written(), buf.Len())
	}
	sum, err := Check(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.DBs) != 2 || sum.DBs[0].DB != 3 || sum.DBs[0].Keys != 2 || sum.DBs[0].Expires != 1 ||
		sum.DBs[0].ResizeKeys != 2 || sum.DBs[0].ResizeExpires != 1 || sum.DBs[1].DB != 7 ||
		sum.DBs[0].ByType[TypeString] != 2 || sum.Keys != 3 || sum.Expires != 1 || !sum.ChecksumVerified {
		t.Errorf("summary:\n%s", sum)
	}
	for k, v := range map[string]string{"ctime": "1700000000", "used-mem": "12345", "aof-base": "1", "kevy-aof-id": "7"} {
		if sum.Aux[k] != v {
			t.Errorf("aux %s = %q", k, sum.Aux[k])
		}
	}
	got, _ := readAll(t, buf.Bytes())
	if got[0].Idle != 10 || got[0].Freq != -1 || got[1].Freq != 3 || got[1].Idle != -1 || got[0].ExpireAt != 5000 {
		t.Errorf("metadata: %s %s", summarize(got[0]), summarize(got[1]))
	}
	if !strings.Contains(sum.String(), "db 3: 2 keys, 1 with expiry, 2 string") {
		t.Errorf("String():\n%s", sum)
	}
}

func TestCheckTrailingData(t *testing.T) {
	data := append(smallFile(t), "*1\r\n$4\r\nPING\r\n"...)
	sum, err := Check(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Size != int64(len(data)-14) || len(sum.Warnings) != 1 {
		t.Errorf("size %d, warnings %q", sum.Size, sum.Warnings)
	}
}
