package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestBinaryWithGoRedis builds kevy, runs it as a separate process and
// talks to it with go-redis: the integration path a user takes.
func TestBinaryWithGoRedis(t *testing.T) {
	dir := t.TempDir()
	bin := buildKevy(t, dir)
	port := freePort(t)
	data := filepath.Join(dir, "data")
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", data, "--appendfsync", "always")
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	ctx := context.Background()
	cmd := start()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer c.Close()
	waitReady(t, c)
	if err := c.Set(ctx, "k", "v", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	c.RPush(ctx, "l", "a", "b")
	c.HSet(ctx, "h", "f", "1")
	c.ZAdd(ctx, "z", redis.Z{Score: 2, Member: "m"})
	c.SAdd(ctx, "s", "x")
	if _, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, "n")
		p.HIncrBy(ctx, "h", "f", 2)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A graceful stop (SIGTERM) saves and flushes; the data comes back.
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("kevy exited with %v after SIGTERM", err)
	}
	start()
	waitReady(t, c)
	if v := c.Get(ctx, "k").Val(); v != "v" {
		t.Fatalf("k = %q after restart", v)
	}
	if v := c.HGet(ctx, "h", "f").Val(); v != "3" {
		t.Fatalf("h.f = %q after restart", v)
	}
	if n := c.LLen(ctx, "l").Val() + c.SCard(ctx, "s").Val() + c.ZCard(ctx, "z").Val(); n != 4 {
		t.Fatalf("collections after restart hold %d elements, want 4", n)
	}
	if _, err := os.Stat(filepath.Join(data, "dump.rdb")); err != nil {
		t.Fatalf("no snapshot written on shutdown: %v", err)
	}
}

// buildKevy builds this command into dir and returns the binary's path.
func buildKevy(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "kevy")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitReady(t *testing.T, c *redis.Client) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kevy not ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
