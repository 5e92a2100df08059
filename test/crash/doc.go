// Package crash holds kevy's process-crash tests: they start the real
// server binary, drive it with concurrent writers, kill it with SIGKILL at
// seeded random moments (during plain appends, log rewrites, background and
// foreground snapshots), restart it on the same directory and check that
// every promise of the fsync policy was kept.
//
// # What is checked
//
// Writers only use commands whose effect proves how often they were
// applied: each INCR writer owns one counter and records every value the
// server acknowledged; each transaction writer owns a pair a_i, b_i that it
// increments together in MULTI/EXEC. After a restart, for every counter:
//
//	last acknowledged ≤ recovered ≤ last acknowledged + (1 if a request was in flight)
//
// A recovered value below the last acknowledged one is a lost write; above
// the bound is a write applied twice (the classic crash between a
// snapshot's rename and the log reset). For pairs a_i == b_i must also hold
// (a transaction replays all or nothing).
//
// The bound holds for every fsync policy here, loss 0 included: the server
// writes a record to the file (write(2), into the kernel's page cache)
// before it sends the reply, under always, everysec and no alike, and
// SIGKILL kills only the process, not the kernel, so the page cache, and
// every byte written to it, survives. Only a machine crash (power loss,
// kernel panic) can lose the unsynced second that everysec allows; these
// tests cannot produce one and do not pretend to.
//
// The torn-tail tests edit appendonly.aof by hand between a kill and the
// restart: a cut-short last record must be quarantined to a side file and
// cut (aof-load-truncated), while a damaged record in the middle of the log
// must stop the server with an error naming the file and the byte offset.
//
// # Running
//
//	go test ./test/crash                       # default run, about a minute
//	KEVY_CRASH_SOAK=1 go test ./test/crash -timeout 30m   # many more cycles
//	KEVY_CRASH_SEED=1234 go test ./test/crash  # replay one seed
//	KEVY_CRASH_BIN=/path/to/kevy go test ./test/crash      # a prebuilt binary
//
// Every test logs its seed; a failing test logs it again with the last
// lines of the server's output. The tests need Linux (SIGKILL, the
// parent-death signal that reaps servers if the test binary itself dies).
package crash
