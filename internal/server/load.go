package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"
	"unsafe"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/rdb"
	"github.com/kevy-db/kevy/vfs"
)

// Load rebuilds the dataset from the data directory and opens the log for
// appending. It follows aof.Plan: snapshot, then the part of the log written
// after it, so that no acknowledged write is lost and none is applied twice.
// Any damage other than a torn last record (which is quarantined and cut)
// stops start-up with an error naming the file and offset: the server never
// runs on a silently shortened dataset. Clients that connect meanwhile get
// -LOADING.
func (s *Server) Load() error {
	s.loading.Store(true)
	s.p.loadingStarted = time.Now()
	// What the load may fill, from the input size and the free memory
	// (read once: both users below want the same figure).
	headroom := loadHeadroom(s.loadInputBytes())
	if s.opts.AutoGC {
		s.p.loadGC = startLoadGC(headroom)
	}
	if s.opts.HugePages {
		prepareHugePages(headroom)
	}
	err := s.load()
	s.p.loadGC.stop()
	s.p.loadGC = nil
	if err == nil {
		s.loading.Store(false)
	}
	// On failure the server stays in the loading state: the caller stops it
	// without ever serving a partial dataset.
	return err
}

func (s *Server) load() error {
	// Snapshot temp files left by a crash during SAVE/BGSAVE are garbage.
	if removed, err := vfs.RemoveTemps(s.opts.FS, s.p.rdbPath); err != nil {
		s.log.Warn("could not remove stale snapshot temp files", "err", err)
	} else if len(removed) > 0 {
		s.log.Info("removed snapshot temp files left by a crash", "files", removed)
	}

	snap, err := s.readSnapInfo()
	if err != nil {
		return err
	}
	plan := aof.LoadPlan{LoadSnapshot: snap != nil, Base: aof.SelfContained}
	if snap != nil && snap.SnapID != "" {
		plan.Base = snap.SnapID
	}
	if s.opts.AppendOnly {
		marker, err := aof.ReadMarker(s.opts.FS, s.p.aofPath)
		if err != nil {
			return fmt.Errorf("reading %s: %w", s.p.aofPath, err)
		}
		if plan, err = aof.Plan(snap, marker); err != nil {
			return err
		}
		s.log.Info("loading plan", "reason", plan.Reason)
	}
	if plan.LoadSnapshot {
		s.mu.Lock()
		s.p.pipelinedLoad = true
		s.tuneProcs()
		_, err := s.loadSnapshotLocked()
		s.p.pipelinedLoad = false
		s.tuneProcs()
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	var replayed *aof.ReplayResult
	if plan.ReplayLog {
		if replayed, err = s.replayLog(plan.ReplayFrom); err != nil {
			return err
		}
	}
	if s.opts.AppendOnly {
		pol, err := aof.ParsePolicy(s.opts.AppendFsync)
		if err != nil {
			return err
		}
		// The replay has just read the whole log: Open need not read it again.
		l, err := aof.Open(s.opts.FS, s.p.aofPath, &aof.Options{Policy: pol, Base: plan.Base, Logger: s.log, Replayed: replayed})
		if err != nil {
			return fmt.Errorf("opening %s: %w", s.p.aofPath, err)
		}
		s.mu.Lock()
		s.setLogLocked(l)
		s.mu.Unlock()
	}
	s.log.Info("DB loaded from disk", "keys", s.st.KeyCount(), "took", time.Since(s.p.loadingStarted))
	return nil
}

// loadInputBytes is the size of the files a load may read.
func (s *Server) loadInputBytes() int64 {
	var n int64
	for _, p := range []string{s.p.rdbPath, s.p.aofPath} {
		if st, err := s.opts.FS.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}

// readSnapInfo reads the snapshot's header and aux fields (nil if there is
// no snapshot file).
func (s *Server) readSnapInfo() (*aof.SnapInfo, error) {
	f, err := s.opts.FS.Open(s.p.rdbPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", s.p.rdbPath, err)
	}
	defer f.Close()
	r, err := rdb.NewReader(bufio.NewReader(f), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (check it with: kevy check-rdb %s)", s.p.rdbPath, err, s.p.rdbPath)
	}
	// Aux fields precede the first key: reading one entry is enough.
	if _, err := r.Next(); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w (check it with: kevy check-rdb %s)", s.p.rdbPath, err, s.p.rdbPath)
	}
	aux := r.Aux()
	info := &aof.SnapInfo{Path: s.p.rdbPath, SnapID: aux["kevy-snap-id"], AOFID: aux["kevy-aof-id"]}
	if v := aux["kevy-aof-offset"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: bad kevy-aof-offset aux field %q", s.p.rdbPath, v)
		}
		info.AOFOffset = n
	}
	return info, nil
}

// loadSnapshotLocked loads dump.rdb into the (empty) store. Keys already
// expired are skipped, as Redis does.
//
// Decoding and inserting run as a two-stage pipeline: a goroutine reads
// the file and builds each value (command.FromRDB: the store's list, set,
// hash and zset objects, which nothing else can reach yet), and the caller,
// holding the lock, inserts them into the databases. With a second P
// (see tuneProcs) the two overlap; the insertion is most of the work (the
// store's hash table and entries).
func (s *Server) loadSnapshotLocked() (int64, error) {
	f, err := s.opts.FS.Open(s.p.rdbPath)
	if err != nil {
		return 0, fmt.Errorf("opening %s: %w", s.p.rdbPath, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		s.p.loadingTotal = st.Size()
	}
	p := &snapLoader{s: s, batches: make(chan *loadHandover, 8), free: make(chan *loadHandover, 10), stop: make(chan struct{})}
	// ReuseEntry: the reader decodes into buffers it reuses, and the store
	// copies elements into its own encodings, so only the key and a string
	// value need copying: into the batch's buffer (add), from which the
	// store copies them into the entry.
	ropts := &rdb.ReaderOptions{ReuseEntry: true, OnResize: func(db int, keys, _ uint64) {
		// A key takes at least 3 bytes of the file: a forged hint cannot
		// make us allocate more than the file could hold.
		if db >= 0 && db < s.st.NumDB() && keys <= uint64(s.p.loadingTotal/3) {
			p.add(loadItem{db: db, reserve: int(keys)}, nil, nil)
		}
	}}
	r, err := rdb.NewReader(bufio.NewReaderSize(f, 1<<16), ropts)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", s.p.rdbPath, err)
	}
	go p.decode(r)
	var loaded int64
	var insertErr error
	for b := range p.batches {
		for i := range b.items {
			it := &b.items[i]
			if insertErr != nil {
				break
			}
			db := s.st.DB(it.db)
			if it.reserve > 0 {
				db.Reserve(it.reserve)
				continue
			}
			if !db.InsertNew(it.key, it.kind, it.str, it.strOwned, it.obj, it.exp) {
				insertErr = fmt.Errorf("loading %s: duplicate key %q in database %d", s.p.rdbPath, it.key, it.db)
				close(p.stop) // the decoder stops at its next batch
				break
			}
			if loaded++; loaded%loadGCCheckEvery == 0 {
				s.p.loadGC.check()
			}
		}
		clear(b.items) // drop the references before the batch is reused
		b.items, b.bytes = b.items[:0], b.bytes[:0]
		select {
		case p.free <- b:
		default:
		}
	}
	if insertErr != nil {
		return loaded, insertErr
	}
	if p.err != nil {
		return loaded, p.err
	}
	for _, w := range r.Warnings() {
		s.log.Warn("snapshot load warning", "path", s.p.rdbPath, "warning", w)
	}
	s.p.loadKeysLoaded, s.p.loadKeysExpired = loaded, p.expired
	s.log.Info("snapshot loaded", "path", s.p.rdbPath, "keys", loaded, "expired_skipped", p.expired)
	return loaded, nil
}

// loadHandover is one batch passed between the pipeline's stages.
type loadHandover struct {
	items []loadItem
	bytes []byte // the items' keys and string values, which point into it
}

// loadItem is a key ready to insert, or a table size hint (reserve > 0).
// key, and str unless strOwned, are views of the batch's bytes, which
// InsertNew copies.
type loadItem struct {
	db       int
	reserve  int
	key      string
	kind     store.Kind
	str      []byte
	strOwned bool
	obj      any
	exp      int64
}

// loadShortValue is the longest string value that travels in the batch's
// buffer: no longer value fits inside an entry (the largest shape, 128
// bytes, less the 56-byte entry). Longer ones get a copy of their own,
// which the store keeps, so the buffer stays small and each byte of a long
// value is copied once.
const loadShortValue = 72

const loadBatch = 4096 // keys per hand-over between the pipeline's stages

// snapLoader is the decoding stage of loadSnapshotLocked.
type snapLoader struct {
	s       *Server
	batches chan *loadHandover // to the inserting stage; closed at the end
	free    chan *loadHandover // batches handed back for reuse
	stop    chan struct{}      // closed by the inserting stage to give up
	cur     *loadHandover
	// Set before batches is closed, read after.
	err     error
	expired int64
}

// add queues it with copies of key and str (which the reader will reuse),
// handing over the batch when it is full. It reports false if the
// inserting stage gave up.
func (p *snapLoader) add(it loadItem, key, str []byte) bool {
	if p.cur == nil {
		select {
		case p.cur = <-p.free:
		default:
			p.cur = &loadHandover{items: make([]loadItem, 0, loadBatch), bytes: make([]byte, 0, loadBatch*32)}
		}
	}
	b := p.cur
	if len(key) > 0 {
		n := len(b.bytes)
		b.bytes = append(b.bytes, key...)
		it.key = unsafe.String(&b.bytes[n], len(key))
	}
	if len(str) > loadShortValue {
		it.str, it.strOwned = bytes.Clone(str), true
	} else if str != nil {
		n := len(b.bytes)
		b.bytes = append(b.bytes, str...)
		it.str = b.bytes[n:len(b.bytes):len(b.bytes)]
	}
	b.items = append(b.items, it)
	if len(b.items) < loadBatch {
		return true
	}
	return p.flush()
}

func (p *snapLoader) flush() bool {
	if p.cur == nil || len(p.cur.items) == 0 {
		return true
	}
	select {
	case p.batches <- p.cur:
		p.cur = nil
		return true
	case <-p.stop:
		return false
	}
}

// decode reads every entry of r and queues it for insertion.
func (p *snapLoader) decode(r *rdb.Reader) {
	s := p.s
	defer close(p.batches)
	now := time.Now().UnixMilli()
	for {
		e, err := r.Next()
		if err == io.EOF {
			p.flush()
			return
		}
		if err != nil {
			p.err = fmt.Errorf("loading %s: %w (check it with: kevy check-rdb %s)", s.p.rdbPath, err, s.p.rdbPath)
			p.flush()
			return
		}
		s.p.loadingDone.Store(r.Offset())
		if e.DB < 0 || e.DB >= s.st.NumDB() {
			p.err = fmt.Errorf("loading %s: key %q is in database %d, but only %d databases are configured", s.p.rdbPath, e.Key, e.DB, s.st.NumDB())
			p.flush()
			return
		}
		if e.ExpireAt > 0 && e.ExpireAt <= now {
			p.expired++
			continue
		}
		kind, str, obj := command.FromRDB(e, s.eng.Limits)
		if !p.add(loadItem{db: e.DB, kind: kind, obj: obj, exp: max(e.ExpireAt, 0)}, e.Key, str) {
			return
		}
	}
}

// replayBatch is how many log records replayLog applies per hold of the
// execution lock. Clients that connect meanwhile only need the lock to be
// told -LOADING; a batch takes about a millisecond.
const replayBatch = 1024

// replayLog applies the log's records from offset on.
func (s *Server) replayLog(from int64) (*aof.ReplayResult, error) {
	cl := s.eng.NewReplayClient()
	s.mu.Lock()
	s.st.SetLoading(true)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.st.SetLoading(false)
		s.mu.Unlock()
	}()
	if st, err := s.opts.FS.Stat(s.p.aofPath); err == nil {
		s.p.loadingTotal = st.Size()
	}
	start := time.Now()
	opts := aof.DefaultReplayOptions()
	opts.LoadTruncated = s.opts.AOFLoadTruncated
	opts.StartOffset = from
	opts.Logger = s.log
	opts.Progress = func(bytes, commands int64) {
		s.p.loadingDone.Store(bytes)
		secs := time.Since(start).Seconds()
		if secs > 0 {
			s.log.Info("loading the append-only log", "bytes", bytes, "commands", commands,
				"mb_per_sec", fmt.Sprintf("%.1f", float64(bytes)/secs/1e6), "commands_per_sec", int64(float64(commands)/secs))
		}
	}
	// The lock is taken once per batch of records, and the clock read then:
	// while loading nothing expires (the log carries the DELs), so the time
	// only stamps access times and resolves relative TTLs in foreign logs,
	// for which a millisecond-old reading is as good as Redis's cached one.
	held, replayed := 0, 0
	res, err := aof.Replay(s.opts.FS, s.p.aofPath, &opts, func(args [][]byte) error {
		if held == 0 {
			s.mu.Lock()
			s.st.SetTime(time.Now().UnixMilli())
		}
		err := s.eng.Replay(cl, args)
		if held++; held == replayBatch {
			s.mu.Unlock()
			held = 0
		}
		if replayed++; replayed%loadGCCheckEvery == 0 {
			s.p.loadGC.check()
		}
		return err
	})
	if held > 0 {
		s.mu.Unlock()
	}
	if err != nil {
		return nil, fmt.Errorf("replaying %s: %w", s.p.aofPath, err)
	}
	s.log.Info("append-only log replayed", "path", s.p.aofPath, "result", fmt.Sprintf("%+v", *res))
	return res, nil
}
