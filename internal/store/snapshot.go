package store

// Point-in-time snapshots without fork.
//
// Go cannot fork a running program, and copying the dataset would double
// memory, so a snapshot is taken the way Dragonfly and Valkey 9 do it: a
// background walk that emits every entry as it was when the snapshot began,
// plus a hook on every write that emits an entry's old value first if the
// walk has not reached it yet.
//
// Invariants, all under the execution lock:
//
//  1. The snapshot starts at store version E. An entry whose version is <= E
//     still holds the value it had at E (every modification stamps a newer
//     version, see DB.touch). Entries with a newer version were created or
//     changed after E.
//  2. An entry is emitted at most once per snapshot: emitting stamps it with
//     the snapshot's id (snapMark).
//  3. Before an entry with version <= E is modified, replaced or deleted, the
//     before-write hook emits it (deep copy of the value happens in the
//     sink, under the lock). So every value of E is emitted either by the
//     hook or by the walk, never both and never a later value.
//  4. The walk visits the tables that were the databases at E (not the
//     database slots), with the scan cursor, which returns every entry
//     present for the whole walk at least once across resizes. Entries that
//     disappear before the walk reaches them were emitted by the hook
//     (invariant 3). FLUSHDB replaces a database's table; the walk keeps the
//     old one, which no one can modify any more. SWAPDB swaps tables between
//     slots; the walk still labels each table with the database it was at E.
//
// Extra memory is therefore bounded by the values changed during the
// snapshot (copied once each) plus whatever the sink buffers, never a copy
// of the dataset.

// SnapshotSink receives entries of a snapshot under the execution lock. It
// must copy or serialise what it needs before returning: the entry may change
// as soon as the lock is released.
type SnapshotSink func(db int, e *Entry) error

// Snapshot is a point-in-time walk of the whole keyspace.
type Snapshot struct {
	s      *Store
	id     uint32
	epoch  uint64
	dicts  []*dict
	db     int    // database being walked
	cursor uint64 // scan cursor within dicts[db]
	sink   SnapshotSink
	err    error
	done   bool

	batch   []*Entry     // entries of the buckets being walked (Step)
	collect func(*Entry) // appends to batch; bound once, no closure per call

	// Counters for INFO (current_save_keys_processed / _total).
	Emitted int64
	Total   int64
}

// BeginSnapshot starts a snapshot at the current instant. Only one snapshot
// may run at a time; the caller (the server) schedules them.
func (s *Store) BeginSnapshot(sink SnapshotSink) *Snapshot {
	if s.snap != nil {
		panic("store: BeginSnapshot while another snapshot runs")
	}
	s.snapSeq++
	if s.snapSeq == 0 { // 0 means "never snapshotted"
		s.snapSeq = 1
	}
	sn := &Snapshot{s: s, id: s.snapSeq, epoch: s.ver, sink: sink}
	for _, db := range s.dbs {
		sn.dicts = append(sn.dicts, db.dict)
		sn.Total += int64(db.dict.len())
	}
	s.snap = sn
	s.beforeWrite = sn.beforeWrite
	return sn
}

// DBLen is the number of keys database i had when the snapshot began (for
// RESIZEDB hints; approximate once writes happened).
func (sn *Snapshot) DBLen(i int) int { return sn.dicts[i].len() }

func (sn *Snapshot) pending(e *Entry) bool {
	return e.snapMark != sn.id && e.ver <= sn.epoch
}

func (sn *Snapshot) emit(db int, e *Entry) {
	e.snapMark = sn.id
	if sn.err != nil {
		return
	}
	sn.Emitted++
	if err := sn.sink(db, e); err != nil {
		sn.err = err
	}
}

// beforeWrite is the store's write hook while the snapshot runs.
func (sn *Snapshot) beforeWrite(db int, e *Entry) {
	if e == nil || !sn.pending(e) {
		return
	}
	// The entry's database at E: find which walked table holds it. Entries
	// reachable from a slot are in that slot's current table; after a
	// SWAPDB the slot's table may be another E-database's table.
	sn.emit(sn.dbOf(db), e)
}

// dbOf maps the current slot of a pending entry to its database at E.
func (sn *Snapshot) dbOf(slot int) int {
	cur := sn.s.dbs[slot].dict
	for i, d := range sn.dicts {
		if d == cur {
			return i
		}
	}
	// The slot's table was created after E (FLUSHDB): its entries all have
	// versions > E and are never pending, so this is unreachable.
	return slot
}

// Step walks up to n buckets' worth of entries (at least one bucket) and
// reports whether the walk is complete. Call it under the execution lock,
// releasing the lock between calls so clients keep running.
func (sn *Snapshot) Step(n int) (done bool, err error) {
	if sn.collect == nil {
		sn.collect = func(e *Entry) { sn.batch = append(sn.batch, e) }
	}
	for n > 0 && !sn.done {
		if sn.db >= len(sn.dicts) {
			sn.done = true
			break
		}
		d := sn.dicts[sn.db]
		if d.len() == 0 {
			sn.db++
			sn.cursor = 0
			continue
		}
		// Gather the entries of a run of buckets first, then look at
		// them: each entry is a cache miss, and a tight gathering loop
		// lets the CPU have many of them in flight at once, where checking
		// and encoding each entry as it is found would wait for them one
		// by one.
		sn.batch = sn.batch[:0]
		for len(sn.batch) < snapBatch && n > 0 {
			before := len(sn.batch)
			sn.cursor = d.scan(sn.cursor, sn.collect)
			n -= len(sn.batch) - before + 1
			if sn.cursor == 0 {
				break
			}
		}
		for i, e := range sn.batch {
			if sn.pending(e) {
				sn.emit(sn.db, e)
			}
			sn.batch[i] = nil
		}
		if sn.cursor == 0 {
			sn.db++
		}
	}
	return sn.done, sn.err
}

// snapBatch is how many entries Step gathers before checking them.
const snapBatch = 64

// End detaches the snapshot from the store (after success or to abort).
func (sn *Snapshot) End() {
	if sn.s.snap == sn {
		sn.s.snap = nil
		sn.s.beforeWrite = nil
	}
}

// Err is the first error the sink returned.
func (sn *Snapshot) Err() error { return sn.err }
