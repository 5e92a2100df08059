package rdb

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestLZFRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var z lzfCompressor
	inputs := [][]byte{
		bytes.Repeat([]byte{'a'}, 100000),             // long runs: distance-1 references
		bytes.Repeat([]byte("0123456789"), 3000),      // periodic
		[]byte("hello hello hello hello world world"), // short matches
	}
	for n := 21; n < 20000; n = n*3/2 + 1 {
		b := make([]byte, n)
		alphabet := 2 + rng.IntN(20) // low entropy compresses
		for i := range b {
			b[i] = byte('a' + rng.IntN(alphabet))
		}
		inputs = append(inputs, b)
	}
	for i, in := range inputs {
		c, ok := z.compress(nil, in, len(in)-4)
		if !ok {
			if i < 3 {
				t.Errorf("input %d (%d bytes) did not compress", i, len(in))
			}
			// Without a size limit every input has an encoding.
			if c, ok = z.compress(nil, in, 2*len(in)); !ok {
				t.Fatalf("input %d: no encoding at all", i)
			}
		}
		out, err := lzfDecompress(c, len(in))
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("input %d: round trip failed: %v", i, err)
		}
		if _, err := lzfDecompress(c, len(in)+1); err == nil {
			t.Fatalf("input %d: wrong raw length accepted", i)
		}
	}
	noise := make([]byte, 5000)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	if c, ok := z.compress([]byte("keep"), noise, len(noise)-4); ok || string(c) != "keep" {
		t.Errorf("incompressible input reported as compressed (%d bytes)", len(c))
	}
}

// TestLZFKnownStream decodes a stream built by hand from the format: a
// 3-byte literal "abc", then a back-reference of length 9 at distance 3
// (ctrl 0xE0: long form, extra length byte 0, offset byte 2), then a short
// reference of length 3 at distance 1 (ctrl 0x20, offset 0).
func TestLZFKnownStream(t *testing.T) {
	stream := []byte{0x02, 'a', 'b', 'c', 0xE0, 0x00, 0x02, 0x20, 0x00}
	out, err := lzfDecompress(stream, 15)
	if err != nil || string(out) != "abcabcabcabcccc" {
		t.Fatalf("got %q, %v", out, err)
	}
	for _, bad := range [][]byte{
		{0x05, 'a'},       // literal overruns the stream
		{0x20, 0x00},      // reference before any output
		{0xE0},            // missing length byte
		{0x00, 'a', 0x20}, // missing offset byte
	} {
		if _, err := lzfDecompress(bad, 10); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}
