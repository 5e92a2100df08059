package rdb

import (
	"errors"
	"fmt"
)

// Version is the RDB version the writer produces: the one of Redis 7.0.
const Version = 10 // format constant: Redis 7.0 loads versions <= 10 only

// MaxReadVersion is the newest RDB version the reader accepts (Redis 7.4).
const MaxReadVersion = 12

// WriterOptions configures a Writer and EncodeDump. A nil *WriterOptions
// means DefaultWriterOptions. Thresholds mirror the redis.conf settings of
// the same names and decide which compact encodings are used.
type WriterOptions struct {
	// Compress enables LZF for strings longer than 20 bytes that shrink
	// (rdbcompression). Default true.
	Compress bool

	// Checksum writes the CRC-64 trailer; when false 0 is written, which
	// readers treat as "not checked" (rdbchecksum). Default true.
	Checksum bool

	// ListMaxListpackSize limits each quicklist node: negative values -1..-5
	// cap its size at 4, 8, 16, 32, 64 KiB; positive values cap its element
	// count (list-max-listpack-size). Default -2.
	ListMaxListpackSize int

	// SetMaxIntsetEntries is the largest all-integer set written as an
	// intset (set-max-intset-entries). Default 512.
	SetMaxIntsetEntries int

	// HashMaxListpackEntries and HashMaxListpackValue bound the hashes
	// written as listpacks (hash-max-listpack-entries/-value). Defaults 512
	// and 64 bytes.
	HashMaxListpackEntries int
	HashMaxListpackValue   int

	// ZSetMaxListpackEntries and ZSetMaxListpackValue bound the sorted
	// sets written as listpacks (zset-max-listpack-entries/-value).
	// Defaults 128 and 64 bytes.
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int

	// Aux holds extra AUX fields written after the standard ones, in
	// order (for example kevy-snap-id, kevy-aof-id, kevy-aof-offset).
	Aux []AuxField

	// CTime is the ctime AUX field (Unix seconds); 0 writes the current
	// time. UsedMem is the used-mem AUX field. AOFBase is the aof-base
	// AUX field: true when the file is the base of a multi-part AOF.
	CTime   int64
	UsedMem int64
	AOFBase bool
}

// AuxField is one AUX key/value pair.
type AuxField struct {
	Key, Value string
}

// DefaultWriterOptions returns the settings of a stock Redis 7.0.
func DefaultWriterOptions() WriterOptions {
	return WriterOptions{
		Compress:               true,
		Checksum:               true,
		ListMaxListpackSize:    -2,
		SetMaxIntsetEntries:    512,
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
	}
}

// Validate reports option values Redis itself would not accept.
func (o *WriterOptions) Validate() error {
	if o.ListMaxListpackSize == 0 || o.ListMaxListpackSize < -5 {
		return fmt.Errorf("rdb: ListMaxListpackSize %d: want -5..-1 or > 0", o.ListMaxListpackSize)
	}
	if o.SetMaxIntsetEntries < 0 || o.HashMaxListpackEntries < 0 ||
		o.HashMaxListpackValue < 0 || o.ZSetMaxListpackEntries < 0 || o.ZSetMaxListpackValue < 0 {
		return errors.New("rdb: negative encoding threshold")
	}
	for _, a := range o.Aux {
		if a.Key == "" {
			return errors.New("rdb: empty AUX key")
		}
	}
	return nil
}

// ReaderOptions configures a Reader. A nil *ReaderOptions means the zero
// value: function libraries and module AUX data are skipped with a warning.
type ReaderOptions struct {
	// OnFunction, when set, receives the source of every function library
	// (FUNCTION2 opcode) instead of it being skipped. Returning an error
	// stops the read with that error.
	OnFunction func(code []byte) error

	// OnResize, when set, receives the RESIZEDB hint of each database: how
	// many keys (and keys with an expiry) follow. Loaders use it to size
	// their tables once; the values come from the file, so bound them.
	OnResize func(db int, keys, expires uint64)

	// ReuseEntry makes Next return the same *Entry every time, its key,
	// strings and element slices pointing into buffers the Reader reuses:
	// everything Next returned (and the code passed to OnFunction) is only
	// valid until the next call. A loader that copies what it keeps (into
	// its own encodings) then allocates nothing per entry for decoding.
	ReuseEntry bool
}
