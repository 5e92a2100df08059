package main

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinCPUs returns the cores for a server (the first online core) and for
// the load generator (the rest) from the benchmark's own allowed set.
func pinCPUs() (server, client []int, err error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	for cpu := 0; cpu < len(set)*64; cpu++ {
		if !set.IsSet(cpu) {
			continue
		}
		if server == nil {
			server = []int{cpu}
		} else {
			client = append(client, cpu)
		}
	}
	if len(client) == 0 {
		return nil, nil, fmt.Errorf("only %d usable core(s): nothing to pin apart", len(server))
	}
	return server, client, nil
}

// pinProcess confines every thread of process pid to cpus. Threads a
// pinned thread starts inherit its mask, so the loop over
// /proc/PID/task runs until a pass finds no thread left to pin (a thread
// started during a pass by one not yet pinned).
func pinProcess(pid int, cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	done := map[int]bool{}
	for pass := 0; pass < 10; pass++ {
		tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		if err != nil {
			return fmt.Errorf("pinning pid %d: %w", pid, err)
		}
		added := false
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil || done[tid] {
				continue
			}
			// A thread that exits between ReadDir and here is not an error.
			if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH {
				return fmt.Errorf("pinning thread %d of pid %d: %w", tid, pid, err)
			}
			done[tid], added = true, true
		}
		if !added {
			return nil
		}
	}
	return fmt.Errorf("pinning pid %d: its threads kept changing", pid)
}
