package aof_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/vfs"
)

// Open a log, append commands, wait for them per the fsync policy, and
// replay the file.
func Example() {
	fs := vfs.NewMem() // vfs.Default() for the real disk
	log, err := aof.Open(fs, "/appendonly.aof", &aof.Options{Policy: aof.Always})
	if err != nil {
		panic(err)
	}
	off := log.AppendCommand([]byte("SET"), []byte("greeting"), []byte("hello"))
	log.AppendCommandDB(2, []byte("INCR"), []byte("visits"))
	// Under Always, Wait returns once the records are fsynced: only then
	// may the server reply.
	if err := log.Wait(off); err != nil {
		panic(err)
	}
	if err := log.Close(); err != nil {
		panic(err)
	}

	res, err := aof.Replay(fs, "/appendonly.aof", nil, func(args [][]byte) error {
		fmt.Printf("%s\n", slices.Collect(func(yield func(string) bool) {
			for _, a := range args {
				yield(string(a))
			}
		}))
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Commands, "commands; self-contained:", res.Marker.SelfContained())
	// Output:
	// [SET greeting hello]
	// [SELECT 2]
	// [INCR visits]
	// 3 commands; self-contained: true
}

// Rewrite a log from a dataset while writes continue.
func ExampleLog_BeginRewrite() {
	fs := vfs.NewMem()
	log, _ := aof.Open(fs, "/appendonly.aof", nil)
	defer log.Close()
	for range 3 {
		log.AppendCommand([]byte("INCR"), []byte("n"))
	}

	// Under the server's lock: the point in time, and the dataset view.
	rw, err := log.BeginRewrite(aof.SelfContained)
	if err != nil {
		panic(err)
	}
	log.AppendCommand([]byte("INCR"), []byte("n")) // after the point
	// Outside the lock: the dataset as compact commands.
	w := aof.NewRewriteWriter(rw)
	w.String([]byte("n"), []byte("3"), 0)
	// Under the server's lock again: hand over.
	if err := rw.Commit(); err != nil {
		panic(err)
	}
	var cmds []string
	aof.Replay(fs, "/appendonly.aof", nil, func(args [][]byte) error {
		cmds = append(cmds, string(args[0])+" "+string(args[1]))
		return nil
	})
	fmt.Println(strings.Join(cmds, ", "), "| rewrites:", log.Stats().Rewrites)
	// Output: SET n, SELECT 0, INCR n | rewrites: 1
}

// Plan decides how a snapshot and a log combine at startup.
func ExamplePlan() {
	snap := &aof.SnapInfo{Path: "dump.rdb", SnapID: "s1", AOFID: "log1", AOFOffset: 4096}
	// The server crashed after the snapshot was saved but before the log
	// was reset: replay only the part of the log after the snapshot.
	plan, _ := aof.Plan(snap, &aof.Marker{Path: "appendonly.aof", ID: "log1", Base: aof.SelfContained})
	fmt.Println(plan.LoadSnapshot, plan.ReplayFrom)
	// After the reset the new log continues the snapshot.
	plan, _ = aof.Plan(snap, &aof.Marker{Path: "appendonly.aof", ID: "log2", Base: "s1"})
	fmt.Println(plan.LoadSnapshot, plan.ReplayFrom)
	// Output:
	// true 4096
	// true 0
}
