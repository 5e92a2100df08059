// Package netpoll lets a goroutine make the Go scheduler poll the network
// before it continues.
//
// runtime.Gosched runs the goroutines that are already runnable, but it does
// not look for new ones: the scheduler only polls the network (epoll) when
// it runs out of runnable goroutines, and a yielding goroutine is itself
// runnable. A server that wants to wait for the requests that arrived while
// it was busy (a group commit forming its group) has no way to ask for that
// poll. Yielder provides one: the caller parks on a pipe that it has just made
// readable, so the scheduler runs everything runnable, then polls and finds
// the pipe ready together with every socket that became readable meanwhile;
// their goroutines and the caller become runnable in the same batch.
//
// RawRead and RawWrite are the unannounced system calls that the Yielder
// and the server's sockets use, so that the scheduler is never told a call
// might block (raw.go).
package netpoll

import (
	"os"
	"runtime"
	"syscall"
)

// Yielder makes the scheduler poll the network. A Yielder is for one
// goroutine at a time; its zero value is not usable (use New).
type Yielder struct {
	r, w  *os.File
	rc    syscall.RawConn
	wfd   uintptr
	armed bool // the next callback is the first of this Yield
	buf   [64]byte
	step  func(fd uintptr) bool // bound once: a method value per call would allocate
}

// New returns a Yielder, or nil if the platform offers no pollable pipe;
// a nil Yielder's Yield falls back to runtime.Gosched.
func New() *Yielder {
	r, w, err := os.Pipe()
	if err != nil {
		return nil
	}
	rc, err := r.SyscallConn()
	if err != nil {
		r.Close()
		w.Close()
		return nil
	}
	y := &Yielder{r: r, w: w, rc: rc, wfd: w.Fd()}
	y.step = y.poll
	return y
}

// Yield returns after the scheduler has run every goroutine that was
// runnable and has polled the network once, so goroutines whose sockets
// became readable have run too (until they blocked).
func (y *Yielder) Yield() {
	if y == nil {
		runtime.Gosched()
		return
	}
	y.armed = true
	y.rc.Read(y.step)
	// The poll readies the sockets' goroutines and this one in one batch,
	// in an order of the runtime's choosing (often this one first), onto
	// the P's local run queue. Gosched puts this one on the global queue,
	// behind them, except that one schedule in 61 takes from the global
	// queue first (fairness), so the second Gosched covers that case.
	// Without the pipe (an error) this is at least a plain yield.
	runtime.Gosched()
	runtime.Gosched()
}

// poll is the RawConn callback. Its first call makes the pipe readable
// and reports "would block", which parks the goroutine in the poller
// (RawConn.Read clears any older readiness before the first call, so the
// byte written here is what wakes it). The call after the wake-up drains
// the pipe. Both are raw system calls: announcing them would wake sysmon
// (see internal/server/rawio.go).
func (y *Yielder) poll(fd uintptr) bool {
	if y.armed {
		y.armed = false
		_, e := RawWrite(y.wfd, []byte{1})
		// Park only if the byte that will wake us is there.
		return e != 0
	}
	// EAGAIN: woken without the byte (it cannot have been read by anyone
	// else), so wait again.
	_, e := RawRead(fd, y.buf[:])
	return e != syscall.EAGAIN
}

// Close releases the pipe.
func (y *Yielder) Close() error {
	if y == nil {
		return nil
	}
	y.r.Close()
	return y.w.Close()
}
