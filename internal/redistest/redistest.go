// Package redistest starts a private redis-server for differential tests:
// on a free loopback port, with its data in a temporary directory and
// persistence off, stopped when the test ends. Tests call Start and skip
// with a clear message where redis-server is not installed.
package redistest

import (
	"bufio"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Start runs redis-server with extra directives (e.g. "--hash-max-listpack-entries", "128")
// and returns its address. It skips the test when redis-server is not on
// PATH, and fails it when the server does not become ready.
func Start(t testing.TB, extra ...string) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH (apt-get install -y redis-server): skipping the comparison with Redis")
	}
	for attempt := 0; attempt < 3; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close() // another process may take the port before redis does: retried below
		args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--logfile", ""}, extra...)
		cmd := exec.Command(path, args...)
		dieWithParent(cmd) // a killed test binary must not leave Redis running
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			ok := false
			for sc.Scan() {
				if !ok && strings.Contains(sc.Text(), "Ready to accept connections") {
					ok = true
					ready <- true
				}
			}
			if !ok {
				ready <- false
			}
		}()
		stop := func() { cmd.Process.Kill(); cmd.Wait() }
		var ok bool
		select {
		case ok = <-ready:
		case <-time.After(20 * time.Second):
		}
		if !ok {
			stop()
			continue
		}
		t.Cleanup(stop)
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	}
	t.Fatal("could not start redis-server")
	return ""
}

// Dial starts a redis-server (see Start) and returns a connection to it
// with a generous deadline, closed when the test ends.
func Dial(t testing.TB, extra ...string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", Start(t, extra...))
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(120 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}
