package rdb

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server child process listening on a unix socket
// in its own temporary directory (no TCP port, so no port races).
type redisServer struct {
	dir  string
	sock string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func needRedis(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"redis-server"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH: skipping interoperability test with real Redis", tool)
		}
	}
}

// startRedis starts redis-server with dir as its data directory (it loads
// dir/dump.rdb when present) and waits until it answers PING. The process
// is stopped when the test ends.
func startRedis(t testing.TB, dir string, extra ...string) *redisServer {
	t.Helper()
	s := &redisServer{dir: dir, sock: filepath.Join(dir, "redis.sock"), out: &lockedBuffer{}, done: make(chan error, 1)}
	args := append([]string{
		"--port", "0", "--unixsocket", s.sock, "--save", "", "--appendonly", "no",
		"--dir", dir, "--dbfilename", "dump.rdb", "--daemonize", "no",
	}, extra...)
	s.cmd = exec.Command("redis-server", args...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(s.stop)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := s.client(0)
	defer c.Close()
	for {
		if err := c.Ping(ctx).Err(); err == nil {
			return s
		}
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("redis-server exited (%v):\n%s", err, s.out.String())
		case <-ctx.Done():
			t.Fatalf("redis-server did not answer PING in time:\n%s", s.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *redisServer) stop() {
	select {
	case err := <-s.done:
		s.done <- err
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	err := <-s.done
	s.done <- err
}

func (s *redisServer) client(db int) *redis.Client {
	return redis.NewClient(&redis.Options{Network: "unix", Addr: s.sock, DB: db, MaxRetries: -1, Protocol: 2})
}

// populate stores entries in the server with ordinary commands.
func populate(ctx context.Context, s *redisServer, es []*Entry) error {
	clients := map[int]*redis.Client{}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for _, e := range es {
		c := clients[e.DB]
		if c == nil {
			c = s.client(e.DB)
			clients[e.DB] = c
		}
		if err := storeEntry(ctx, c, string(e.Key), e); err != nil {
			return fmt.Errorf("storing %q: %w", e.Key, err)
		}
	}
	return nil
}

func storeEntry(ctx context.Context, c *redis.Client, key string, e *Entry) error {
	var args []any
	switch e.Type {
	case TypeString:
		args = []any{"SET", key, e.Str}
	case TypeList:
		args = []any{"RPUSH", key}
		for _, v := range e.List {
			args = append(args, v)
		}
	case TypeSet:
		args = []any{"SADD", key}
		for _, v := range e.Set {
			args = append(args, v)
		}
	case TypeHash:
		args = []any{"HSET", key}
		for _, f := range e.Hash {
			args = append(args, f.Field, f.Value)
		}
	case TypeZSet:
		args = []any{"ZADD", key}
		for _, m := range e.ZSet {
			args = append(args, string(formatScore(nil, m.Score)), m.Member)
		}
	}
	if err := c.Do(ctx, args...).Err(); err != nil {
		return err
	}
	if e.ExpireAt > 0 {
		return c.Do(ctx, "PEXPIREAT", key, e.ExpireAt).Err()
	}
	return nil
}

// fetchEntry reads key back from the server into an Entry.
func fetchEntry(ctx context.Context, c *redis.Client, key string) (*Entry, error) {
	e := &Entry{Key: []byte(key), Idle: -1, Freq: -1}
	typ, err := c.Type(ctx, key).Result()
	if err != nil {
		return nil, err
	}
	switch typ {
	case "string":
		e.Type = TypeString
		s, err := c.Get(ctx, key).Result()
		e.Str = []byte(s)
		if err != nil {
			return nil, err
		}
	case "list":
		e.Type = TypeList
		l, err := c.LRange(ctx, key, 0, -1).Result()
		if err != nil {
			return nil, err
		}
		for _, v := range l {
			e.List = append(e.List, []byte(v))
		}
	case "set":
		e.Type = TypeSet
		l, err := c.SMembers(ctx, key).Result()
		if err != nil {
			return nil, err
		}
		for _, v := range l {
			e.Set = append(e.Set, []byte(v))
		}
	case "hash":
		e.Type = TypeHash
		m, err := c.HGetAll(ctx, key).Result()
		if err != nil {
			return nil, err
		}
		for f, v := range m {
			e.Hash = append(e.Hash, HashField{[]byte(f), []byte(v)})
		}
		sort.Slice(e.Hash, func(i, j int) bool { return bytes.Compare(e.Hash[i].Field, e.Hash[j].Field) < 0 })
	case "zset":
		e.Type = TypeZSet
		raw, err := c.Do(ctx, "ZRANGE", key, 0, -1, "WITHSCORES").StringSlice()
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(raw); i += 2 {
			f, ok := parseScore([]byte(raw[i+1]))
			if !ok {
				return nil, fmt.Errorf("score %q", raw[i+1])
			}
			e.ZSet = append(e.ZSet, ZMember{[]byte(raw[i]), f})
		}
	default:
		return nil, fmt.Errorf("key %q has type %q", key, typ)
	}
	ms, err := c.Do(ctx, "PEXPIRETIME", key).Int64()
	if err != nil {
		return nil, err
	}
	if ms > 0 {
		e.ExpireAt = ms
	}
	return e, nil
}

func objectEncoding(ctx context.Context, c *redis.Client, key string) string {
	s, err := c.ObjectEncoding(ctx, key).Result()
	if err != nil {
		return "error: " + err.Error()
	}
	return s
}
