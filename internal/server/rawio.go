package server

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
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
type rawIO struct {
	rc syscall.RawConn
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
	return &rawIO{rc: rc}
}

func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n uintptr
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			n, _, errno = syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch errno {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			}
			return true
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return int(n), nil
}

func (r *rawIO) Write(p []byte) (int, error) {
	written := 0
	var errno syscall.Errno
	err := r.rc.Write(func(fd uintptr) bool {
		for written < len(p) {
			n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[written])), uintptr(len(p)-written))
			switch e {
			case 0:
				written += int(n)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if err == nil && errno != 0 {
		err = os.NewSyscallError("write", errno)
	}
	return written, err
}
