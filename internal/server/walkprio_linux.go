package server

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// lockIdleCapableThread locks the calling goroutine to its thread for
// good (the thread ends with the goroutine, so no other goroutine ever
// runs on a thread whose scheduling class was touched) and makes sure the
// thread can switch to SCHED_IDLE and back; nice is the thread's nice
// value, which the switch back restores. A thread in another class
// (real-time, batch) is left alone.
//
// Leaving SCHED_IDLE needs CAP_SYS_NICE or an RLIMIT_NICE that allows the
// nice value (sched_setattr(2)), which an unprivileged server may lack:
// the round trip is first tried on a throwaway thread, which is destroyed
// whatever class it is left in, and only then on the walk's.
func lockIdleCapableThread() (nice int32, ok bool) {
	probe := make(chan bool)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		_, ok := idleRoundTrip()
		probe <- ok
	}()
	if !<-probe {
		return 0, false
	}
	runtime.LockOSThread()
	// On failure the thread stays locked: it may be idle-class now.
	return idleRoundTrip()
}

// idleRoundTrip takes the calling thread, if it is in SCHED_NORMAL, to
// SCHED_IDLE and back, and returns its nice value.
func idleRoundTrip() (nice int32, ok bool) {
	attr, err := unix.SchedGetAttr(0, 0)
	if err != nil || attr.Policy != unix.SCHED_NORMAL || !yieldToIdleClass(attr.Nice) {
		return 0, false
	}
	return attr.Nice, true
}

// yieldToIdleClass moves the thread to SCHED_IDLE and back to SCHED_NORMAL
// with the given nice value. The first switch returns, through the
// kernel's scheduler, only when nothing else wants this CPU. False means
// the thread could not switch, or (after a successful probe, not seen)
// could not switch back.
func yieldToIdleClass(nice int32) bool {
	idle := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE}
	if unix.SchedSetAttr(0, &idle, 0) != nil {
		return false
	}
	back := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL, Nice: nice}
	return unix.SchedSetAttr(0, &back, 0) == nil
}

// threadRunDelay is how long the calling thread has waited on a run queue
// (the second field of /proc/thread-self/schedstat, in nanoseconds).
func threadRunDelay() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/thread-self/schedstat")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, false
	}
	ns, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ns), true
}
