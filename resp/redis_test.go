package resp

// Differential tests against a real redis-server: protocol error texts,
// inline argument splitting and double formatting must match it byte for
// byte. They skip when redis-server is not on PATH.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startRedis starts a private redis-server and returns its address. The
// server is killed when the test ends.
func startRedis(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH; skipping the differential test")
	}
	var lastErr error
	for range 3 { // the free port may be taken before the server binds it
		addr, err := tryStartRedis(t, path)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return ""
}

func tryStartRedis(t *testing.T, path string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--logfile", "")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	// Wait for the server to say it is ready (or to exit) instead of
	// guessing with sleeps.
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if !found && strings.Contains(sc.Text(), "Ready to accept connections") {
				found = true
				ready <- true
			}
		}
		if !found {
			ready <- false
		}
	}()
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	select {
	case ok := <-ready:
		if !ok {
			stop()
			return "", fmt.Errorf("redis-server on port %d exited before it was ready", port)
		}
	case <-time.After(20 * time.Second):
		stop()
		return "", errors.New("redis-server did not become ready in 20s")
	}
	t.Cleanup(stop)
	return fmt.Sprintf("127.0.0.1:%d", port), nil
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// exchangeUntilClose sends in and returns everything the server sends back
// until it closes the connection.
func exchangeUntilClose(t *testing.T, addr, in string) string {
	t.Helper()
	c := dial(t, addr)
	go func() { io.WriteString(c, in) }()
	out, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("reading from redis: %v (got %q)", err, out)
	}
	return string(out)
}

// command sends one command and returns its raw reply.
func command(t *testing.T, c net.Conn, rr *ReplyReader, args ...string) []byte {
	t.Helper()
	if _, err := c.Write(AppendCommandStrings(nil, args...)); err != nil {
		t.Fatal(err)
	}
	raw, err := rr.ReadRaw()
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return raw
}

// redisSplitsDifferently lists cases where Redis's answer depends on how
// its reads split the input; see findCR and findLF.
var redisSplitsDifferently = map[string]bool{"too big with newline": true}

// TestRedisAcceptsSameCommands sends each well-formed case to Redis and
// checks that it runs exactly the commands we parsed, by predicting the
// replies of the few commands the cases use.
func TestRedisAcceptsSameCommands(t *testing.T) {
	addr := startRedis(t)
	for _, tc := range append(append([]readCase{}, multibulkCases...), inlineCases...) {
		// A NUL byte stops Redis's search for the newline, so it never
		// runs that line (see splitInline).
		if tc.err != "" || tc.torn || tc.limit || tc.lim != (Limits{}) || tc.name == "nul byte" {
			continue
		}
		var want strings.Builder
		w := NewWriter(&want)
		store := map[string]string{}
		known := true
		for _, c := range tc.want {
			switch {
			case c[0] == "PING" && len(c) == 1:
				w.SimpleString("PONG")
			case c[0] == "ECHO" && len(c) == 2:
				w.BulkString(c[1])
			case c[0] == "GET" && len(c) == 2:
				if v, ok := store[c[1]]; ok {
					w.BulkString(v)
				} else {
					w.Null()
				}
			case c[0] == "SET" && len(c) == 3:
				store[c[1]] = c[2]
				w.SimpleString("OK")
			default:
				known = false
			}
		}
		if !known {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			extra := ""
			if len(store) > 0 {
				extra = "FLUSHALL\r\n"
				w.SimpleString("OK")
			}
			w.SimpleString("OK") // QUIT
			w.Flush()
			got := exchangeUntilClose(t, addr, tc.in+extra+"QUIT\r\n")
			if got != want.String() {
				t.Errorf("redis replied %q, want %q", got, want.String())
			}
		})
	}
}

func TestRedisProtocolErrors(t *testing.T) {
	addr := startRedis(t)
	admin := dial(t, addr)
	adminRR := NewReplyReader(admin)
	for _, tc := range append(append([]readCase{}, multibulkCases...), inlineCases...) {
		if tc.err == "" || redisSplitsDifferently[tc.name] {
			continue
		}
		switch tc.lim {
		case Limits{}:
		case Limits{Unauthenticated: true}:
			command(t, admin, adminRR, "CONFIG", "SET", "requirepass", "pw")
		default:
			continue // limits Redis cannot be configured with
		}
		t.Run(tc.name, func(t *testing.T) {
			got := exchangeUntilClose(t, addr, tc.in)
			if want := "-ERR " + tc.err + "\r\n"; !strings.HasSuffix(got, want) {
				t.Errorf("redis replied %q, want it to end with %q", got, want)
			}
		})
		if tc.lim.Unauthenticated {
			command(t, admin, adminRR, "CONFIG", "SET", "requirepass", "")
		}
	}
}

// inlineArgTexts are argument texts whose splitting is compared with Redis.
var inlineArgTexts = []string{
	`plain words here`, `"a b"`, `"a\x41\n\r\t\b\a\\\"\q\xZZ\x4"`, `"\xfF\x00"`, `'a "b" \' \n'`,
	`"" ''`, `ab"cd ef"`, "\vx", "a\vx", "\"a\"\v", "a\rb\r", "a\fb", `"a\"`, `'a\'`, `"a"b`,
	`'a'b`, `"unclosed`, `'unclosed`, `x"y"z`, `"a\`, `'\\'`, `"\\"`, "\t\t", `"a" "b"'c'`,
}

func TestRedisInlineSplitting(t *testing.T) {
	addr := startRedis(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("random inline lines from seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	const alphabet = "ab1fF\\x\"' \t\v\f\rnq"
	texts := append([]string{}, inlineArgTexts...)
	for range 300 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	var c net.Conn
	var rr *ReplyReader
	for _, text := range texts {
		if c == nil {
			c = dial(t, addr)
			rr = NewReplyReader(c)
		}
		line := "RPUSH l _ " + text + "\r\n"
		rd := NewReader(strings.NewReader(line), Limits{})
		args, ourErr := rd.ReadCommand()
		io.WriteString(c, "DEL l\r\n"+line)
		if _, err := rr.ReadRaw(); err != nil {
			t.Fatalf("DEL: %v", err)
		}
		reply, err := rr.ReadReply()
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if ourErr != nil {
			if want := "ERR " + protoMsg(ourErr); reply.Kind != '-' || string(reply.Str) != want {
				t.Errorf("line %q: redis replied %s, we failed with %v", line, valueString(reply), ourErr)
			}
			c.Close()
			c = nil
			continue
		}
		if reply.Kind != ':' {
			t.Errorf("line %q: redis replied %s, we split it into %q", line, valueString(reply), args)
			continue
		}
		var ours []string
		for _, a := range args[3:] {
			ours = append(ours, string(a))
		}
		list, err := decodeRaw(command(t, c, rr, "LRANGE", "l", "1", "-1"))
		if err != nil {
			t.Fatal(err)
		}
		var theirs []string
		for _, e := range list.Elems {
			theirs = append(theirs, string(e.Str))
		}
		if fmt.Sprintf("%q", ours) != fmt.Sprintf("%q", theirs) {
			t.Errorf("line %q: we split %q, redis %q", line, ours, theirs)
		}
	}
}

// decodeRaw decodes one raw reply.
func decodeRaw(raw []byte) (Value, error) {
	return NewReplyReader(strings.NewReader(string(raw))).ReadReply()
}

func TestRedisDoubleReplies(t *testing.T) {
	addr := startRedis(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("random doubles from seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	values := []float64{1.1, 0, 1, -1.5, 1e20, 1e16, 1e17, 123456789012345678, 0.0001, 0.00001,
		1e-300, 3.14159, 0.1, 1e308, 2.5e-310, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), 1 << 53, 1<<53 + 1, 9007199254740993}
	for range 200 {
		values = append(values, math.Float64frombits(rng.Uint64()), rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)))
	}
	conns := map[int]net.Conn{2: dial(t, addr), 3: dial(t, addr)}
	readers := map[int]*ReplyReader{2: NewReplyReader(conns[2]), 3: NewReplyReader(conns[3])}
	command(t, conns[3], readers[3], "HELLO", "3")
	for _, f := range values {
		// Redis refuses NaN scores and stores -0 as 0.
		if math.IsNaN(f) || f == 0 {
			f = 0
		}
		text := string(AppendDouble(nil, f))
		command(t, conns[2], readers[2], "ZADD", "z", text, "m")
		for proto, c := range conns {
			var want strings.Builder
			w := NewWriter(&want)
			w.SetProto(proto)
			w.Double(f)
			w.Flush()
			if got := command(t, c, readers[proto], "ZSCORE", "z", "m"); string(got) != want.String() {
				t.Errorf("RESP%d ZSCORE of %v: redis %q, Writer.Double %q", proto, f, got, want.String())
			}
		}
	}
}
