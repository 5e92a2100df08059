package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/rdb"
	"github.com/kevy-db/kevy/vfs"
)

// persistState is the server's view of its files. Fields are guarded by the
// execution lock unless noted.
type persistState struct {
	rdbPath, aofPath string
	log              *aof.Log // nil when appendonly is off

	job              *snapJob // the running SAVE/BGSAVE/BGREWRITEAOF
	rewriteScheduled bool
	bgsaveScheduled  bool

	lastSave        int64 // unix seconds of the last successful save
	dirtyAtLastSave int64
	lastBgsaveOK    bool
	lastBgsaveErr   error
	lastBgsaveTime  time.Duration
	lastBgsaveTry   time.Time
	rdbSaves        int64
	lastRewriteOK   bool
	lastRewriteTime time.Duration
	aofRewrites     int64
	loadKeysLoaded  int64
	loadKeysExpired int64
	loadingStarted  time.Time
	loadGC          *loadGC // collector settings during Load, nil otherwise
	pipelinedLoad   bool    // Load is reading dump.rdb (tuneProcs)
	loadingTotal    int64
	loadingDone     atomic.Int64
}

// snapJob is one point-in-time pass over the keyspace, feeding either an
// RDB file (SAVE/BGSAVE) or a log rewrite (BGREWRITEAOF).
type snapJob struct {
	pause    time.Duration // rest before the next chunk (walkPause)
	prio     *walkPriority // the walk's CPU priority (walkprio.go); nil for SAVE
	cmdsSeen int64         // TotalCommands at the end of the last chunk
	kind     string        // "rdb" or "aof"
	started  time.Time
	sn       *store.Snapshot
	buf      spillBuffer // encoded entries waiting to be written to the file
	rdbw     *rdb.Writer
	aofw     *aof.RewriteWriter
	rw       *aof.Rewrite // the log side: a rewrite, or the reset after a snapshot
	snapID   string
	conv     command.RDBConverter
	spare    []byte // the chunk buffer handed to the file writer last time
	curDB    int
	walked   bool
	done     chan struct{}
	err      error
	cancel   atomic.Bool
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

func (s *Server) initPersist() {
	s.p.rdbPath = filepath.Join(s.opts.Dir, s.opts.DBFilename)
	s.p.aofPath = filepath.Join(s.opts.Dir, s.opts.AppendFilename)
	s.p.lastSave = time.Now().Unix()
	s.p.lastBgsaveOK = true
	s.p.lastRewriteOK = true
}

// appendLogLocked hands the engine's pending records to the log and
// returns the offset the caller must wait for before acknowledging (0 =
// nothing to wait for).
// setLogLocked makes l (nil for none) the log that commands' records go
// to. The engine encodes records only while there is a log, and the first
// record in a new log starts with a SELECT.
func (s *Server) setLogLocked(l *aof.Log) {
	s.p.log = l
	s.eng.LogOff = l == nil
	s.eng.ForgetLogDB()
}

func (s *Server) appendLogLocked() int64 {
	recs := s.eng.TakeLog()
	if len(recs) == 0 || s.p.log == nil {
		return 0
	}
	return s.p.log.Append(recs)
}

// waitLog blocks until the log holds offset as the fsync policy promises:
// written to the OS for everysec and no, fsynced for always.
func waitLog(l *aof.Log, off int64) error {
	if off == 0 || l == nil {
		return nil
	}
	return l.Wait(off)
}

func (s *Server) writeErrorLocked() string {
	if s.p.log != nil {
		if err := s.p.log.LastWriteErr(); err != nil {
			return "MISCONF Errors writing to the AOF file: " + errText(err)
		}
	}
	if s.opts.StopWritesOnBgsaveError && len(s.opts.SavePoints) > 0 && !s.p.lastBgsaveOK {
		return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	}
	return ""
}

func (s *Server) lastSave() int64 { return s.p.lastSave }

// ---- snapshots and rewrites ----

func (s *Server) rdbWriterOptions(j *snapJob) *rdb.WriterOptions {
	o := rdb.DefaultWriterOptions()
	o.Compress = s.opts.RDBCompression
	o.Checksum = s.opts.RDBChecksum
	lim := s.eng.Limits
	o.ListMaxListpackSize = lim.ListMaxListpackSize
	o.SetMaxIntsetEntries = lim.SetMaxIntsetEntries
	o.HashMaxListpackEntries, o.HashMaxListpackValue = lim.HashMaxListpackEntries, lim.HashMaxListpackValue
	o.ZSetMaxListpackEntries, o.ZSetMaxListpackValue = lim.ZSetMaxListpackEntries, lim.ZSetMaxListpackValue
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	o.UsedMem = int64(ms.HeapAlloc)
	o.Aux = []rdb.AuxField{{Key: "kevy-snap-id", Value: j.snapID}}
	if j.rw != nil {
		pt := j.rw.Point()
		o.Aux = append(o.Aux,
			rdb.AuxField{Key: "kevy-aof-id", Value: pt.LogID},
			rdb.AuxField{Key: "kevy-aof-offset", Value: strconv.FormatInt(pt.Size, 10)})
	}
	return &o
}

// startJobLocked begins a point-in-time pass. For kind "rdb" with the log
// on, the log reset that must follow the snapshot begins at the same
// instant, so the snapshot records exactly where in the log it stands.
func (s *Server) startJobLocked(kind string) (*snapJob, error) {
	j := &snapJob{kind: kind, started: time.Now(), done: make(chan struct{}), curDB: -1}
	switch kind {
	case "rdb":
		j.snapID = newID()
		if s.p.log != nil {
			rw, err := s.p.log.BeginRewrite(j.snapID)
			if err != nil {
				return nil, err
			}
			j.rw = rw
		}
		w, err := rdb.NewWriter(&j.buf, s.rdbWriterOptions(j))
		if err != nil {
			if j.rw != nil {
				j.rw.Abort()
			}
			return nil, err
		}
		j.rdbw = w
	case "aof":
		rw, err := s.p.log.BeginRewrite(aof.SelfContained)
		if err != nil {
			return nil, err
		}
		j.rw = rw
		j.aofw = aof.NewRewriteWriter(&j.buf)
	}
	if j.rw != nil {
		// The log's tail after the point must begin with an explicit
		// SELECT, whatever database the rewrite assumes there.
		s.eng.ForgetLogDB()
	}
	j.sn = s.st.BeginSnapshot(func(db int, e *store.Entry) error { return s.emitLocked(j, db, e) })
	s.p.job = j
	s.tuneProcs()
	return j, nil
}

// emitLocked encodes one entry of the snapshot (called under the lock by
// the walk and by the write hook).
func (s *Server) emitLocked(j *snapJob, db int, e *store.Entry) error {
	if j.rdbw != nil {
		if db != j.curDB {
			if err := j.rdbw.SelectDB(db, uint64(j.sn.DBLen(db)), 0); err != nil {
				return err
			}
			j.curDB = db
		}
		re, err := j.conv.ToRDB(db, e)
		if err != nil {
			return err
		}
		return j.rdbw.WriteEntry(re)
	}
	if db != j.curDB {
		if err := j.aofw.Select(db); err != nil {
			return err
		}
		j.curDB = db
	}
	return command.WriteRewrite(j.aofw, e)
}

// walkStep is how many entries a background walk visits per hold of the
// execution lock: about 0.2 ms of encoding for small values here.
const walkStep = 512

// walkSubStep is how often, in entries, a chunk checks for connections
// waiting for the lock: the store's gathering batch (snapBatch), about
// 25 µs of encoding.
const walkSubStep = 64

// walkPause is how long a background walk rests after each chunk, as a
// fraction of the chunk's time, while clients are sending commands (an idle
// server saves at full speed). On a small machine the walk otherwise keeps
// a core busy beside the connections, the network stack and the clients,
// and the kernel's time slices show up as their tail latency. Measured with
// the latency bench (1M keys, 10k requests/s, two rounds): p99 during
// BGSAVE / BGREWRITEAOF 4.3-4.8 ms without rests against 1.9 without a job;
// resting half the chunk time: 2.1-2.7 ms, the jobs taking 1.5-1.6 s
// instead of 0.6-0.7 (Redis: 1.0-1.7 s); resting the full chunk time:
// 2.1-2.4 ms but 2.3-2.5 s. Lowering the walk thread's priority (nice 10)
// instead did not help p99 and made p99.9 worse. Where the walk can wait
// for idle CPU before each chunk instead (walkprio.go) it does not rest:
// on this machine later the rests still left p99 at 1.12-1.17x Redis's
// with the job twice as long as Redis's, where the waits gave 0.88-0.92x
// with the job shorter than Redis's.
const walkPause = 0.5

// walkChunk advances the walk by one chunk under the lock and returns the
// encoded bytes to write. locked says the caller already holds the lock.
func (s *Server) walkChunk(j *snapJob, locked bool) ([]byte, bool, error) {
	if !locked {
		if j.pause > 0 {
			time.Sleep(j.pause)
		}
		if j.prio != nil {
			j.prio.waitIdle()
		}
		s.yieldToClients()
		s.mu.Lock()
		start := time.Now()
		defer func() {
			// Clients ran commands since the last chunk: leave them the
			// CPU for a while too (see walkPause).
			if busy := s.eng.TotalCommands != j.cmdsSeen; busy && (j.prio == nil || j.prio.rests()) {
				j.pause = time.Duration(float64(time.Since(start)) * walkPause)
			} else {
				j.pause = 0
			}
			j.cmdsSeen = s.eng.TotalCommands
			s.mu.Unlock()
		}()
	}
	if j.cancel.Load() {
		return nil, false, errors.New("canceled")
	}
	// In steps of walkSubStep, leaving early for a connection that waits
	// for the lock: a client that arrives during a chunk then waits for
	// tens of microseconds, not for the rest of the chunk.
	var done bool
	var err error
	for stepped := 0; stepped < walkStep && !done && err == nil; stepped += walkSubStep {
		done, err = j.sn.Step(walkSubStep)
		if !locked && s.execWaiting.Load() > 0 {
			break
		}
	}
	if err == nil && done {
		j.sn.End()
		j.walked = true
		if j.rdbw != nil {
			err = j.rdbw.Close()
		}
	}
	if err == nil {
		err = j.buf.err // a spill failed (the encoders report it too)
	}
	// Hand the encoded bytes over and keep encoding into the buffer the
	// writer finished with last time: two buffers in rotation, no garbage
	// per chunk.
	out := j.buf.take(j.spare)
	j.spare = out
	return out, done, err
}

// yieldToClients lets connections already waiting for the execution lock
// run their commands before the walk takes it again, for at most 2 ms.
// sync.Mutex lets a running goroutine barge in ahead of woken waiters, and
// the walk, on its own P and just back from writing a chunk, nearly always
// won: clients then waited behind several chunks in a row. Measured with
// the latency bench (1M keys, 10k requests/s): p99 during BGSAVE 17.6 ->
// 5.2 ms and during BGREWRITEAOF 13.6 -> 5.6 ms with this and 512-entry
// chunks (2048 before); smaller chunks alone gave 9-10 ms.
func (s *Server) yieldToClients() {
	deadline := time.Now().Add(2 * time.Millisecond)
	for s.execWaiting.Load() > 0 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
}

// runJob writes the job's data. It takes the execution lock for each chunk
// unless locked (SAVE), and finishes under the lock.
func (s *Server) runJob(j *snapJob, locked bool) error {
	var err error
	switch j.kind {
	case "rdb":
		err = s.writeSnapshotFile(j, locked)
	case "aof":
		j.buf.to = j.rw
		for {
			chunk, done, cerr := s.walkChunk(j, locked)
			if cerr != nil {
				err = cerr
				break
			}
			if _, werr := j.rw.Write(chunk); werr != nil {
				err = werr
				break
			}
			// No CatchUp here: it starts the tail, after which the new file
			// refuses dataset bytes. The tail is copied once the walk ends.
			if done {
				break
			}
		}
		if err == nil && !locked {
			err = j.rw.CatchUp()
		}
	}
	committed := false
	if !locked && err == nil && j.rw != nil && !j.cancel.Load() {
		// Switch the log over without the execution lock: Commit takes the
		// log's leadership, so appends keep landing in its buffer and go
		// to the new file; only the fsyncs and the rename happen here, and
		// they must not stall every client.
		if err = j.rw.Presync(); err == nil {
			err = j.rw.Commit()
		} else {
			j.rw.Abort()
		}
		committed = true
	}
	if !locked {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	return s.finishJobLocked(j, err, committed)
}

// snapshotSyncEvery bounds the unsynced part of a snapshot being written.
const snapshotSyncEvery = 8 << 20

// writeSnapshotFile writes the job's RDB file atomically (temp file, fsync,
// rename, directory fsync), syncing every few MB on the way, and makes the
// log durable up to the snapshot's point before the rename (aof.Plan's rule
// 1 depends on it).
func (s *Server) writeSnapshotFile(j *snapJob, locked bool) error {
	af, err := vfs.CreateAtomic(s.opts.FS, s.p.rdbPath)
	if err != nil {
		return err
	}
	j.buf.to = af
	unsynced := 0
	for n := 0; ; n++ {
		chunk, done, err := s.walkChunk(j, locked)
		if err == nil {
			_, err = af.Write(chunk)
		}
		if err == nil && !done {
			unsynced += len(chunk) + j.buf.spilled // spilled: written to af by the walk itself
			j.buf.spilled = 0
			if unsynced >= snapshotSyncEvery {
				err = af.Sync()
				unsynced = 0
			}
			if err == nil && j.rw != nil && !locked && n%64 == 63 {
				err = j.rw.CatchUp() // keep the log reset's final copy short
			}
		}
		if err != nil {
			af.Abort()
			return err
		}
		if done {
			break
		}
	}
	if j.rw != nil {
		if err := j.rw.WaitPoint(); err != nil {
			af.Abort()
			return err
		}
	}
	return af.Commit()
}

func (s *Server) finishJobLocked(j *snapJob, err error, committed bool) error {
	if !j.walked {
		j.sn.End()
	}
	if committed {
		// Commit ran outside the lock; nothing left to do on the log side.
	} else if err == nil && j.rw != nil {
		// The snapshot is durable (or the rewrite complete): switch the
		// log over. For a snapshot this is the reset; a crash before it is
		// covered by the snapshot's kevy-aof-id/offset.
		err = j.rw.Commit()
		if err == nil {
			s.eng.ForgetLogDB()
		}
	} else if j.rw != nil {
		j.rw.Abort()
	}
	elapsed := time.Since(j.started)
	switch j.kind {
	case "rdb":
		s.p.lastBgsaveOK = err == nil
		s.p.lastBgsaveErr = err
		s.p.lastBgsaveTime = elapsed
		s.p.lastBgsaveTry = time.Now()
		if err == nil {
			s.p.lastSave = time.Now().Unix()
			s.p.dirtyAtLastSave = s.eng.Dirty
			s.p.rdbSaves++
			s.log.Info("DB saved on disk", "path", s.p.rdbPath, "took", elapsed)
		} else {
			s.log.Error("snapshot failed", "path", s.p.rdbPath, "err", err)
		}
	case "aof":
		s.p.lastRewriteOK = err == nil
		s.p.lastRewriteTime = elapsed
		if err == nil {
			s.p.aofRewrites++
			s.log.Info("background AOF rewrite finished successfully", "took", elapsed)
		} else {
			s.log.Error("log rewrite failed", "err", err)
		}
	}
	j.err = err
	s.p.job = nil
	s.tuneProcs()
	close(j.done)
	return err
}

func (s *Server) saveLocked() error {
	if j := s.p.job; j != nil {
		if j.kind == "rdb" {
			return errors.New("ERR Background save already in progress")
		}
		// One keyspace walk at a time: let the running rewrite finish.
		s.waitJobLocked()
	}
	j, err := s.startJobLocked("rdb")
	if err != nil {
		return fmt.Errorf("ERR %v", err)
	}
	if err := s.runJob(j, true); err != nil {
		return errors.New("ERR")
	}
	return nil
}

func (s *Server) bgsaveLocked(schedule bool) (string, error) {
	if j := s.p.job; j != nil {
		if j.kind == "rdb" {
			return "", errors.New("ERR Background save already in progress")
		}
		if schedule {
			s.p.bgsaveScheduled = true
			return "Background saving scheduled", nil
		}
		return "", errors.New("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
	}
	if err := s.startBackgroundLocked("rdb"); err != nil {
		return "", fmt.Errorf("ERR %v", err)
	}
	return "Background saving started", nil
}

func (s *Server) bgrewriteLocked() (string, error) {
	if s.p.log == nil {
		return "", errors.New("ERR Background append only file rewriting is only available when appendonly is yes")
	}
	if j := s.p.job; j != nil {
		if j.kind == "aof" {
			return "", errors.New("ERR Background append only file rewriting already in progress")
		}
		s.p.rewriteScheduled = true
		return "Background append only file rewriting scheduled", nil
	}
	if err := s.startBackgroundLocked("aof"); err != nil {
		return "", fmt.Errorf("ERR %v", err)
	}
	return "Background append only file rewriting started", nil
}

func (s *Server) startBackgroundLocked(kind string) error {
	j, err := s.startJobLocked(kind)
	if err != nil {
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// Locks this goroutine to its thread for good when enabled, so
		// the thread ends with the job.
		j.prio = startWalkPriority(s.opts.IdleWalk)
		s.runJob(j, false)
	}()
	return nil
}

// persistCronLocked starts scheduled and automatic saves and rewrites.
func (s *Server) persistCronLocked(now time.Time) {
	if s.p.job != nil {
		return
	}
	switch {
	case s.p.rewriteScheduled:
		s.p.rewriteScheduled = false
		s.startBackgroundLocked("aof")
		return
	case s.p.bgsaveScheduled:
		s.p.bgsaveScheduled = false
		s.startBackgroundLocked("rdb")
		return
	}
	changes := s.eng.Dirty - s.p.dirtyAtLastSave
	for _, sp := range s.opts.SavePoints {
		// After a failure, retry no sooner than 5 s later (as Redis).
		if changes >= sp.Changes && now.Unix()-s.p.lastSave > sp.Seconds &&
			(s.p.lastBgsaveOK || now.Sub(s.p.lastBgsaveTry) > 5*time.Second) {
			s.log.Info("save point reached: saving", "changes", changes, "seconds", sp.Seconds)
			s.startBackgroundLocked("rdb")
			return
		}
	}
	if s.p.log != nil && s.opts.AutoAOFRewritePercentage > 0 &&
		s.p.log.RewriteDue(aof.AutoRewrite{Percentage: s.opts.AutoAOFRewritePercentage, MinSize: s.opts.AutoAOFRewriteMinSize}) {
		s.log.Info("starting automatic rewriting of the append-only log")
		s.startBackgroundLocked("aof")
	}
}

// cancelJobLocked cancels the running job and waits for it, releasing the
// execution lock meanwhile (the job needs it to finish).
func (s *Server) cancelJobLocked() {
	if j := s.p.job; j != nil {
		j.cancel.Store(true)
		s.waitJobLocked()
	}
}

// waitJobLocked waits for the running job (and any started meanwhile) to
// end, releasing the execution lock while it waits.
func (s *Server) waitJobLocked() {
	for j := s.p.job; j != nil; j = s.p.job {
		s.mu.Unlock()
		<-j.done
		s.mu.Lock()
	}
}

func (s *Server) shutdownLocked(save int) error {
	s.log.Info("user requested shutdown")
	s.cancelJobLocked()
	if save == 1 || (save == 0 && len(s.opts.SavePoints) > 0) {
		if err := s.saveLocked(); err != nil {
			s.log.Error("error trying to save the DB, can't exit", "err", err)
			return errors.New("ERR Errors trying to SHUTDOWN. Check logs.")
		}
	}
	if s.p.log != nil {
		if err := s.p.log.Close(); err != nil {
			s.log.Error("error flushing the append-only log on shutdown", "err", err)
			return errors.New("ERR Errors trying to SHUTDOWN. Check logs.")
		}
		s.setLogLocked(nil)
	}
	s.log.Info("kevy is now ready to exit, bye bye")
	return nil
}

func (s *Server) debugReloadLocked() error {
	if err := s.saveLocked(); err != nil {
		return err
	}
	s.st.FlushAll()
	if _, err := s.loadSnapshotLocked(); err != nil {
		return fmt.Errorf("ERR Error trying to load the RDB dump: %v", err)
	}
	return nil
}

// infoPersistence writes INFO's persistence section with Redis's fields.
func (s *Server) infoPersistence(w func(string, any)) {
	loading := 0
	if s.loading.Load() {
		loading = 1
	}
	j := s.p.job
	bgsave, rewrite := 0, 0
	curSave, curRewrite := int64(-1), int64(-1)
	var processed, total int64
	if j != nil {
		if j.kind == "rdb" {
			bgsave, curSave = 1, int64(time.Since(j.started)/time.Second)
		} else {
			rewrite, curRewrite = 1, int64(time.Since(j.started)/time.Second)
		}
		processed, total = j.sn.Emitted, j.sn.Total
	}
	okErr := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "err"
	}
	w("loading", loading)
	if loading == 1 {
		w("loading_start_time", s.p.loadingStarted.Unix())
		w("loading_total_bytes", s.p.loadingTotal)
		w("loading_loaded_bytes", s.p.loadingDone.Load())
		perc := 0.0
		if s.p.loadingTotal > 0 {
			perc = float64(s.p.loadingDone.Load()) * 100 / float64(s.p.loadingTotal)
		}
		w("loading_loaded_perc", fmt.Sprintf("%.2f", perc))
	}
	w("async_loading", 0)
	w("current_cow_peak", 0)
	w("current_cow_size", 0)
	w("current_cow_size_age", 0)
	w("current_fork_perc", "0.00")
	w("current_save_keys_processed", processed)
	w("current_save_keys_total", total)
	w("rdb_changes_since_last_save", s.eng.Dirty-s.p.dirtyAtLastSave)
	w("rdb_bgsave_in_progress", bgsave)
	w("rdb_last_save_time", s.p.lastSave)
	w("rdb_last_bgsave_status", okErr(s.p.lastBgsaveOK))
	if s.p.rdbSaves == 0 && s.p.lastBgsaveTry.IsZero() {
		w("rdb_last_bgsave_time_sec", -1)
	} else {
		w("rdb_last_bgsave_time_sec", int64(s.p.lastBgsaveTime/time.Second))
	}
	w("rdb_current_bgsave_time_sec", curSave)
	w("rdb_saves", s.p.rdbSaves)
	w("rdb_last_cow_size", 0)
	w("rdb_last_load_keys_expired", s.p.loadKeysExpired)
	w("rdb_last_load_keys_loaded", s.p.loadKeysLoaded)
	aofOn := 0
	if s.p.log != nil {
		aofOn = 1
	}
	w("aof_enabled", aofOn)
	w("aof_rewrite_in_progress", rewrite)
	sched := 0
	if s.p.rewriteScheduled {
		sched = 1
	}
	w("aof_rewrite_scheduled", sched)
	if s.p.aofRewrites == 0 && s.p.lastRewriteOK {
		w("aof_last_rewrite_time_sec", -1)
	} else {
		w("aof_last_rewrite_time_sec", int64(s.p.lastRewriteTime/time.Second))
	}
	w("aof_current_rewrite_time_sec", curRewrite)
	w("aof_last_bgrewrite_status", okErr(s.p.lastRewriteOK))
	w("aof_rewrites", s.p.aofRewrites)
	w("aof_rewrites_consecutive_failures", 0)
	lastWrite := "ok"
	if s.p.log != nil && s.p.log.LastWriteErr() != nil {
		lastWrite = "err"
	}
	w("aof_last_write_status", lastWrite)
	w("aof_last_cow_size", 0)
	w("module_fork_in_progress", 0)
	w("module_fork_last_cow_size", 0)
	if s.p.log != nil {
		st := s.p.log.Stats()
		w("aof_current_size", st.Size)
		w("aof_base_size", st.BaseSize)
		w("aof_pending_rewrite", sched)
		w("aof_buffer_length", st.Buffered)
		w("aof_pending_bio_fsync", 0)
		w("aof_delayed_fsync", st.DelayedFsync)
		w("kevy_aof_fsyncs", st.Fsyncs) // kevy's own: group-commit efficiency
	}
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
