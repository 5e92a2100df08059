package rdb

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
)

const (
	inputBufSize = 64 << 10
	// allocStep caps what is allocated ahead of the bytes actually read:
	// a string whose length prefix claims more is read in pieces of this
	// size, so a forged length costs at most this much memory before the
	// input runs out.
	allocStep = 1 << 20
	// maxPrealloc caps the capacity reserved for a collection from its
	// announced element count; beyond it slices grow as elements arrive.
	maxPrealloc = 1024
)

// input is a buffered reader that knows its offset and keeps a running
// CRC-64 of every byte consumed. It is also used over an in-memory DUMP
// payload (r == nil, buf holds everything).
type input struct {
	r      io.Reader
	buf    []byte
	pos    int   // next unread byte in buf
	base   int64 // file offset of buf[0]
	crc    uint64
	crcPos int   // bytes of buf already folded into crc
	err    error // sticky read error from r
	// ar holds the strings read while it is set (ReuseEntry); nil means
	// every string is a fresh allocation.
	ar *arena
}

func newInput(r io.Reader) *input {
	return &input{r: r, buf: make([]byte, 0, inputBufSize)}
}

func newBytesInput(b []byte) *input {
	return &input{buf: b}
}

// offset returns the file offset of the next unread byte.
func (in *input) offset() int64 { return in.base + int64(in.pos) }

// sum returns the CRC-64 of every byte consumed so far.
func (in *input) sum() uint64 {
	in.crc = crc64Update(in.crc, in.buf[in.crcPos:in.pos])
	in.crcPos = in.pos
	return in.crc
}

// fill makes at least n unread bytes available (n <= inputBufSize), or
// returns ErrTruncated.
func (in *input) fill(n int) error {
	if len(in.buf)-in.pos >= n {
		return nil
	}
	if in.r == nil {
		return ErrTruncated
	}
	if in.pos > 0 {
		// Fold consumed bytes into the CRC before they are discarded.
		in.sum()
		m := copy(in.buf[:cap(in.buf)], in.buf[in.pos:])
		in.base += int64(in.pos)
		in.buf = in.buf[:m]
		in.pos, in.crcPos = 0, 0
	}
	empty := 0
	for len(in.buf) < n {
		if in.err != nil {
			if errors.Is(in.err, io.EOF) {
				return ErrTruncated
			}
			return in.err
		}
		m, err := in.r.Read(in.buf[len(in.buf):cap(in.buf)])
		in.buf = in.buf[:len(in.buf)+m]
		if err != nil {
			in.err = err
		}
		// Guard against readers that keep returning nothing (as bufio does).
		if m == 0 && err == nil {
			if empty++; empty >= 100 {
				in.err = io.ErrNoProgress
			}
		}
	}
	return nil
}

// next returns the next n bytes (n <= inputBufSize), valid until the next
// call.
func (in *input) next(n int) ([]byte, error) {
	if err := in.fill(n); err != nil {
		return nil, err
	}
	b := in.buf[in.pos : in.pos+n : in.pos+n]
	in.pos += n
	return b, nil
}

func (in *input) readByte() (byte, error) {
	if in.pos < len(in.buf) {
		b := in.buf[in.pos]
		in.pos++
		return b, nil
	}
	b, err := in.next(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// atEOF reports whether the input has no more bytes.
func (in *input) atEOF() bool {
	return in.fill(1) != nil
}

// readBytes returns a copy of the next n bytes: a new slice, or one from
// the arena if there is one. Memory grows with the bytes actually read,
// never from n alone.
func (in *input) readBytes(n uint64) ([]byte, error) {
	if n <= inputBufSize {
		b, err := in.next(int(n))
		if err != nil {
			return nil, err
		}
		return in.ar.copy(b), nil // non-nil even when empty
	}
	if in.r == nil {
		// In memory: the length can be checked against what is there.
		if n > uint64(len(in.buf)-in.pos) {
			return nil, ErrTruncated
		}
		b := append([]byte(nil), in.buf[in.pos:in.pos+int(n)]...)
		in.pos += int(n)
		return b, nil
	}
	if n > math.MaxInt {
		return nil, ErrTruncated
	}
	out := make([]byte, 0, min(n, allocStep))
	for rem := int(n); rem > 0; {
		k := min(rem, inputBufSize)
		b, err := in.next(k)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
		rem -= k
	}
	return out, nil
}

// readLen reads an RDB length. For an encoded string marker (11xxxxxx) it
// returns encoded == true and the marker's low six bits in n.
func (in *input) readLen() (n uint64, encoded bool, err error) {
	b, err := in.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false, nil
	case 1:
		c, err := in.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3f)<<8 | uint64(c), false, nil
	case 3:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case lenEnc32:
		p, err := in.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case lenEnc64:
		p, err := in.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, corruptf("invalid length prefix 0x%02x", b)
}

// readPlainLen reads a length that must not be a string encoding.
func (in *input) readPlainLen() (uint64, error) {
	n, enc, err := in.readLen()
	if err == nil && enc {
		return 0, corruptf("string encoding where a length is expected")
	}
	return n, err
}

// readString reads an RDB string in any encoding and returns its bytes.
func (in *input) readString() ([]byte, error) {
	n, enc, err := in.readLen()
	if err != nil {
		return nil, err
	}
	if !enc {
		return in.readBytes(n)
	}
	switch n {
	case encInt8 & 0x3f:
		b, err := in.readByte()
		if err != nil {
			return nil, err
		}
		return in.ar.int(int64(int8(b))), nil
	case encInt16 & 0x3f:
		p, err := in.next(2)
		if err != nil {
			return nil, err
		}
		return in.ar.int(int64(int16(binary.LittleEndian.Uint16(p)))), nil
	case encInt32 & 0x3f:
		p, err := in.next(4)
		if err != nil {
			return nil, err
		}
		return in.ar.int(int64(int32(binary.LittleEndian.Uint32(p)))), nil
	case encLZF & 0x3f:
		clen, err := in.readPlainLen()
		if err != nil {
			return nil, err
		}
		rawLen, err := in.readPlainLen()
		if err != nil {
			return nil, err
		}
		if rawLen > uint64(math.MaxInt)/2 || clen > uint64(math.MaxInt)/2 {
			return nil, corruptf("LZF lengths %d/%d out of range", clen, rawLen)
		}
		src, err := in.readBytes(clen)
		if err != nil {
			return nil, err
		}
		out, err := lzfDecompress(src, int(rawLen))
		if err != nil {
			return nil, corruptf("LZF string of %d bytes expanding to %d: %v", clen, rawLen, err)
		}
		return out, nil
	}
	return nil, corruptf("invalid string encoding 0x%02x", 0xC0|byte(n))
}
