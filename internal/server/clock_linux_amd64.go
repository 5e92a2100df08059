package server

import (
	"syscall"
	"time"
)

// nowMicros is the wall clock in unix microseconds, read once before each
// command (the store's clock, in milliseconds) and once after it (the slow
// log). time.Now reads two clocks through the vDSO (wall and monotonic); at
// redis-benchmark -P 16 those reads were 5 % of the server's CPU (perf,
// LPUSH/RPOP), and a command needs only the wall clock. gettimeofday is
// one vDSO call on linux/amd64.
func nowMicros() int64 {
	var tv syscall.Timeval
	if syscall.Gettimeofday(&tv) != nil {
		return time.Now().UnixMicro()
	}
	return tv.Sec*1e6 + tv.Usec
}
