package rdb

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Sentinel errors. Every error returned while decoding wraps exactly one of
// them (inside an *Error that carries the byte offset), so callers can decide
// with errors.Is without parsing messages.
var (
	// ErrChecksum reports a CRC-64 mismatch: the bytes are complete but
	// not the ones that were written.
	ErrChecksum = errors.New("rdb: checksum mismatch")

	// ErrTruncated reports that the input ended before the structure being
	// read was complete (a torn file). It matches io.ErrUnexpectedEOF too.
	ErrTruncated = fmt.Errorf("rdb: truncated input: %w", io.ErrUnexpectedEOF)

	// ErrCorrupt reports bytes that are present but invalid: unknown
	// opcode, bad length prefix, malformed listpack, duplicate members...
	ErrCorrupt = errors.New("rdb: corrupt data")

	// ErrUnsupported reports valid data this package does not handle:
	// RDB versions newer than 12, streams, module values, hashes with
	// field expiry.
	ErrUnsupported = errors.New("rdb: unsupported")
)

// Error describes a decoding failure at a position of the input.
type Error struct {
	// Offset is the byte offset, from the start of the file (or DUMP
	// payload), of the structure that failed to decode.
	Offset int64
	// Key is the key whose value was being decoded, nil outside a key.
	Key []byte
	// Err wraps one of the sentinel errors with the specific cause.
	Err error
}

func (e *Error) Error() string {
	if e.Key != nil {
		return "rdb: offset " + strconv.FormatInt(e.Offset, 10) + ", key " +
			strconv.Quote(string(e.Key)) + ": " + e.Err.Error()
	}
	return "rdb: offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorOffset returns the byte offset carried by err, or -1 when err does
// not come from this package's decoder.
func ErrorOffset(err error) int64 {
	var e *Error
	if errors.As(err, &e) {
		return e.Offset
	}
	return -1
}

// corruptf builds a cause wrapping ErrCorrupt.
func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// unsupportedf builds a cause wrapping ErrUnsupported.
func unsupportedf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}
