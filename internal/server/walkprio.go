package server

import "time"

// Idle-priority background walks.
//
// A BGSAVE or BGREWRITEAOF walk takes the execution lock chunk by chunk
// and otherwise needs only CPU. On a small machine the CPU it takes comes
// from the clients, the network stack and the connections, and their
// tail latency shows it: with the walk competing at normal priority, p99
// during BGSAVE / BGREWRITEAOF was 1.12-1.29x Redis's here (10k
// requests/s on 1M keys; Redis's forked child costs its parent almost
// nothing on this machine), even with rests after each chunk that made
// the job last twice as long as Redis's.
//
// So before each chunk the walk's thread (locked to its goroutine for the
// job) drops to SCHED_IDLE and comes straight back: the kernel runs an
// idle-class thread only when its CPU has nothing else to run, so the
// drop returns once the clients leave the CPU free, and the chunk starts
// then. The chunk itself, and everything that takes a lock another
// goroutine may wait for (the execution lock, the log's), run at the
// thread's normal priority, so a client never waits for an idle-class
// thread the kernel has set aside. The wait happens inside the system
// call, so the Go runtime sees the thread as in a syscall: a
// stop-the-world or another goroutine does not wait for it. Measured
// (latency bench, 2 rounds): p99 during the jobs 1.12-1.17x Redis's ->
// at or below it, the job no longer slower than Redis's.
//
// A machine that never leaves a CPU idle would starve the walk, so it
// watches its own run-queue delay (/proc/thread-self/schedstat): once it
// has waited for the CPU more than half of a period's wall time, it stops
// dropping and falls back to the rests of walkPause for the rest of the
// job. That check also limits the one exposure left: a thread that gets
// a P back from the runtime while still idle-class (the P was taken from
// it during the wait) holds that P until the kernel runs it, which with
// every core busy elsewhere is the starvation case; the check ends the
// waits after the first starved period, though not a wait under way
// (docs/architecture.md has the measurement with CPU hogs).
type walkPriority struct {
	on   bool  // the thread drops to the idle class before each chunk
	nice int32 // the thread's nice value, restored after each drop

	// Starvation check, over periods of at least starveWindow.
	runDelay func() (time.Duration, bool) // threadRunDelay; tests replace it
	since    time.Time
	delay0   time.Duration
}

// starveWindow is the shortest period over which the walk's run-queue
// delay is judged.
const starveWindow = 50 * time.Millisecond

// startWalkPriority is called by the walk's goroutine before its first
// chunk. With enabled false, or where the system cannot do it, the walk
// runs as before (normal priority, rests after busy chunks).
func startWalkPriority(enabled bool) *walkPriority {
	w := &walkPriority{runDelay: threadRunDelay}
	if !enabled {
		return w
	}
	if w.nice, w.on = lockIdleCapableThread(); !w.on {
		return w
	}
	w.since = time.Now()
	w.delay0, _ = w.runDelay()
	return w
}

// waitIdle returns once the walk's CPU has nothing else to run (at once
// if it is already free), unless the walk has been found starved.
func (w *walkPriority) waitIdle() {
	if !w.on {
		return
	}
	if now := time.Now(); now.Sub(w.since) >= starveWindow {
		d, ok := w.runDelay()
		if ok && d-w.delay0 > now.Sub(w.since)/2 {
			w.on = false
			return
		}
		w.since, w.delay0 = now, d
	}
	if !yieldToIdleClass(w.nice) {
		w.on = false
	}
}

// rests says whether the walk should rest after busy chunks (walkPause):
// only when it does not wait for idle CPU instead.
func (w *walkPriority) rests() bool { return !w.on }
