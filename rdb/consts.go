package rdb

// Format constants. They are part of the RDB file format and of the DUMP
// payload format shared with Redis: never change them.

// Opcodes that may appear where a value type byte is expected.
const (
	opSlotInfo     = 244 // Valkey 8 cluster: slot id, slot size, expires size
	opFunction2    = 245 // function library source (Redis 7.0+)
	opFunctionPre  = 246 // Redis 7.0 release-candidate functions; 7.0 GA refuses it
	opModuleAux    = 247 // module auxiliary data
	opIdle         = 248 // LRU idle seconds of the next key (length)
	opFreq         = 249 // LFU counter of the next key (1 byte)
	opAux          = 250 // AUX key/value string pair
	opResizeDB     = 251 // hash table size hints: keys, expires (lengths)
	opExpireTimeMS = 252 // expiry of the next key, int64 LE Unix ms
	opExpireTime   = 253 // expiry of the next key, int32 LE Unix seconds
	opSelectDB     = 254 // database number (length)
	opEOF          = 255 // end of data, then the CRC-64 (version >= 5)
)

// Value type bytes.
const (
	typeString         = 0
	typeList           = 1
	typeSet            = 2
	typeZSet           = 3 // scores as text
	typeHash           = 4
	typeZSet2          = 5 // scores as binary doubles
	typeModulePreGA    = 6
	typeModule2        = 7
	typeHashZipmap     = 9
	typeListZiplist    = 10
	typeSetIntset      = 11
	typeZSetZiplist    = 12
	typeHashZiplist    = 13
	typeListQuicklist  = 14
	typeStreamListpack = 15
	typeHashListpack   = 16
	typeZSetListpack   = 17
	typeListQuicklist2 = 18
	typeStreamV2       = 19
	typeSetListpack    = 20
	typeStreamV3       = 21
	typeHashMetaFirst  = 22 // 22..25: hashes with field expiry (Redis 7.4)
	typeHashMetaLast   = 25
)

// Length and string encodings (the first byte of a length).
const (
	lenEnc32 = 0x80 // followed by a uint32 big-endian
	lenEnc64 = 0x81 // followed by a uint64 big-endian
	encInt8  = 0xC0 // string stored as int8
	encInt16 = 0xC1 // string stored as int16 LE
	encInt32 = 0xC2 // string stored as int32 LE
	encLZF   = 0xC3 // compressed length, raw length, LZF data
)

// Quicklist v2 node containers.
const (
	qlPlain  = 1 // the node is one element, stored as a string
	qlPacked = 2 // the node is a listpack
)

// Module serialization opcodes, used to skip MODULE_AUX payloads.
const (
	modOpEOF    = 0
	modOpSInt   = 1
	modOpUInt   = 2
	modOpFloat  = 3
	modOpDouble = 4
	modOpString = 5
)

// plainNodeThreshold is the element size from which Redis 7.0 stores a
// list element in a node of its own (packed_threshold, 1 GiB).
const plainNodeThreshold = 1 << 30

// minCompressLen: Redis only tries LZF on strings longer than this.
const minCompressLen = 20
