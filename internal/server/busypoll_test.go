package server

import (
	"testing"
	"time"
)

// Polling turns on above busyPollOn of a core, stays on down to
// busyPollOff, counts the polls that found nothing as idle, and never runs
// with more than one P, or for pipelined clients while the log is on.
func TestBusyPollTuning(t *testing.T) {
	p := newBusyPoller()
	t0 := time.Unix(1000, 0)
	const period = 100 * time.Millisecond
	now, cpu := t0, time.Duration(0)
	step := func(used time.Duration, procs int, logOn bool) bool {
		now = now.Add(period)
		cpu += used
		p.tune(now, cpu, procs, logOn)
		return p.on.Load()
	}
	p.tune(now, cpu, 1, true) // the first sample only records
	for i, c := range []struct {
		used    time.Duration
		wasted  time.Duration
		procs   int
		on      bool
		perWake uint64 // commands per wake-up (100 wake-ups); 0: none
		logOff  bool
	}{
		{50 * time.Millisecond, 0, 1, false, 0, false},
		{75 * time.Millisecond, 0, 1, true, 0, false},                      // above 0.70
		{65 * time.Millisecond, 0, 1, true, 0, false},                      // between: unchanged
		{95 * time.Millisecond, 40 * time.Millisecond, 1, false, 0, false}, // 0.55 once idle polls are taken out
		{65 * time.Millisecond, 0, 1, false, 0, false},                     // between: unchanged
		{90 * time.Millisecond, 0, 2, false, 0, false},                     // two Ps: never
		{90 * time.Millisecond, 0, 1, true, 0, false},
		{90 * time.Millisecond, 0, 2, false, 0, false},
		{90 * time.Millisecond, 0, 1, true, 1, false},
		{90 * time.Millisecond, 0, 1, true, 2, false},
		{90 * time.Millisecond, 0, 1, false, 3, false}, // pipelined
		{90 * time.Millisecond, 0, 1, true, 1, false},
		{90 * time.Millisecond, 0, 1, true, 16, true}, // pipelined, no log
		{90 * time.Millisecond, 0, 2, false, 16, true},
		{90 * time.Millisecond, 0, 1, true, 16, true},
		{90 * time.Millisecond, 0, 1, false, 16, false}, // the log turned on
	} {
		p.wastedNs.Add(int64(c.wasted))
		if c.perWake > 0 {
			p.wakes.Add(100)
			p.commands.Add(100 * c.perWake)
		}
		if got := step(c.used, c.procs, !c.logOff); got != c.on {
			t.Fatalf("sample %d (%v used, %v wasted, %d procs, log off %v): on = %v, want %v", i, c.used, c.wasted, c.procs, c.logOff, got, c.on)
		}
	}
}

// The poller sleeps until a connection wakes while polling is on, polls,
// and sleeps again once the connections are quiet or polling is off.
func TestBusyPollerSleepsWhenQuiet(t *testing.T) {
	p := newBusyPoller()
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		p.run(done)
		close(exited)
	}()
	p.noteWake() // off: no signal
	if !p.idle.Load() || len(p.wake) != 0 {
		t.Fatal("a wake-up with polling off woke the poller")
	}
	p.on.Store(true)
	for range 3 {
		w := p.wastedNs.Load()
		p.noteWake()
		// It polls (only then does the wasted time grow), then finds
		// nothing more for busyPollWindow and sleeps again.
		waitFor(t, "the poller to go back to sleep", func() bool { return p.idle.Load() && p.wastedNs.Load() > w })
	}
	// Turned off while polling: it stops.
	p.noteWake()
	p.on.Store(false)
	waitFor(t, "the poller to stop", func() bool { return p.idle.Load() })
	close(done)
	waitClosed(t, exited, 5*time.Second, "the poller did not exit")
}

// Requests split at random keep being answered in order while the poller
// runs between them.
func TestStepsMissNoInputWhileBusyPolling(t *testing.T) {
	s := startServer(t, func(o *Options) {
		o.BusyPoll = true
		o.Hz = 1 // cron's tuning must not turn polling off during the test
	})
	s.poller.on.Store(true)
	w := s.poller.wakes.Load()
	checkSplitStream(t, s.Addr().String())
	if s.poller.wakes.Load() == w {
		t.Fatal("connections did not report their wake-ups")
	}
}
