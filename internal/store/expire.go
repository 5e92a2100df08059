package store

import "time"

// Active expiry, in the spirit of Redis's activeExpireCycle: lazy expiry
// alone would keep keys that are never read again forever, so the server
// calls ActiveExpire every 1/hz seconds. Each call samples keys that have a
// TTL, deletes the expired ones and keeps going in a database while more than
// a quarter of a sample was expired (so memory held by expired keys stays
// bounded to roughly 25% of the volatile keys), but never past its time
// budget (so the CPU it takes stays bounded too).

const (
	expireSample      = 20
	expireAcceptStale = 4 // keep going while more than 4/20 (= 20-25%) expired
)

// ActiveExpire runs one cycle with the given time budget and returns how many
// keys it deleted. It resumes from the database after the one where the
// previous cycle stopped.
func (s *Store) ActiveExpire(budget time.Duration, nowFn func() time.Time) int {
	start := nowFn()
	deleted := 0
	n := len(s.dbs)
	for i := 0; i < n; i++ {
		db := s.dbs[s.expireNextDB%n]
		s.expireNextDB++
		for iter := 0; len(db.expires) > 0; iter++ {
			expired := 0
			sample := expireSample
			if sample > len(db.expires) {
				sample = len(db.expires)
			}
			for j := 0; j < sample && len(db.expires) > 0; j++ {
				e := db.expires[s.rng.IntN(len(db.expires))]
				if db.expireIfNeeded(e) {
					expired++
					deleted++
				}
			}
			if expired <= expireAcceptStale {
				break
			}
			if iter&15 == 15 && nowFn().Sub(start) > budget {
				s.stats.ExpiredStale++
				s.stats.ExpireCycleCPU += nowFn().Sub(start)
				return deleted
			}
		}
	}
	s.stats.ExpireCycleCPU += nowFn().Sub(start)
	return deleted
}

// RehashStep moves a few buckets of every database that is being resized, so
// an idle server still finishes a rehash (Redis's incrementallyRehash).
func (s *Store) RehashStep() {
	for _, db := range s.dbs {
		db.dict.step(100)
	}
}
