package server

import (
	"fmt"
	"os"
	"syscall"
)

// rssBytes reads the resident set size from /proc (0 where unavailable).
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res uint64
	fmt.Sscanf(string(b), "%d %d", &size, &res)
	return res * uint64(os.Getpagesize())
}

// totalMemory is the machine's RAM, for INFO's total_system_memory.
func totalMemory() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return si.Totalram * uint64(si.Unit)
}
