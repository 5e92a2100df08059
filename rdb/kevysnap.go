package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// kevy 1.x snapshot format (KEVYSNAP), read-only for migration:
//
//	"KEVYSNAP" <version u8: 2 or 3>
//	records: <type u8> <ttl flag u8> [<ttl u64 LE>] <key> <payload>
//	end:     <type 0>
//
// type 1 string (payload: bytes), 2 hash (u32 LE count, field/value
// pairs), 3 list (count, items head first), 4 set (count, items), 5 sorted
// set (count, member and score as f64 bits u64 LE). Byte strings are a u32
// LE length and the bytes. The ttl flag is 0 (no ttl) or 1. Version 2
// stores the milliseconds that remained at save time, version 3 an
// absolute Unix-ms deadline. There is no checksum.
const kevySnapMagic = "KEVYSNAP" // format constant: never change

// ReadKevySnap reads a kevy 1.x snapshot and calls fn with every key (all
// in database 0). now is the current Unix time in ms: version 2 files
// carry no save time, so their relative TTLs are counted from now, the
// moment of loading; a key therefore lives at most its remaining TTL
// longer than it would have (kevy 1.x itself did the same on every
// restart). Errors are *Error values wrapping the same sentinels as the
// RDB reader; an error returned by fn is returned as is.
func ReadKevySnap(r io.Reader, now int64, fn func(*Entry) error) error {
	in := newInput(r)
	k := &kevySnapReader{in: in}
	err := k.read(now, fn)
	var fnErr fnError
	if errors.As(err, &fnErr) {
		return fnErr.err
	}
	if err != nil {
		if _, ok := err.(*Error); !ok {
			err = &Error{Offset: k.mark, Key: k.key, Err: err}
		}
	}
	return err
}

type fnError struct{ err error }

func (f fnError) Error() string { return f.err.Error() }

type kevySnapReader struct {
	in   *input
	mark int64
	key  []byte
}

func (k *kevySnapReader) read(now int64, fn func(*Entry) error) error {
	in := k.in
	hdr, err := in.next(len(kevySnapMagic) + 1)
	if err != nil {
		return fmt.Errorf("reading KEVYSNAP header: %w", err)
	}
	if string(hdr[:len(kevySnapMagic)]) != kevySnapMagic {
		return corruptf("not a KEVYSNAP file: header %q", hdr)
	}
	version := hdr[len(kevySnapMagic)]
	if version != 2 && version != 3 {
		return unsupportedf("KEVYSNAP version %d", version)
	}
	for {
		k.mark, k.key = in.offset(), nil
		t, err := in.readByte()
		if err != nil {
			return err
		}
		if t == 0 {
			if !in.atEOF() {
				return corruptf("data after the KEVYSNAP end record")
			}
			return nil
		}
		if t > 5 {
			return corruptf("unknown KEVYSNAP record type %d", t)
		}
		flag, err := in.readByte()
		if err != nil {
			return err
		}
		e := &Entry{Idle: -1, Freq: -1}
		switch flag {
		case 0:
		case 1:
			p, err := in.next(8)
			if err != nil {
				return err
			}
			ttl := binary.LittleEndian.Uint64(p)
			if version == 2 {
				e.ExpireAt = now + int64(min(ttl, math.MaxInt64/2))
			} else {
				e.ExpireAt = int64(min(ttl, math.MaxInt64))
			}
			e.ExpireAt = max(e.ExpireAt, 1)
		default:
			return corruptf("invalid KEVYSNAP ttl flag %d", flag)
		}
		if e.Key, err = k.bytes(); err != nil {
			return err
		}
		k.key = e.Key
		if err := k.payload(t, e); err != nil {
			return err
		}
		if e.Type != TypeString && e.Len() == 0 {
			continue // kevy cannot hold empty collections either
		}
		if err := fn(e); err != nil {
			return fnError{err}
		}
	}
}

func (k *kevySnapReader) u32() (uint32, error) {
	p, err := k.in.next(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(p), nil
}

func (k *kevySnapReader) bytes() ([]byte, error) {
	n, err := k.u32()
	if err != nil {
		return nil, err
	}
	return k.in.readBytes(uint64(n))
}

func (k *kevySnapReader) payload(t byte, e *Entry) error {
	if t == 1 {
		e.Type = TypeString
		s, err := k.bytes()
		e.Str = s
		return err
	}
	n, err := k.u32()
	if err != nil {
		return err
	}
	var dups dupFinder
	switch t {
	case 2:
		e.Type = TypeHash
		e.Hash = make([]HashField, 0, min(n, maxPrealloc))
		for i := uint32(0); i < n; i++ {
			f, err := k.bytes()
			if err != nil {
				return err
			}
			v, err := k.bytes()
			if err != nil {
				return err
			}
			e.Hash = append(e.Hash, HashField{Field: f, Value: v})
		}
		if b, dup := dups.find(len(e.Hash), func(i int) []byte { return e.Hash[i].Field }); dup {
			return corruptf("duplicate hash field %q", b)
		}
	case 3, 4:
		items := make([][]byte, 0, min(n, maxPrealloc))
		for i := uint32(0); i < n; i++ {
			s, err := k.bytes()
			if err != nil {
				return err
			}
			items = append(items, s)
		}
		if t == 3 {
			e.Type, e.List = TypeList, items
			return nil
		}
		e.Type, e.Set = TypeSet, items
		if b, dup := dups.find(len(items), func(i int) []byte { return items[i] }); dup {
			return corruptf("duplicate set member %q", b)
		}
	case 5:
		e.Type = TypeZSet
		e.ZSet = make([]ZMember, 0, min(n, maxPrealloc))
		for i := uint32(0); i < n; i++ {
			m, err := k.bytes()
			if err != nil {
				return err
			}
			p, err := k.in.next(8)
			if err != nil {
				return err
			}
			score := math.Float64frombits(binary.LittleEndian.Uint64(p))
			if math.IsNaN(score) {
				return corruptf("NaN score for member %q", m)
			}
			e.ZSet = append(e.ZSet, ZMember{Member: m, Score: score})
		}
		if b, dup := dups.find(len(e.ZSet), func(i int) []byte { return e.ZSet[i].Member }); dup {
			return corruptf("duplicate zset member %q", b)
		}
	}
	return nil
}
