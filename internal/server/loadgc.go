package server

import (
	"bytes"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

// Garbage collection while loading.
//
// A load allocates almost only what it keeps: loading 1M mixed keys
// allocates 165 MB for a 165 MB dataset from dump.rdb and 229 MB from the
// log. Collecting meanwhile finds next to nothing to free, yet with
// GOGC=100 the heap only doubles between cycles, so the cycles mark about
// twice the final dataset, and while one runs the loader pays mark assists
// and write barriers. Measured on the 2-core machine, restart with 1M
// mixed keys (7 alternated rounds, medians): from dump.rdb 1.61 s with
// the collector, 1.22 s without, peak RSS 175 MB either way; from the log
// 2.53 s and 2.16 s, peak RSS 205 and 240 MB (replaying commands does make
// some garbage).
//
// So while loading, the collector is off, under a memory limit that
// bounds what an unusual load (one that does make garbage) can pile up:
// the heap in use when loading starts plus 16 times the bytes to load,
// capped at half of the memory available then (to the machine or the
// container's memory cgroup), and at least 256 MiB. If
// a collection forced by the limit finds the dataset itself above half
// the limit, collecting at the limit would run almost continuously, so
// the normal settings come back. They come back after the load in any
// case, and the first cycle then runs while the server already serves.
//
// Only cmd/kevy turns this on (Options.AutoGC), and not when the operator
// set GOGC or GOMEMLIMIT: both are process-wide settings.

// loadHeadroom is the memory a load of inputBytes may be expected to
// need: 16 times the input (1M mixed keys take 165 MB from a 22 MB
// dump.rdb), at most half of the memory available now.
func loadHeadroom(inputBytes int64) int64 {
	h := int64(math.MaxInt64)
	if inputBytes < math.MaxInt64/16 {
		h = 16 * inputBytes
	}
	if avail := availableMemory(); avail > 0 {
		h = min(h, avail/2)
	}
	return h
}

// loadGC is the collector setting for one load; nil means untouched.
type loadGC struct {
	percent int    // settings to restore
	limit   int64  // ditto
	ours    int64  // the limit set for the load
	cycles  uint64 // GC cycles completed before the load
	samples []metrics.Sample
}

const loadGCCheckEvery = 1 << 16 // entries or records between checks

// startLoadGC turns the collector off for a load expected to fill
// headroom bytes (loadHeadroom).
func startLoadGC(headroom int64) *loadGC {
	g := &loadGC{samples: []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/live:bytes"},
	}}
	metrics.Read(g.samples)
	inUse := int64(g.samples[0].Value.Uint64())
	g.cycles = g.samples[1].Value.Uint64()
	g.ours = inUse + max(headroom, 256<<20)
	if g.ours < inUse { // overflow
		g.ours = math.MaxInt64
	}
	g.limit = debug.SetMemoryLimit(g.ours)
	if g.limit < g.ours {
		// Never loosen a limit that is already tighter.
		debug.SetMemoryLimit(g.limit)
		g.ours = g.limit
	}
	g.percent = debug.SetGCPercent(-1)
	return g
}

// check gives the collector back its normal settings when the limit is
// too tight for the dataset. Loaders call it every loadGCCheckEvery
// entries.
func (g *loadGC) check() {
	if g == nil || g.samples == nil {
		return
	}
	metrics.Read(g.samples)
	if g.samples[1].Value.Uint64() > g.cycles && int64(g.samples[2].Value.Uint64()) > g.ours/2 {
		g.stop()
	}
}

// stop restores the settings; later calls do nothing.
func (g *loadGC) stop() {
	if g == nil || g.samples == nil {
		return
	}
	debug.SetGCPercent(g.percent)
	debug.SetMemoryLimit(g.limit)
	g.samples = nil
}

// availableMemory is what the process may still allocate without
// swapping or meeting its container's limit: MemAvailable from
// /proc/meminfo, or less if the memory cgroup (v2 or v1) has less room
// left; 0 where unknown.
func availableMemory() int64 {
	avail := memAvailable()
	for _, f := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
	} {
		limit, ok1 := readInt(f[0])
		used, ok2 := readInt(f[1])
		if !ok1 || !ok2 || limit >= 1<<60 { // "max" or the v1 "unlimited" value
			continue
		}
		room := max(limit-used, 1)
		if avail == 0 || room < avail {
			avail = room
		}
		break
	}
	return avail
}

func readInt(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	return v, err == nil && v >= 0
}

// memAvailable is MemAvailable from /proc/meminfo, 0 where unknown.
func memAvailable() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		v, ok := bytes.CutPrefix(line, []byte("MemAvailable:"))
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
		if err != nil || kb <= 0 || kb > math.MaxInt64/1024 {
			return 0
		}
		return kb * 1024
	}
	return 0
}
