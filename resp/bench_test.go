package resp

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func benchmarkRead(b *testing.B, in string) {
	rd := NewReader(&loopReader{data: []byte(strings.Repeat(in, 64))}, Limits{})
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := rd.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadCommand parses a pipelined SET with a 64-byte value.
func BenchmarkReadCommand(b *testing.B) {
	benchmarkRead(b, encodeCommand("SET", "key:000000000042", strings.Repeat("v", 64)))
}

func BenchmarkReadCommandInline(b *testing.B) {
	benchmarkRead(b, "SET key:000000000042 \"some value\"\r\n")
}

func BenchmarkReadCommandLargeValue(b *testing.B) {
	benchmarkRead(b, encodeCommand("SET", "k", strings.Repeat("v", 64<<10)))
}

// BenchmarkWriteBulk encodes a 64-byte bulk reply and flushes every 64
// replies, as a pipelined GET workload does.
func BenchmarkWriteBulk(b *testing.B) {
	benchmarkWriteBulk(b, bytes.Repeat([]byte("v"), 64), 64)
}

// BenchmarkWriteBulkSmall is the shape of an LRANGE reply of short
// elements: redis-benchmark's are 3 bytes.
func BenchmarkWriteBulkSmall(b *testing.B) {
	benchmarkWriteBulk(b, []byte("xxx"), 100)
}

// benchmarkWriteBulk writes val as a bulk reply, flushing every
// flushEvery replies.
func benchmarkWriteBulk(b *testing.B, val []byte, flushEvery int) {
	w := NewWriter(io.Discard)
	b.SetBytes(int64(len(val)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w.Bulk(val)
		if i++; i%flushEvery == 0 {
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWriteArrayOfDoubles(b *testing.B) {
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	for b.Loop() {
		w.Array(20)
		for j := range 10 {
			w.BulkString("member")
			w.Double(float64(j) * 1.1)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendCommand(b *testing.B) {
	args := [][]byte{[]byte("SET"), []byte("key:000000000042"), bytes.Repeat([]byte("v"), 64)}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCommand(buf[:0], args...)
	}
}

func BenchmarkReadReply(b *testing.B) {
	in := []byte(strings.Repeat("*3\r\n$3\r\nfoo\r\n:42\r\n,1.5\r\n", 64))
	rr := NewReplyReader(&loopReader{data: in})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rr.ReadReply(); err != nil {
			b.Fatal(err)
		}
	}
}
