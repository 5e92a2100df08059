package server

import (
	"bytes"
	"errors"
	"testing"
)

type failWriter struct {
	bytes.Buffer
	fail error
}

func (w *failWriter) Write(p []byte) (int, error) {
	if w.fail != nil {
		return 0, w.fail
	}
	return w.Buffer.Write(p)
}

// The walk's buffer writes to the file itself once it holds spillAt bytes,
// so a huge key never sits in memory whole; what is under spillAt waits
// for take, in order after what was spilled.
func TestSpillBuffer(t *testing.T) {
	var dst failWriter
	b := &spillBuffer{to: &dst}
	piece := bytes.Repeat([]byte("a"), 1<<20)
	var want []byte
	for i := range 10 {
		p := bytes.Repeat([]byte{byte('a' + i)}, len(piece))
		want = append(want, p...)
		if _, err := b.Write(p); err != nil {
			t.Fatal(err)
		}
		if len(b.buf) >= spillAt {
			t.Fatalf("after %d MB the buffer holds %d bytes", i+1, len(b.buf))
		}
	}
	chunk := b.take(nil)
	if b.spilled != 2*spillAt || dst.Len() != b.spilled {
		t.Fatalf("spilled %d, file has %d, want %d", b.spilled, dst.Len(), 2*spillAt)
	}
	if got := append(dst.Bytes(), chunk...); !bytes.Equal(got, want) {
		t.Fatal("file bytes then the chunk are not the bytes written, in order")
	}
	if chunk = b.take(chunk); len(chunk) != 0 {
		t.Fatalf("a second take returned %d bytes", len(chunk))
	}

	// A failed spill sticks: the encoders stop and the job sees it.
	boom := errors.New("ENOSPC")
	dst.fail = boom
	for range spillAt / len(piece) {
		b.Write(piece)
	}
	if _, err := b.Write(piece); !errors.Is(err, boom) || !errors.Is(b.err, boom) {
		t.Fatalf("write after a failed spill: %v (sticky %v)", err, b.err)
	}
}
