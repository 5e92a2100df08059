package main

import (
	"net"
	"syscall"

	"github.com/kevy-db/kevy/internal/netpoll"
)

// serveGoroutines is kevy's model: one goroutine per connection that reads
// with a raw syscall, parks in Go's poller on EAGAIN, executes under the
// store's lock and writes its replies.
func serveGoroutines(ln net.Listener, s *store) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveConn(c, s)
	}
}

func serveConn(c net.Conn, s *store) {
	defer c.Close()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return
	}
	in := make([]byte, 0, 16<<10)
	var out []byte
	var n int
	var errno syscall.Errno
	read := func(fd uintptr) bool {
		n, errno = netpoll.RawRead(fd, in[len(in):cap(in)])
		return errno != syscall.EAGAIN
	}
	var pending []byte
	write := func(fd uintptr) bool {
		for len(pending) > 0 {
			w, e := netpoll.RawWrite(fd, pending)
			if e == syscall.EAGAIN {
				return false
			}
			if e != 0 {
				errno = e
				return true
			}
			pending = pending[w:]
		}
		return true
	}
	for {
		if err := rc.Read(read); err != nil || errno != 0 || n <= 0 {
			return
		}
		in = in[:len(in)+n]
		used, o := s.execute(in, out[:0])
		out = o
		in = in[:copy(in, in[used:])]
		if len(out) > 0 {
			pending = out
			if err := rc.Write(write); err != nil || errno != 0 {
				return
			}
		}
	}
}
