package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Run sizes. A fixed request count made runs last 0.3-1.2 s on a machine
// twice as fast as the one it was chosen on (a -P 16 run of 400000 GETs
// took a third of a second), and a run that short is mostly connection
// setup, the first GC cycles and whatever burst of noise it fell into:
// the same server's -P 16 GET read 253k and 862k requests/s in two
// rounds. So every run is sized by time: a calibration run of each
// server (discarded; it also warms both up) measures the group's speed,
// and N is what lets the faster of the two run for cfg.runTime. Both
// servers then run the same N in every round, the slower one longer.

// maxCalibratedScale caps how far calibration may raise a run's N above
// its calibration size, so that a calibration run spoiled by a stall
// cannot make the measured runs last minutes.
const maxCalibratedScale = 50

// calibrate sets the n of every run from one run of each server in p.
func calibrate(cfg *config, p pair, runs []throughputRun) {
	logf("  calibration (discarded): sizing runs to about %v", cfg.runTime)
	for i := range runs {
		r := &runs[i]
		var fastest time.Duration // the shorter of the servers' run times
		for _, s := range p {
			if !s.alive() {
				continue
			}
			res, _, errs := benchOnce(cfg, s, r.tests, r.clients, r.pipeline, r.n)
			if d, ok := runDuration(res, errs, r.tests, r.n); ok && (fastest == 0 || d < fastest) {
				fastest = d
			}
		}
		r.n = calibratedN(r.n, fastest, cfg.runTime)
	}
}

// runDuration is how long a run of n requests per test took by
// redis-benchmark's own rates (connection setup excluded); ok is false
// when a test failed.
func runDuration(res map[string]float64, errs map[string]error, tests []string, n int) (time.Duration, bool) {
	var secs float64
	for _, t := range tests {
		rate, ok := res[t]
		if _, failed := errs[t]; failed || !ok || rate <= 0 {
			return 0, false
		}
		secs += float64(n) / rate
	}
	return time.Duration(secs * float64(time.Second)), true
}

// calibratedN scales n, measured to take took, to last target; rounded
// to two significant digits so the report's sizes read easily, and never
// below n or above maxCalibratedScale·n. Without a measurement n stays.
func calibratedN(n int, took, target time.Duration) int {
	if took <= 0 {
		return n
	}
	want := float64(n) * target.Seconds() / took.Seconds()
	want = math.Min(math.Max(want, float64(n)), float64(maxCalibratedScale*n))
	unit := math.Pow(10, math.Floor(math.Log10(want))-1)
	return int(math.Round(want/unit) * unit)
}

// runSizes is the report's note of every run's N.
func runSizes(cfg *config, runs []throughputRun) string {
	var parts []string
	for _, r := range runs {
		parts = append(parts, fmt.Sprintf("`-c %d -P %d -t %s` %d", r.clients, r.pipeline, strings.Join(r.tests, ","), r.n))
	}
	return fmt.Sprintf("N per run, sized so that the faster server's run lasts about %v (from one discarded calibration run of each server, which also warms them up; both run the same N): %s.",
		cfg.runTime, strings.Join(parts, "; "))
}
