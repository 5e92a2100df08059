package server

import (
	"sync/atomic"
	"time"

	"github.com/kevy-db/kevy/internal/command"
)

// CLIENT PAUSE. A pause is an immutable pauseState published through an
// atomic pointer: a connection checks it before each command (one load,
// nil when no pause is in force) and, if the command must wait, waits
// outside the execution lock on the state's done channel or its end,
// whichever comes first; no goroutine polls. Every change (a new pause,
// UNPAUSE, the end) replaces the state and closes the old one's channel,
// so waiters look again. Nothing else changes: group commit and the log
// see a paused connection as one that has not sent its command yet.

type pauseState struct {
	all  bool
	end  int64 // unix ms
	done chan struct{}
}

type pauseSlot struct {
	cur     atomic.Pointer[pauseState]
	waiting atomic.Int64 // connections waiting (tests)
	// now is the clock pauses end by (unix ms); tests may replace it.
	now func() int64
}

func (p *pauseSlot) clock() int64 {
	if p.now != nil {
		return p.now()
	}
	return time.Now().UnixMilli()
}

// swap installs next (nil: no pause) in place of old and wakes old's
// waiters; it fails if the state changed meanwhile.
func (p *pauseSlot) swap(old, next *pauseState) bool {
	if !p.cur.CompareAndSwap(old, next) {
		return false
	}
	if old != nil {
		close(old.done)
	}
	return true
}

// active reports whether a pause is in force.
func (p *pauseSlot) active() bool {
	st := p.cur.Load()
	return st != nil && st.end > p.clock()
}

var _ command.PauseHost = (*host)(nil)

// PauseClients is CLIENT PAUSE, under the execution lock.
func (h *host) PauseClients(endMs int64, all bool) {
	p := &h.s().pause
	for {
		old := p.cur.Load()
		next := &pauseState{all: all, end: endMs, done: make(chan struct{})}
		if old != nil && old.end > p.clock() {
			next.all = next.all || old.all
			next.end = max(next.end, old.end)
		}
		if p.swap(old, next) {
			return
		}
	}
}

// UnpauseClients is CLIENT UNPAUSE.
func (h *host) UnpauseClients() {
	p := &h.s().pause
	for {
		old := p.cur.Load()
		if old == nil || p.swap(old, nil) {
			return
		}
	}
}

// waitPause holds the command args while a pause that covers it is in
// force. Replies to the connection's earlier commands are sent first, as
// Redis sends them before it parks the client.
func (c *conn) waitPause(args [][]byte) {
	p := &c.s.pause
	kind := -1
	for {
		st := p.cur.Load()
		if st == nil {
			return
		}
		now := p.clock()
		if now >= st.end {
			p.swap(st, nil)
			continue
		}
		if kind < 0 {
			kind = c.s.eng.Table.PauseKind(c.cl, args, c.s.dyn.Load().requirePass != "")
		}
		if kind == command.PauseNever || (kind == command.PauseAll && !st.all) {
			return
		}
		if c.flush() != nil {
			return // the write fails again, and ends the connection, after the command
		}
		if !c.paused {
			// CLIENT LIST shows a paused client as Redis does: blocked,
			// with the command it waits to run.
			c.s.mu.Lock()
			c.paused = true
			c.cl.LastCmd = c.s.eng.Table.CmdName(args)
			c.s.mu.Unlock()
			defer func() {
				c.s.mu.Lock()
				c.paused = false
				c.s.mu.Unlock()
			}()
		}
		p.waiting.Add(1)
		t := time.NewTimer(time.Duration(st.end-now) * time.Millisecond)
		select {
		case <-st.done:
		case <-t.C:
		case <-c.kicked: // killed, or the server closes
			t.Stop()
			p.waiting.Add(-1)
			return
		}
		t.Stop()
		p.waiting.Add(-1)
	}
}

var _ command.UnblockHost = (*host)(nil)

// UnblockByID is CLIENT UNBLOCK, under the execution lock: the target's
// reply is written like a timeout's and its connection woken as a served
// client's is (block.go).
func (h *host) UnblockByID(id int64, msg string) bool {
	s := h.s()
	s.clientsMu.Lock()
	c := s.clients[id]
	s.clientsMu.Unlock()
	if c == nil || !s.eng.UnblockWith(c.cl, msg) {
		return false
	}
	c.holdOut = true
	c.nc.SetReadDeadline(aLongTimeAgo)
	return true
}

// ClientExists reports whether a client with this id is connected (CLIENT
// TRACKING ... REDIRECT).
func (h *host) ClientExists(id int64) bool {
	s := h.s()
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	return s.clients[id] != nil
}
