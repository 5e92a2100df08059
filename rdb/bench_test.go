package rdb

import (
	"bytes"
	"io"
	"strconv"
	"testing"
)

// mixedEntries returns n entries: mostly short strings and integers, with
// small lists, sets, hashes and sorted sets, a tenth of them expiring.
func mixedEntries(n int) []*Entry {
	es := make([]*Entry, n)
	for i := range es {
		e := &Entry{Key: []byte("key:" + strconv.Itoa(i))}
		v := []byte("value-" + strconv.Itoa(i*7919))
		switch i % 8 {
		case 0, 1, 2:
			e.Type, e.Str = TypeString, v
		case 3:
			e.Type, e.Str = TypeString, []byte(strconv.Itoa(i))
		case 4:
			e.Type, e.List = TypeList, [][]byte{v, []byte("x"), []byte("12"), v}
		case 5:
			e.Type, e.Set = TypeSet, [][]byte{[]byte("1"), []byte("2"), []byte(strconv.Itoa(i))}
		case 6:
			e.Type, e.Hash = TypeHash, []HashField{{[]byte("name"), v}, {[]byte("n"), []byte("42")}}
		case 7:
			e.Type, e.ZSet = TypeZSet, []ZMember{{[]byte("a"), 1}, {v, float64(i) / 3}}
		}
		if i%10 == 0 {
			e.ExpireAt = 4102444800000 + int64(i)
		}
		es[i] = e
	}
	return es
}

func BenchmarkWrite100k(b *testing.B) {
	es := mixedEntries(100000)
	var size int64
	for b.Loop() {
		w, err := NewWriter(io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range es {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = w.Written()
	}
	b.SetBytes(size)
}

func BenchmarkRead100k(b *testing.B) {
	data := writeAll(b, mixedEntries(100000), nil)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), nil)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 100000 {
			b.Fatalf("read %d entries", n)
		}
	}
}
