// Package vfs is the narrow filesystem interface through which all of
// kevy's persistence I/O goes: the append-only log, its rewrites and the
// snapshots.
//
// Three implementations exist:
//
//   - [Default] returns the operating system's filesystem. File.Sync is
//     fdatasync(2) on Linux (the data and the size, not the timestamps) and
//     fsync(2) elsewhere; a directory opened with OpenDir is fsynced so that
//     the names created, renamed or removed in it become durable.
//   - [NewMem] returns an in-memory filesystem that remembers what was
//     synced. [MemFS.Crash] models a power failure: file contents fall back
//     to what the last File.Sync saw, and a name created, renamed or removed
//     survives only if its directory was synced afterwards.
//     [MemFS.CrashTorn] additionally keeps a random (seeded) prefix of each
//     file's unsynced appended bytes, which models a torn write.
//   - [NewFault] wraps another FS and injects errors (ENOSPC, EIO, short
//     writes) into a chosen write, sync, directory sync, rename, create,
//     remove or truncate, until it is healed.
//
// [WriteFileAtomic] (and the lower-level [CreateAtomic]) is the one way a
// file that must appear whole is written: a temporary file in the same
// directory, write, fsync, close, rename over the target, fsync the
// directory. On any failure before the rename the old file is untouched and
// the temporary file is removed.
package vfs
