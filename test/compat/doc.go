// Package compat is the differential compatibility suite: the same scripts
// of commands run against a real redis-server (7.0) and against kevy, and
// every reply must be byte-identical, error texts included.
//
// # Running
//
//	go test ./test/compat                          # redis-server vs kevy
//	go test ./test/compat -run TestCompat/bits     # one script
//	KEVY_COMPAT_PEER=redis go test ./test/compat   # redis vs redis
//	KEVY_COMPAT_BIN=/path/to/kevy go test ./test/compat   # a prebuilt kevy
//	KEVY_COMPAT_TRACE=1 go test ./test/compat -v   # log every line with Redis's reply
//
// The suite starts a redis-server and a kevy (built once from ./cmd/kevy,
// or taken from $KEVY_COMPAT_BIN) on free loopback ports in temporary
// directories, with snapshots and the append-only file off, and stops them
// when it ends. It skips when redis-server is not on PATH, and while
// cmd/kevy has no source yet. KEVY_COMPAT_PEER=redis replaces kevy with a
// second redis-server: every script must pass that way, which proves the
// script only compares what Redis itself produces deterministically. Run it
// a few times (-count=3) after editing a script.
//
// The comparison path speaks raw RESP over TCP, with no client library:
// each command goes out as a multibulk frame and exactly one reply's bytes
// are read back.
//
// # Scripts
//
// Each testdata/*.txt file is one subtest. It runs on fresh connections,
// starting with FLUSHALL in db 0. One command per line, split like
// redis-cli: whitespace separates arguments, "double quotes" allow \n \r \t
// \b \a \\ \" and \xHH escapes, 'single quotes' are literal except \'.
// Blank lines and lines starting with # are skipped. Because a backslash
// in double quotes is an escape, a glob pattern that must reach the server
// with its backslash goes in single quotes: KEYS 'a\*b'.
//
// A line starting with ! is a directive. Directives that prefix a command
// change how its two replies are compared; error replies are always
// compared byte for byte, whatever the directive:
//
//	!sort CMD...         order-free aggregate: elements compared as a multiset
//	!sort N CMD...       the same, in groups of N consecutive elements
//	                     (2 for field/value replies); RESP3 maps always pair up
//	!type CMD...         types, nullness and aggregate lengths only (TIME)
//	!approx N CMD...     integers within ±N (TTL, PTTL, OBJECT IDLETIME)
//	!ignore CMD...       run on both, compare nothing (CLIENT ID)
//	!except F,G CMD...   byte for byte except the values of fields F and G,
//	                     which are compared by shape: keys of a map or of a
//	                     flat key/value array (HELLO), or key=value pairs of
//	                     a text reply (CLIENT INFO, CLIENT LIST)
//	!scanall CMD...      SCAN, SSCAN, HSCAN or ZSCAN: call again with the
//	                     returned cursor until it is 0 and compare the union
//	                     of the elements as a set (pairs for HSCAN and ZSCAN)
//
// Directives that stand alone:
//
//	!raw "BYTES"   send the bytes as they are (inline commands, protocol
//	               errors) and read one reply
//	!send "BYTES"  send the bytes and read nothing (a request split in two,
//	               or one that gets no reply)
//	!read          read one more reply (after pipelined !raw bytes)
//	!rawclose      assert both servers closed the connection (after QUIT or
//	               a protocol error); the next line reconnects
//	!conn NAME     switch to connection NAME, opening it in db 0 on first
//	               use; the first connection is called main
//	!proto 2|3     send HELLO 2 or 3 on the current connection; the reply
//	               is compared except the client id
//
// A connection the server closed reads as a synthetic "connection closed"
// reply, so QUIT followed by a command shows up as a mismatch only if the
// servers disagree. A script stops at the first I/O failure (a hung or
// crashed server) and after ten mismatches, since by then the two datasets
// have diverged. Failure messages name the file, line, command and both
// replies.
//
// # COMMAND INFO
//
// TestCommandInfo (commandinfo_test.go) compares COMMAND INFO of every
// command and subcommand in kevy's COMMAND LIST with Redis's, in RESP2 and
// RESP3. It is byte for byte except for two things kevy does by design:
// Redis's key-spec "notes" texts are prose kevy does not copy, so kevy sends
// no notes field and the test drops Redis's before comparing; and a
// container's subcommands, which Redis lists in an order that changes from
// run to run, are matched by name (Redis's extra ones are logged).
//
// Scripts for new data types go in new files; keep each one independent of
// the others, deterministic, and free of anything that differs by design
// between the two servers (CONFIG GET dir, port, save, appendonly; INFO).
package compat
