package command

import "testing"

const invK = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"

func TestTrackingInvalidates(t *testing.T) {
	te := newTestEnv(t)
	tr := te.newClient(2)
	te.runAs(tr, "HELLO 3")
	if r := te.runAs(tr, "CLIENT TRACKING on"); r != "+OK\r\n" {
		t.Fatalf("CLIENT TRACKING on: %q", r)
	}
	te.runAs(tr, "GET k")
	te.cmd("SET k 1")
	if r := tr.take(); r != invK {
		t.Fatalf("after another client's SET: %q", r)
	}
	te.cmd("SET k 2")
	if r := tr.take(); r != "" {
		t.Fatalf("invalidated twice without a read between: %q", r)
	}
	// Its own write: the push comes after the reply.
	te.runAs(tr, "GET k")
	if r := te.runAs(tr, "SET k 3"); r != "+OK\r\n"+invK {
		t.Fatalf("own SET: %q", r)
	}
	// Expiry invalidates too.
	te.runAs(tr, "GET k")
	te.cmd("PEXPIRE k 10")
	tr.take()
	te.runAs(tr, "GET k")
	te.now += 20
	te.cmd("GET k")
	if r := tr.take(); r != invK {
		t.Fatalf("after expiry: %q", r)
	}
	// A flush: a null invalidation.
	te.cmd("FLUSHALL")
	if r := tr.take(); r != ">2\r\n$10\r\ninvalidate\r\n_\r\n" {
		t.Fatalf("after FLUSHALL: %q", r)
	}
	// NOLOOP: nothing for its own writes.
	te.runAs(tr, "CLIENT TRACKING on noloop")
	te.runAs(tr, "GET k")
	if r := te.runAs(tr, "SET k 4"); r != "+OK\r\n" {
		t.Fatalf("own SET with NOLOOP: %q", r)
	}
	// RESET ends tracking, and the engine forgets the client.
	te.runAs(tr, "GET k")
	te.runAs(tr, "RESET")
	if te.e.TrackingClients() != 0 {
		t.Fatalf("%d tracking clients after RESET", te.e.TrackingClients())
	}
	te.cmd("SET k 5")
	if r := tr.take(); r != "" {
		t.Fatalf("invalidation after RESET: %q", r)
	}
}

func TestTrackingNeedsRESP3AndReadOnlyCommands(t *testing.T) {
	te := newTestEnv(t)
	tr := te.newClient(2)
	te.runAs(tr, "CLIENT TRACKING on") // RESP2, no REDIRECT: nothing is sent
	te.runAs(tr, "GET k")
	te.cmd("SET k 1")
	if r := tr.take(); r != "" {
		t.Fatalf("RESP2 client got %q", r)
	}
	te.runAs(tr, "HELLO 3")
	te.runAs(tr, "SET k 2") // a write remembers nothing
	te.cmd("SET k 3")
	if r := tr.take(); r != "" {
		t.Fatalf("invalidation for a key only written: %q", r)
	}
	// A read-only command's keys are all remembered; a write invalidates
	// only the keys it may change (SUNIONSTORE's destination, not its sources).
	te.cmd("SADD b x")
	te.runAs(tr, "SUNION a b")
	te.cmd("SUNIONSTORE a b c")
	if r := tr.take(); r != ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n" {
		t.Fatalf("after SUNIONSTORE: %q", r)
	}
}

func TestTrackingServedBlockedMove(t *testing.T) {
	te := newTestEnv(t)
	tr, bl := te.newClient(2), te.newClient(3)
	te.runAs(tr, "HELLO 3")
	te.runAs(tr, "CLIENT TRACKING on")
	te.runAs(tr, "LRANGE d 0 -1")
	te.runAs(bl, "BLMOVE s d LEFT RIGHT 0")
	te.e.ReleaseBlocked(bl.cl)
	// RPUSH changes s only; serving BLMOVE then changes d.
	te.cmd("RPUSH s x")
	if r := tr.take(); r != ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nd\r\n" {
		t.Fatalf("after a served BLMOVE: %q", r)
	}
}
