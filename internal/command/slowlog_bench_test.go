package command

import (
	"syscall"
	"testing"
)

// BenchmarkCallTimed measures what timing a command costs the engine: GET
// with the slow log at its default (one clock reading after the command,
// gettimeofday as the server reads it) against the slow log disabled.
func BenchmarkCallTimed(b *testing.B) {
	for _, c := range []struct {
		name   string
		thresh int64
	}{{"slowlog-off", -1}, {"slowlog-default", 10000}} {
		b.Run(c.name, func(b *testing.B) {
			te := newTestEnv(b)
			te.e.SetSlowlog(c.thresh, 128)
			te.e.NowMicros = func() int64 {
				var tv syscall.Timeval
				syscall.Gettimeofday(&tv)
				return int64(tv.Sec)*1e6 + int64(tv.Usec)
			}
			te.cmd("SET k v")
			args := [][]byte{[]byte("GET"), []byte("k")}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				te.e.CallStart = te.e.NowMicros() // as the server reads it, in both cases
				te.e.Call(te.cl, args)
				te.cl.W.Truncate(0)
			}
		})
	}
}
