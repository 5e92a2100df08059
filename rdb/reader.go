package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Reader decodes an RDB file one key at a time.
type Reader struct {
	in       *input
	opts     ReaderOptions
	version  int
	aux      map[string]string
	db       int
	warnings []string
	mark     int64  // offset of the structure being decoded, for errors
	key      []byte // key being decoded, for errors
	err      error  // sticky: io.EOF after the end, or the first error
	dups     dupFinder

	// With ReuseEntry, Next returns &ent every time, and the strings and
	// element slices in it come from in.ar and sc.
	reuse bool
	ent   Entry
	sc    scratch

	// onResize and onChecksum let Check observe what Next skips over.
	onResize   func(db int, keys, expires uint64)
	onChecksum func(stored, computed uint64)
}

// NewReader reads and checks the file header. Versions 1 to 12 are
// accepted; newer ones and Valkey 9 files fail with ErrUnsupported.
func NewReader(r io.Reader, opts *ReaderOptions) (*Reader, error) {
	rd := &Reader{in: newInput(r), aux: make(map[string]string)}
	if opts != nil {
		rd.opts = *opts
		rd.onResize = opts.OnResize
		if opts.ReuseEntry {
			rd.reuse = true
			rd.in.ar = &arena{}
		}
	}
	if err := rd.readHeader(); err != nil {
		return nil, rd.wrap(err)
	}
	return rd, nil
}

func (r *Reader) readHeader() error {
	hdr, err := r.in.next(9)
	if err != nil {
		return fmt.Errorf("reading header: %w", err)
	}
	if bytes.HasPrefix(hdr, []byte("VALKEY")) {
		return unsupportedf("Valkey file format %q", hdr)
	}
	if !bytes.HasPrefix(hdr, []byte("REDIS")) {
		return corruptf("not an RDB file: header %q", hdr)
	}
	v, err := strconv.Atoi(string(hdr[5:]))
	if err != nil || v < 1 || hdr[5] == '+' || hdr[5] == '-' {
		return corruptf("invalid RDB version %q", hdr[5:])
	}
	if v > MaxReadVersion {
		return unsupportedf("RDB version %d is newer than %d", v, MaxReadVersion)
	}
	r.version = v
	return nil
}

// Version returns the RDB version from the header.
func (r *Reader) Version() int { return r.version }

// Aux returns the AUX fields read so far; all of them once Next has
// returned io.EOF. The map belongs to the Reader.
func (r *Reader) Aux() map[string]string { return r.aux }

// Warnings lists what was skipped so far: module AUX data, function
// libraries (without OnFunction), empty keys.
func (r *Reader) Warnings() []string { return r.warnings }

// Offset returns the offset of the next unread byte.
func (r *Reader) Offset() int64 { return r.in.offset() }

func (r *Reader) wrap(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*Error); ok {
		return err
	}
	// The key may be in the arena, which the next entry would overwrite.
	return &Error{Offset: r.mark, Key: bytes.Clone(r.key), Err: err}
}

func (r *Reader) warnf(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf("offset %d: ", r.mark)+fmt.Sprintf(format, args...))
}

// Next returns the next key. It returns io.EOF once the EOF opcode has
// been read and the checksum verified, and any other error (an *Error
// wrapping ErrChecksum, ErrTruncated, ErrCorrupt or ErrUnsupported) when
// the file is damaged; both are returned again by later calls.
//
// With ReaderOptions.ReuseEntry the Entry, and every byte slice in it, is
// only valid until the next call.
func (r *Reader) Next() (*Entry, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.in.ar.reset()
	e, err := r.next()
	if err != nil {
		if err != io.EOF {
			err = r.wrap(err)
		}
		r.err = err
		return nil, err
	}
	return e, nil
}

func (r *Reader) next() (*Entry, error) {
	in := r.in
	expire, idle, freq := int64(0), int64(-1), -1
	for {
		r.mark, r.key = in.offset(), nil
		op, err := in.readByte()
		if err != nil {
			return nil, fmt.Errorf("reading opcode: %w", err)
		}
		switch op {
		case opExpireTimeMS:
			p, err := in.next(8)
			if err != nil {
				return nil, err
			}
			expire = max(int64(binary.LittleEndian.Uint64(p)), 1)
		case opExpireTime:
			p, err := in.next(4)
			if err != nil {
				return nil, err
			}
			expire = max(int64(int32(binary.LittleEndian.Uint32(p)))*1000, 1)
		case opIdle:
			n, err := in.readPlainLen()
			if err != nil {
				return nil, err
			}
			idle = int64(min(n, math.MaxInt64))
		case opFreq:
			b, err := in.readByte()
			if err != nil {
				return nil, err
			}
			freq = int(b)
		case opAux:
			k, err := in.readString()
			if err != nil {
				return nil, fmt.Errorf("AUX key: %w", err)
			}
			v, err := in.readString()
			if err != nil {
				return nil, fmt.Errorf("AUX %q value: %w", k, err)
			}
			r.aux[string(k)] = string(v)
		case opResizeDB:
			keys, err := in.readPlainLen()
			if err != nil {
				return nil, err
			}
			exp, err := in.readPlainLen()
			if err != nil {
				return nil, err
			}
			if r.onResize != nil {
				r.onResize(r.db, keys, exp)
			}
		case opSelectDB:
			n, err := in.readPlainLen()
			if err != nil {
				return nil, err
			}
			if n > math.MaxInt32 {
				return nil, corruptf("database number %d out of range", n)
			}
			r.db = int(n)
		case opSlotInfo:
			for i := 0; i < 3; i++ {
				if _, err := in.readPlainLen(); err != nil {
					return nil, err
				}
			}
		case opModuleAux:
			if err := r.skipModuleAux(); err != nil {
				return nil, err
			}
		case opFunction2:
			code, err := in.readString()
			if err != nil {
				return nil, fmt.Errorf("function library: %w", err)
			}
			if r.opts.OnFunction != nil {
				if err := r.opts.OnFunction(code); err != nil {
					return nil, err
				}
			} else {
				r.warnf("skipped function library (%d bytes)", len(code))
			}
		case opFunctionPre:
			return nil, unsupportedf("pre-release function format (opcode 246), also refused by Redis 7.0")
		case opEOF:
			return nil, r.readChecksum()
		default:
			e, err := r.readKeyValue(op)
			if err != nil {
				return nil, err
			}
			if e == nil { // empty collection, skipped as Redis does
				expire, idle, freq = 0, -1, -1
				continue
			}
			e.ExpireAt, e.Idle, e.Freq = expire, idle, freq
			return e, nil
		}
	}
}

func (r *Reader) readChecksum() error {
	if r.version < 5 {
		return io.EOF // checksums were added in version 5
	}
	computed := r.in.sum()
	r.mark = r.in.offset()
	p, err := r.in.next(8)
	if err != nil {
		return fmt.Errorf("reading checksum: %w", err)
	}
	stored := binary.LittleEndian.Uint64(p)
	if r.onChecksum != nil {
		r.onChecksum(stored, computed)
	}
	if stored != 0 && stored != computed {
		return fmt.Errorf("%w: stored %016x, computed %016x", ErrChecksum, stored, computed)
	}
	return io.EOF
}

// skipModuleAux skips a MODULE_AUX record: module id, "when" opcode and
// value, then module-serialized items until the module EOF opcode. The
// data belongs to a Redis module that kevy cannot run.
func (r *Reader) skipModuleAux() error {
	in := r.in
	id, err := in.readPlainLen()
	if err != nil {
		return err
	}
	whenOp, err := in.readPlainLen()
	if err != nil {
		return err
	}
	if whenOp != modOpUInt {
		return corruptf("module AUX 'when' opcode %d, want %d", whenOp, modOpUInt)
	}
	if _, err := in.readPlainLen(); err != nil {
		return err
	}
	if err := r.skipModuleValue(); err != nil {
		return err
	}
	r.warnf("skipped module AUX data of module id %#x", id)
	return nil
}

func (r *Reader) skipModuleValue() error {
	in := r.in
	for {
		op, err := in.readPlainLen()
		if err != nil {
			return err
		}
		switch op {
		case modOpEOF:
			return nil
		case modOpSInt, modOpUInt:
			_, err = in.readPlainLen()
		case modOpFloat:
			_, err = in.next(4)
		case modOpDouble:
			_, err = in.next(8)
		case modOpString:
			_, err = in.readString()
		default:
			return corruptf("unknown module data opcode %d", op)
		}
		if err != nil {
			return err
		}
	}
}
