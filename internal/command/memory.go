package command

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"unsafe"

	"github.com/kevy-db/kevy/internal/store"
)

// MEMORY USAGE estimates what a key costs: its entry, its name and its
// value, with a per-element overhead for collections, sampled as Redis
// does (SAMPLES n elements, 5 unless given, 0 for all) and extrapolated to
// the whole. It is kevy's own estimate of kevy's own structures, so it
// cannot equal Redis's figure for the same key: only the reply's type,
// the nil for a missing key and the errors are Redis's.

// Per-element overheads beyond the element's bytes: a rough account of the
// slice headers, hash-table slots and skiplist nodes that hold them.
const (
	memListElem = 16
	memHashElem = 32
	memSetElem  = 24
	memZSetElem = 48
)

var memEntry = int64(unsafe.Sizeof(store.Entry{}))

func memoryCommand() spec {
	return spec{name: "memory", arity: -2, acl: "@slow", group: "server", summary: "Groups the subcommands that report on memory use.", run: runSubcommand, subs: []spec{
		{name: "usage", arity: -3, flags: "readonly", first: 2, last: 2, step: 1, keys: "RO", acl: "@read @slow", run: cmdMemoryUsage},
		{name: "doctor", arity: 2, acl: "@slow", tips: "nondeterministic_output request_policy:all_shards response_policy:special", run: cmdMemoryDoctor},
		{name: "stats", arity: 2, acl: "@slow", tips: "nondeterministic_output request_policy:all_shards response_policy:special", run: cmdMemoryStats},
		{name: "purge", arity: 2, acl: "@slow", tips: "request_policy:all_shards response_policy:all_succeeded", run: cmdMemoryPurge},
		{name: "malloc-stats", arity: 2, acl: "@slow", tips: "nondeterministic_output request_policy:all_shards response_policy:special", run: cmdMemoryMallocStats},
		{name: "help", arity: 2, flags: "loading stale", acl: "@slow", run: cmdMemoryHelp},
	}}
}

func cmdMemoryUsage(c *Ctx) {
	samples := int64(5)
	for j := 3; j < len(c.Args); j++ {
		if !is(c.Args[j], "samples") || j+1 >= len(c.Args) {
			c.Err(ErrSyntax)
			return
		}
		v, ok := parseInt(c.Args[j+1])
		if !ok {
			c.Err(ErrNotInt)
			return
		}
		if v < 0 {
			c.Err(ErrSyntax)
			return
		}
		if v == 0 {
			v = math.MaxInt64
		}
		samples = v
		j++
	}
	// Like Redis, the key is looked up as it is stored, without the
	// expiry check or access statistics of a read.
	ent := c.DB.Peek(c.Args[2])
	if ent == nil {
		c.W.Null()
		return
	}
	c.W.Int(memUsage(ent, samples))
}

// memUsage estimates ent's size in bytes, sampling up to samples elements.
func memUsage(ent *store.Entry, samples int64) int64 {
	size := memEntry + int64(len(ent.Key()))
	var n int      // elements
	var seen int64 // sampled
	var bytes int64
	take := func(b int64) bool {
		seen++
		bytes += b
		return seen < samples
	}
	switch ent.Kind() {
	case store.KindString:
		return size + int64(len(ent.Str()))
	case store.KindList:
		l := ent.Obj().(*store.List)
		n = l.Len()
		l.Each(func(e []byte) bool { return take(int64(len(e)) + memListElem) })
	case store.KindHash:
		h := ent.Obj().(*store.Hash)
		n = h.Len()
		h.Each(func(f, v []byte) bool { return take(int64(len(f)+len(v)) + memHashElem) })
	case store.KindSet:
		s := ent.Obj().(*store.Set)
		n = s.Len()
		s.Each(func(m []byte) bool { return take(int64(len(m)) + memSetElem) })
	case store.KindZSet:
		z := ent.Obj().(*store.ZSet)
		n = z.Len()
		z.Each(func(m []byte, _ float64) bool { return take(int64(len(m)) + memZSetElem) })
	}
	if seen > 0 {
		size += bytes * int64(n) / seen
	}
	return size
}

// cmdMemoryDoctor is kevy's own short report (Redis's is prose of its own).
func cmdMemoryDoctor(c *Ctx) {
	var b strings.Builder
	keys := 0
	for i := 0; i < c.St.NumDB(); i++ {
		keys += c.St.DB(i).Len()
	}
	if keys == 0 {
		b.WriteString("The dataset is empty: there is nothing to diagnose.\n")
	} else {
		b.WriteString("No memory problem detected. INFO memory has the figures; MEMORY USAGE <key> estimates one key.\n")
	}
	c.W.Verbatim("txt", b.String())
}

// cmdMemoryStats answers with Redis 7.0's fields, in its order, filled
// from the Go runtime: "allocated" is the live heap, "active" the heap in
// use by spans, "resident" what the runtime got from the system. Fields
// kevy has no counterpart for (replication backlog, Lua and function
// caches, cluster links, AOF buffer) are 0; per-database overheads are the
// entries' size. Figures, not layout, differ from Redis's.
func cmdMemoryStats(c *Ctx) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	total := int64(ms.HeapAlloc)
	peak := max(int64(ms.HeapSys), total)
	type dbOver struct {
		id            int
		main, expires int64
	}
	var dbs []dbOver
	keys, overhead := int64(0), int64(0)
	for i := 0; i < c.St.NumDB(); i++ {
		db := c.St.DB(i)
		if db.Len() == 0 {
			continue
		}
		d := dbOver{id: i, main: int64(db.Len()) * memEntry, expires: int64(db.ExpiresLen()) * 16}
		dbs = append(dbs, d)
		keys += int64(db.Len())
		overhead += d.main + d.expires
	}
	dataset := max(total-overhead, 0)
	perKey := int64(0)
	if keys > 0 {
		perKey = total / keys
	}
	pct := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) * 100 / float64(b)
	}
	ratio := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	active, resident := int64(ms.HeapInuse), int64(ms.Sys)
	c.W.Map(27 + len(dbs))
	kv := func(k string, v int64) { c.W.BulkString(k); c.W.Int(v) }
	kf := func(k string, v float64) { c.W.BulkString(k); c.W.Double(v) }
	kv("peak.allocated", peak)
	kv("total.allocated", total)
	kv("startup.allocated", 0)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", 0)
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", 0)
	for _, d := range dbs {
		c.W.BulkString("db." + strconv.Itoa(d.id))
		c.W.Map(3)
		kv("overhead.hashtable.main", d.main)
		kv("overhead.hashtable.expires", d.expires)
		kv("overhead.hashtable.slot-to-keys", 0)
	}
	kv("overhead.total", overhead)
	kv("keys.count", keys)
	kv("keys.bytes-per-key", perKey)
	kv("dataset.bytes", dataset)
	kf("dataset.percentage", pct(dataset, total))
	kf("peak.percentage", pct(total, peak))
	kv("allocator.allocated", total)
	kv("allocator.active", active)
	kv("allocator.resident", resident)
	kf("allocator-fragmentation.ratio", ratio(active, total))
	kv("allocator-fragmentation.bytes", active-total)
	kf("allocator-rss.ratio", ratio(resident, active))
	kv("allocator-rss.bytes", resident-active)
	kf("rss-overhead.ratio", 1)
	kv("rss-overhead.bytes", 0)
	kf("fragmentation", ratio(resident, total))
	kv("fragmentation.bytes", resident-total)
}

// cmdMemoryPurge is Redis's "ask the allocator to release memory": here a
// full collection that also returns the freed pages to the OS, so that
// after deleting much of the dataset RSS and used_memory come down to what
// is live without waiting for the next cycle and the background scavenger.
// It runs under the execution lock, as Redis's purge runs in its event
// loop: a full mark of the heap, tens of milliseconds for a few hundred MB
// (docs/architecture.md, "Memory and the garbage collector").
func cmdMemoryPurge(c *Ctx) {
	debug.FreeOSMemory()
	c.OK()
}

// cmdMemoryMallocStats reports the Go runtime's view of the heap (Redis
// prints jemalloc's statistics here, or that its allocator has none).
func cmdMemoryMallocStats(c *Ctx) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var b strings.Builder
	b.WriteString("___ Begin Go runtime memory statistics ___\n")
	line := func(name string, v uint64) { fmt.Fprintf(&b, "%s: %d\n", name, v) }
	line("heap_alloc", ms.HeapAlloc)
	line("heap_inuse", ms.HeapInuse)
	line("heap_idle", ms.HeapIdle)
	line("heap_released", ms.HeapReleased)
	line("heap_objects", ms.HeapObjects)
	line("heap_sys", ms.HeapSys)
	line("stack_sys", ms.StackSys)
	line("gc_sys", ms.GCSys)
	line("sys", ms.Sys)
	line("next_gc", ms.NextGC)
	line("num_gc", uint64(ms.NumGC))
	line("gc_pause_total_ns", ms.PauseTotalNs)
	gc := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(gc)
	for i, name := range []string{"gogc", "gomemlimit"} {
		if gc[i].Value.Kind() == metrics.KindUint64 {
			line(name, gc[i].Value.Uint64())
		}
	}
	b.WriteString("___ End Go runtime memory statistics ___\n")
	c.W.Bulk([]byte(b.String()))
}

func cmdMemoryHelp(c *Ctx) {
	writeHelp(c, "MEMORY", []string{
		"DOCTOR",
		"    Reply with a short report on memory use.",
		"USAGE <key> [SAMPLES <count>]",
		"    Reply with an estimate of the bytes the key and its value take. For a",
		"    collection, <count> elements (5 unless given, 0 for all) are measured",
		"    and the rest assumed alike.",
		"STATS",
		"    Reply with memory figures of the server, as fields and values.",
		"PURGE",
		"    Collect garbage now and return the freed memory to the OS.",
		"MALLOC-STATS",
		"    Reply with the Go runtime's heap statistics.",
	})
}
