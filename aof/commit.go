package aof

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/kevy-db/kevy/internal/netpoll"
	"github.com/kevy-db/kevy/vfs"
)

// The write path: execute → Append → Wait → reply.
//
// The server executes a command under its own lock and calls Append, which
// copies the record into l.buf and returns the stream offset just past it.
// After releasing its lock the connection calls Wait(offset) and sends the
// reply only when Wait returns nil. Wait implements group commit with a
// leader/follower scheme:
//
//   - A waiter whose record is not yet where its policy needs it (written
//     for everysec and no, fsynced for always) looks at l.turning. If a
//     turn is in progress it follows: it waits for that turn to end and
//     looks again.
//     Otherwise it becomes the leader: it takes every byte appended so far,
//     write()s them in one call and, if the policy or any waiter asks for
//     it, fdatasyncs once, then publishes the new written/durable offsets
//     and ends the turn, which wakes every follower. Records appended while
//     the leader was busy are taken by the next leader, so one fsync covers
//     every record of every connection that arrived in the meantime.
//   - Under everysec and no with one P, the leader yields once before
//     taking the bytes, so the connections already runnable append theirs
//     and one write() serves them all.
//   - Under always with one P (the server's choice on small machines), the
//     leader first lets every connection whose request has arrived
//     execute and join the group (gather), then fsyncs inline, holding
//     the P: the event loop of a single-threaded server, done with
//     goroutines. Measured against handing the fsync to a kernel worker
//     (vfs AIO) so the P could keep executing: equal at 50 clients, 1.7x
//     the throughput at one client (3.2k vs 1.9k SET/s; Redis 2.6k),
//     because under load the worker's wake-ups tripled the fsync's latency.
//
// Invariants:
//
//  1. l.mu is never held during file I/O. Append takes only l.mu, so it is
//     never delayed by a write or an fsync, however slow the disk.
//  2. At most one turn (leadership) exists at a time; only the leader (or a
//     rewrite holding leadership) writes to the file, truncates it or
//     switches it, and only it, or l.mu holder while no turn exists,
//     compacts l.buf. Append only ever adds bytes past len(l.buf), so the
//     leader can read the bytes it took without l.mu even if Append grows
//     (reallocates) the buffer meanwhile.
//  3. The file's order is Append's order: bytes are taken from the buffer
//     front in order and written by one leader at a time at the file offset
//     of l.written.
//  4. Before any write, the file holds nothing but zeros past l.written:
//     it ends there or continues with preallocated space (l.allocated is
//     its size). Records are written at their offset, never appended at the
//     file's end. A failed or short write is truncated back at once (which
//     drops the preallocation); if even that fails, needTrunc makes the next
//     turn truncate first. So nothing half-written ever sits in front of a
//     later good record (defect 1 of the reference).
//  5. Bytes stay in l.buf until they are durable (until written, under
//     policy no). A failed fsync may have dropped the dirty pages while
//     marking them clean, so a later fsync would succeed without the data
//     on disk; instead the log rolls back to the last durable offset,
//     truncates there and writes the retained bytes again.
//  6. A waiter returns an error only if the turn that covered its record
//     failed; then the log is in an error state (LastWriteErr) until a
//     later turn — a waiter's, Flush, Sync or the periodic retry — succeeds.
//  7. durable ≤ written ≤ end, and none of them ever decreases, except
//     written on a rollback (5).
//
// Rejected alternatives:
//
//   - A dedicated writer goroutine fed through a channel: every command
//     pays two goroutine hand-offs, and the batch boundary is whatever the
//     scheduler makes it. With leader/follower the first waiting connection
//     does the I/O on its own goroutine, and followers only block.
//   - write() inside Append under the server's lock (the reference): every
//     command waits for a syscall while holding the lock that all other
//     commands need, and fsync under it serialises all clients.
//   - Postponing writes while an everysec fsync runs, as Redis does: Redis
//     needs it because its single thread must not block in write(); here a
//     blocked write() only delays the waiters of that group and never
//     Append, so writes proceed and the stall is only counted.
//   - A closed channel per turn to wake followers (the first version): it
//     carried the turn's result to them for free, but cost two allocations
//     per turn, which under everysec at low concurrency is one per
//     request: 124 MB of garbage per 1.4M requests, so a GC cycle over a
//     million-key heap every few seconds. Now one sync.Cond wakes them and
//     the result of the last turn is kept in the log. A follower that
//     wakes after a later turn also ended sees that later result, which is
//     at least as recent: if that turn wrote its record, the record is
//     where its policy needs it, and if that turn failed covering it, the
//     error is current.

// turn is the result of one leader's write (and fsync) of everything
// buffered.
type turn struct {
	to  int64 // stream offset the turn tried to reach; -1 if it wrote nothing
	err error
}

// Wait waits until the record ending at off is where the current policy
// needs it before the reply: fsynced under Always, written to the file
// otherwise.
func (l *Log) Wait(off int64) error { return l.wait(off, false, true) }

// WaitWritten waits until the record ending at off has been written to the
// file (so a crash of the process cannot lose it).
func (l *Log) WaitWritten(off int64) error { return l.wait(off, false, false) }

// WaitDurable waits until the record ending at off has been fsynced.
func (l *Log) WaitDurable(off int64) error { return l.wait(off, true, false) }

// Acked returns the offset up to which Wait returns at once: the durable
// offset under Always, the written one otherwise. A caller that holds
// replies for several records can release those that end at or before it.
func (l *Log) Acked() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.policy == Always {
		return l.durable
	}
	return l.written
}

func (l *Log) wait(off int64, durable, byPolicy bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var last *turn // result of the last turn this waiter saw end
	for {
		needDurable := durable || (byPolicy && l.policy == Always)
		reached := l.written
		if needDurable {
			reached = l.durable
			if off > l.syncReq {
				l.syncReq = off
			}
		}
		switch {
		case reached >= off:
			return nil
		case last != nil && last.err != nil && off <= last.to:
			return last.err
		case l.closed:
			return ErrClosed
		}
		if l.turning {
			seq := l.turnSeq
			for l.turning && l.turnSeq == seq {
				l.turnDone.Wait()
			}
			res := l.lastTurn
			last = &res
			continue
		}
		last = l.lead()
		if runtime.GOMAXPROCS(0) == 1 {
			always := l.policy == Always // read under l.mu
			l.mu.Unlock()
			if always {
				l.gather()
			} else {
				// The wait is only for a write(): let the connections
				// that are ready to run append first, so one write
				// carries all of them, as one write per event-loop
				// iteration does in Redis. Without it, at -P 16 every
				// connection's batch paid its own pwrite (25k per 400k
				// requests; 1.5-3k with it).
				runtime.Gosched()
			}
			l.mu.Lock()
		}
		l.runTurn(last)
		l.endTurn(last)
	}
}

// gather forms the group of a turn under appendfsync always with one P,
// before the leader takes it: the inline fsync that follows holds the only
// P, so whatever is not in this group waits for the next one.
//
// It yields through netpoll.Yielder: every goroutine that is ready to run
// (connections whose requests the poller has already handed over) runs,
// then the scheduler polls the network, and connections whose requests
// arrived meanwhile run too; all of them execute, append, find this turn in
// progress and follow it. If that added records, other clients are active
// and more requests may have arrived while these executed, so it polls once
// more (maxGatherPolls). A single-threaded server sees those only after its
// fsync.
//
// Why not runtime.Gosched, as before: it runs the goroutines already
// runnable but never polls the network (the yielding goroutine is itself
// runnable, so the scheduler never runs out of work). At 50 clients each
// group then held about half of them: the other half's requests arrived
// during the fsync and became the next group, during whose fsync the first
// half's next requests arrived — two cohorts taking turns, two fsyncs per
// round of requests. perf stat, redis-benchmark -c 50 SET: requests per
// fdatasync 24 -> 33, server CPU per request unchanged; throughput in 8
// alternating rounds: median 35.2k -> 39.1k ops/s, median ratio to Redis
// 0.99 -> 1.12. One client pays a pipe write and read per fsync, within
// the noise at 3k fsyncs/s.
func (l *Log) gather() {
	end := int64(-1)
	for range maxGatherPolls {
		l.mu.Lock()
		grown := l.end > end
		end = l.end
		l.mu.Unlock()
		if !grown {
			return
		}
		if l.yielder == nil {
			l.yielder = netpoll.New()
		}
		l.yielder.Yield()
	}
}

// maxGatherPolls bounds the network polls of one group's formation: each
// costs the leader's clients the execution time of whoever joins. Three
// measured no better than two.
const maxGatherPolls = 2

// retryPending runs a turn if the log is in its error state or has
// repair work pending, and returns that turn's error.
func (l *Log) retryPending() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.awaitNoTurn()
	if l.closed || !(l.lastErr != nil || l.needDirSync || l.needTrunc || l.syncFailed) {
		return nil
	}
	t := l.lead()
	l.runTurn(t)
	l.endTurn(t)
	return t.err
}

// lead starts a turn; the caller becomes the leader. Called with l.mu held
// and no turn in progress.
func (l *Log) lead() *turn {
	l.turning = true
	l.turnSeq++
	l.curTurn = turn{to: -1}
	return &l.curTurn
}

// endTurn publishes the end of t. Called with l.mu held.
func (l *Log) endTurn(t *turn) {
	l.lastTurn = *t
	l.turning = false
	l.turnDone.Broadcast()
}

// awaitNoTurn waits until no turn is in progress. Called with l.mu held.
func (l *Log) awaitNoTurn() {
	for l.turning {
		l.turnDone.Wait()
	}
}

// runTurn writes everything buffered (and fsyncs it if needed). Called with
// l.mu held by the leader of t; it releases l.mu during I/O.
func (l *Log) runTurn(t *turn) {
	// After a failed background fsync, write the unsynced bytes again and
	// fsync them in this turn, so the error state clears only once they
	// are durable.
	resync := l.syncFailed
	if resync {
		l.rollback()
		l.syncFailed = false
	}
	f, fileBase, allocated := l.file, l.fileBase, l.allocated
	from, to := l.written, l.end
	alloc := !l.noAlloc && to-fileBase > allocated
	data := l.buf[from-l.bufStart : to-l.bufStart]
	needTrunc, needDirSync := l.needTrunc, l.needDirSync
	doSync := needDirSync || resync || ((l.policy == Always || l.syncReq > l.durable) && to > l.durable)
	inline := l.policy == Always
	if l.policy == EverySec && l.syncing && len(data) > 0 && time.Since(l.syncStart) > l.stallAfter {
		l.delayedFsync++
	}
	t.to = to
	l.mu.Unlock()

	var err error
	trunc := needTrunc // the file may extend beyond from
	dirSynced, synced := false, false
	if needTrunc {
		if terr := f.Truncate(from - fileBase); terr != nil {
			err = fmt.Errorf("aof: truncate %s to %d: %w", l.path, from-fileBase, terr)
		} else {
			trunc = false
			allocated = from - fileBase
			alloc = !l.noAlloc && to > from
		}
	}
	noAlloc := false
	if err == nil && alloc {
		allocated, noAlloc = l.preallocate(f, allocated, to-fileBase, inline)
	}
	if err == nil && needDirSync {
		if err = l.syncDir(); err == nil {
			dirSynced = true
		}
	}
	if err == nil && len(data) > 0 {
		// Inline: with one P a raw pwrite, which leaves sysmon asleep
		// (vfs.WriteAtInline). While a background job runs the server has
		// two Ps and this is an ordinary write, so dirty-page throttling
		// by the job's writes never holds the only P.
		n, werr := vfs.WriteAtInline(f, data, from-fileBase)
		if werr == nil && n != len(data) {
			werr = io.ErrShortWrite
		}
		if werr != nil {
			err = fmt.Errorf("aof: write of %d bytes to %s at byte %d (%d written): %w", len(data), l.path, from-fileBase, n, werr)
			// Invariant 4: cut off whatever part of the batch reached the
			// file. Even n == 0 does not prove that nothing did.
			if terr := f.Truncate(from - fileBase); terr != nil {
				trunc = true
			} else {
				allocated = from - fileBase
			}
		}
	}
	wrote := err == nil
	if wrote && doSync {
		err = l.fsync(f, inline)
		synced = err == nil
	}

	l.mu.Lock()
	l.needTrunc = trunc
	if wrote {
		allocated = max(allocated, to-fileBase)
	}
	l.allocated = allocated
	l.noAlloc = l.noAlloc || noAlloc
	if dirSynced {
		l.needDirSync = false
	}
	if wrote {
		l.written = to
		if l.policy == EverySec && l.written-l.durable > maxUnsynced && !l.syncing {
			select {
			case l.syncNow <- struct{}{}:
			default:
			}
		}
	}
	if synced {
		l.fsyncs++
		if to > l.durable {
			l.durable = to
		}
	} else if wrote && doSync {
		// Invariant 5: the fsync failed; write the bytes again.
		l.rollback()
	}
	if err != nil {
		t.err = err
		l.lastErr = err
		l.logger.Error("aof: write failed; the log is in an error state until a retry succeeds", "file", l.path, "err", err)
	} else if l.lastErr != nil && !l.needDirSync && !l.syncFailed {
		l.logger.Info("aof: writes succeed again", "file", l.path)
		l.lastErr = nil
	}
	l.trim()
}

// How far ahead of the data the log reserves space: an eighth of the
// file, within these bounds, so a small log stays small and a large one
// pays one size-changing fsync per 16 MB. Zeros written under
// appendfsync always are capped lower: they are written in the leader's
// turn and the next fsync carries them to the disk, so a chunk costs that
// turn its write, and 1 MB keeps it to a few milliseconds once per
// megabyte of log.
const (
	minPrealloc = 64 << 10
	maxPrealloc = 16 << 20
	maxZeroFill = 1 << 20
)

// preallocate reserves space so that the file reaches at least need bytes
// plus a chunk, and returns the file's new size, or the old one and
// unsupported=true if the file system cannot preallocate. zero asks for
// the space to be written with zeros rather than reserved (vfs.Allocator,
// fallocate on Linux).
//
// Why: fdatasync after an append must also write the inode, because the
// file's size changed, which is a second disk round trip; inside reserved
// space a write is an overwrite and fdatasync can write only the data. But
// fallocate leaves unwritten extents, and the first write into each block
// converts its extent, a metadata change again, which under appendfsync
// always most fsyncs still paid: a group commit writes a few KB, so it
// keeps entering new blocks. Zeros actually written make those writes
// plain overwrites. Measured on the reference machine (ext4, pwrite +
// fdatasync, space reserved on demand as here), per call:
//
//	1.4 KB (a group at 50 clients): appending 250-290 µs, fallocate
//	        228-256 µs and 130-160 µs of CPU, zeros 174-187 µs and 86-99 µs
//	6 KB:   appending 344-350 µs, fallocate 424-708 µs and 236-258 µs of
//	        CPU, zeros 194-329 µs and 91-127 µs
//
// Zeros cost writing every byte of the log twice, so they are written only
// under always; under everysec and no one fsync a second makes the
// conversions negligible. Redis appends, so this is where kevy's
// appendfsync always gets ahead of it. The price is a zero tail, which
// readers ignore (dataEnd) and Close trims. A failure other than
// "unsupported" (ENOSPC, say) is not an error: the write that follows
// reports the disk's state.
func (l *Log) preallocate(f vfs.File, allocated, need int64, zero bool) (int64, bool) {
	if zero {
		return l.zeroFill(f, allocated, need), false
	}
	a, ok := f.(vfs.Allocator)
	if !ok {
		return allocated, true
	}
	size := reserveTo(need, maxPrealloc)
	if err := a.Allocate(size); err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return allocated, true
		}
		l.reserveFailed(size, err)
		return allocated, false
	}
	l.allocWarned = false
	return size, false
}

// reserveTo is the size a reservation for need bytes extends the file to:
// an eighth more, within minPrealloc and maxChunk.
func reserveTo(need, maxChunk int64) int64 {
	return need + min(max(need/8, minPrealloc), maxChunk)
}

// reserveFailed logs the first of a run of failed reservations.
func (l *Log) reserveFailed(size int64, err error) {
	if !l.allocWarned {
		l.allocWarned = true
		l.logger.Warn("aof: cannot reserve log space; appending without it", "file", l.path, "size", size, "err", err)
	}
}

// zeroFill extends the file with zeros to need plus a chunk and returns
// its new size, as far as the writes got.
func (l *Log) zeroFill(f vfs.File, allocated, need int64) int64 {
	size := reserveTo(need, maxZeroFill)
	if l.zeros == nil {
		l.zeros = make([]byte, 64<<10)
	}
	off := allocated
	for off < size {
		n, err := vfs.WriteAtInline(f, l.zeros[:min(int64(len(l.zeros)), size-off)], off)
		off += int64(n)
		if err != nil {
			l.reserveFailed(size, err)
			return off
		}
	}
	l.allocWarned = false
	return off
}

// fsync syncs f under syncMu, failing instead if a background fsync failed
// since this turn began (its loss may include bytes this fsync would claim).
//
// Under appendfsync always the waiters have nothing to do but wait, so the
// fsync runs inline (vfs.SyncInline); otherwise it may hand the wait to the
// kernel.
func (l *Log) fsync(f vfs.File, inline bool) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	failed, serr := l.syncFailed, l.syncErr
	l.mu.Unlock()
	if failed {
		return serr
	}
	var err error
	if inline {
		err = vfs.SyncInline(f)
	} else {
		err = f.Sync()
	}
	if err != nil {
		return fmt.Errorf("aof: fsync %s: %w", l.path, err)
	}
	return nil
}

// syncDir makes the rename of a rewrite durable.
func (l *Log) syncDir() error {
	if err := syncDirOf(l.fs, l.path); err != nil {
		return fmt.Errorf("aof: sync directory of %s: %w", l.path, err)
	}
	return nil
}

// rollback forgets that the bytes after the last durable offset were
// written, as far as they are still buffered (invariant 5). Called with
// l.mu held, by a leader.
func (l *Log) rollback() {
	back := max(l.durable, l.bufStart)
	if back < l.written {
		l.written = back
		l.needTrunc = true
	}
}

// trim drops the buffered bytes that are no longer needed (invariant 5).
// Called with l.mu held, by a leader or while no turn exists.
func (l *Log) trim() {
	keep := l.durable
	if l.policy == No {
		keep = l.written
	}
	keep = min(keep, l.written)
	// The buffer only grows between trims that drop bytes, so its length
	// now is this cycle's high-water mark.
	high := len(l.buf)
	n := high
	if k := keep - l.bufStart; k > 0 {
		n = copy(l.buf, l.buf[k:])
		l.buf = l.buf[:n]
		l.bufStart = keep
	}
	// Give back a buffer that a burst made large once its cycles have used
	// little of it for bufKeep. Not merely because little is left after
	// the trim: under everysec the buffer holds a second of records (20 MB
	// at 600k small writes/s) and is nearly empty after each fsync, and
	// shrinking it then made every second regrow it by doubling, copying
	// and clearing it each time: 6 % of the CPU at LPUSH -P 16 in perf. Nor
	// after a single quiet cycle: the first fsync of a burst that follows
	// a pause covers only its first milliseconds, so the buffer was given
	// back just as the burst began, and regrown at once (memmove and page
	// faults: 64 % of the CPU samples of such a run; HSET -P 16 everysec,
	// 6 alternating runs: 300-444k -> 371-551k requests/s without it).
	// A small buffer is kept as it is, without reading the clock on every
	// turn; the cycle that grows it past the bound uses most of it, and
	// marks it busy.
	if cap(l.buf) <= 4<<20 {
		return
	}
	now := l.now()
	if high >= cap(l.buf)/8 {
		l.bufBusy = now
	} else if now.Sub(l.bufBusy) >= bufKeep {
		l.buf = append(make([]byte, 0, max(n*2, 64<<10)), l.buf...)
	}
}

// maxUnsynced bounds the bytes that wait for the everysec fsync: past it,
// the writer that finds them asks for the fsync at once instead of at the
// next second. Invariant 5 keeps those bytes in memory until they are
// durable, so without a bound the buffer held a second of writes: at
// SET -P 16 with 200-byte values (about 240 MB of log a second), 147 MB of
// the heap after the burst. The disk writes the same bytes either way;
// only the fsyncs come more often, and only under such a write rate.
const maxUnsynced = 32 << 20

// bufKeep is how long the log keeps a large buffer that its recent
// cycles used little of: the price is at most a burst's second of
// records held that long.
const bufKeep = 10 * time.Second
