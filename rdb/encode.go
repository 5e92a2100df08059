package rdb

import (
	"encoding/binary"
	"io"
	"math"
)

// flushAt is the buffered size above which output is handed to the
// underlying writer, between values and between quicklist nodes.
const flushAt = 64 << 10

// output accumulates encoded bytes and, when it has a destination, passes
// them on in large writes, folding them into the running CRC-64 as they
// leave. For DUMP payloads w is nil and everything stays in buf.
type output struct {
	w   io.Writer
	buf []byte
	crc uint64 // CRC-64 of the bytes already written to w
	n   int64  // bytes already written to w
	err error  // first write error; sticky
}

func (o *output) flush() error {
	if o.err != nil {
		return o.err
	}
	if o.w == nil || len(o.buf) == 0 {
		return nil
	}
	o.crc = crc64Update(o.crc, o.buf)
	n, err := o.w.Write(o.buf)
	o.n += int64(n)
	if err == nil && n < len(o.buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
		return err
	}
	o.buf = o.buf[:0]
	return nil
}

func (o *output) maybeFlush() error {
	if len(o.buf) >= flushAt {
		return o.flush()
	}
	return o.err
}

// appendLen appends an RDB length: 6-bit, 14-bit, 32-bit or 64-bit form,
// the shortest that holds n.
func appendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		dst = append(dst, lenEnc32)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	}
	dst = append(dst, lenEnc64)
	return binary.BigEndian.AppendUint64(dst, n)
}

// appendIntString appends v as an integer-encoded string if it fits in
// 32 bits, reporting false otherwise.
func appendIntString(dst []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, encInt8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return binary.LittleEndian.AppendUint16(append(dst, encInt16), uint16(v)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return binary.LittleEndian.AppendUint32(append(dst, encInt32), uint32(v)), true
	}
	return dst, false
}

// encoder turns entries into RDB value encodings. It owns scratch space
// reused from value to value; it is not safe for concurrent use.
type encoder struct {
	opts    WriterOptions
	lzf     *lzfCompressor // allocated on first use: 64 KiB
	lzfBuf  []byte
	scratch []byte // listpack / intset being built
	dups    dupFinder
}

func newEncoder(opts *WriterOptions) (*encoder, error) {
	e := &encoder{opts: DefaultWriterOptions()}
	if opts != nil {
		if err := opts.Validate(); err != nil {
			return nil, err
		}
		e.opts = *opts
	}
	return e, nil
}

// appendString appends s as Redis does (rdbSaveRawString): as an integer
// when it is a canonical integer of at most 11 characters that fits in 32
// bits, LZF-compressed when longer than 20 bytes and compression saves at
// least 4 bytes, raw otherwise.
func (e *encoder) appendString(dst, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := parseCanonicalInt(s); ok {
			if out, ok := appendIntString(dst, v); ok {
				return out
			}
		}
	}
	if e.opts.Compress && len(s) > minCompressLen {
		if e.lzf == nil {
			e.lzf = new(lzfCompressor)
		}
		var ok bool
		e.lzfBuf, ok = e.lzf.compress(e.lzfBuf[:0], s, len(s)-4)
		if ok {
			dst = append(dst, encLZF)
			dst = appendLen(dst, uint64(len(e.lzfBuf)))
			dst = appendLen(dst, uint64(len(s)))
			return append(dst, e.lzfBuf...)
		}
	}
	dst = appendLen(dst, uint64(len(s)))
	return append(dst, s...)
}
