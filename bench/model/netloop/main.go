// Command netloop is the prototype behind the "own event loop" design
// question in docs/architecture.md: does serving client sockets from one
// epoll loop, as Redis does, cost less CPU per request than kevy's model
// (a goroutine per connection parked in Go's poller, raw read/write
// syscalls), once both do the same minimal work?
//
// It serves SET, GET and PING on a map, nothing else, in one of two models:
//
//	go run ./bench/model/netloop -model goroutine -port 7301
//	go run ./bench/model/netloop -model loop -port 7302
//
// then, side by side with redis-server (persistence off):
//
//	redis-benchmark -p PORT -c 50 -n 1000000 -r 100000 -t set,get [-P 16]
//
// and compare ops/s and server CPU per request (/proc/PID/stat). Both
// models run with GOMAXPROCS=1, kevy's setting on small machines.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
)

func main() {
	model := flag.String("model", "loop", "goroutine or loop")
	port := flag.Int("port", 7301, "TCP port on 127.0.0.1")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db := &store{m: map[string][]byte{}}
	switch *model {
	case "goroutine":
		err = serveGoroutines(ln, db)
	case "loop":
		err = serveLoop(ln, db)
	default:
		err = fmt.Errorf("unknown model %q", *model)
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
