package rdb

import (
	"encoding/binary"
	"fmt"
)

// A DUMP payload (the reply of DUMP, the argument of RESTORE) is one value
// as it would appear in a file, without key or opcodes, then a trailer:
//
//	<type byte> <value> <RDB version uint16 LE> <CRC-64 LE of all before>
const dumpTrailerSize = 2 + 8 // format constant: never change

// EncodeDump returns the DUMP payload of e's value, with the encodings a
// Writer with the same options would choose. e.Key, e.DB, e.ExpireAt, Idle
// and Freq are not part of a payload. A nil opts means the defaults; the
// Checksum option is ignored (Redis always checks payload CRCs).
func EncodeDump(e *Entry, opts *WriterOptions) ([]byte, error) {
	enc, err := newEncoder(opts)
	if err != nil {
		return nil, err
	}
	t, err := enc.valueType(e)
	if err != nil {
		return nil, err
	}
	o := output{buf: []byte{t}}
	if err := enc.appendValue(&o, t, e); err != nil {
		return nil, err
	}
	b := binary.LittleEndian.AppendUint16(o.buf, Version)
	return binary.LittleEndian.AppendUint64(b, crc64Update(0, b)), nil
}

// VerifyDump checks what Redis 7.0 checks before it reads a DUMP payload:
// that it has a trailer, that its RDB version is not newer than 10 and that
// its checksum matches. RESTORE answers "ERR DUMP payload version or
// checksum are wrong" when this fails and "ERR Bad data format" when the
// value itself does not decode, so the two checks are kept apart.
func VerifyDump(payload []byte) error {
	if len(payload) < dumpTrailerSize {
		return &Error{Err: fmt.Errorf("%w: DUMP payload of %d bytes has no trailer", ErrTruncated, len(payload))}
	}
	trailer := payload[len(payload)-dumpTrailerSize:]
	if v := binary.LittleEndian.Uint16(trailer); v > Version {
		return &Error{Offset: int64(len(payload) - dumpTrailerSize), Err: unsupportedf("DUMP payload of RDB version %d, newer than %d", v, Version)}
	}
	stored := binary.LittleEndian.Uint64(trailer[2:])
	if sum := crc64Update(0, payload[:len(payload)-8]); sum != stored {
		return &Error{Offset: int64(len(payload) - 8), Err: fmt.Errorf("%w: DUMP payload stored %016x, computed %016x", ErrChecksum, stored, sum)}
	}
	return nil
}

// DecodeDump verifies a DUMP payload (VerifyDump) and decodes its value.
// The returned entry has no key, DB 0, no expiry, Idle and Freq -1.
func DecodeDump(payload []byte) (*Entry, error) {
	if err := VerifyDump(payload); err != nil {
		return nil, err
	}
	return DecodeVerifiedDump(payload)
}

// DecodeVerifiedDump decodes a payload that VerifyDump has accepted,
// without checking its trailer again: a caller that must tell the two
// failures apart (RESTORE) computes the checksum once.
func DecodeVerifiedDump(payload []byte) (*Entry, error) {
	if len(payload) < 1+dumpTrailerSize {
		return nil, &Error{Err: fmt.Errorf("%w: DUMP payload of %d bytes", ErrTruncated, len(payload))}
	}
	body := payload[:len(payload)-dumpTrailerSize]
	r := &Reader{in: newBytesInput(body), version: Version}
	e := &Entry{Idle: -1, Freq: -1}
	t := body[0]
	r.in.pos = 1
	if err := checkType(t); err != nil {
		return nil, &Error{Err: fmt.Errorf("DUMP payload: %w", err)}
	}
	if err := r.readValue(t, e); err != nil {
		return nil, r.wrap(err)
	}
	if r.in.pos != len(body) {
		return nil, &Error{Offset: int64(r.in.pos), Err: corruptf("%d bytes after the value", len(body)-r.in.pos)}
	}
	if e.Type != TypeString && e.Len() == 0 {
		return nil, &Error{Err: corruptf("empty %s", e.Type)}
	}
	return e, nil
}
