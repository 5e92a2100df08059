package rdb

import (
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"math"
	"strconv"
)

// fileBuilder assembles RDB files byte by byte for tests, independently of
// the Writer: raw strings only, explicit opcodes, and a checksum computed
// with hash/crc64 rather than this package's CRC code.
type fileBuilder struct {
	b []byte
}

func newFile(version int) *fileBuilder {
	return &fileBuilder{b: fmt.Appendf(nil, "REDIS%04d", version)}
}

func (f *fileBuilder) raw(p ...byte) *fileBuilder { f.b = append(f.b, p...); return f }

func (f *fileBuilder) length(n uint64) *fileBuilder {
	switch {
	case n < 64:
		return f.raw(byte(n))
	case n < 16384:
		return f.raw(0x40|byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		f.raw(0x80)
		f.b = binary.BigEndian.AppendUint32(f.b, uint32(n))
		return f
	}
	f.raw(0x81)
	f.b = binary.BigEndian.AppendUint64(f.b, n)
	return f
}

func (f *fileBuilder) str(s string) *fileBuilder {
	f.length(uint64(len(s)))
	f.b = append(f.b, s...)
	return f
}

func (f *fileBuilder) blob(b []byte) *fileBuilder { return f.str(string(b)) }

func (f *fileBuilder) aux(k, v string) *fileBuilder { return f.raw(opAux).str(k).str(v) }

func (f *fileBuilder) selectDB(db int) *fileBuilder { return f.raw(opSelectDB).length(uint64(db)) }

func (f *fileBuilder) key(t byte, k string) *fileBuilder { return f.raw(t).str(k) }

func (f *fileBuilder) u64(v uint64) *fileBuilder {
	f.b = binary.LittleEndian.AppendUint64(f.b, v)
	return f
}

// end appends the EOF opcode and, for version >= 5, the checksum (or 0).
func (f *fileBuilder) end(version int, checksum bool) []byte {
	f.raw(opEOF)
	if version >= 5 {
		var sum uint64
		if checksum {
			sum = jonesCRC(f.b)
		}
		f.u64(sum)
	}
	return f.b
}

func jonesCRC(p []byte) uint64 {
	return ^crc64.Update(^uint64(0), crc64.MakeTable(0x95ac9329ac4bc9b5), p)
}

// zlItem is one ziplist element; width forces an integer encoding: 0 =
// string, -1 = 4-bit immediate, 1/2/3/4/8 = int8/16/24/32/64.
type zlItem struct {
	s     string
	width int
}

func buildZiplist(items ...zlItem) []byte {
	zl := make([]byte, 10)
	prev := 0
	tail := 10
	for _, it := range items {
		start := len(zl)
		tail = start
		if prev < 254 {
			zl = append(zl, byte(prev))
		} else {
			zl = binary.LittleEndian.AppendUint32(append(zl, 0xFE), uint32(prev))
		}
		v, _ := strconv.ParseInt(it.s, 10, 64)
		switch it.width {
		case 0:
			n := len(it.s)
			switch {
			case n < 64:
				zl = append(zl, byte(n))
			case n < 16384:
				zl = append(zl, 0x40|byte(n>>8), byte(n))
			default:
				zl = binary.BigEndian.AppendUint32(append(zl, 0x80), uint32(n))
			}
			zl = append(zl, it.s...)
		case -1:
			zl = append(zl, 0xF1+byte(v))
		case 1:
			zl = append(zl, 0xFE, byte(v))
		case 2:
			zl = binary.LittleEndian.AppendUint16(append(zl, 0xC0), uint16(v))
		case 3:
			zl = append(zl, 0xF0, byte(v), byte(v>>8), byte(v>>16))
		case 4:
			zl = binary.LittleEndian.AppendUint32(append(zl, 0xD0), uint32(v))
		case 8:
			zl = binary.LittleEndian.AppendUint64(append(zl, 0xE0), uint64(v))
		}
		prev = len(zl) - start
	}
	zl = append(zl, 0xFF)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(tail))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(items)))
	return zl
}

// buildZipmap builds a zipmap; free bytes of padding follow each value.
func buildZipmap(free int, kv ...string) []byte {
	zm := []byte{byte(len(kv) / 2)}
	putLen := func(n int) {
		if n < 254 {
			zm = append(zm, byte(n))
		} else {
			zm = binary.LittleEndian.AppendUint32(append(zm, 254), uint32(n))
		}
	}
	for i := 0; i < len(kv); i += 2 {
		putLen(len(kv[i]))
		zm = append(zm, kv[i]...)
		putLen(len(kv[i+1]))
		zm = append(zm, byte(free))
		zm = append(zm, kv[i+1]...)
		zm = append(zm, make([]byte, free)...)
	}
	return append(zm, 0xFF)
}

// buildListpack builds a listpack with the package's encoder (whose output
// Redis accepts, as the interop tests show).
func buildListpack(items ...string) []byte {
	lp := lpBegin(nil)
	for _, s := range items {
		lp = lpAppend(lp, []byte(s))
	}
	return lpFinish(lp, len(items))
}
