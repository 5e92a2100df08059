package server

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/kevy-db/kevy/internal/netpoll"
)

// rawIO reads and writes a connection's socket with raw system calls.
//
// Why: a blocking-style syscall.Syscall tells the Go scheduler that the
// thread may block, and on a P that has been in a syscall across one sysmon
// tick (20 µs) sysmon takes the P away and hands it to another thread. A
// write to a loopback socket runs the receiver's TCP stack inline and often
// takes longer than that on the reference machine, so with one P (the
// configuration that runs fastest on 2 cores, docs/architecture.md) every
// few replies caused a hand-off, and sysmon, finding work every time, kept
// polling every 20 µs: 20 % of the server's CPU under appendfsync always at
// 50 clients went to sysmon alone. The socket is non-blocking (the runtime
// poller owns it), so these calls never block: a read or write that cannot
// proceed returns EAGAIN and the goroutine parks in the poller through
// syscall.RawConn, as net.Conn would.
//
// The callbacks handed to RawConn are bound once per connection and take
// their arguments through the struct: a closure per call would capture its
// variables on the heap, about 100 bytes of garbage per request, which on a
// million-key heap means more frequent GC cycles and their latency.
type rawIO struct {
	rc syscall.RawConn
	// A read and a write may run at once (different goroutines), so each
	// direction has its own call state.
	rd, wr  rawCall
	readFn  func(fd uintptr) bool
	writeFn func(fd uintptr) bool

	// Owner only, while conn.serveRaw runs its commands inside
	// RawConn.Read's callback (see there): the socket's descriptor, and
	// whether a read of this callback found the socket empty.
	inStep  bool
	fd      uintptr
	drained bool
}

// errWouldBlock is Read's answer inside a step when the socket has
// nothing to read: the step ends and the poller waits for input.
var errWouldBlock = errors.New("server: socket would block")

type rawCall struct {
	p     []byte
	n     int
	errno syscall.Errno
}

// newRawIO returns nil if nc has no descriptor to use.
func newRawIO(nc net.Conn) *rawIO {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawIO{rc: rc}
	r.readFn, r.writeFn = r.readOnce, r.writeAll
	return r
}

func (r *rawIO) readOnce(fd uintptr) bool {
	c := &r.rd
	n, errno := netpoll.RawRead(fd, c.p)
	if errno == syscall.EAGAIN {
		return false
	}
	c.n, c.errno = n, errno
	return true
}

func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.inStep {
		return r.stepRead(p)
	}
	c := &r.rd
	c.p, c.n, c.errno = p, 0, 0
	err := r.rc.Read(r.readFn)
	c.p = nil
	switch {
	case err != nil:
		return 0, err
	case c.errno != 0:
		return 0, os.NewSyscallError("read", c.errno)
	case c.n == 0:
		return 0, io.EOF
	}
	return c.n, nil
}

// stepRead is Read inside a step. A read that returned less than it was
// offered emptied the socket, so the next one is not tried: the step ends
// and the poller waits. Within one RawConn.Read call the poller keeps the
// readiness of every arrival since the call began (only its start forgets
// older ones), so input that came in after that read wakes the wait at
// once, and none is missed. Without pipelining this saves the read that
// follows every reply and finds nothing (EAGAIN): a system call per request.
func (r *rawIO) stepRead(p []byte) (int, error) {
	if r.drained {
		r.drained = false
		return 0, errWouldBlock
	}
	n, errno := netpoll.RawRead(r.fd, p)
	switch {
	case errno == syscall.EAGAIN:
		return 0, errWouldBlock
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	r.drained = n < len(p)
	return n, nil
}

// shutdown ends the connection from another goroutine without waiting for
// its owner: closing the descriptor would wait until the owner left the
// callback it may be running commands in (RawConn holds the descriptor
// for the callback's duration), and a closer holding a lock the owner
// needs would never get it. The owner's next read finds the end of input
// and it closes the socket itself.
func (r *rawIO) shutdown() error {
	var serr error
	err := r.rc.Control(func(fd uintptr) {
		serr = syscall.Shutdown(int(fd), syscall.SHUT_RDWR)
	})
	if err == nil {
		err = serr
	}
	return err
}

func (r *rawIO) writeAll(fd uintptr) bool {
	c := &r.wr
	for c.n < len(c.p) {
		n, e := netpoll.RawWrite(fd, c.p[c.n:])
		switch e {
		case 0:
			c.n += n
		case syscall.EAGAIN:
			return false
		default:
			c.errno = e
			return true
		}
	}
	return true
}

func (r *rawIO) Write(p []byte) (int, error) {
	c := &r.wr
	c.p, c.n, c.errno = p, 0, 0
	err := r.rc.Write(r.writeFn)
	c.p = nil
	if err == nil && c.errno != 0 {
		err = os.NewSyscallError("write", c.errno)
	}
	return c.n, err
}
