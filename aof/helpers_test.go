package aof

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/resp"
	"github.com/kevy-db/kevy/vfs"
)

// cmd builds command arguments from strings.
func cmd(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// frame encodes a command.
func frame(args ...string) []byte { return resp.AppendCommandStrings(nil, args...) }

// join renders commands compactly for comparisons.
func join(cmds [][][]byte) string {
	var b strings.Builder
	for _, c := range cmds {
		for i, a := range c {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.Write(a)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// replayAll replays path and returns the commands delivered.
func replayAll(t *testing.T, fsys vfs.FS, path string, opts *ReplayOptions) ([][][]byte, *ReplayResult, error) {
	t.Helper()
	var got [][][]byte
	res, err := Replay(fsys, path, opts, func(args [][]byte) error {
		got = append(got, cloneArgs(args))
		return nil
	})
	return got, res, err
}

// fastOpts are Open options for tests: a short interval so background
// retries happen quickly.
func fastOpts(p Policy) *Options {
	return &Options{Policy: p, SyncInterval: 5 * time.Millisecond}
}

// slowOpts never run the background work during a test.
func slowOpts(p Policy) *Options {
	return &Options{Policy: p, SyncInterval: time.Hour}
}

func mustOpen(t *testing.T, fsys vfs.FS, path string, opts *Options) *Log {
	t.Helper()
	l, err := Open(fsys, path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

// readFile returns the file's data without the zeros a log preallocates
// past its last record (what every reader of the log sees).
func readFile(t *testing.T, fsys vfs.FS, path string) []byte {
	t.Helper()
	b, err := vfs.ReadFile(fsys, path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(b, "\x00")
}

// writeRaw creates path with exactly data, durably.
func writeRaw(t *testing.T, fsys vfs.FS, path string, data []byte) {
	t.Helper()
	if err := vfs.WriteFileAtomic(fsys, path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// setCmds returns n commands SET k<i> v<i>.
func setCmds(n int) [][][]byte {
	var out [][][]byte
	for i := range n {
		out = append(out, cmd("SET", fmt.Sprint("k", i), fmt.Sprint("v", i)))
	}
	return out
}

func concat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
