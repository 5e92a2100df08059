package store

import "unsafe"

// DB is one of the numbered databases. All methods must be called under the
// server's execution lock.
type DB struct {
	s       *Store
	id      int
	dict    *dict
	expires []*Entry // entries with a TTL, for active-expiry sampling
}

func newDB(s *Store, id int) *DB {
	return &DB{s: s, id: id, dict: newDict()}
}

// ID is the database number.
func (db *DB) ID() int { return db.id }

// Len is the number of keys, including ones that have expired but were not
// reclaimed yet (as DBSIZE in Redis).
func (db *DB) Len() int { return db.dict.len() }

// ExpiresLen is the number of keys with a TTL.
func (db *DB) ExpiresLen() int { return len(db.expires) }

// expireIfNeeded deletes e if its TTL has passed and reports whether it did.
func (db *DB) expireIfNeeded(e *Entry) bool {
	if e.expireAt == 0 || e.expireAt > db.s.now {
		return false
	}
	if db.s.loading {
		// While loading, the log decides: it carries an explicit DEL for
		// every expiry that happened, and an expired key may still be the
		// source of a later RENAME in the same log.
		return false
	}
	db.deleteEntry(e)
	db.s.stats.ExpiredKeys++
	if db.s.onExpire != nil {
		db.s.onExpire(db.id, e.Key())
	}
	return true
}

// expireForRead is expireIfNeeded for a read: while expiry is held an
// expired key reads as missing but stays.
func (db *DB) expireForRead(e *Entry) bool {
	if e.expireAt == 0 || e.expireAt > db.s.now {
		return false
	}
	if db.s.expiryHeld && !db.s.loading {
		return true
	}
	return db.expireIfNeeded(e)
}

// Peek finds a key without expiring it or touching its access time.
func (db *DB) Peek(key []byte) *Entry {
	return db.dict.find(key)
}

// Lookup finds a live key for reading, expiring it lazily.
func (db *DB) Lookup(key []byte) *Entry {
	e := db.dict.find(key)
	if e == nil {
		db.s.stats.Misses++
		return nil
	}
	if db.expireForRead(e) {
		db.s.stats.Misses++
		return nil
	}
	db.s.stats.Hits++
	e.setLRU(db.s.lruClock())
	return e
}

// LookupNoStats finds a live key without counting a hit or miss (EXISTS,
// TYPE and friends do not count in Redis either).
func (db *DB) LookupNoStats(key []byte) *Entry {
	e := db.dict.find(key)
	if e == nil || db.expireForRead(e) {
		return nil
	}
	return e
}

// LookupWrite finds a live key that the caller is about to modify in place.
// It runs the before-write hook (point-in-time snapshots copy the old value
// there) and stamps the entry with a new version (WATCH compares versions).
func (db *DB) LookupWrite(key []byte) *Entry {
	e := db.dict.find(key)
	if e == nil || db.expireIfNeeded(e) {
		return nil
	}
	db.touch(e)
	return e
}

// touch marks e as about to change.
func (db *DB) touch(e *Entry) {
	if db.s.beforeWrite != nil {
		db.s.beforeWrite(db.id, e)
	}
	db.s.ver++
	e.ver = db.s.ver
	e.setLRU(db.s.lruClock())
}

// Touched marks an entry returned by Lookup as modified (for handlers that
// decide to write only after reading).
func (db *DB) Touched(e *Entry) { db.touch(e) }

// Reencoding runs the before-write hook for an entry whose value is about to
// change representation but not content (SORT turning a small sorted set
// into a skiplist, as Redis does): a snapshot in progress must keep the old
// form, but WATCH must not see a change, so the version stays.
func (db *DB) Reencoding(e *Entry) {
	if db.s.beforeWrite != nil {
		db.s.beforeWrite(db.id, e)
	}
}

// SetString stores a string value, replacing whatever the key held. With
// keepTTL the existing TTL survives; otherwise it is cleared. The value is
// retained (or copied into the entry when short), so callers pass a buffer
// they own; SetStringCopy is for borrowed bytes.
func (db *DB) SetString(key []byte, val []byte, keepTTL bool) *Entry {
	return db.setString(key, val, true, keepTTL)
}

// SetStringCopy is SetString for a value the caller keeps (request
// arguments): a short one is copied into the entry, saving the separate
// allocation a clone would cost.
func (db *DB) SetStringCopy(key []byte, val []byte, keepTTL bool) *Entry {
	return db.setString(key, val, false, keepTTL)
}

func (db *DB) setString(key, val []byte, owned, keepTTL bool) *Entry {
	e := db.dict.find(key)
	if e != nil && !db.expireIfNeeded(e) {
		db.touch(e)
		e.setValue(KindString, val, owned, nil)
		if !keepTTL {
			db.removeExpire(e)
		}
		return e
	}
	e = db.newEntry(key, len(val))
	e.setValue(KindString, val, owned, nil)
	return e
}

// SetObj stores a collection value under key, replacing whatever it held and
// clearing its TTL.
func (db *DB) SetObj(key []byte, k Kind, obj any) *Entry {
	e := db.dict.find(key)
	if e != nil && !db.expireIfNeeded(e) {
		db.touch(e)
		e.setValue(k, nil, false, obj)
		db.removeExpire(e)
		return e
	}
	e = db.newEntry(key, 0)
	e.setValue(k, nil, false, obj)
	return e
}

func (db *DB) newEntry(key []byte, valRoom int) *Entry {
	db.s.ver++
	e := newEntry(unsafe.String(unsafe.SliceData(key), len(key)), false, db.s.ver, db.s.lruClock(), valRoom)
	db.dict.add(e)
	return e
}

// Insert adds an entry built elsewhere (RDB load, MOVE, COPY, RESTORE). The
// key must not exist.
func (db *DB) Insert(key string, k Kind, str []byte, obj any, expireAt int64) *Entry {
	db.s.ver++
	e := newEntry(key, true, db.s.ver, db.s.lruClock(), len(str))
	e.setValue(k, str, true, obj)
	db.dict.add(e)
	if expireAt != 0 {
		db.SetExpire(e, expireAt)
	}
	return e
}

// InsertNew is Insert for loaders: it adds the entry only if the key is
// absent (one lookup instead of two) and reports whether it did. The key is
// copied (loaders hand over views of a reused buffer, and nearly every key
// is stored inside its entry anyway); str is copied unless strOwned says
// the caller gives it away, which loaders do for values too long to sit in
// the entry, so that those are copied once, not twice.
func (db *DB) InsertNew(key string, k Kind, str []byte, strOwned bool, obj any, expireAt int64) bool {
	db.s.ver++
	e := newEntry(key, false, db.s.ver, db.s.lruClock(), len(str))
	e.setValue(k, str, strOwned, obj)
	if !db.dict.addNew(e) {
		return false
	}
	if expireAt != 0 {
		db.SetExpire(e, expireAt)
	}
	return true
}

// Delete removes a live key and reports whether it existed.
func (db *DB) Delete(key []byte) bool {
	e := db.dict.find(key)
	if e == nil || db.expireIfNeeded(e) {
		return false
	}
	db.deleteEntry(e)
	return true
}

func (db *DB) deleteEntry(e *Entry) {
	if db.s.beforeWrite != nil {
		db.s.beforeWrite(db.id, e)
	}
	db.s.ver++
	db.removeExpire(e)
	db.dict.remove(unsafe.Slice(e.keyData(), e.keyLen))
}

// Remove unlinks e (found by a lookup) from the database.
func (db *DB) Remove(e *Entry) { db.deleteEntry(e) }

// SetExpire sets an absolute expiry in unix ms (0 clears it).
func (db *DB) SetExpire(e *Entry, at int64) {
	if at == 0 {
		db.removeExpire(e)
		return
	}
	e.expireAt = at
	if e.expIdx < 0 {
		e.expIdx = int32(len(db.expires))
		db.expires = append(db.expires, e)
	}
}

func (db *DB) removeExpire(e *Entry) {
	e.expireAt = 0
	if e.expIdx < 0 {
		return
	}
	last := len(db.expires) - 1
	moved := db.expires[last]
	db.expires[e.expIdx] = moved
	moved.expIdx = e.expIdx
	db.expires[last] = nil
	db.expires = db.expires[:last]
	e.expIdx = -1
	if cap(db.expires) > 64 && len(db.expires) < cap(db.expires)/4 {
		db.expires = append([]*Entry(nil), db.expires...)
	}
}

// Scan visits the bucket(s) at cursor and returns the next cursor.
func (db *DB) Scan(cursor uint64, fn func(*Entry)) uint64 {
	return db.dict.scan(cursor, fn)
}

// Each calls fn for every entry (expired or not) until fn returns false.
func (db *DB) Each(fn func(*Entry) bool) { db.dict.each(fn) }

// RandomKey returns a random live key, or nil. Like Redis it gives up on
// expiring keys after a bounded number of tries when every key has a TTL.
func (db *DB) RandomKey() *Entry {
	for tries := 0; tries < 100; tries++ {
		e := db.dict.random(db.s.randN)
		if e == nil {
			return nil
		}
		if e.expireAt != 0 && e.expireAt <= db.s.now {
			if len(db.expires) == db.dict.len() && tries > 50 {
				return e // all keys volatile: return a logically expired one, as Redis does
			}
			db.expireIfNeeded(e)
			continue
		}
		return e
	}
	return nil
}

// flush empties the database and returns the old contents.
func (db *DB) flush() (old *dict, oldExpires []*Entry) {
	old, oldExpires = db.dict, db.expires
	db.dict = newDict()
	db.expires = nil
	db.s.ver++
	return old, oldExpires
}

// IsExpired reports whether e's TTL has passed at the store's current time.
func (db *DB) IsExpired(e *Entry) bool { return e.expireAt != 0 && e.expireAt <= db.s.now }

// Reserve sizes an empty database's table for n keys at once, so loading a
// snapshot does not grow it by doubling and incremental rehashing.
func (db *DB) Reserve(n int) {
	if db.dict.len() != 0 || db.dict.rehashing() || n <= 0 {
		return
	}
	db.dict.t[0] = table{}
	db.dict.resize(n)
}
