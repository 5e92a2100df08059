package server

import (
	"math"
	"runtime"
	"syscall"
	"unsafe"
)

// Huge pages for the loaded dataset.
//
// A load fills a fresh heap, and with 4 KiB pages every page costs a fault
// on first touch (zeroing it, an exit to the hypervisor on a VM), then TLB
// misses on every random access to the hash table. Go asks for no
// transparent huge pages for its heap, and where THP is in "madvise" mode
// (Debian's default) it gets none; advising the heap after the fact
// collapses little (docs/architecture.md). So before the load, kevy has
// the runtime map the memory the load will fill, as one large allocation
// nothing ever writes, advises MADV_HUGEPAGE on it (the advice belongs to
// the mapping and survives what the runtime later does with the pages),
// and frees it again with one collection of the still tiny heap. The
// load's objects then land in those pages, and each first touch faults in
// 2 MiB. Restart from dump.rdb with 1M mixed keys, 7 alternated rounds:
// 0.87 s -> 0.52 s, CPU 1.38 s -> 0.80 s, RSS unchanged (180 MB, 166 MB of
// it in huge pages instead of none).

// prepareHugePages maps n bytes of heap, advises huge pages on them and
// hands them back to the Go heap. It does nothing below 32 MiB, where the
// gain is small.
func prepareHugePages(n int64) {
	const huge = 2 << 20
	if n < 32<<20 || n > math.MaxInt/2 {
		return
	}
	b := make([]byte, n) // fresh memory: not zeroed, not touched
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := (p + huge - 1) &^ (huge - 1)
	end := (p + uintptr(n)) &^ (huge - 1)
	if end > start {
		syscall.Syscall(syscall.SYS_MADVISE, start, end-start, 14 /* MADV_HUGEPAGE */)
	}
	runtime.KeepAlive(b)
	b = nil
	runtime.GC()
}
