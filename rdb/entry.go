package rdb

import "fmt"

// Type is the logical type of a value, independent of how it is encoded.
type Type uint8

// Logical value types. These are kevy's types, not RDB type bytes.
const (
	TypeString Type = iota
	TypeList
	TypeSet
	TypeZSet
	TypeHash
)

func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	case TypeHash:
		return "hash"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// HashField is one field of a hash.
type HashField struct {
	Field, Value []byte
}

// ZMember is one member of a sorted set.
type ZMember struct {
	Member []byte
	Score  float64
}

// Entry is one key with its value. Exactly one of the value fields is used,
// chosen by Type; the others are nil. The reader allocates fresh slices for
// every entry, so the caller may keep them, unless it was asked to reuse
// them (ReaderOptions.ReuseEntry).
type Entry struct {
	DB  int
	Key []byte

	// ExpireAt is the absolute expiry time in Unix milliseconds; 0 (or any
	// value <= 0) means the key does not expire. A file that stores an
	// expiry <= 0 (a key that expired in 1970) is read as 1 so that it
	// still reads as expired.
	ExpireAt int64

	Type Type
	Str  []byte      // TypeString
	List [][]byte    // TypeList, head first
	Set  [][]byte    // TypeSet, unordered, no duplicates
	Hash []HashField // TypeHash, unordered, no duplicate fields
	ZSet []ZMember   // TypeZSet, unordered, no duplicate members, no NaN

	// Idle is the LRU idle time in seconds (IDLE opcode) and Freq the LFU
	// counter 0..255 (FREQ opcode). The reader sets -1 when the file has
	// none; the writer emits each only when it is > 0 (Redis writes at
	// most one of them, depending on its maxmemory-policy).
	Idle int64
	Freq int
}

// Len returns the number of elements of a collection, or 1 for a string.
func (e *Entry) Len() int {
	switch e.Type {
	case TypeList:
		return len(e.List)
	case TypeSet:
		return len(e.Set)
	case TypeZSet:
		return len(e.ZSet)
	case TypeHash:
		return len(e.Hash)
	}
	return 1
}
