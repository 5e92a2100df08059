package server

import (
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// onLockedThread runs f on a goroutine locked to a thread that is thrown
// away afterwards, as the walk's is.
func onLockedThread(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		f()
	}()
	<-done
}

func TestWalkPriorityLeavesTheThreadNormal(t *testing.T) {
	unprivileged := false
	onLockedThread(func() {
		before, err := unix.SchedGetAttr(0, 0)
		if err != nil {
			t.Errorf("sched_getattr: %v", err)
			return
		}
		w := startWalkPriority(true)
		if !w.on {
			if os.Geteuid() != 0 {
				unprivileged = true // t.Skip must run on the test's goroutine
				return
			}
			t.Errorf("idle-class waits are off for root")
			return
		}
		if w.rests() {
			t.Errorf("a walk that waits for idle CPU also rests")
		}
		for i := 0; i < 100; i++ {
			w.waitIdle()
		}
		after, err := unix.SchedGetAttr(0, 0)
		if err != nil {
			t.Errorf("sched_getattr: %v", err)
			return
		}
		if after.Policy != unix.SCHED_NORMAL || after.Nice != before.Nice {
			t.Errorf("after the waits the thread is policy %d nice %d, want %d nice %d", after.Policy, after.Nice, unix.SCHED_NORMAL, before.Nice)
		}
	})
	if unprivileged {
		t.Skip("this unprivileged user may not leave SCHED_IDLE (needs CAP_SYS_NICE or RLIMIT_NICE); the walk rests instead")
	}
}

func TestWalkPriorityOff(t *testing.T) {
	w := startWalkPriority(false)
	if w.on || !w.rests() {
		t.Fatalf("disabled: on=%v rests=%v", w.on, w.rests())
	}
	w.waitIdle() // a no-op
}

// A walk that waited for the CPU more than half of a period stops waiting
// for idle CPU and rests instead; one that waited less goes on.
func TestWalkPriorityStarved(t *testing.T) {
	for _, c := range []struct {
		delay   time.Duration
		starved bool
	}{{10 * time.Millisecond, false}, {80 * time.Millisecond, true}} {
		onLockedThread(func() {
			attr, err := unix.SchedGetAttr(0, 0)
			if err != nil {
				t.Errorf("sched_getattr: %v", err)
				return
			}
			w := &walkPriority{on: true, nice: attr.Nice, since: time.Now().Add(-100 * time.Millisecond),
				runDelay: func() (time.Duration, bool) { return c.delay, true }}
			w.waitIdle()
			if w.rests() != c.starved {
				t.Errorf("run delay %v of 100ms: rests=%v, want %v", c.delay, w.rests(), c.starved)
			}
		})
	}
}
