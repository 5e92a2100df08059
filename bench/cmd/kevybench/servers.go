package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// settings are the persistence directives both servers get, verbatim.
type settings struct {
	appendOnly bool
	fsync      string // always | everysec | no
}

func (s settings) String() string {
	if !s.appendOnly {
		return "appendonly no"
	}
	return "appendonly yes, appendfsync " + s.fsync
}

// args renders the settings as the command line both servers accept.
func (s settings) args(port int, dir string) []string {
	ao := "no"
	if s.appendOnly {
		ao = "yes"
	}
	fsync := s.fsync
	if fsync == "" {
		fsync = "everysec"
	}
	return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--appendonly", ao, "--appendfsync", fsync, "--save", ""}
}

// product is one of the two servers under comparison.
type product struct {
	name string // "kevy" or "Redis"
	bin  string
}

// server is one running server process.
type server struct {
	prod    product
	port    int
	dir     string
	set     settings
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error
	started time.Time
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }
func (s *server) pid() int     { return s.cmd.Process.Pid }

func (s *server) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// children tracks every process the benchmark starts so that they can all
// be killed on exit or on a signal.
var children struct {
	sync.Mutex
	cmds map[*exec.Cmd]bool
}

func track(c *exec.Cmd) {
	children.Lock()
	defer children.Unlock()
	if children.cmds == nil {
		children.cmds = map[*exec.Cmd]bool{}
	}
	children.cmds[c] = true
}

func untrack(c *exec.Cmd) {
	children.Lock()
	defer children.Unlock()
	delete(children.cmds, c)
}

// killAll kills every tracked process group (servers include their
// snapshot children).
func killAll() {
	children.Lock()
	defer children.Unlock()
	for c := range children.cmds {
		if c.Process != nil {
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer launches prod with the given settings in dir (created if
// missing) on a free port and returns once it answers PING.
func startServer(p product, set settings, dir string) (*server, error) {
	s, err := launch(p, set, dir, 0)
	if err != nil {
		return nil, err
	}
	if err := s.waitReady(60 * time.Second); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// launch starts the process without waiting for it to serve. port 0 picks
// a free one.
func launch(p product, set settings, dir string, port int) (*server, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	logPath := filepath.Join(filepath.Dir(dir), filepath.Base(dir)+"."+strings.ToLower(p.name)+".log")
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(p.bin, set.args(port, dir)...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = sysAttr()
	s := &server{prod: p, port: port, dir: dir, set: set, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	s.started = time.Now()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	track(cmd)
	go func() {
		s.waitErr = cmd.Wait()
		lf.Close()
		untrack(cmd)
		close(s.done)
	}()
	return s, nil
}

// waitReady polls PING until the server answers +PONG (a -LOADING answer
// means keep waiting).
func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		if !s.alive() {
			return fmt.Errorf("%s exited during start-up (%v): %s", s.prod.name, s.waitErr, s.logTail())
		}
		c, err := dial(s.addr(), time.Second)
		if err != nil {
			last = err
			time.Sleep(5 * time.Millisecond)
			continue
		}
		r, err := c.do("PING")
		c.close()
		if err == nil && r.str == "PONG" {
			return nil
		}
		last = err
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer PING within %v (last: %v): %s", s.prod.name, limit, last, s.logTail())
}

// logTail returns the last lines of the server's output, for errors.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ")
}

// kill stops the server and its children at once, without saving.
func (s *server) kill() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	syscall.Kill(-s.pid(), syscall.SIGKILL)
	<-s.done
}

// stop shuts the server down gracefully (SIGTERM, as an operator would) and
// waits; after limit it kills it.
func (s *server) stop(limit time.Duration) error {
	if !s.alive() {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(limit):
		s.kill()
		return errors.New(s.prod.name + " did not exit on SIGTERM; killed")
	}
}

// client opens a connection to the server.
func (s *server) client() (*conn, error) {
	if !s.alive() {
		return nil, fmt.Errorf("%s is not running (%v): %s", s.prod.name, s.waitErr, s.logTail())
	}
	return dial(s.addr(), 5*time.Second)
}

// command runs one command on a fresh connection.
func (s *server) command(args ...string) (reply, error) {
	c, err := s.client()
	if err != nil {
		return reply{}, err
	}
	defer c.close()
	c.nc.SetDeadline(time.Now().Add(10 * time.Minute))
	return c.do(args...)
}

// waitIdle waits until no snapshot or log rewrite is in progress.
func (s *server) waitIdle(limit time.Duration) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	defer c.close()
	deadline := time.Now().Add(limit)
	for {
		r, err := c.do("INFO", "persistence")
		if err != nil {
			return err
		}
		a, _ := infoField(r.str, "rdb_bgsave_in_progress")
		b, _ := infoField(r.str, "aof_rewrite_in_progress")
		c2, _ := infoField(r.str, "aof_rewrite_scheduled")
		if a != "1" && b != "1" && c2 != "1" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: background job still running after %v", s.prod.name, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pair is kevy and Redis side by side with identical settings.
type pair [2]*server

func startPair(prods [2]product, set settings, base string) (pair, error) {
	var p pair
	for i, pr := range prods {
		s, err := startServer(pr, set, filepath.Join(base, strings.ToLower(pr.name)))
		if err != nil {
			p.kill()
			return p, err
		}
		p[i] = s
	}
	return p, nil
}

func (p pair) kill() {
	for _, s := range p {
		s.kill()
	}
}

// dirSize sums the sizes of the regular files under dir whose path matches
// keep.
func dirSize(dir string, keep func(rel string) bool) int64 {
	var n int64
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if keep(rel) {
			n += info.Size()
		}
		return nil
	})
	return n
}

func isSnapshot(rel string) bool { return rel == "dump.rdb" }

func isLog(rel string) bool {
	return strings.Contains(rel, "appendonly") || strings.HasSuffix(rel, ".aof")
}
