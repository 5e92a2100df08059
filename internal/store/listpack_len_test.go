package store

import (
	"bytes"
	"testing"
)

// boundaryLens are element lengths around the one-byte fast paths of the
// listpack readers (127/128) and around two-byte lengths (16383/16384).
func boundaryLens() []int {
	var lens []int
	for n := 0; n < 140; n++ {
		lens = append(lens, n)
	}
	for n := 16375; n < 16390; n++ {
		lens = append(lens, n)
	}
	return lens
}

// elemOf is element i of length n, distinct for every i.
func elemOf(i, n int) []byte {
	b := bytes.Repeat([]byte{byte('a' + i%26)}, n)
	if n >= 2 {
		b[0], b[1] = byte(i>>8), byte(i)
	}
	return b
}

func TestHashListpackLengthBoundaries(t *testing.T) {
	lim := HashLimits{MaxListpackEntries: 1 << 20, MaxListpackValue: 1 << 20}
	h := NewHash()
	lens := boundaryLens()
	for i, n := range lens {
		// Field and value both cross the boundaries, the value one step
		// behind, so each pair mixes lengths.
		h.Set(append(elemOf(i, n), 'f'), elemOf(i, lens[max(i-1, 0)]), lim)
	}
	if h.Encoding() != "listpack" {
		t.Fatalf("encoding %s, want listpack", h.Encoding())
	}
	for i, n := range lens {
		v, ok := h.Get(append(elemOf(i, n), 'f'))
		if !ok || !bytes.Equal(v, elemOf(i, lens[max(i-1, 0)])) {
			t.Fatalf("field %d (%d bytes): got %d bytes, ok=%v", i, n+1, len(v), ok)
		}
	}
	seen := 0
	h.Each(func(f, v []byte) bool { seen++; return true })
	if seen != len(lens) {
		t.Fatalf("Each saw %d of %d pairs", seen, len(lens))
	}
}

func TestZSetListpackLengthBoundaries(t *testing.T) {
	lim := ZSetLimits{MaxListpackEntries: 1 << 20, MaxListpackValue: 1 << 20}
	z := NewZSet(lim, 0)
	lens := boundaryLens()
	for i, n := range lens {
		// Scores alternate integer and fractional encodings.
		z.Add(elemOf(i, n), float64(i)+float64(i%2)/2, lim)
	}
	if z.Encoding() != "listpack" {
		t.Fatalf("encoding %s, want listpack", z.Encoding())
	}
	seen := 0
	z.Range(0, false, func(rank int, m []byte, s float64) bool {
		if want := elemOf(rank, lens[rank]); !bytes.Equal(m, want) || s != float64(rank)+float64(rank%2)/2 {
			t.Fatalf("rank %d: member of %d bytes, score %v; want %d bytes, %v", rank, len(m), s, len(want), float64(rank)+float64(rank%2)/2)
		}
		seen++
		return true
	})
	if seen != len(lens) {
		t.Fatalf("Range saw %d of %d members", seen, len(lens))
	}
}

// BenchmarkHashEachListpack walks 64 short pairs, HGETALL's walk of a
// small hash.
func BenchmarkHashEachListpack(b *testing.B) {
	lim := HashLimits{MaxListpackEntries: 128, MaxListpackValue: 64}
	h := NewHash()
	for i := range 64 {
		h.Set(elemOf(i, 8), []byte("value"), lim)
	}
	n := 0
	for b.Loop() {
		h.Each(func(f, v []byte) bool { n += len(f) + len(v); return true })
	}
}

// BenchmarkZSetRangeListpack walks 100 short members, ZRANGE 0 -1 of a
// small sorted set.
func BenchmarkZSetRangeListpack(b *testing.B) {
	lim := ZSetLimits{MaxListpackEntries: 128, MaxListpackValue: 64}
	z := NewZSet(lim, 0)
	for i := range 100 {
		z.Add(elemOf(i, 8), float64(i), lim)
	}
	n := 0
	for b.Loop() {
		z.Range(0, false, func(rank int, m []byte, s float64) bool { n += len(m); return true })
	}
}
