package server

import (
	"errors"
	"net"
	"time"

	"github.com/kevy-db/kevy/aof"
)

// Blocked clients (BLPOP and friends; the engine side is in
// internal/command/blocking.go).
//
// While its client is blocked, a connection's goroutine sits in a read on
// the socket, which is how a disconnect (or CLIENT KILL, which closes the
// socket) is noticed at once: the client is then removed from the keys'
// queues under the execution lock, so nothing is popped for it afterwards.
// Bytes that arrive meanwhile (pipelined commands) are kept for the reader.
// The read's deadline is the command's timeout; a goroutine that serves the
// client sets it in the past to interrupt the read. Both the timeout and
// the interruption set the deadline under the execution lock, so a wake-up
// cannot be overwritten by a later re-arm.
//
// The served client's reply leaves like any write's: only once the log
// holds the served pop's record (wakeOff) as the fsync policy promises.

// aLongTimeAgo is a read deadline that interrupts a read at once.
var aLongTimeAgo = time.Unix(1, 0)

// afterCallLocked appends the records of the lock section to the log and
// wakes the clients the engine served in it. It returns the offset the
// caller must wait for.
func (s *Server) afterCallLocked() (int64, *aof.Log) {
	off := s.appendLogLocked()
	lg := s.p.log
	for _, cl := range s.eng.TakeWoken() {
		c, ok := cl.Conn.(*conn)
		if !ok {
			continue
		}
		c.wakeOff, c.wakeLog = off, lg
		c.holdOut = true
		c.nc.SetReadDeadline(aLongTimeAgo)
	}
	return off, lg
}

// waitBlocked runs after a command left the client blocked. It sends the
// replies of the commands before it, then waits until the client is served,
// times out or goes away. It returns false when the connection must close.
func (c *conn) waitBlocked() bool {
	s := c.s
	// Redis sends what a client has pending when it blocks. Until the
	// engine's hold is released nobody else writes to cl.W.
	flushErr := c.flush()
	s.mu.Lock()
	if flushErr != nil {
		s.eng.UnblockClient(c.cl, false)
		s.mu.Unlock()
		return false
	}
	s.eng.ReleaseBlocked(c.cl) // may serve it at once
	s.afterCallLocked()
	var buf [4096]byte
	for c.cl.Blocked() {
		deadline := c.cl.BlockDeadline()
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			s.eng.UnblockClient(c.cl, true) // the timeout reply
			break
		}
		c.nc.SetReadDeadline(deadline)
		s.mu.Unlock()
		n, err := c.nc.Read(buf[:])
		s.stats.netInput.Add(int64(n))
		s.mu.Lock()
		if n > 0 {
			c.in.pending = append(c.in.pending, buf[:n]...)
			if int64(len(c.in.pending)) > s.opts.ClientQueryBufferLimit {
				s.log.Warn("closing client that reached max query buffer length", "addr", c.cl.Addr)
				err = errQueryBufferWhileBlocked
			}
		}
		var ne net.Error
		if err == nil || (errors.As(err, &ne) && ne.Timeout() && err != errQueryBufferWhileBlocked) {
			continue
		}
		if s.eng.UnblockClient(c.cl, false) || err == errQueryBufferWhileBlocked {
			s.mu.Unlock()
			return false
		}
		// Served just before the error: let the reader report it after
		// the reply has been sent.
		c.in.err = err
	}
	off, lg := c.wakeOff, c.wakeLog
	c.wakeOff, c.wakeLog = 0, nil
	s.mu.Unlock()
	c.nc.SetReadDeadline(time.Time{})
	if off > 0 {
		c.waitOff, c.waitLog = off, lg
		if !c.hasUnacked {
			c.hasUnacked = true
			c.unackStart = 0 // everything before the reply was flushed above
			c.unackCmds = 0
		}
		c.unackCmds++
	}
	return true
}

var errQueryBufferWhileBlocked = errors.New("query buffer limit reached while blocked")
