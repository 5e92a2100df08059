package command

import (
	"strings"
	"testing"
)

func TestClientReplyModes(t *testing.T) {
	te := newTestEnv(t)
	for _, c := range []struct{ line, want string }{
		{"CLIENT REPLY foo", "-ERR syntax error\r\n"},
		{"CLIENT REPLY ON", "+OK\r\n"},
		{"CLIENT REPLY SKIP", ""},
		{"PING", ""}, // skipped
		{"PING x", "$1\r\nx\r\n"},
		{"CLIENT REPLY SKIP", ""},
		{"NOSUCH", ""}, // a rejected command is skipped too
		{"PING y", "$1\r\ny\r\n"},
		{"CLIENT REPLY SKIP", ""},
		{"CLIENT REPLY SKIP", ""}, // skipped, and skips the next
		{"PING z", ""},
		{"PING w", "$1\r\nw\r\n"},
		{"CLIENT REPLY OFF", ""},
		{"SET a 1", ""},
		{"GET a", ""},
		{"CLIENT REPLY SKIP", ""}, // no effect while off
		{"CLIENT REPLY ON", "+OK\r\n"},
		{"GET a", "$1\r\n1\r\n"},
		{"CLIENT REPLY OFF", ""},
		{"MULTI", ""},
		{"RESET", "+RESET\r\n"}, // RESET turns replies back on
		{"PING", "+PONG\r\n"},
	} {
		te.expect(c.line, c.want)
	}
}

func TestClientReplyOffDropsServedBlockedReply(t *testing.T) {
	te := newTestEnv(t)
	b := te.newClient(2)
	te.runAs(b, "CLIENT REPLY OFF")
	te.runAs(b, "BLPOP l 0")
	te.e.ReleaseBlocked(b.cl)
	te.cmd("RPUSH l x")
	if r := b.take(); r != "" {
		t.Errorf("served BLPOP replied %q with replies off", r)
	}
	if te.cmd("LLEN l") != ":0\r\n" {
		t.Errorf("BLPOP was not served")
	}
}

func TestClientUnblockWith(t *testing.T) {
	te := newTestEnv(t)
	b := te.newClient(2)
	te.runAs(b, "BLPOP l 0")
	te.e.ReleaseBlocked(b.cl)
	if !te.e.UnblockWith(b.cl, "UNBLOCKED client unblocked via CLIENT UNBLOCK") {
		t.Fatal("not blocked")
	}
	if r := b.take(); r != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Errorf("reply %q", r)
	}
	te.runAs(b, "BZPOPMIN z 0")
	te.e.ReleaseBlocked(b.cl)
	if !te.e.UnblockWith(b.cl, "") || b.take() != "*-1\r\n" {
		t.Errorf("timeout reply wrong")
	}
	if te.e.UnblockWith(b.cl, "") {
		t.Errorf("unblocked a client that is not blocked")
	}
	te.expect("CLIENT UNBLOCK 2", ":0\r\n") // no host
	te.expect("CLIENT UNBLOCK x", "-ERR value is not an integer or out of range\r\n")
	te.expect("CLIENT UNBLOCK 2 foo", "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n")
	te.expect("CLIENT UNBLOCK 2 error x", "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n")
}

// Redis prints at most 128 bytes of the subcommand it did not understand.
func TestSubcommandSyntaxErrorCutsTheName(t *testing.T) {
	te := newTestEnv(t)
	long := strings.Repeat("d", 200)
	te.expect("DEBUG "+long, "-ERR unknown subcommand or wrong number of arguments for '"+long[:128]+"'. Try DEBUG HELP.\r\n")
	te.expect("DEBUG "+long[:128], "-ERR unknown subcommand or wrong number of arguments for '"+long[:128]+"'. Try DEBUG HELP.\r\n")
}

func TestClientReplyOffKeepsPushes(t *testing.T) {
	te := newTestEnv(t)
	te.cmd("HELLO 3")
	te.expect("SUBSCRIBE c", ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n")
	te.expect("CLIENT REPLY OFF", "")
	// PUBLISH's count is dropped, the message to this very client is not.
	te.expect("PUBLISH c m", ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n")
	te.expect("PING", "")
	te.expect("UNSUBSCRIBE c", ">3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n")
	te.expect("CLIENT REPLY ON", "+OK\r\n")
}
