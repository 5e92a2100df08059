package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestHandleSignalsRetries: a failed shutdown leaves the handler waiting
// for the next signal, which tries again; a successful one ends it.
func TestHandleSignalsRetries(t *testing.T) {
	sigs := make(chan os.Signal)
	results := make(chan error)
	attempts := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		handleSignals(sigs, slog.New(slog.NewTextHandler(io.Discard, nil)), func() error {
			attempts <- struct{}{}
			return <-results
		}, func(code int) { t.Errorf("exit(%d) called", code) })
		close(ended)
	}()
	sigs <- syscall.SIGTERM
	<-attempts
	results <- errors.New("disk full")
	// A signal that comes while the failed attempt is being reported
	// only notes it; signal until one starts the next attempt.
	for retried := false; !retried; {
		select {
		case sigs <- syscall.SIGTERM:
		case <-attempts:
			retried = true
		}
	}
	results <- nil
	<-ended
}

// TestHandleSignalsInsist: a SIGINT while an attempt runs exits with 1 at
// once; a SIGTERM then is only noted.
func TestHandleSignalsInsist(t *testing.T) {
	sigs := make(chan os.Signal)
	attempts := make(chan struct{})
	block := make(chan error)
	defer close(block)
	exited := make(chan int, 1)
	go handleSignals(sigs, slog.New(slog.NewTextHandler(io.Discard, nil)), func() error {
		attempts <- struct{}{}
		return <-block
	}, func(code int) { exited <- code })
	sigs <- syscall.SIGTERM
	<-attempts
	sigs <- syscall.SIGTERM
	select {
	case code := <-exited:
		t.Fatalf("exit(%d) on a second SIGTERM", code)
	default:
	}
	sigs <- syscall.SIGINT
	if code := <-exited; code != 1 {
		t.Fatalf("exit(%d) on a second SIGINT, want 1", code)
	}
}

// syncBuffer is a bytes.Buffer the process's output and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBinaryRetriesFailedShutdown: with a directory where dump.rdb should
// go, kevy cannot save on SIGTERM, so it keeps serving (as Redis does) and
// a later SIGTERM, once the way is clear, stops it cleanly. Before, the
// second signal was ignored and the process could only be killed.
func TestBinaryRetriesFailedShutdown(t *testing.T) {
	dir := t.TempDir()
	bin := buildKevy(t, dir)
	port := freePort(t)
	data := filepath.Join(dir, "data")
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", data)
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-waited
	})
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer c.Close()
	waitReady(t, c)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// A non-empty directory cannot be renamed over (root or not).
	blocker := filepath.Join(data, "dump.rdb")
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	waitLog(t, &logs, "shutdown failed")
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("not serving after a failed shutdown: %v", err)
	}
	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-waited:
		waited <- err // for the cleanup
		if err != nil {
			t.Fatalf("kevy exited with %v after the second SIGTERM\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("kevy still running 30 s after the second SIGTERM\n%s", logs.String())
	}
	if fi, err := os.Stat(blocker); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("no snapshot written by the second shutdown: %v", err)
	}
}

func waitLog(t *testing.T, logs *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", want, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
