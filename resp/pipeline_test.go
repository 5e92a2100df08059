package resp

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// scriptReader returns one scripted chunk per Read and logs each call.
type scriptReader struct {
	chunks []string
	log    *[]string
}

func (s *scriptReader) Read(p []byte) (int, error) {
	if len(s.chunks) == 0 {
		*s.log = append(*s.log, "read:EOF")
		return 0, io.EOF
	}
	c := s.chunks[0]
	if len(c) > len(p) {
		panic("scripted chunk larger than the read buffer")
	}
	s.chunks = s.chunks[1:]
	*s.log = append(*s.log, "read:"+c)
	return copy(p, c), nil
}

func TestBeforeBlockPipelining(t *testing.T) {
	var log []string
	src := &scriptReader{
		log: &log,
		chunks: []string{
			"*1\r\n$1\r\na\r\nB\r\n*1\r\n$1\r\nc\r\n", // three complete commands
			"*1\r\n$1\r", // a command in two pieces
			"\nd\r\nE\r\n*1",
			"\r\n$1\r\nf\r\n",
		},
	}
	rd := NewReader(src, Limits{})
	rd.SetBeforeBlock(func() error {
		log = append(log, "flush")
		return nil
	})
	for {
		args, err := rd.ReadCommand()
		if err == io.EOF {
			log = append(log, "EOF")
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, "cmd:"+string(args[0]))
	}
	want := []string{
		"flush", "read:*1\r\n$1\r\na\r\nB\r\n*1\r\n$1\r\nc\r\n", "cmd:a", "cmd:B", "cmd:c",
		"flush", "read:*1\r\n$1\r",
		"flush", "read:\nd\r\nE\r\n*1", "cmd:d", "cmd:E",
		"flush", "read:\r\n$1\r\nf\r\n", "cmd:f",
		"flush", "read:EOF", "EOF",
	}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("events:\n got %q\nwant %q", log, want)
	}
}

func TestBeforeBlockError(t *testing.T) {
	rd := NewReader(strings.NewReader("*1\r\n$4\r\nPING\r\n"), Limits{})
	boom := errors.New("flush failed")
	rd.SetBeforeBlock(func() error { return boom })
	if _, err := rd.ReadCommand(); err != boom {
		t.Fatalf("error = %v, want %v", err, boom)
	}
	rd.SetBeforeBlock(nil)
	if args, err := rd.ReadCommand(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("after clearing the hook: %q, %v", args, err)
	}
}

// flakyReader fails its first Read with a transient error.
type flakyReader struct {
	failed bool
	r      io.Reader
}

var errTransient = errors.New("transient")

func (f *flakyReader) Read(p []byte) (int, error) {
	if !f.failed {
		f.failed = true
		return 0, errTransient
	}
	return f.r.Read(p)
}

func TestReadErrorNotSticky(t *testing.T) {
	rd := NewReader(&flakyReader{r: strings.NewReader("PING\r\n")}, Limits{})
	if _, err := rd.ReadCommand(); err != errTransient {
		t.Fatalf("error = %v, want %v", err, errTransient)
	}
	if args, err := rd.ReadCommand(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("retry: %q, %v", args, err)
	}
}

// zeroReader never makes progress.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestNoProgress(t *testing.T) {
	rd := NewReader(zeroReader{}, Limits{})
	if _, err := rd.ReadCommand(); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("error = %v, want io.ErrNoProgress", err)
	}
}

func TestArgsAreCapped(t *testing.T) {
	rd := NewReader(strings.NewReader("*2\r\n$1\r\na\r\n$1\r\nb\r\nECHO x y\r\n"), Limits{})
	for range 2 {
		args, err := rd.ReadCommand()
		if err != nil {
			t.Fatal(err)
		}
		first := string(args[1])
		_ = append(args[0], 'Z')
		if string(args[1]) != first {
			t.Fatalf("appending to an argument overwrote the next one: %q", args[1])
		}
	}
}

func TestSetLimitsAfterAuth(t *testing.T) {
	in := "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n" + encodeCommand("SET", "k", strings.Repeat("v", 20000))
	rd := NewReader(strings.NewReader(in), Limits{Unauthenticated: true})
	if _, err := rd.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	rd.SetLimits(Limits{})
	args, err := rd.ReadCommand()
	if err != nil {
		t.Fatal(err)
	}
	if len(args[2]) != 20000 {
		t.Fatalf("value length %d", len(args[2]))
	}
}

// encodeCommand returns args as a RESP multibulk request.
func encodeCommand(args ...string) string {
	return string(AppendCommandStrings(nil, args...))
}

// loopReader serves the same bytes forever.
type loopReader struct {
	data []byte
	pos  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.pos:])
	l.pos = (l.pos + n) % len(l.data)
	return n, nil
}

func TestReadCommandDoesNotAllocate(t *testing.T) {
	inputs := map[string]string{
		"multibulk": encodeCommand("SET", "key:000001", strings.Repeat("v", 100)),
		"inline":    "SET key:000001 \"a value\" 'x'\r\n",
		// An odd size so that commands straddle read boundaries.
		"straddling": encodeCommand("HSET", "h", "f", strings.Repeat("v", 1237)),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			rd := NewReader(&loopReader{data: []byte(in)}, Limits{})
			rd.SetBeforeBlock(func() error { return nil })
			for range 1000 { // warm up: buffers reach their working size
				if _, err := rd.ReadCommand(); err != nil {
					t.Fatal(err)
				}
			}
			allocs := testing.AllocsPerRun(1000, func() {
				if _, err := rd.ReadCommand(); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per command, want 0", allocs)
			}
		})
	}
}

func TestForgedLengthsDoNotAllocate(t *testing.T) {
	cases := []struct {
		name   string
		header string
		body   int // bytes that actually follow the header
	}{
		{"bulk nothing", "*1\r\n$536870000\r\n", 10},
		{"bulk some", "*1\r\n$536870000\r\n", 1 << 20},
		{"count", "*1000000000\r\n", 0},
		{"count with args", "*1000000000\r\n", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.header
			if tc.name == "count with args" {
				in += strings.Repeat("$1\r\nx\r\n", 10000)
			} else {
				in += strings.Repeat("x", tc.body)
			}
			rd := NewReader(&chunkReader{r: strings.NewReader(in), n: 8 << 10}, Limits{})
			_, err := rd.ReadCommand()
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("error = %v, want io.ErrUnexpectedEOF", err)
			}
			if max := bufferBound(len(in)); cap(rd.buf) > max {
				t.Errorf("buffer capacity %d for %d bytes of input, want at most %d", cap(rd.buf), len(in), max)
			}
			if cap(rd.spans) > 2*10000+16 {
				t.Errorf("argument list capacity %d for at most 10000 arguments", cap(rd.spans))
			}
		})
	}
}

// bufferBound is the most buffer the reader may hold after reading n bytes.
func bufferBound(n int) int { return max(initialBufSize, 2*n+minReadSize) }

func TestLargeArgumentIsLinear(t *testing.T) {
	const size = 8 << 20
	in := encodeCommand("SET", "k", strings.Repeat("v", size))
	var rd *Reader
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	allocs := testing.AllocsPerRun(1, func() {
		rd = NewReader(&chunkReader{r: strings.NewReader(in), n: 64 << 10}, Limits{})
		args, err := rd.ReadCommand()
		if err != nil || len(args[2]) != size {
			t.Fatalf("ReadCommand: %d bytes, %v", len(args[2]), err)
		}
	})
	runtime.ReadMemStats(&after)
	// Doubling from 16 KiB to 8 MiB takes 10 allocations, plus a few
	// small ones for the reader itself.
	if allocs > 25 {
		t.Errorf("%v allocations reading an 8 MiB argument, want geometric growth", allocs)
	}
	// AllocsPerRun runs the function twice (a warm-up and the measured
	// run); geometric growth allocates under twice the final size each.
	if total := after.TotalAlloc - before.TotalAlloc; total > 2*4*uint64(len(in)) {
		t.Errorf("allocated %d bytes to read a %d byte command", total, len(in))
	}
	if c := cap(rd.buf); c > 2*len(in)+minReadSize {
		t.Errorf("buffer capacity %d for a %d byte command", c, len(in))
	}
}

func TestQueryBufferLimitWithPipeline(t *testing.T) {
	// Complete commands within the limit are served even when more input
	// is pending; the limit applies to an incomplete command.
	var b strings.Builder
	for i := range 50 {
		b.WriteString(encodeCommand("ECHO", fmt.Sprint(i)))
	}
	rd := NewReader(strings.NewReader(b.String()), Limits{MaxQueryBuffer: 64})
	cmds, _, err := readAll(rd)
	if err != nil || len(cmds) != 50 {
		t.Fatalf("read %d commands, error %v", len(cmds), err)
	}
}
