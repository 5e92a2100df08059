package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
)

func TestWriterReplies(t *testing.T) {
	cases := []struct {
		name  string
		write func(w *Writer)
		resp2 string
		resp3 string // "" means same as resp2
	}{
		{"simple", func(w *Writer) { w.SimpleString("OK") }, "+OK\r\n", ""},
		{"error", func(w *Writer) { w.Error("ERR bad") }, "-ERR bad\r\n", ""},
		{"error newlines", func(w *Writer) { w.Error("ERR a\r\nb\nc") }, "-ERR a  b c\r\n", ""},
		{"int", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ""},
		{"int min", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ""},
		{"bulk", func(w *Writer) { w.Bulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", ""},
		{"bulk empty", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", ""},
		{"bulk string", func(w *Writer) { w.BulkString("hey") }, "$3\r\nhey\r\n", ""},
		{"bulk int", func(w *Writer) { w.BulkInt(-1234) }, "$5\r\n-1234\r\n", ""},
		{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w *Writer) { w.Array(2); w.Int(1); w.Int(2) }, "*2\r\n:1\r\n:2\r\n", ""},
		{"empty array", func(w *Writer) { w.Array(0) }, "*0\r\n", ""},
		{"map", func(w *Writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"set", func(w *Writer) { w.Set(1); w.BulkString("m") }, "*1\r\n$1\r\nm\r\n", "~1\r\n$1\r\nm\r\n"},
		{"push", func(w *Writer) { w.Push(1); w.BulkString("m") }, "*1\r\n$1\r\nm\r\n", ">1\r\n$1\r\nm\r\n"},
		{"double", func(w *Writer) { w.Double(1.1) }, "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"},
		{"double inf", func(w *Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"double -inf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"bool true", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"bool false", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"verbatim", func(w *Writer) { w.Verbatim("txt", "hi\n") }, "$3\r\nhi\n\r\n", "=7\r\ntxt:hi\n\r\n"},
		{"big number", func(w *Writer) { w.BigNumber("12345678901234567890") }, "$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n"},
		{"raw", func(w *Writer) { w.Raw([]byte("+PONG\r\n")) }, "+PONG\r\n", ""},
	}
	for _, tc := range cases {
		for _, proto := range []int{2, 3} {
			var out bytes.Buffer
			w := NewWriter(&out)
			w.SetProto(proto)
			tc.write(w)
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			want := tc.resp2
			if proto == 3 && tc.resp3 != "" {
				want = tc.resp3
			}
			if out.String() != want {
				t.Errorf("%s RESP%d = %q, want %q", tc.name, proto, out.String(), want)
			}
			// Whatever is written must read back as one reply.
			if _, err := NewReplyReader(&out).ReadRaw(); err != nil && want != "" {
				t.Errorf("%s RESP%d: reading back: %v", tc.name, proto, err)
			}
		}
	}
}

func TestAppendDouble(t *testing.T) {
	// Expected texts captured from Redis 7.0.15 ZSCORE replies.
	cases := []struct {
		f    float64
		want string
	}{
		{1.1, "1.1000000000000001"},
		{0, "0"},
		{1, "1"},
		{-1.5, "-1.5"},
		{1e20, "1e+20"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{123456789012345678, "1.2345678901234568e+17"},
		{0.0001, "0.0001"},
		{0.00001, "1.0000000000000001e-05"},
		{1e-300, "1e-300"},
		{3.14159, "3.1415899999999999"},
		{0.1, "0.10000000000000001"},
		{1e308, "1e+308"},
		{2.5e-310, "2.5000000000000171e-310"},
		{100, "100"},
		{1234567.125, "1234567.125"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
		{math.Copysign(0, -1), "-0"},
	}
	for _, tc := range cases {
		if got := string(AppendDouble(nil, tc.f)); got != tc.want {
			t.Errorf("AppendDouble(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestAppendCommand(t *testing.T) {
	got := AppendCommand([]byte("x"), []byte("SET"), []byte("k"), nil)
	if want := "x*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"; string(got) != want {
		t.Errorf("AppendCommand = %q, want %q", got, want)
	}
	if got := AppendCommandStrings(nil); string(got) != "*0\r\n" {
		t.Errorf("AppendCommandStrings() = %q", got)
	}
}

func TestWriterTruncateAndReset(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.SimpleString("OK")
	mark := w.Buffered()
	w.Int(1)
	w.Int(2)
	w.Truncate(mark)
	w.Error("IOERR log write failed")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "+OK\r\n-IOERR log write failed\r\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if w.Buffered() != 0 {
		t.Errorf("Buffered after Flush = %d", w.Buffered())
	}
	var out2 bytes.Buffer
	w.SetProto(3)
	w.Int(5)
	w.Reset(&out2)
	if w.Proto() != 2 || w.Buffered() != 0 {
		t.Errorf("after Reset: proto %d, buffered %d", w.Proto(), w.Buffered())
	}
	w.Null()
	if err := w.Flush(); err != nil || out2.String() != "$-1\r\n" {
		t.Errorf("after Reset wrote %q, %v", out2.String(), err)
	}
}

// shortWriter accepts at most n bytes per Write, then fails.
type shortWriter struct {
	out bytes.Buffer
	n   int
	err error
}

func (s *shortWriter) Write(p []byte) (int, error) {
	if len(p) > s.n {
		s.out.Write(p[:s.n])
		return s.n, s.err
	}
	return s.out.Write(p)
}

func TestWriterFlushErrorKeepsUnwritten(t *testing.T) {
	for _, werr := range []error{nil, errors.New("EAGAIN")} {
		sw := &shortWriter{n: 3, err: werr}
		w := NewWriter(sw)
		w.SimpleString("HELLO")
		err := w.Flush()
		if err == nil {
			t.Fatal("Flush succeeded on a short write")
		}
		if werr == nil && err != io.ErrShortWrite {
			t.Errorf("error = %v, want io.ErrShortWrite", err)
		}
		if w.Buffered() != len("+HELLO\r\n")-3 {
			t.Errorf("Buffered = %d after short write", w.Buffered())
		}
		sw.n = 100
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if sw.out.String() != "+HELLO\r\n" {
			t.Errorf("output %q", sw.out.String())
		}
	}
}

func TestWriterDoesNotAllocate(t *testing.T) {
	w := NewWriter(io.Discard)
	val := bytes.Repeat([]byte("v"), 100)
	for _, proto := range []int{2, 3} {
		w.SetProto(proto)
		reply := func() {
			w.Array(9)
			w.Bulk(val)
			w.BulkString("str")
			w.BulkInt(1234567)
			w.Int(-5)
			w.Double(3.25)
			w.Null()
			w.Bool(true)
			w.Map(0)
			w.Error("ERR x\ny")
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		reply()
		if allocs := testing.AllocsPerRun(1000, reply); allocs != 0 {
			t.Errorf("RESP%d: %v allocations per reply, want 0", proto, allocs)
		}
	}
}

// Pending and Consumed let a caller send the buffer by other means, in
// part or whole.
func TestWriterPendingConsumed(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	w.SimpleString("OK")
	w.Int(42)
	if got := string(w.Pending()); got != "+OK\r\n:42\r\n" {
		t.Fatalf("Pending = %q", got)
	}
	w.Consumed(3)
	if got := string(w.Pending()); got != "\r\n:42\r\n" {
		t.Fatalf("after Consumed(3): %q", got)
	}
	w.Consumed(w.Buffered())
	if w.Buffered() != 0 {
		t.Fatalf("after consuming everything: %d bytes buffered", w.Buffered())
	}
	w.Null()
	if err := w.Flush(); err != nil || out.String() != "$-1\r\n" {
		t.Fatalf("Flush after Consumed wrote %q, %v", out.String(), err)
	}
}

// The digit-by-digit headers under 100 and strconv's above must agree at
// every boundary, negative counts (null replies) included.
func TestWriterHeaderDigits(t *testing.T) {
	for _, n := range []int64{-1, 0, 1, 9, 10, 11, 42, 99, 100, 101, 999, 1000, 1 << 40} {
		var b bytes.Buffer
		w := NewWriter(&b)
		w.Int(n)
		w.Array(int(n))
		if n >= 0 {
			w.Bulk(bytes.Repeat([]byte("x"), int(min(n, 1000))))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(":%d\r\n*%d\r\n", n, n)
		if n >= 0 {
			m := min(n, 1000)
			want += fmt.Sprintf("$%d\r\n%s\r\n", m, strings.Repeat("x", int(m)))
		}
		if b.String() != want {
			t.Errorf("n=%d: got %q, want %q", n, b.String(), want)
		}
	}
}
