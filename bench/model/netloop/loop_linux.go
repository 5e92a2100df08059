package main

import (
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"github.com/kevy-db/kevy/internal/netpoll"
	"golang.org/x/sys/unix"
)

// serveLoop is Redis's model in Go: one goroutine owns an epoll instance
// with every client socket (level-triggered), reads each ready socket once,
// executes what arrived, and writes the replies of the whole iteration
// after all reads. With nothing ready it parks in Go's poller on the epoll
// descriptor itself, so the only P stays free for other goroutines (here:
// the accepter) and no syscall blocks it.
func serveLoop(ln net.Listener, s *store) error {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		return err
	}
	ef := os.NewFile(uintptr(epfd), "epoll") // registers epfd with Go's poller
	rc, err := ef.SyscallConn()
	if err != nil {
		return err
	}
	l := &loop{epfd: epfd}
	go l.accept(ln)

	events := make([]unix.EpollEvent, 128)
	var n int
	wait := func(uintptr) bool {
		n = epollNoWait(epfd, events)
		return n > 0
	}
	var pending []*loopConn
	for {
		n = epollNoWait(epfd, events)
		if n == 0 {
			if err := rc.Read(wait); err != nil {
				return err
			}
		}
		for _, ev := range events[:n] {
			c := l.get(int(ev.Fd))
			if c == nil {
				continue
			}
			r, e := netpoll.RawRead(uintptr(c.fd), c.in[len(c.in):cap(c.in)])
			if e == syscall.EAGAIN {
				continue
			}
			if e != 0 || r == 0 {
				l.close(c)
				continue
			}
			c.in = c.in[:len(c.in)+r]
			used, out := s.execute(c.in, c.out)
			c.in = c.in[:copy(c.in, c.in[used:])]
			if len(out) > 0 && len(c.out) == 0 {
				pending = append(pending, c)
			}
			c.out = out
		}
		// Replies go out after every ready socket has been read, as in
		// Redis's beforeSleep: the client sees them in one burst.
		kept := pending[:0]
		for _, c := range pending {
			w, e := netpoll.RawWrite(uintptr(c.fd), c.out)
			switch {
			case e == syscall.EAGAIN:
				kept = append(kept, c)
			case e != 0:
				l.close(c)
			case w < len(c.out):
				c.out = c.out[:copy(c.out, c.out[w:])]
				kept = append(kept, c)
			default:
				c.out = c.out[:0]
			}
		}
		pending = kept
	}
}

type loop struct {
	epfd  int
	mu    sync.Mutex
	conns []*loopConn // by descriptor
}

type loopConn struct {
	fd      int
	in, out []byte
}

// accept runs in its own goroutine on Go's poller, takes each socket's
// descriptor out of the net.Conn (a non-blocking duplicate) and adds it to
// the loop's epoll.
func (l *loop) accept(ln net.Listener) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		var fd int
		var derr error
		rc, err := nc.(syscall.Conn).SyscallConn()
		if err == nil {
			err = rc.Control(func(f uintptr) { fd, derr = unix.Dup(int(f)) })
		}
		nc.Close()
		if err != nil || derr != nil {
			continue
		}
		unix.SetNonblock(fd, true)
		c := &loopConn{fd: fd, in: make([]byte, 0, 16<<10)}
		l.mu.Lock()
		for len(l.conns) <= fd {
			l.conns = append(l.conns, nil)
		}
		l.conns[fd] = c
		l.mu.Unlock()
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
		if unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev) != nil {
			l.close(c)
		}
	}
}

func (l *loop) get(fd int) *loopConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	if fd < len(l.conns) {
		return l.conns[fd]
	}
	return nil
}

func (l *loop) close(c *loopConn) {
	l.mu.Lock()
	if l.conns[c.fd] == c {
		l.conns[c.fd] = nil
	}
	l.mu.Unlock()
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	unix.Close(c.fd)
	c.out = c.out[:0]
}

// epollNoWait polls without blocking, as a raw syscall (it never blocks,
// so announcing it to the scheduler would only wake sysmon).
func epollNoWait(epfd int, events []unix.EpollEvent) int {
	for {
		n, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0
		}
		return int(n)
	}
}
