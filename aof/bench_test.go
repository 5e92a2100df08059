package aof

import (
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/kevy-db/kevy/vfs"
)

// BenchmarkAppendWait measures Append+Wait of a small SET on the real disk
// (a temp dir) under each policy, from one client and from 50 concurrent
// clients sharing one "server lock" (group commit).
func BenchmarkAppendWait(b *testing.B) {
	for _, p := range []Policy{Always, EverySec, No} {
		for _, clients := range []int{1, 50} {
			b.Run(p.String()+"/clients="+strconv.Itoa(clients), func(b *testing.B) {
				l, err := Open(vfs.Default(), filepath.Join(b.TempDir(), "bench.aof"), &Options{Policy: p})
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				value := make([]byte, 100)
				var serverMu sync.Mutex
				b.ResetTimer()
				if clients == 1 {
					for i := 0; i < b.N; i++ {
						if err := l.Wait(l.AppendCommand([]byte("SET"), []byte("key:000001"), value)); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					var wg sync.WaitGroup
					per := b.N/clients + 1
					for range clients {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for range per {
								serverMu.Lock()
								off := l.AppendCommand([]byte("SET"), []byte("key:000001"), value)
								serverMu.Unlock()
								if err := l.Wait(off); err != nil {
									b.Error(err)
									return
								}
							}
						}()
					}
					wg.Wait()
				}
				b.StopTimer()
				st := l.Stats()
				b.ReportMetric(float64(st.Fsyncs)/float64(b.N), "fsyncs/op")
			})
		}
	}
}
