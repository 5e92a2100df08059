package store

import "strconv"

// Kind is the Redis type of a value.
type Kind uint8

const (
	KindNone Kind = iota
	KindString
	KindList
	KindHash
	KindSet
	KindZSet
)

// TypeName is the name TYPE replies with.
func (k Kind) TypeName() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindHash:
		return "hash"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	}
	return "none"
}

// String encodings as OBJECT ENCODING reports them. Redis decides them by
// content and history: a value that parses as a 64-bit integer (and is at most
// 20 bytes) is "int", a short one is "embstr", and anything modified in place
// (APPEND, SETRANGE, SETBIT) becomes "raw". We only keep the "raw" bit; the
// rest is derived from the bytes.
const (
	encDefault uint8 = iota
	encRaw
)

// Entry is one key of a database with its value, expiry and bookkeeping.
// Entries are only touched under the server's execution lock.
type Entry struct {
	key  string
	next *Entry // dict chain

	str []byte // KindString value
	obj any    // collection value for the other kinds

	expireAt int64  // absolute unix ms; 0 means no expiry
	ver      uint64 // store-wide write counter at the last modification
	expIdx   int32  // position in DB.expires, -1 when not there
	lru      uint32 // seconds clock at last access, for OBJECT IDLETIME
	snapMark uint32 // id of the last snapshot that has this entry's value
	kind     Kind
	enc      uint8
}

func (e *Entry) Key() string       { return e.key }
func (e *Entry) Kind() Kind        { return e.kind }
func (e *Entry) ExpireAt() int64   { return e.expireAt }
func (e *Entry) Version() uint64   { return e.ver }
func (e *Entry) Str() []byte       { return e.str }
func (e *Entry) Obj() any          { return e.obj }
func (e *Entry) LRU() uint32       { return e.lru }
func (e *Entry) MarkRaw()          { e.enc = encRaw }
func (e *Entry) IsRawString() bool { return e.enc == encRaw }

// SetStr replaces the string value in place. Callers got e from
// DB.LookupWrite, which ran the write hooks first.
func (e *Entry) SetStr(b []byte) { e.str = b; e.kind = KindString; e.obj = nil }

// SetObj replaces a collection value in place.
func (e *Entry) SetObj(k Kind, o any) { e.obj = o; e.kind = k; e.str = nil }

// StringEncoding is what OBJECT ENCODING says for a string value.
func (e *Entry) StringEncoding() string {
	if e.enc == encRaw {
		return "raw"
	}
	if _, ok := ParseInt(e.str); ok && len(e.str) <= 20 {
		return "int"
	}
	if len(e.str) <= 44 {
		return "embstr"
	}
	return "raw"
}

// ParseInt parses b as Redis's string2ll does: an optional '-', no leading
// '+', no leading zeros, no spaces, fits in int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		if v < uint64(c-'0') {
			return 0, false
		}
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// FormatInt appends v in decimal.
func FormatInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// ClearRaw forgets that the value was modified in place (INCR stores a fresh
// integer, which Redis encodes as "int" again).
func (e *Entry) ClearRaw() { e.enc = encDefault }

// SetIdle sets the access clock (unix seconds) for OBJECT IDLETIME, as
// RESTORE … IDLETIME does.
func (e *Entry) SetIdle(lruSeconds int64) {
	if lruSeconds < 0 {
		lruSeconds = 0
	}
	e.lru = uint32(lruSeconds)
}
