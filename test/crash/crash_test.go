//go:build linux

package crash

import (
	"testing"
	"time"
)

// scale multiplies a cycle count under KEVY_CRASH_SOAK.
func scale(n int) int {
	if soak() {
		return n * 10
	}
	return n
}

// The default kill window: long enough for thousands of writes and a few
// jobs, short enough to keep the package near a minute.
const (
	minDelay = 150 * time.Millisecond
	maxDelay = 700 * time.Millisecond
)

// TestAlwaysIncr: under appendfsync always, 8 INCR writers; nothing
// acknowledged is lost and nothing is applied twice.
func TestAlwaysIncr(t *testing.T) {
	newCrashTest(t, workload{policy: "always", incr: 8, kill: "random", minDelay: minDelay, maxDelay: maxDelay}).run(scale(3))
}

// TestAlwaysMultiExec: transactions that increment a_i and b_i together
// replay all or nothing (a_i == b_i after every restart).
func TestAlwaysMultiExec(t *testing.T) {
	newCrashTest(t, workload{policy: "always", tx: 8, kill: "random", minDelay: minDelay, maxDelay: maxDelay}).run(scale(3))
}

// TestRewriteCrash: BGREWRITEAOF issued over and over while writers run;
// kills at random moments, while a rewrite runs, and just after a rewrite's
// rename. A filler dataset makes each rewrite take a while, and a bulk
// writer gives the rewrite a tail to copy.
func TestRewriteCrash(t *testing.T) {
	for _, kill := range []string{"random", "mid-job", "after-rename"} {
		t.Run(kill, func(t *testing.T) {
			newCrashTest(t, workload{policy: "always", incr: 6, tx: 2, filler: 20000, fillSize: 100, bulk: true,
				chaos: "BGREWRITEAOF", kill: kill, minDelay: minDelay, maxDelay: maxDelay}).run(scale(3))
		})
	}
}

// TestBgsaveCrash: BGSAVE over and over; the snapshot/log hand-over (a
// snapshot renamed into place, then the log reset onto it) must never
// replay a write twice, whichever side of it the kill lands.
func TestBgsaveCrash(t *testing.T) {
	for _, kill := range []string{"random", "mid-job", "after-rename"} {
		t.Run(kill, func(t *testing.T) {
			newCrashTest(t, workload{policy: "always", incr: 6, tx: 2, filler: 20000, fillSize: 100, bulk: true,
				chaos: "BGSAVE", kill: kill, minDelay: minDelay, maxDelay: maxDelay}).run(scale(3))
			if st := statsFor(t); kill == "after-rename" && st.plans["snapshot+log-from-offset"] == 0 {
				// Not a failure: the window is timing-dependent. But say
				// so, since this subtest exists to land in it.
				t.Logf("NOTE: no restart found a snapshot newer than the log reset (plans %v)", fmtMap(st.plans))
			}
		})
	}
}

// TestSaveCrash: the same with the foreground SAVE.
func TestSaveCrash(t *testing.T) {
	for _, kill := range []string{"random", "after-rename"} {
		t.Run(kill, func(t *testing.T) {
			newCrashTest(t, workload{policy: "always", incr: 6, tx: 2, filler: 5000, fillSize: 100, bulk: true,
				chaos: "SAVE", kill: kill, minDelay: minDelay, maxDelay: maxDelay}).run(scale(2))
		})
	}
}

// TestRelaxedPolicies: under everysec and no, a process crash loses
// nothing either (records reach the kernel before the reply; SIGKILL
// leaves the page cache intact), the server restarts, and nothing is
// applied twice. Rewrites and snapshots run meanwhile.
func TestRelaxedPolicies(t *testing.T) {
	for _, policy := range []string{"everysec", "no"} {
		t.Run(policy, func(t *testing.T) {
			newCrashTest(t, workload{policy: policy, incr: 6, tx: 2, filler: 5000, fillSize: 100, bulk: true,
				chaos: "mixed", kill: "mixed", minDelay: minDelay, maxDelay: maxDelay}).run(scale(3))
		})
	}
}

// TestManyCycles: consecutive kill/restart cycles on one directory, every
// persistence job mixed in, writers resuming from the recovered values,
// invariants checked after each restart. Each start picks its fsync policy
// at random: a log must load and continue whatever policy wrote it. Some
// restarts are themselves killed while the server loads.
func TestManyCycles(t *testing.T) {
	newCrashTest(t, workload{policy: "mixed", incr: 6, tx: 2, filler: 5000, fillSize: 64, bulk: true,
		chaos: "mixed", kill: "mixed", minDelay: minDelay, maxDelay: maxDelay, killStarts: true}).run(scale(8))
}
