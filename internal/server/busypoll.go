package server

import (
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kevy-db/kevy/internal/netpoll"
)

// Busy polling: while the server is busy, its thread keeps polling the
// network between requests instead of sleeping in epoll_wait.
//
// Why: a request that finds the server's thread asleep must wake it, and
// on the reference VM that wake-up (an inter-processor interrupt, a VM
// exit on each side) is paid by both the sender, in its send system call,
// and the server. Without pipelining it is paid per request: with 5
// clients, persistence off, SET went 45-47k -> 52-54k requests/s polling,
// and with 50 clients under appendfsync everysec median 48.5k -> 52.1k
// (5 alternating rounds; Redis 48.2k). The price is CPU: a polling thread
// never sleeps, so the server uses its whole core while it polls (5
// clients: 72 % -> 98 %). It is therefore done only when the server is
// busy anyway (busyPollOn of one core over the last cron period, with
// hysteresis), with clients that wait for each reply, and on one P
// (tune), and it stops within busyPollWindow of the last request, so an
// idle server sleeps as before. cmd/kevy enables it; KEVY_NO_BUSY_POLL=1
// turns it off.
const (
	busyPollWindow = 50 * time.Microsecond
	busyPollOn     = 0.70 // start polling above this fraction of a core
	busyPollOff    = 0.60 // stop below this one
	// With the log on, poll only while a wake-up brings at most this many
	// commands on average: with pipelined clients wake-ups are rare per
	// request, and under appendfsync everysec at -P 16 polling cost 3-34 %
	// on eight of nine workloads (2 rounds, the same binary polling and
	// not), the poller's turns coming between the connections and the
	// log's writer. Without the log it helps them: LPUSH/RPOP -P 16 748-758k
	// / 772-783k -> 802-816k / 831-853k (3 alternating rounds; Redis
	// 795-821k / 820-844k), the other eight -P 16 tests within +-3 % in a
	// like round, as it was the client that paid for waking kevy.
	busyPollMaxPerWake = 2
)

type busyPoller struct {
	wakes    atomic.Uint64 // connections starting on new input
	on       atomic.Bool   // the server is busy enough to poll
	idle     atomic.Bool   // the poller sleeps; the next wake-up signals it
	wake     chan struct{}
	wastedNs atomic.Int64  // polling that found nothing, not counted as busy
	commands atomic.Uint64 // commands the woken connections ran

	// cron only: the previous sample.
	lastCPU    time.Duration
	lastWasted int64
	lastWakes  uint64
	lastCmds   uint64
	lastWall   time.Time
}

func newBusyPoller() *busyPoller {
	p := &busyPoller{wake: make(chan struct{}, 1)}
	p.idle.Store(true)
	return p
}

// noteWake is called by a connection each time it starts on new input.
func (p *busyPoller) noteWake() {
	p.wakes.Add(1)
	if p.idle.Load() && p.on.Load() && p.idle.CompareAndSwap(true, false) {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// run is the polling goroutine: asleep until a wake-up finds polling on,
// then polling until it turns off or the connections are quiet.
func (p *busyPoller) run(done <-chan struct{}) {
	y := netpoll.New()
	defer y.Close()
	for {
		select {
		case <-p.wake:
		case <-done:
			return
		}
		for {
			last := p.poll(y, done)
			p.idle.Store(true)
			// A connection that woke after poll's last look but before
			// idle was set did not signal: poll again for it, unless a
			// later one has signalled already.
			if !p.on.Load() || p.wakes.Load() == last || !p.idle.CompareAndSwap(true, false) {
				break
			}
		}
	}
}

// poll yields until polling is turned off or no connection has woken for
// busyPollWindow, and returns the wake-up count it saw last. Each Yield
// lets every runnable goroutine run, then makes the scheduler poll the
// network (netpoll.Yielder): the poll that would otherwise have slept.
func (p *busyPoller) poll(y *netpoll.Yielder, done <-chan struct{}) uint64 {
	last := p.wakes.Load()
	active := time.Now()
	for p.on.Load() {
		select {
		case <-done:
			return last
		default:
		}
		start := time.Now()
		y.Yield()
		now := time.Now()
		if w := p.wakes.Load(); w != last {
			last, active = w, now
			continue
		}
		p.wastedNs.Add(int64(now.Sub(start)))
		if now.Sub(active) >= busyPollWindow {
			break
		}
	}
	return last
}

// tune, called by cron with the process's CPU time, turns polling on or
// off from the CPU used since the last call, less the polls that found
// nothing, and (logOn) from the commands per wake-up. Only a server on one P
// polls: that is how kevy runs on two cores (tuneProcs) except during a
// background job, a dataset load, or under appendfsync always without
// AIO, and with a second P the poller would spin on a core of its own
// (under always with two Ps: no gain at 50 clients, a loss at 200).
func (p *busyPoller) tune(now time.Time, cpu time.Duration, procs int, logOn bool) {
	wasted, wakes, cmds := p.wastedNs.Load(), p.wakes.Load(), p.commands.Load()
	if !p.lastWall.IsZero() {
		wall := now.Sub(p.lastWall)
		busy := float64(cpu-p.lastCPU-time.Duration(wasted-p.lastWasted)) / float64(wall)
		pipelined := cmds-p.lastCmds > busyPollMaxPerWake*(wakes-p.lastWakes)
		switch {
		case procs != 1 || pipelined && logOn:
			p.on.Store(false)
		case busy > busyPollOn:
			p.on.Store(true)
		case busy < busyPollOff:
			p.on.Store(false)
		}
	}
	p.lastCPU, p.lastWasted, p.lastWall = cpu, wasted, now
	p.lastWakes, p.lastCmds = wakes, cmds
}

// processCPU is the CPU time the process has used.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
