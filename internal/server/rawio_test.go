package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"testing"
)

// Replies much larger than the socket buffer go out whole through the raw
// write path (EAGAIN, park, resume), to a client that reads slowly and in
// small pieces, and pipelined requests split across reads all get answers.
func TestRawIOLargeRepliesAndSplitRequests(t *testing.T) {
	s := startServer(t, nil)
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<19) // 8 MB
	set := fmt.Sprintf("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\n", len(big), big)
	// The request itself arrives in pieces the reader must put together.
	for i := 0; i < len(set); i += 100003 {
		if _, err := nc.Write([]byte(set[i:min(i+100003, len(set))])); err != nil {
			t.Fatal(err)
		}
	}
	req := "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n"
	if _, err := nc.Write([]byte(req + req + "PING\r\n")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(nc, 4096) // small reads: the server's writes fill the socket and wait
	expect := func(want string) {
		t.Helper()
		got := make([]byte, len(want))
		if _, err := io.ReadFull(br, got); err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("got %q..., want %q...", got[:min(len(got), 40)], want[:min(len(want), 40)])
		}
	}
	expect("+OK\r\n")
	bulk := fmt.Sprintf("$%d\r\n%s\r\n", len(big), big)
	expect(bulk)
	expect(bulk)
	expect("+PONG\r\n")
}
