package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sampleEntries returns entries of every type in both small and large
// encodings, with integer-like, long compressible and binary values.
func sampleEntries() []*Entry {
	var es []*Entry
	add := func(db int, key string, exp int64, e Entry) {
		e.DB, e.Key, e.ExpireAt = db, []byte(key), exp
		e.Idle, e.Freq = -1, -1
		es = append(es, &e)
	}
	b := func(s string) []byte { return []byte(s) }
	add(0, "str", 0, Entry{Type: TypeString, Str: b("hello")})
	add(0, "empty-str", 0, Entry{Type: TypeString, Str: []byte{}})
	for _, v := range []string{"0", "-1", "127", "-128", "128", "32767", "-32768", "32768", "2147483647", "-2147483648", "2147483648", "9223372036854775807", "-9223372036854775808", "007", "-0", "+5", "1 "} {
		add(0, "int:"+v, 0, Entry{Type: TypeString, Str: b(v)})
	}
	add(0, "long", 0, Entry{Type: TypeString, Str: b(strings.Repeat("abcdefgh", 500))})
	add(0, "binary", 0, Entry{Type: TypeString, Str: []byte{0, 1, 2, 0xff, 0xfe, '\n'}})
	add(0, "ttl", 4102444800123, Entry{Type: TypeString, Str: b("expiring")})
	add(1, "in-db1", 0, Entry{Type: TypeString, Str: b("one")})
	add(3, "in-db3", 4102444800000, Entry{Type: TypeString, Str: b("three")})

	add(0, "list-small", 0, Entry{Type: TypeList, List: [][]byte{b("a"), b("1"), b("-5000"), b("70000"), b("9000000000"), b(strings.Repeat("x", 100))}})
	var big [][]byte
	for i := 0; i < 3000; i++ {
		big = append(big, b(fmt.Sprintf("element-%d-%s", i, strings.Repeat("y", i%50))))
	}
	add(0, "list-big", 4102444800999, Entry{Type: TypeList, List: big})
	add(0, "list-huge-elem", 0, Entry{Type: TypeList, List: [][]byte{b("a"), b(strings.Repeat("z", 20000)), b("b")}})

	add(0, "set-int16", 0, Entry{Type: TypeSet, Set: [][]byte{b("3"), b("-1"), b("2")}})
	add(0, "set-int32", 0, Entry{Type: TypeSet, Set: [][]byte{b("100000"), b("-7")}})
	add(0, "set-int64", 0, Entry{Type: TypeSet, Set: [][]byte{b("10000000000"), b("1")}})
	add(0, "set-str", 0, Entry{Type: TypeSet, Set: [][]byte{b("a"), b("b"), b("1")}})
	var bigSet [][]byte
	for i := 0; i < 600; i++ {
		bigSet = append(bigSet, b(strconv.Itoa(i*7)))
	}
	add(0, "set-many-ints", 0, Entry{Type: TypeSet, Set: bigSet})

	add(0, "hash-small", 0, Entry{Type: TypeHash, Hash: []HashField{{b("f1"), b("v1")}, {b("n"), b("42")}, {b("e"), b("")}}})
	add(0, "hash-long-value", 0, Entry{Type: TypeHash, Hash: []HashField{{b("f"), b(strings.Repeat("v", 65))}}})
	var bigHash []HashField
	for i := 0; i < 200; i++ {
		bigHash = append(bigHash, HashField{b("field" + strconv.Itoa(i)), b(strconv.Itoa(i * i))})
	}
	add(2, "hash-big", 0, Entry{Type: TypeHash, Hash: bigHash})

	add(0, "zset-small", 0, Entry{Type: TypeZSet, ZSet: []ZMember{{b("b"), 2}, {b("a"), 1.5}, {b("c"), -3}, {b("inf"), math.Inf(1)}, {b("ninf"), math.Inf(-1)}, {b("tenth"), 0.1}, {b("big"), 1e20}, {b("same"), 2}}})
	var bigZ []ZMember
	for i := 0; i < 300; i++ {
		bigZ = append(bigZ, ZMember{b("m" + strconv.Itoa(i)), float64(i) / 3})
	}
	add(0, "zset-big", 0, Entry{Type: TypeZSet, ZSet: bigZ})
	add(0, "zset-long-member", 0, Entry{Type: TypeZSet, ZSet: []ZMember{{b(strings.Repeat("m", 70)), 1}}})
	return es
}

// normalize puts unordered collections in a canonical order.
func normalize(e *Entry) *Entry {
	c := *e
	c.Set = append([][]byte(nil), e.Set...)
	sort.Slice(c.Set, func(i, j int) bool { return bytes.Compare(c.Set[i], c.Set[j]) < 0 })
	c.Hash = append([]HashField(nil), e.Hash...)
	sort.Slice(c.Hash, func(i, j int) bool { return bytes.Compare(c.Hash[i].Field, c.Hash[j].Field) < 0 })
	c.ZSet = append([]ZMember(nil), e.ZSet...)
	sort.Slice(c.ZSet, func(i, j int) bool { return bytes.Compare(c.ZSet[i].Member, c.ZSet[j].Member) < 0 })
	for _, p := range []*[][]byte{&c.Set, &c.List} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	if len(c.Hash) == 0 {
		c.Hash = nil
	}
	if len(c.ZSet) == 0 {
		c.ZSet = nil
	}
	if c.Type == TypeString && c.Str == nil {
		c.Str = []byte{}
	}
	return &c
}

func sameEntry(t *testing.T, want, got *Entry) {
	t.Helper()
	w, g := normalize(want), normalize(got)
	if !reflect.DeepEqual(w, g) {
		t.Errorf("key %q:\nwant %+v\n got %+v", want.Key, summarize(w), summarize(g))
	}
}

func summarize(e *Entry) string {
	s := fmt.Sprintf("{db %d key %q exp %d type %v idle %d freq %d", e.DB, e.Key, e.ExpireAt, e.Type, e.Idle, e.Freq)
	switch e.Type {
	case TypeString:
		s += fmt.Sprintf(" str %.60q", e.Str)
	default:
		s += fmt.Sprintf(" len %d", e.Len())
	}
	return s + "}"
}

func writeAll(t testing.TB, es []*Entry, opts *WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := w.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(t testing.TB, data []byte) ([]*Entry, *Reader) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []*Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, r
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, compress := range []bool{true, false} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			opts := DefaultWriterOptions()
			opts.Compress = compress
			opts.Aux = []AuxField{{"kevy-snap-id", "42"}, {"kevy-aof-offset", "123456789012"}}
			want := sampleEntries()
			data := writeAll(t, want, &opts)
			got, r := readAll(t, data)
			if len(got) != len(want) {
				t.Fatalf("read %d entries, wrote %d", len(got), len(want))
			}
			for i := range want {
				sameEntry(t, want[i], got[i])
			}
			if r.Version() != Version {
				t.Errorf("version %d", r.Version())
			}
			aux := r.Aux()
			for k, v := range map[string]string{"redis-ver": "7.0.15", "redis-bits": "64", "aof-base": "0", "kevy-snap-id": "42", "kevy-aof-offset": "123456789012"} {
				if aux[k] != v {
					t.Errorf("aux %s = %q, want %q", k, aux[k], v)
				}
			}
		})
	}
}
