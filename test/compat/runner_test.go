package compat

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeServer serves RESP requests with handle, which returns the raw reply
// bytes, or "" to close the connection. It stops when the test ends.
func fakeServer(t *testing.T, handle func(args []string) string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				rr := replyReader{br: bufio.NewReader(nc)}
				for {
					req, err := rr.read()
					if err != nil {
						return
					}
					args := make([]string, len(req.elems))
					for i, e := range req.elems {
						args[i] = string(e.data)
					}
					out := handle(args)
					if out == "" {
						return
					}
					if _, err := nc.Write([]byte(out)); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, nc := range conns {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// echoServer answers FLUSHALL with +OK, QUIT by closing, and anything else
// with its arguments joined, plus suffix for GET.
func echoServer(t *testing.T, suffix string) string {
	return fakeServer(t, func(args []string) string {
		switch strings.ToUpper(args[0]) {
		case "FLUSHALL":
			return "+OK\r\n"
		case "QUIT":
			return ""
		case "GET":
			return "+" + strings.Join(args, " ") + suffix + "\r\n"
		}
		return "+" + strings.Join(args, " ") + "\r\n"
	})
}

func mustParse(t *testing.T, src string) []step {
	t.Helper()
	steps, err := parseScript(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

func TestRunScriptAgrees(t *testing.T) {
	peers := [2]peer{{"a", echoServer(t, "")}, {"b", echoServer(t, "")}}
	steps := mustParse(t, "SET k v\nGET k\n!conn two\nECHO x\nQUIT\n!rawclose\nPING\n")
	mismatches, err := runScript(steps, peers, nil)
	if err != nil || len(mismatches) != 0 {
		t.Fatalf("runScript = %q, %v; want no mismatches", mismatches, err)
	}
}

func TestRunScriptReportsMismatch(t *testing.T) {
	peers := [2]peer{{"redis", echoServer(t, "")}, {"kevy", echoServer(t, "!")}}
	steps := mustParse(t, "SET k v\nGET k\nPING\n")
	mismatches, err := runScript(steps, peers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(mismatches) != 1 {
		t.Fatalf("mismatches = %q, want exactly one", mismatches)
	}
	for _, want := range []string{"line 2", "GET k", `"+GET k\r\n"`, `"+GET k!\r\n"`, "redis:", "kevy:"} {
		if !strings.Contains(mismatches[0], want) {
			t.Errorf("mismatch %q does not contain %q", mismatches[0], want)
		}
	}
}

func TestRunScriptRawCloseNeedsClose(t *testing.T) {
	peers := [2]peer{{"a", echoServer(t, "")}, {"b", echoServer(t, "")}}
	steps := mustParse(t, "!raw \"*1\\r\\n$4\\r\\nPING\\r\\n\"\n!send \"*1\\r\\n$4\\r\\nPING\\r\\n\"\n!rawclose\n")
	mismatches, err := runScript(steps, peers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(mismatches) != 1 || !strings.Contains(mismatches[0], "close the connection") {
		t.Fatalf("mismatches = %q, want one about the connection not closing", mismatches)
	}
}

// scanServer serves SSCAN over the members a..e, two per call, with cursors
// that depend on start: two servers with different starts return the same
// union through different cursor sequences.
func scanServer(t *testing.T, start int, members []string) string {
	return fakeServer(t, func(args []string) string {
		if strings.ToUpper(args[0]) != "SSCAN" {
			return "+OK\r\n"
		}
		cursor, _ := strconv.Atoi(args[2])
		i := 0
		if cursor != 0 {
			i = cursor - start
		}
		end := min(i+2, len(members))
		next := "0"
		if end < len(members) {
			next = strconv.Itoa(start + end)
		}
		out := "*2\r\n$" + strconv.Itoa(len(next)) + "\r\n" + next + "\r\n*" + strconv.Itoa(end-i) + "\r\n"
		for _, m := range members[i:end] {
			out += "$" + strconv.Itoa(len(m)) + "\r\n" + m + "\r\n"
		}
		return out
	})
}

func TestRunScriptScanAll(t *testing.T) {
	steps := mustParse(t, "!scanall SSCAN s 0\n")
	same := [2]peer{
		{"a", scanServer(t, 100, []string{"a", "b", "c", "d", "e"})},
		{"b", scanServer(t, 500, []string{"e", "d", "c", "b", "a", "a"})},
	}
	if mismatches, err := runScript(steps, same, nil); err != nil || len(mismatches) != 0 {
		t.Errorf("same members: runScript = %q, %v; want no mismatches", mismatches, err)
	}
	differ := [2]peer{
		{"a", scanServer(t, 100, []string{"a", "b", "c"})},
		{"b", scanServer(t, 100, []string{"a", "b", "x"})},
	}
	if mismatches, err := runScript(steps, differ, nil); err != nil || len(mismatches) != 1 {
		t.Errorf("different members: runScript = %q, %v; want one mismatch", mismatches, err)
	}
}
