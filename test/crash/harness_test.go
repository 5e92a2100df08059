//go:build linux

package crash

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	readyTimeout = 30 * time.Second // start-up, log replay included
	exitTimeout  = 10 * time.Second // a killed or refusing server must be gone by then
	ioTimeout    = 20 * time.Second // one request/reply (SAVE of the filler included)
	portAttempts = 5
)

// kevyBin is the server binary under test, built once by TestMain.
var kevyBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if bin := os.Getenv("KEVY_CRASH_BIN"); bin != "" {
		kevyBin = bin
	} else {
		dir, err := os.MkdirTemp("", "kevy-crash-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "crash: temp dir:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		goTool, err := exec.LookPath("go")
		if err != nil {
			fmt.Fprintln(os.Stderr, "crash: the go tool is needed to build the server (or set KEVY_CRASH_BIN):", err)
			return 1
		}
		kevyBin = filepath.Join(dir, "kevy")
		out, err := exec.Command(goTool, "build", "-o", kevyBin, "github.com/kevy-db/kevy/cmd/kevy").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "crash: building the server: %v\n%s", err, out)
			return 1
		}
	}
	code := m.Run()
	printSummary(os.Stdout)
	return code
}

func soak() bool { return os.Getenv("KEVY_CRASH_SOAK") != "" }

// newRand returns the test's seeded random source and logs the seed, again
// on failure so that it sits next to the error.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("KEVY_CRASH_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("bad KEVY_CRASH_SEED %q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d", seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("FAILED with seed %d: replay with KEVY_CRASH_SEED=%d go test ./test/crash -run '^%s$'", seed, seed, t.Name())
		}
	})
	return rand.New(rand.NewSource(seed))
}

// ---- server processes ----

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one run of the kevy binary.
type server struct {
	dir    string
	addr   string
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{} // closed when the process has exited
	state  *os.ProcessState
}

// serverArgs are the command-line arguments for a server on port in dir.
func serverArgs(port int, dir, policy string) []string {
	return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--appendonly", "yes", "--appendfsync", policy, "--save", ""}
}

// launch starts the binary on a free port without waiting for it. The
// process is killed when the test ends, whatever happens.
func launch(t *testing.T, dir, policy string) *server {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	s := &server{dir: dir, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), out: new(syncBuffer), exited: make(chan struct{})}
	s.cmd = exec.Command(kevyBin, serverArgs(port, dir, policy)...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	// If the test binary dies, the kernel kills the server too.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", kevyBin, err)
	}
	go func() {
		s.cmd.Wait()
		s.state = s.cmd.ProcessState
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.kill()
		// Cleanups run newest first: show the last few servers' output.
		if t.Failed() && dumpBudget(t) {
			t.Logf("output of the server on %s (pid %d):\n%s", s.addr, s.cmd.Process.Pid, tail(s.out.String(), 3000))
		}
	})
	return s
}

var (
	dumpMu   sync.Mutex
	dumpSeen = map[*testing.T]int{}
)

// dumpBudget allows the output of at most three servers per failed test.
func dumpBudget(t *testing.T) bool {
	dumpMu.Lock()
	defer dumpMu.Unlock()
	dumpSeen[t]++
	return dumpSeen[t] <= 3
}

// startServer starts a server in dir and waits until it answers PING.
func startServer(t *testing.T, dir, policy string) *server {
	t.Helper()
	var last error
	for range portAttempts {
		s := launch(t, dir, policy)
		err := s.waitReady(readyTimeout)
		if err == nil {
			return s
		}
		last = err
		s.kill()
		// Only a port taken between freePort and the bind is worth a retry.
		if !strings.Contains(s.out.String(), "address already in use") {
			break
		}
	}
	t.Fatalf("server did not start: %v", last)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readyLine is what the server logs once its dataset is loaded.
const readyLine = "ready to accept connections"

// waitReady polls PING until it gets +PONG (not -LOADING) and the server
// has logged that it is ready, the process exits, or the timeout passes.
// The log line is needed as well because the server answers PING before
// it starts loading (see TestNoServiceBeforeLoad); these tests must not
// read a dataset that is not loaded yet.
func (s *server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("server exited (%v) before it was ready; output:\n%s", s.state, tail(s.out.String(), 3000))
		default:
		}
		c, err := dial(s.addr)
		if err == nil {
			var r reply
			r, err = c.do("PING")
			c.close()
			if err == nil && r.typ == '+' && r.str == "PONG" && strings.Contains(s.out.String(), readyLine) {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("PING answered %s", r)
			}
		}
		last = err
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("no PONG within %v (last: %v)", timeout, last)
}

// kill sends SIGKILL and waits for the process to be gone. It is a no-op
// for a process that already exited.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	syscall.Kill(s.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-s.exited:
	case <-time.After(exitTimeout):
		panic(fmt.Sprintf("server pid %d survived SIGKILL for %v", s.cmd.Process.Pid, exitTimeout))
	}
}

// waitExit waits for the process to exit on its own.
func (s *server) waitExit(timeout time.Duration) (*os.ProcessState, error) {
	select {
	case <-s.exited:
		return s.state, nil
	case <-time.After(timeout):
		return nil, fmt.Errorf("server still running after %v", timeout)
	}
}

// planReason returns the "loading plan" reason the server logged at start.
func (s *server) planReason() string {
	out := s.out.String()
	i := strings.Index(out, `msg="loading plan"`)
	if i < 0 {
		return ""
	}
	line := out[i:]
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	if j := strings.Index(line, "reason="); j >= 0 {
		v := line[j+len("reason="):]
		if uq, err := strconv.Unquote(v); err == nil {
			return uq
		}
		return v
	}
	return line
}

// planCase names the load-plan rule (aof.Plan) a reason comes from.
func planCase(reason string) string {
	switch {
	case strings.Contains(reason, "replaying the log from there"):
		return "snapshot+log-from-offset"
	case strings.Contains(reason, "continues snapshot"):
		return "snapshot+whole-log"
	case strings.Contains(reason, "self-contained"):
		return "log-alone"
	case strings.Contains(reason, "no log"):
		return "snapshot-alone"
	case strings.Contains(reason, "no snapshot and no log"):
		return "empty"
	}
	return "unknown"
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// ---- a minimal RESP client (no retries, no pooling: every byte accounted for) ----

type client struct {
	nc net.Conn
	br *bufio.Reader
	bw *bufio.Writer
}

func dial(addr string) (*client, error) {
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &client{nc: nc, br: bufio.NewReader(nc), bw: bufio.NewWriter(nc)}, nil
}

func (c *client) close() { c.nc.Close() }

// send buffers one command.
func (c *client) send(args ...string) {
	fmt.Fprintf(c.bw, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.bw, "$%d\r\n%s\r\n", len(a), a)
	}
}

func (c *client) flush() error {
	c.nc.SetDeadline(time.Now().Add(ioTimeout))
	return c.bw.Flush()
}

func (c *client) do(args ...string) (reply, error) {
	c.send(args...)
	if err := c.flush(); err != nil {
		return reply{}, err
	}
	return c.recv()
}

// reply is one decoded RESP2 reply.
type reply struct {
	typ   byte // '+', '-', ':', '$', '*'
	str   string
	num   int64
	null  bool
	elems []reply
}

func (r reply) String() string {
	switch r.typ {
	case '+', '-':
		return string(r.typ) + r.str
	case ':':
		return ":" + strconv.FormatInt(r.num, 10)
	case '$':
		if r.null {
			return "(nil)"
		}
		return strconv.Quote(r.str)
	case '*':
		parts := make([]string, len(r.elems))
		for i, e := range r.elems {
			parts[i] = e.String()
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return "?"
}

func (c *client) recv() (reply, error) {
	c.nc.SetDeadline(time.Now().Add(ioTimeout))
	return readReply(c.br)
}

func readReply(br *bufio.Reader) (reply, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return reply{}, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return reply{}, fmt.Errorf("malformed reply line %q", line)
	}
	r := reply{typ: line[0]}
	body := line[1 : len(line)-2]
	switch r.typ {
	case '+', '-':
		r.str = body
	case ':':
		r.num, err = strconv.ParseInt(body, 10, 64)
	case '$':
		n, perr := strconv.Atoi(body)
		if perr != nil {
			return r, perr
		}
		if n < 0 {
			r.null = true
			return r, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return r, err
		}
		r.str = string(buf[:n])
	case '*':
		n, perr := strconv.Atoi(body)
		if perr != nil {
			return r, perr
		}
		if n < 0 {
			r.null = true
			return r, nil
		}
		r.elems = make([]reply, n)
		for i := range r.elems {
			if r.elems[i], err = readReply(br); err != nil {
				return r, err
			}
		}
	default:
		return r, fmt.Errorf("unknown reply type in %q", line)
	}
	return r, err
}

// info returns one INFO section as a map.
func (c *client) info(section string) (map[string]string, error) {
	r, err := c.do("INFO", section)
	if err != nil {
		return nil, err
	}
	if r.typ != '$' {
		return nil, fmt.Errorf("INFO answered %s", r)
	}
	m := map[string]string{}
	for _, line := range strings.Split(r.str, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = v
		}
	}
	return m, nil
}

// ---- files ----

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read dir: %v", err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// inode returns path's inode number, 0 if it does not exist.
func inode(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// frame is one RESP multibulk frame of a log file.
type frame struct {
	start, end int64
	args       []string
}

// logHeader is the first line of a log file kevy creates.
const logHeader = "KEVYAOF1\n"

// parseLog splits a log file's bytes into frames with an independent
// parser, so the tests can aim at record boundaries. It stops at the first
// byte that does not parse and returns the frames before it.
func parseLog(data []byte) []frame {
	pos := 0
	if bytes.HasPrefix(data, []byte(logHeader)) {
		pos = len(logHeader)
	}
	var frames []frame
	for pos < len(data) {
		f, n, ok := parseFrame(data[pos:])
		if !ok {
			break
		}
		f.start, f.end = int64(pos), int64(pos+n)
		frames = append(frames, f)
		pos += n
	}
	return frames
}

func parseFrame(b []byte) (frame, int, bool) {
	readLine := func(at int, prefix byte) (int, int, bool) {
		if at >= len(b) || b[at] != prefix {
			return 0, 0, false
		}
		i := bytes.Index(b[at:], []byte("\r\n"))
		if i < 0 {
			return 0, 0, false
		}
		n, err := strconv.Atoi(string(b[at+1 : at+i]))
		if err != nil || n < 0 {
			return 0, 0, false
		}
		return n, at + i + 2, true
	}
	n, pos, ok := readLine(0, '*')
	if !ok {
		return frame{}, 0, false
	}
	var f frame
	for range n {
		l, p, ok := readLine(pos, '$')
		if !ok || p+l+2 > len(b) || string(b[p+l:p+l+2]) != "\r\n" {
			return frame{}, 0, false
		}
		f.args = append(f.args, string(b[p:p+l]))
		pos = p + l + 2
	}
	return f, pos, true
}
