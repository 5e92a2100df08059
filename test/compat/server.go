package compat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

const (
	// startTimeout bounds how long a started server may take to answer PING.
	startTimeout = 15 * time.Second
	// stopTimeout bounds how long a server may take to exit after SIGTERM
	// before it is killed.
	stopTimeout = 5 * time.Second
	// portAttempts is how many free ports are tried. Picking a port by
	// listening on :0 and closing the listener leaves a window in which
	// another process can take it; retrying covers that race.
	portAttempts = 5
)

// process is a running server started by the suite.
type process struct {
	name   string
	addr   string
	cmd    *exec.Cmd
	output *bytes.Buffer // stdout and stderr together, for failure messages
	exited chan struct{} // closed once the process has exited
}

// startServer starts bin with the arguments args(port) on a free port in
// dir, and waits until it answers PING. The server must exit when its parent
// does not stop it (see setParentDeath); stop must be called in every case.
func startServer(name, bin, dir string, args func(port int) []string) (*process, error) {
	var lastErr error
	for range portAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		p, err := launch(name, bin, dir, port, args(port))
		if err == nil {
			return p, nil
		}
		lastErr = err
	}
	return nil, fmt.Errorf("%s: no start after %d ports: %w", name, portAttempts, lastErr)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launch(name, bin, dir string, port int, args []string) (*process, error) {
	p := &process{
		name:   name,
		addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		cmd:    exec.Command(bin, args...),
		output: new(bytes.Buffer),
		exited: make(chan struct{}),
	}
	p.cmd.Dir = dir
	p.cmd.Stdout = p.output
	p.cmd.Stderr = p.output
	setParentDeath(p.cmd)
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(); err != nil {
		p.stop()
		return nil, fmt.Errorf("%w\n%s output:\n%s", err, name, p.output.String())
	}
	return p, nil
}

// waitReady polls with PING until the server answers +PONG, the process
// exits (for example because the port was taken), or startTimeout passes.
func (p *process) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	for {
		err := ping(p.addr)
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before answering PING: %v", p.name, p.cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer PING within %v: %w", p.name, startTimeout, err)
		}
	}
}

// ping sends one PING on a new connection and expects +PONG.
func ping(addr string) error {
	nc, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := nc.Write(encodeCommand([]string{"PING"})); err != nil {
		return err
	}
	r, err := replyReader{br: bufio.NewReader(nc)}.read()
	if err != nil {
		return err
	}
	if string(r.raw) != "+PONG\r\n" {
		return fmt.Errorf("PING replied %q", r.raw)
	}
	return nil
}

// stop asks the server to exit with SIGTERM and kills it if it has not
// exited within stopTimeout. It returns the process's output if it had
// already exited on its own, which means it crashed during the run (or, in
// the unlikely case that another process took its port between freePort
// and bind, that the PINGs were answered by someone else: either way the
// run must not pass).
func (p *process) stop() error {
	select {
	case <-p.exited:
		return fmt.Errorf("%s exited during the run: %v\n%s", p.name, p.cmd.ProcessState, p.output.String())
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		p.cmd.Process.Kill()
		<-p.exited
	}
	return nil
}

// redisArgs are the arguments for a redis-server that neither snapshots
// nor logs to an append-only file, listening on loopback only. Its log goes
// to stdout, which the process captures for failure messages.
func redisArgs(dir string) func(port int) []string {
	return func(port int) []string {
		return []string{
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--dir", dir,
			"--save", "",
			"--appendonly", "no",
			"--daemonize", "no",
		}
	}
}

// kevyArgs are the equivalent arguments for kevy.
func kevyArgs(dir string) func(port int) []string {
	return func(port int) []string {
		return []string{
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--dir", dir,
			"--appendonly", "no",
			"--save", "",
		}
	}
}
