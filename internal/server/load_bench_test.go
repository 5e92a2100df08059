package server

import (
	"os"
	"runtime"
	"testing"
)

// BenchmarkLoad loads the data directory named by KEVY_LOAD_DIR through
// Server.Load, the path a restart takes: from dump.rdb alone, or with
// KEVY_LOAD_AOF=1 from appendonly.aof alone. It skips without the
// variable. The files are not changed (Close trims the log's reserved
// space again). Make a directory with kevybench -keep, or by writing keys
// into a server and stopping it, then profile with
//
//	KEVY_LOAD_DIR=/tmp/data go test ./internal/server -run '^$' -bench Load -benchtime 3x -cpuprofile cpu.prof
func BenchmarkLoad(b *testing.B) {
	dir := os.Getenv("KEVY_LOAD_DIR")
	if dir == "" {
		b.Skip("KEVY_LOAD_DIR is not set")
	}
	aof := os.Getenv("KEVY_LOAD_AOF") == "1"
	for i := 0; i < b.N; i++ {
		s, err := New(Options{Dir: dir, AppendOnly: aof, AppendFsync: "everysec", Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Load(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.st.KeyCount()), "keys")
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/1e6, "live-MB")
		s.Close()
	}
}
