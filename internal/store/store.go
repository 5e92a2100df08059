// Package store holds kevy's keyspace: numbered databases of typed values
// with millisecond expiry. It knows nothing of the network or of files; the
// server calls it under one execution lock, which is what makes every
// command, MULTI/EXEC block and log append atomic with respect to the others
// (see docs/architecture.md).
package store

import (
	"math/rand/v2"
	"time"
)

// Stats are keyspace counters reported by INFO.
type Stats struct {
	Hits, Misses   int64
	ExpiredKeys    int64
	ExpiredStale   int64 // active expiry cycles stopped by the time budget
	ExpireCycleCPU time.Duration
}

// Options configure a Store. The zero value is usable: 16 databases, the
// wall clock, a random seed.
type Options struct {
	Databases int
	// Seed makes RANDOMKEY and expiry sampling reproducible in tests.
	Seed uint64
	// OnExpire is called (under the lock) when a key is deleted because its
	// TTL passed, so the server can log a DEL for it.
	OnExpire func(db int, key string)
}

// Store is the whole keyspace.
type Store struct {
	dbs         []*DB
	now         int64 // cached unix ms, set by SetTime before each command
	ver         uint64
	rng         *rand.Rand
	onExpire    func(db int, key string)
	beforeWrite func(db int, e *Entry)
	loading     bool
	// expiryHeld: reads treat expired keys as missing without deleting
	// them (CLIENT PAUSE, as Redis 7.0 holds expiry during a pause).
	expiryHeld   bool
	snap         *Snapshot
	snapSeq      uint32
	stats        Stats
	expireNextDB int
	prefetchSink uintptr // keeps Prefetch's loads from being optimised away
}

// New creates a store.
func New(opts Options) *Store {
	n := opts.Databases
	if n <= 0 {
		n = 16
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	s := &Store{
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		onExpire: opts.OnExpire,
		now:      time.Now().UnixMilli(),
	}
	s.dbs = make([]*DB, n)
	for i := range s.dbs {
		s.dbs[i] = newDB(s, i)
	}
	return s
}

// SetOnExpire replaces the expiry callback.
func (s *Store) SetOnExpire(fn func(db int, key string)) { s.onExpire = fn }

// HoldExpiry makes reads leave expired keys in place (true) or delete them
// as usual (false). Writes still delete them: none should run meanwhile.
func (s *Store) HoldExpiry(held bool) { s.expiryHeld = held }

// ExpiryHeld reports the state HoldExpiry set.
func (s *Store) ExpiryHeld() bool { return s.expiryHeld }

// SetBeforeWrite installs the hook run before any existing entry is modified,
// replaced or deleted (nil removes it). Snapshots use it to keep a
// point-in-time copy of entries they have not written yet.
func (s *Store) SetBeforeWrite(fn func(db int, e *Entry)) { s.beforeWrite = fn }

// SetLoading switches lazy expiry off while a log is replayed.
func (s *Store) SetLoading(v bool) { s.loading = v }

// SetTime sets the store's notion of now (unix ms). The server calls it once
// per command, as Redis caches mstime per call: every key a command touches
// is judged against the same instant.
func (s *Store) SetTime(ms int64) { s.now = ms }

// Now is the time set by SetTime.
func (s *Store) Now() int64 { return s.now }

func (s *Store) lruClock() uint32 { return uint32(s.now / 1000) }

func (s *Store) randN(n uint64) uint64 { return s.rng.Uint64N(n) }

// Rand exposes the store's random source to commands (SPOP, SRANDMEMBER…)
// so tests can seed one place.
func (s *Store) Rand() *rand.Rand { return s.rng }

// Version is the store-wide write counter.
func (s *Store) Version() uint64 { return s.ver }

// DB returns database i (0-based); i must be in range.
func (s *Store) DB(i int) *DB { return s.dbs[i] }

// NumDB is the number of databases.
func (s *Store) NumDB() int { return len(s.dbs) }

// Stats returns the counters.
func (s *Store) Stats() Stats { return s.stats }

// ResetStats zeroes the counters (CONFIG RESETSTAT).
func (s *Store) ResetStats() { s.stats = Stats{} }

// Flush empties database i. A running snapshot keeps walking the old table,
// which nothing can modify any more, so no entry needs copying.
func (s *Store) Flush(i int) {
	s.dbs[i].flush()
}

// FlushAll empties every database.
func (s *Store) FlushAll() {
	for i := range s.dbs {
		s.Flush(i)
	}
}

// SwapDB exchanges the contents of two databases.
func (s *Store) SwapDB(a, b int) {
	da, dbb := s.dbs[a], s.dbs[b]
	da.dict, dbb.dict = dbb.dict, da.dict
	da.expires, dbb.expires = dbb.expires, da.expires
	s.ver++
}

// KeyCount is the total number of keys in all databases.
func (s *Store) KeyCount() int {
	n := 0
	for _, db := range s.dbs {
		n += db.Len()
	}
	return n
}
