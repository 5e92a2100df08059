package command

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/resp"
)

// testEnv runs commands through an Engine without a server, for handler
// unit tests. Its clock is fixed unless the test moves it.
type testEnv struct {
	t   testing.TB
	st  *store.Store
	e   *Engine
	cl  *Client
	out bytes.Buffer
	now int64
}

func newTestEnv(t testing.TB) *testEnv {
	te := &testEnv{t: t, now: 1_700_000_000_000}
	te.st = store.New(store.Options{Seed: 1})
	te.e = NewEngine(te.st, nil)
	te.e.ProtoMaxBulkLen = 512 << 20
	te.cl = &Client{ID: 1, Authenticated: true, W: resp.NewWriter(&te.out)}
	return te
}

// do runs one command given as separate arguments and returns the raw reply.
func (te *testEnv) do(args ...string) string {
	te.t.Helper()
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	te.st.SetTime(te.now)
	te.e.Call(te.cl, bs)
	te.cl.W.Flush()
	s := te.out.String()
	te.out.Reset()
	return s
}

// cmd runs a space-separated command (no quoting) and returns the raw reply.
func (te *testEnv) cmd(line string) string {
	te.t.Helper()
	return te.do(strings.Fields(line)...)
}

// expect runs a command and checks its raw reply.
func (te *testEnv) expect(line, want string) {
	te.t.Helper()
	if got := te.cmd(line); got != want {
		te.t.Errorf("%s: got %q, want %q", line, got, want)
	}
}

// log returns and clears the log records produced so far.
func (te *testEnv) log() string { return string(te.e.TakeLog()) }
