package server

import (
	"time"

	"github.com/kevy-db/kevy/internal/command"
)

// Pub/Sub output (the commands are in internal/command/pubsub.go).
//
// A publisher runs on its own connection's goroutine, under the execution
// lock, while the subscriber's goroutine is usually waiting for input. So
// once a connection has subscribed (conn.ps), its reply writer cl.W is only
// touched under the execution lock: commands and publishers append to it,
// and bytes leave it by extractLocked, which moves them to capBuf; the
// network write then happens outside the lock. writeMu is held from the
// extraction to the end of the write, so bytes reach the socket in the
// order they were appended, whoever sends them.
//
// Two goroutines send: the connection's own, when it flushes its replies
// (after the log acknowledged its writes, invariant 2), and a flusher
// goroutine woken by each message. The flusher sends nothing while holdOut
// is set — cl.W then holds replies of the connection's own commands (or of
// a pop served for it) that must wait for the log — since the owner will
// send everything when it flushes.
//
// A subscriber that does not read cannot make us buffer without bound: its
// pending output (in cl.W plus the write in flight) is checked against
// client-output-buffer-limit pubsub after every message, and past the hard
// limit, or the soft one for longer than its time, the connection is
// closed and its subscriptions dropped.

// OutputBufferLimit is one class of client-output-buffer-limit. Zero
// values disable the corresponding check, as in Redis.
type OutputBufferLimit struct {
	Hard        int64
	Soft        int64
	SoftSeconds time.Duration
}

// DefaultPubSubOutputLimit is Redis's "client-output-buffer-limit pubsub
// 32mb 8mb 60".
var DefaultPubSubOutputLimit = OutputBufferLimit{Hard: 32 << 20, Soft: 8 << 20, SoftSeconds: 60 * time.Second}

func (s *Server) pubsubLimit() OutputBufferLimit {
	if s.opts.PubSubOutputLimit != nil {
		return *s.opts.PubSubOutputLimit
	}
	return DefaultPubSubOutputLimit
}

var _ command.ConnHooks = (*conn)(nil)

// startFlusher switches the connection to shared output. Called under the
// execution lock in the section where the client first subscribed, so no
// message can be appended before the switch. The connection stays in this
// mode until it closes.
func (c *conn) startFlusher() {
	c.ps = true
	c.outSig = make(chan struct{}, 1)
	c.outStop = make(chan struct{})
	c.s.wg.Add(1)
	go c.flusher()
}

func (c *conn) stopFlusher() {
	if c.outStop != nil {
		close(c.outStop)
	}
}

func (c *conn) flusher() {
	defer c.s.wg.Done()
	for {
		select {
		case <-c.outStop:
			return
		case <-c.outSig:
		}
		c.writeMu.Lock()
		c.s.mu.Lock()
		if c.holdOut || c.cl.W.Buffered() == 0 {
			c.s.mu.Unlock()
			c.writeMu.Unlock()
			continue
		}
		data := c.extractLocked()
		c.s.mu.Unlock()
		err := c.send(data)
		c.writeMu.Unlock()
		if err != nil {
			c.abort() // the owner's read fails and it cleans up
			return
		}
	}
}

// flushShared is the owner's flush in shared mode: its replies were
// acknowledged by the log, so everything pending may go.
func (c *conn) flushShared() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.s.mu.Lock()
	c.holdOut = false
	if c.cl.W.Buffered() == 0 {
		c.s.mu.Unlock()
		return nil
	}
	data := c.extractLocked()
	c.s.mu.Unlock()
	return c.send(data)
}

// extractLocked moves cl.W's bytes to capBuf. The caller holds the
// execution lock and writeMu.
func (c *conn) extractLocked() []byte {
	c.capture = true
	c.cl.W.Flush() // into capBuf: cannot fail
	c.capture = false
	c.inflight.Store(int64(len(c.capBuf)))
	return c.capBuf
}

// send writes extracted bytes to the socket. The caller holds writeMu.
func (c *conn) send(data []byte) error {
	_, err := connSink{c}.Write(data)
	c.inflight.Store(0)
	if cap(data) > 1<<20 {
		c.capBuf = nil
	} else {
		c.capBuf = data[:0]
	}
	return err
}

// PushedLocked implements command.ConnHooks: a message was appended to
// cl.W. It enforces the output limit and wakes the flusher.
func (c *conn) PushedLocked() bool {
	if c.killed.Load() {
		return false
	}
	lim := c.s.pubsubLimit()
	pending := int64(c.cl.W.Buffered()) + c.inflight.Load()
	over := lim.Hard > 0 && pending >= lim.Hard
	if lim.Soft > 0 && pending >= lim.Soft {
		now := time.Now()
		if c.softSince.IsZero() {
			c.softSince = now
		} else if now.Sub(c.softSince) > lim.SoftSeconds {
			over = true
		}
	} else {
		c.softSince = time.Time{}
	}
	if over {
		c.s.log.Warn("client scheduled to be closed ASAP for overcoming of output buffer limits",
			"addr", c.cl.Addr, "pending", pending)
		c.cl.W.Truncate(0) // release the memory now
		c.abort()
		return false
	}
	select {
	case c.outSig <- struct{}{}:
	default:
	}
	return true
}
