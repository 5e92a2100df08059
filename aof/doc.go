// Package aof is kevy's append-only command log: the durable record of every
// write, replayed at startup, compacted by rewrites and handed over to
// snapshots without ever applying a write twice.
//
// # File format
//
// A log file kevy creates (or empties) starts with the 9-byte header
//
//	KEVYAOF1\n
//
// followed by one marker frame and then one RESP multibulk frame per write
// command, exactly as a client would send it:
//
//	*3\r\n$9\r\nKEVY.BASE\r\n$32\r\n<log-id>\r\n$1\r\n-\r\n
//	*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n
//	...
//
// The header and the marker's command name never change; a new format gets
// a new header. Files without the header (logs from older versions, a plain
// Redis 7.0 appendonly.aof) are accepted when loading; in them only RESP
// multibulk frames and Redis's "#TS:<unix-time>" annotation lines may
// appear. Inline text is never taken for a command, which is what the
// header is for: foreign bytes written into the file are rejected loudly.
//
// The file may end with zero bytes: space the log reserves ahead of its
// records (fallocated, or written as zeros under appendfsync always), so
// that an fdatasync after a write need not also write the inode for a new
// file size. Readers treat trailing zeros as the
// end of the log; a clean Close trims them. No frame ends with a zero
// byte, so the rule can only shorten a torn last frame; zeros followed by
// anything else are a corrupt record.
//
// Commands apply to the database selected by the last SELECT frame
// (database 0 at the start of a file). Transactions appear as MULTI, the
// commands, EXEC; a replay delivers a transaction's commands only once its
// EXEC has been read.
//
// # The hand-over marker
//
// KEVY.BASE <log-id> <base> identifies the file (log-id: 32 random
// lowercase hex digits, unique per file) and says what it must be replayed
// on top of: "-" means nothing (the log is self-contained), otherwise the id
// of the snapshot whose point in time the log starts at. A snapshot records
// the id of the log that was live when it was taken and that log's size at
// that instant. [Plan] turns the two into a load plan:
//
//  1. snapshot's log id == log's id: load the snapshot, replay the log from
//     the recorded offset;
//  2. log's base == snapshot's id: load the snapshot, replay the whole log;
//  3. log self-contained (base "-", or no marker: a legacy or Redis file):
//     replay the log alone, ignore the snapshot;
//  4. anything else: refuse, naming both files and ids.
//
// So a crash between a snapshot's rename and the log reset that follows it
// finds case 1 and never replays a write twice.
//
// # Recovery rules
//
//   - A missing or empty file is an empty log.
//   - A torn tail (a last frame cut short, or a MULTI without its EXEC at the
//     end) is what a crash in the middle of a write leaves. With
//     ReplayOptions.LoadTruncated (the default) the dropped bytes are first
//     copied to a side file "<log>.torn-<unix-seconds>-<offset>[.<n>]", synced,
//     and then the log is truncated to the end of its last complete unit and
//     synced, so new writes never land behind garbage. Otherwise the replay
//     fails with [ErrTornTail].
//   - A corrupt frame anywhere else (bad bytes, foreign text, a misplaced
//     marker) stops the replay with [ErrCorrupt], naming the file, the byte
//     offset and a preview of the bytes there. Nothing is repaired silently:
//     "kevy check-aof --fix" ([Fix]) is the explicit repair, which saves the
//     cut bytes to a side file before cutting.
//   - [Open] refuses a file whose tail is torn or corrupt, so an unrepaired
//     file is never appended to.
//
// # Writing
//
// See the design comment in commit.go: commands are appended to an
// in-memory buffer under the caller's lock, and the connections wait for
// their records with group commit (leader/follower), one write and at most
// one fsync per group, according to the fsync [Policy].
package aof
