package command

import "testing"

func TestWaitBlocksOnlyWhenReplicasAreWanted(t *testing.T) {
	te := newTestEnv(t)
	te.expect("WAIT 0 0", ":0\r\n")
	te.expect("WAIT -3 5", ":0\r\n")
	te.expect("WAIT 1 -1", "-ERR timeout is negative\r\n")
	te.expect("WAIT x -1", "-ERR value is not an integer or out of range\r\n")
	te.expect("WAIT 1 1.0", "-ERR timeout is not an integer or out of range\r\n")
	if te.cl.Blocked() {
		t.Fatal("blocked after replies")
	}

	te.expect("WAIT 2 250", "") // blocks: no reply yet
	if !te.cl.Blocked() {
		t.Fatal("WAIT 2 250 did not block")
	}
	if got, want := te.cl.BlockDeadline().UnixMilli(), te.now+250; got != want {
		t.Fatalf("deadline %d, want %d", got, want)
	}
	if !te.e.UnblockClient(te.cl, true) {
		t.Fatal("UnblockClient: not blocked")
	}
	te.cl.W.Flush()
	if got := te.out.String(); got != ":0\r\n" {
		t.Fatalf("timeout reply %q", got)
	}
	te.out.Reset()

	te.expect("WAIT 1 0", "")
	if !te.cl.Blocked() || !te.cl.BlockDeadline().IsZero() {
		t.Fatal("WAIT 1 0 should block without a deadline")
	}
	te.e.UnblockClient(te.cl, false) // disconnect: no reply
	te.cl.W.Flush()
	if te.out.Len() != 0 || te.e.BlockedClients() != 0 {
		t.Fatalf("after disconnect: %q, %d blocked", te.out.String(), te.e.BlockedClients())
	}

	// Inside a transaction WAIT answers at once.
	te.expect("MULTI", "+OK\r\n")
	te.expect("WAIT 1 0", "+QUEUED\r\n")
	te.expect("WAIT 1 -1", "+QUEUED\r\n")
	te.expect("EXEC", "*2\r\n:0\r\n-ERR timeout is negative\r\n")
	if te.cl.Blocked() {
		t.Fatal("WAIT blocked inside EXEC")
	}
	if log := te.log(); log != "" {
		t.Fatalf("WAIT logged %q", log)
	}
}
