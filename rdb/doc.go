// Package rdb reads and writes Redis RDB files and DUMP payloads, and
// reads kevy 1.x KEVYSNAP snapshots. It needs no server: a Writer takes
// one key at a time, a Reader delivers one key at a time, and memory use
// is bounded by the largest value, never by a length the input claims.
//
// Everything below is the on-disk format shared with Redis. These are
// format constants: they must never change.
//
// # File layout
//
//	"REDIS" + 4 ASCII digits (version)   "REDIS0010" is what Redis 7.0 writes
//	items...                             opcodes and key/value records
//	0xFF                                 EOF opcode
//	CRC-64, 8 bytes little-endian        versions >= 5; 0 = "not checked"
//
// Versions: 9 = Redis 5.0-6.2, 10 = 7.0, 11 = 7.2 and Valkey 7.2-8.x,
// 12 = Redis 7.4. A server refuses versions newer than its own, so the
// Writer writes 10 (kevy presents itself as Redis 7.0); the Reader accepts
// 1 to 12 and refuses newer ones and "VALKEY080" with ErrUnsupported.
//
// # Opcodes
//
//	0xFA AUX            string key, string value (redis-ver, ctime, ...)
//	0xFB RESIZEDB       length: keys, length: keys with expiry
//	0xFC EXPIRETIME_MS  int64 LE Unix ms, applies to the next key
//	0xFD EXPIRETIME     int32 LE Unix seconds (old files), next key
//	0xFE SELECTDB       length: database number
//	0xF8 IDLE           length: LRU idle seconds of the next key
//	0xF9 FREQ           1 byte: LFU counter of the next key
//	0xF7 MODULE_AUX     module id, when-opcode, when, module data: skipped
//	0xF6 FUNCTION       pre-release 7.0 functions: refused, as Redis 7.0 does
//	0xF5 FUNCTION2      string: a function library's source
//	0xF4 SLOT_INFO      Valkey 8 cluster: three lengths, skipped
//	0xFF EOF
//
// Any other byte is a value type, followed by the key (a string) and the
// value. Expiry, IDLE and FREQ opcodes precede the type byte.
//
// # Lengths and strings
//
// A length's first byte selects its form by its top two bits:
//
//	00xxxxxx                6-bit length
//	01xxxxxx xxxxxxxx       14-bit length, big-endian
//	0x80 + 4 bytes          32-bit length, big-endian
//	0x81 + 8 bytes          64-bit length, big-endian
//	11xxxxxx                an encoded string (below)
//
// A string is a length and that many bytes, or an encoded string:
// 0xC0 int8, 0xC1 int16 LE, 0xC2 int32 LE (the string is the decimal form
// of the integer), or 0xC3 LZF: compressed length, uncompressed length,
// compressed bytes (see lzf.go for the LZF stream format).
//
// # Value types
//
//	0 string    1 list (plain)  2 set (plain)  3 zset (text scores)
//	4 hash      5 zset (binary double scores)
//	9 zipmap hash, 10 ziplist list, 11 intset, 12 ziplist zset,
//	13 ziplist hash, 14 quicklist of ziplists            (RDB < 10)
//	16 listpack hash, 17 listpack zset, 18 quicklist v2  (RDB >= 10)
//	20 listpack set                                      (RDB >= 11)
//	6, 7 module values; 15, 19, 21 streams; 22-25 hashes with field
//	expiry: refused with ErrUnsupported.
//
// Plain collections are a length and then strings (zset 3: member and a
// score string whose length byte 253/254/255 means NaN/+inf/-inf; zset 5:
// member and 8-byte LE double). The compact encodings are one string
// holding a blob:
//
//   - intset: encoding (element width 2, 4 or 8) uint32 LE, count uint32
//     LE, strictly ascending little-endian integers.
//   - listpack: total bytes uint32 LE, count uint16 LE (65535 = unknown),
//     entries, 0xFF. An entry is an encoding byte with data — 0xxxxxxx
//     7-bit uint; 10xxxxxx 6-bit-length string; 110xxxxx +1 byte 13-bit
//     int; 1110xxxx +1 byte 12-bit-length string; 0xF0 32-bit-length
//     string; 0xF1/F2/F3/F4 int16/24/32/64 LE — then its "backlen", the
//     entry's size in 1-5 bytes of 7 bits, readable backwards.
//   - ziplist: total bytes, tail offset (uint32 LE), count (uint16 LE),
//     entries, 0xFF; an entry is prevlen (1 byte, or 0xFE + uint32 LE),
//     an encoding (00/01/10 string lengths of 6, 14, 32 bits; 0xC0 int16,
//     0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8, 0xF1-0xFD the values
//     0-12) and the data.
//   - zipmap: see zipmapParse.
//
// Hash and zset listpacks/ziplists alternate field and value (member and
// score, the score as text or integer). A quicklist v2 is a node count
// then, per node, a container length (1 = one plain element, 2 = a
// listpack) and the node string; quicklist v1 nodes are ziplists.
//
// # Checksum
//
// CRC-64 "Jones" (reflected polynomial 0x95ac9329ac4bc9b5, initial value
// 0, no final xor) of every byte from "REDIS" to the EOF opcode included.
//
// # DUMP payloads
//
// A value type byte, the value, the RDB version as uint16 LE and the
// CRC-64 (little-endian) of everything before it. Redis 7.0 refuses
// versions above 10 and wrong checksums.
//
// # What the Writer writes, and why
//
// Exactly what Redis 7.0 would write with the same settings, so that Redis
// 7.0 loads the file into the encodings it uses itself and DUMP payloads
// match Redis's byte for byte (LZF aside, whose matches may differ):
//
//   - strings: int8/16/32 when the string is the canonical decimal form of
//     an integer in range (no sign on positives, no leading zeros); LZF
//     when longer than 20 bytes, compression is on and it saves 4 bytes or
//     more; raw otherwise. Keys too.
//   - lists: always quicklist v2 (18) of listpack nodes, split by Redis's
//     own rule for list-max-listpack-size; elements of 1 GiB or more get a
//     plain node.
//   - sets: intset (11) when every member is a canonical int64 and there
//     are at most set-max-intset-entries (512); else plain set (2). Never
//     listpack sets (20): Redis 7.0 does not know them.
//   - hashes: listpack (16) within hash-max-listpack-entries/-value (128,
//     64 bytes), else plain hash (4).
//   - sorted sets: listpack (17), sorted by score then member, within
//     zset-max-listpack-entries/-value (128, 64 bytes), scores formatted as
//     Redis does (%.17g, integers without a point); else type 5.
//   - AUX: redis-ver "7.0.15", redis-bits, ctime, used-mem, aof-base, then
//     the caller's fields. EXPIRETIME_MS for expiries; IDLE/FREQ when set.
//
// # Reading
//
// The reader checks what Redis's deep sanitization checks: every listpack,
// ziplist, intset and zipmap is validated entry by entry, duplicate
// members or fields are corruption, NaN scores are corruption. Empty
// collections are skipped with a warning, as Redis skips them. Errors are
// *Error values carrying the byte offset of the failing structure and
// wrapping ErrChecksum, ErrTruncated (which also matches
// io.ErrUnexpectedEOF), ErrCorrupt or ErrUnsupported; an error of the
// underlying io.Reader is wrapped in an *Error as it is.
//
// Allocation is bounded: a length read from the input never sizes an
// allocation beyond a small cap before the bytes themselves have been
// read; collections grow as elements arrive, and LZF output grows as it
// is produced (an LZF stream can expand at most 88 times).
//
// # KEVYSNAP
//
// The kevy 1.x snapshot format is described in kevysnap.go.
package rdb
