// Package model holds the prototype measurement behind kevy's concurrency
// model (docs/architecture.md): N client goroutines execute small commands
// against one keyspace either by taking a mutex themselves or by handing
// each command to a single executor goroutine and waiting for its reply, as
// a literal translation of Redis's event loop would.
//
//	go test ./bench/model -bench . -benchtime 2s
package model

import (
	"strconv"
	"sync"
	"testing"
)

const clients = 50

type keyspace struct{ m map[string][]byte }

func (k *keyspace) set(key string, v []byte) { k.m[key] = v }

func keys() []string {
	ks := make([]string, 1024)
	for i := range ks {
		ks[i] = "key:" + strconv.Itoa(i)
	}
	return ks
}

// BenchmarkMutexExecutor: each client goroutine executes its own commands
// under a shared lock (kevy's choice).
func BenchmarkMutexExecutor(b *testing.B) {
	ks := keys()
	k := &keyspace{m: map[string][]byte{}}
	var mu sync.Mutex
	val := []byte("value")
	b.SetParallelism(clients / 2) // ×GOMAXPROCS(2) = 50 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			mu.Lock()
			k.set(ks[i&1023], val)
			mu.Unlock()
			i++
		}
	})
}

// BenchmarkChannelExecutor: client goroutines send each command to one
// executor goroutine and wait for the reply on their own channel.
func BenchmarkChannelExecutor(b *testing.B) {
	ks := keys()
	k := &keyspace{m: map[string][]byte{}}
	type req struct {
		key   string
		reply chan struct{}
	}
	reqs := make(chan req, clients)
	done := make(chan struct{})
	go func() {
		val := []byte("value")
		for {
			select {
			case r := <-reqs:
				k.set(r.key, val)
				r.reply <- struct{}{}
			case <-done:
				return
			}
		}
	}()
	b.SetParallelism(clients / 2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		reply := make(chan struct{}, 1)
		i := 0
		for pb.Next() {
			reqs <- req{key: ks[i&1023], reply: reply}
			<-reply
			i++
		}
	})
	b.StopTimer()
	close(done)
}
