package store

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unsafe"
)

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
//
// The layout is packed because with a million keys a lookup costs what its
// cache (and TLB) misses cost: the bucket, the entry and the key's bytes
// each used to sit in a different span of the Go heap (docs/architecture.md,
// "Keyspace"). So:
//
//   - the key's bytes follow the entry in the same allocation (see
//     newEntry), so the key is found next to the entry, and a short string
//     value follows the key (Redis's embstr idea), so GET and INCR find
//     their value there too;
//   - the value is one pointer whose meaning the kind gives: the bytes of a
//     string (with a 32-bit length and capacity, so APPEND can grow in
//     place) or the *List, *Hash, *Set or *ZSet of a collection, instead of a
//     slice header plus an interface;
//   - the access clock is 24 bits of seconds, as in Redis (OBJECT IDLETIME
//     wraps after 194 days there too), sharing a word with kind and encoding.
//
// The entry itself is 56 bytes, so with a key of up to 8 bytes the whole
// allocation is Go's 64-byte size class, one cache line.
//
// unsafe.Pointer fields are traced by the garbage collector like any other
// pointer, so values stay alive exactly as long as their entry.
type Entry struct {
	next     *Entry         // dict chain
	val      unsafe.Pointer // KindString: *byte (valLen/valCap); else *List/*Hash/*Set/*ZSet
	expireAt int64          // absolute unix ms; 0 means no expiry
	ver      uint64         // store-wide write counter at the last modification
	keyLen   uint32
	valLen   uint32
	valCap   uint32
	expIdx   int32  // position in DB.expires, -1 when not there
	snapMark uint32 // id of the last snapshot that has this entry's value
	meta     uint32 // kind, encoding bit, shape and access clock (metaKind…)
	// The key follows: inline bytes when keyLen <= maxInlineKey, else a
	// pointer to them (entryLong). After an inline key, the rest of the
	// allocation holds a short string value (see setStr).
}

const entryHeaderSize = unsafe.Sizeof(Entry{})

// Allocation shapes. Each is exactly one of Go's size classes (64, 80, 96,
// 112, 128 bytes; TestEntrySizes checks), so a key costs at most the
// rounding a separate allocation would have cost too, and for keys of up to
// 8 bytes 8 bytes less than a pointer to them would.
type (
	entryK8 struct {
		Entry
		k [8]byte
	}
	entryK24 struct {
		Entry
		k [24]byte
	}
	entryK40 struct {
		Entry
		k [40]byte
	}
	entryK56 struct {
		Entry
		k [56]byte
	}
	entryK72 struct {
		Entry
		k [72]byte
	}
	entryLong struct {
		Entry
		k unsafe.Pointer // *byte, keyLen bytes
	}
)

const maxInlineKey = 72

// Shapes, by allocation size; the shape is kept in meta so the room left
// after an inline key is known.
const shapeLong = 5

var shapeSize = [...]uintptr{64, 80, 96, 112, 128}

// shapeFor is the smallest shape holding an entry, an inline key of keyLen
// bytes and room bytes more, or -1.
func shapeFor(keyLen, room int) int {
	need := int(entryHeaderSize) + keyLen + room
	for i, sz := range shapeSize {
		if need <= int(sz) {
			return i
		}
	}
	return -1
}

// The fields of Entry.meta, from the low bits up: the kind (4 bits), the
// encoding bit (set for "raw"), the allocation shape (3 bits) and the
// access clock (24 bits).
const (
	metaKind       = 0xf
	metaEnc        = 1 << 4
	metaShapeShift = 5
	metaShape      = 7 << metaShapeShift
	metaLRUShift   = 8
	metaLow        = 1<<metaLRUShift - 1 // everything but the clock

	lruBits = 24
	lruMask = 1<<lruBits - 1
)

// MaxValueLen is the longest string value an entry can hold (the 32-bit
// length). Redis's own limit, proto-max-bulk-len, is 512 MB by default.
const MaxValueLen = 1<<32 - 1

// newEntry allocates an entry for key (copied when inlined), with room for
// a string value of valRoom bytes after it when that still fits in the
// largest shape. When owned, key's memory belongs to the caller to give
// away: a long key is then kept rather than copied.
func newEntry(key string, owned bool, ver uint64, lru uint32, valRoom int) *Entry {
	shape := -1
	if len(key) <= maxInlineKey {
		if shape = shapeFor(len(key), valRoom); shape < 0 {
			shape = shapeFor(len(key), 0)
		}
	}
	var e *Entry
	var k []byte
	switch shape {
	case 0:
		x := new(entryK8)
		e, k = &x.Entry, x.k[:]
	case 1:
		x := new(entryK24)
		e, k = &x.Entry, x.k[:]
	case 2:
		x := new(entryK40)
		e, k = &x.Entry, x.k[:]
	case 3:
		x := new(entryK56)
		e, k = &x.Entry, x.k[:]
	case 4:
		x := new(entryK72)
		e, k = &x.Entry, x.k[:]
	default:
		shape = shapeLong
		x := new(entryLong)
		if !owned {
			key = strings.Clone(key)
		}
		x.k = unsafe.Pointer(unsafe.StringData(key))
		e = &x.Entry
	}
	copy(k, key)
	e.keyLen = uint32(len(key))
	e.ver = ver
	e.expIdx = -1
	e.meta = uint32(shape) << metaShapeShift
	e.setLRU(lru)
	return e
}

func (e *Entry) shape() int { return int(e.meta&metaShape) >> metaShapeShift }

// inlineRoom is the part of the allocation after an inline key, where a
// short string value lives (empty for long keys).
func (e *Entry) inlineRoom() []byte {
	sh := e.shape()
	if sh == shapeLong {
		return nil
	}
	off := entryHeaderSize + uintptr(e.keyLen)
	n := shapeSize[sh] - off
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e), off)), n)
}

// keyData points at the key's bytes: right after the entry, or where the
// pointer after the entry says for long keys. The arithmetic stays inside
// the allocation newEntry made, which is all an Entry ever is.
func (e *Entry) keyData() *byte {
	p := unsafe.Add(unsafe.Pointer(e), entryHeaderSize)
	if e.keyLen > maxInlineKey {
		return *(**byte)(p)
	}
	return (*byte)(p)
}

func (e *Entry) Key() string       { return unsafe.String(e.keyData(), e.keyLen) }
func (e *Entry) Kind() Kind        { return Kind(e.meta & metaKind) }
func (e *Entry) ExpireAt() int64   { return e.expireAt }
func (e *Entry) Version() uint64   { return e.ver }
func (e *Entry) MarkRaw()          { e.setEnc(encRaw) }
func (e *Entry) IsRawString() bool { return e.enc() == encRaw }

func (e *Entry) enc() uint8 {
	if e.meta&metaEnc != 0 {
		return encRaw
	}
	return encDefault
}

func (e *Entry) setEnc(v uint8) {
	e.meta &^= metaEnc
	if v == encRaw {
		e.meta |= metaEnc
	}
}

func (e *Entry) setLRU(clock uint32) { e.meta = e.meta&metaLow | (clock&lruMask)<<metaLRUShift }

// Str is the value of a string key (nil for other kinds). It aliases the
// entry's memory: valid until the value is next replaced.
func (e *Entry) Str() []byte {
	if e.Kind() != KindString || e.val == nil {
		return nil
	}
	return unsafe.Slice((*byte)(e.val), e.valCap)[:e.valLen]
}

// Obj is the value of a collection key: *List, *Hash, *Set or *ZSet (nil for
// strings).
func (e *Entry) Obj() any {
	switch e.Kind() {
	case KindList:
		return (*List)(e.val)
	case KindHash:
		return (*Hash)(e.val)
	case KindSet:
		return (*Set)(e.val)
	case KindZSet:
		return (*ZSet)(e.val)
	}
	return nil
}

// setValue stores a value of kind k, clearing the encoding bit. A string
// is copied when it fits in the entry, else retained when owned, else
// copied to its own allocation.
func (e *Entry) setValue(k Kind, str []byte, owned bool, obj any) {
	wasStr := e.Kind() == KindString
	e.meta = e.meta&^(metaKind|metaEnc) | uint32(k)
	if k == KindString {
		if !wasStr || owned || !e.overwrite(str) {
			e.setStr(str, owned)
		}
		return
	}
	e.valLen, e.valCap = 0, 0
	switch o := obj.(type) {
	case *List:
		e.val = unsafe.Pointer(o)
	case *Hash:
		e.val = unsafe.Pointer(o)
	case *Set:
		e.val = unsafe.Pointer(o)
	case *ZSet:
		e.val = unsafe.Pointer(o)
	default:
		panic(fmt.Sprintf("store: %T is not a collection value", obj))
	}
}

func (e *Entry) setStr(b []byte, owned bool) {
	if room := e.inlineRoom(); len(b) <= len(room) && len(b) > 0 {
		// In place (or onto itself when b came from Str: copy is a
		// memmove). Callers read the old value before replacing it.
		copy(room, b)
		e.val = unsafe.Pointer(unsafe.SliceData(room))
		e.valLen, e.valCap = uint32(len(b)), uint32(len(room))
		return
	}
	if !owned && len(b) > 0 {
		b = bytes.Clone(b)
	}
	if uint64(cap(b)) > MaxValueLen {
		// Only reachable with proto-max-bulk-len raised past 4 GB; keep
		// the length exact and give up the spare capacity if it fits.
		if uint64(len(b)) > MaxValueLen {
			panic("store: string value longer than 4 GB")
		}
		b = b[:len(b):len(b)]
	}
	e.val = unsafe.Pointer(unsafe.SliceData(b))
	e.valLen, e.valCap = uint32(len(b)), uint32(cap(b))
}

// overwrite copies b over the string's own buffer (not the room after the
// key) when b fits it and fills at least three quarters of it, so that
// overwriting a key with a value of about the same size, the common case
// (a cache refreshing its entries, a session store), leaves no garbage: a
// fresh buffer per SET made the old one garbage, and with GOGC=100 the heap
// of an overwrite-heavy workload reached twice its live size (1M keys of
// 200 bytes, SET overwriting them: RSS 1.7x Redis's). The buffer belongs to
// this entry alone (COPY clones, replies, the log and snapshots copy), as
// INCR and APPEND, which also write into it, rely on. The three-quarter
// floor bounds the unused tail to what a fresh allocation's size class
// could have left anyway.
func (e *Entry) overwrite(b []byte) bool {
	n := uint32(len(b))
	if n > e.valCap || 4*uint64(n) < 3*uint64(e.valCap) || len(b) <= len(e.inlineRoom()) {
		return false
	}
	copy(unsafe.Slice((*byte)(e.val), e.valCap), b)
	e.valLen = n
	return true
}

// SetStr replaces the string value in place. Callers got e from
// DB.LookupWrite, which ran the write hooks first. The encoding bit is kept
// (APPEND and SETRANGE mark the value raw and keep it so).
func (e *Entry) SetStr(b []byte) {
	e.meta = e.meta&^metaKind | uint32(KindString)
	e.setStr(b, true)
}

// SetObj replaces a collection value in place.
func (e *Entry) SetObj(k Kind, o any) { e.setValue(k, nil, false, o) }

// IdleSeconds is how long ago (in seconds) the key was last accessed, given
// the current unix time in ms, for OBJECT IDLETIME. The clock has 24 bits,
// as Redis's: it wraps every 194 days, and the difference is taken modulo
// that.
func (e *Entry) IdleSeconds(nowMs int64) int64 {
	now := uint32(nowMs/1000) & lruMask
	return int64((now - e.meta>>metaLRUShift) & lruMask)
}

// StringEncoding is what OBJECT ENCODING says for a string value.
func (e *Entry) StringEncoding() string {
	if e.enc() == encRaw {
		return "raw"
	}
	if _, ok := ParseInt(e.Str()); ok && e.valLen <= 20 {
		return "int"
	}
	if e.valLen <= 44 {
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
func (e *Entry) ClearRaw() { e.setEnc(encDefault) }

// SetIdle sets the access clock (unix seconds) for OBJECT IDLETIME, as
// RESTORE … IDLETIME does.
func (e *Entry) SetIdle(lruSeconds int64) {
	if lruSeconds < 0 {
		lruSeconds = 0
	}
	e.setLRU(uint32(lruSeconds))
}
