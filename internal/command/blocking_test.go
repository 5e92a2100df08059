package command

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/resp"
)

// blockedClient is a second session on te's engine.
type blockedClient struct {
	cl  *Client
	out bytes.Buffer
}

func (te *testEnv) newClient(id int64) *blockedClient {
	b := &blockedClient{}
	b.cl = &Client{ID: id, Authenticated: true, W: resp.NewWriter(&b.out)}
	return b
}

// run executes a command for b and returns what b has received so far.
func (te *testEnv) runAs(b *blockedClient, line string) string {
	te.t.Helper()
	var args [][]byte
	for _, a := range strings.Fields(line) {
		args = append(args, []byte(a))
	}
	te.st.SetTime(te.now)
	te.e.Call(b.cl, args)
	return b.take()
}

func (b *blockedClient) take() string {
	b.cl.W.Flush()
	s := b.out.String()
	b.out.Reset()
	return s
}

func TestServedPopsLogDeterministicRecords(t *testing.T) {
	te := newTestEnv(t)
	cases := []struct {
		block, fill, reply, record string
	}{
		{"BLPOP a b 0", "RPUSH b x y", "*2\r\n$1\r\nb\r\n$1\r\nx\r\n", "LPOP b"},
		{"BRPOP a 0", "RPUSH a x y", "*2\r\n$1\r\na\r\n$1\r\ny\r\n", "RPOP a"},
		{"BLMOVE s d RIGHT LEFT 0", "RPUSH s 1 2", "$1\r\n2\r\n", "LMOVE s d RIGHT LEFT"},
		{"BRPOPLPUSH s2 d 0", "RPUSH s2 1", "$1\r\n1\r\n", "LMOVE s2 d RIGHT LEFT"},
		{"BLMPOP 0 1 m LEFT COUNT 2", "RPUSH m 1 2 3", "*2\r\n$1\r\nm\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "LPOP m 2"},
		{"BZPOPMIN z 0", "ZADD z 1 a 2 b", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n", "ZPOPMIN z"},
		{"BZMPOP 0 1 y MAX", "ZADD y 1 a 2 b", "*2\r\n$1\r\ny\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", "ZPOPMAX y 1"},
	}
	for i, tc := range cases {
		b := te.newClient(int64(10 + i))
		if got := te.runAs(b, tc.block); got != "" {
			t.Fatalf("%s answered %q", tc.block, got)
		}
		te.e.ReleaseBlocked(b.cl)
		te.log()
		te.cmd(tc.fill)
		woken := te.e.TakeWoken()
		if len(woken) != 1 || woken[0] != b.cl || b.cl.Blocked() {
			t.Fatalf("%s: woken %v", tc.block, woken)
		}
		if got := b.take(); got != tc.reply {
			t.Errorf("%s: reply %q, want %q", tc.block, got, tc.reply)
		}
		// The fill's record, then the pop's.
		log := te.log()
		want := string(resp.AppendCommandStrings(nil, strings.Fields(tc.record)...))
		if !strings.HasSuffix(log, want) || strings.Contains(log, "\r\nB") {
			t.Errorf("%s: log %q, want it to end with %q", tc.block, log, want)
		}
	}
	if n := te.e.BlockedClients(); n != 0 {
		t.Fatalf("blocked = %d", n)
	}
}

func TestHeldClientKeepsItsTurn(t *testing.T) {
	te := newTestEnv(t)
	a, b := te.newClient(10), te.newClient(11)
	te.runAs(a, "BLPOP k 0")
	te.runAs(b, "BLPOP k 0")
	te.e.ReleaseBlocked(b.cl)
	te.cmd("RPUSH k 1") // a is held: b must not overtake it
	if len(te.e.TakeWoken()) != 0 {
		t.Fatal("served past a held client")
	}
	te.e.ReleaseBlocked(a.cl)
	if w := te.e.TakeWoken(); len(w) != 1 || w[0] != a.cl {
		t.Fatalf("woken %v", w)
	}
	if got := a.take(); got != "*2\r\n$1\r\nk\r\n$1\r\n1\r\n" {
		t.Fatalf("a got %q", got)
	}
}

func TestKeysFilledIndirectlyWake(t *testing.T) {
	te := newTestEnv(t)
	b := te.newClient(10)
	te.runAs(b, "SELECT 2")
	te.runAs(b, "BLPOP moved 0")
	te.e.ReleaseBlocked(b.cl)
	te.cmd("RPUSH moved v")
	te.expect("MOVE moved 2", ":1\r\n")
	if got := b.take(); got != "*2\r\n$5\r\nmoved\r\n$1\r\nv\r\n" {
		t.Fatalf("after MOVE: %q", got)
	}
	te.e.TakeWoken()

	te.runAs(b, "BZPOPMAX sw 0")
	te.e.ReleaseBlocked(b.cl)
	te.cmd("ZADD sw 3 m")
	te.expect("SWAPDB 0 2", "+OK\r\n")
	if got := b.take(); got != "*3\r\n$2\r\nsw\r\n$1\r\nm\r\n$1\r\n3\r\n" {
		t.Fatalf("after SWAPDB: %q", got)
	}
	te.e.TakeWoken()

	// Timeout and disconnect leave the queues empty.
	te.runAs(b, "BLPOP t 0")
	if !te.e.UnblockClient(b.cl, true) || b.take() != "*-1\r\n" {
		t.Fatal("timeout reply")
	}
	te.runAs(b, "BLPOP t 0")
	te.e.UnblockClient(b.cl, false)
	te.cmd("RPUSH t x")
	te.expect("LLEN t", ":1\r\n")
	if n := te.e.BlockedClients(); n != 0 || len(te.e.blk.keys) != 0 {
		t.Fatalf("blocked %d, queues %d", n, len(te.e.blk.keys))
	}
}
