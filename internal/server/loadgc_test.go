package server

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestLoadGCRestoresSettings: the collector is off during a load and
// gets its settings back afterwards, also when the load gives up early
// because the dataset does not fit under the limit.
func TestLoadGCRestoresSettings(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}()
	if availableMemory() <= 0 {
		t.Errorf("availableMemory() = %d", availableMemory())
	}
	g := startLoadGC(loadHeadroom(1 << 20))
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GC percent %d during the load, want -1", p)
	}
	if l := debug.SetMemoryLimit(-1); l < 256<<20 || l == math.MaxInt64 {
		t.Errorf("memory limit %d during the load", l)
	}
	g.check() // far below the limit: nothing changes
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GC percent %d after check, want -1", p)
	}
	g.stop()
	g.stop()
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GC percent %d after the load, want 100", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Errorf("memory limit %d after the load", l)
	}

	// A dataset above half the limit after a collection: give up.
	g = startLoadGC(loadHeadroom(1 << 20))
	g.ours = 1 // as if the limit were tiny
	runtime.GC()
	g.check()
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GC percent %d after giving up, want 100", p)
	}
	var nilGC *loadGC
	nilGC.check()
	nilGC.stop()
}
