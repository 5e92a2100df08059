package rdb

import (
	"encoding/binary"
	"fmt"
)

// Listpack layout (see doc.go): a 6-byte header (total bytes uint32 LE,
// element count uint16 LE, 65535 = "count it"), the entries, and 0xFF.
// Each entry is an encoding byte with its data, then a backlen: the size of
// encoding+data as 1-5 bytes of 7 bits, read from the last byte backwards.
const (
	lpHeaderSize = 6
	lpEnd        = 0xFF
	lpCountMax   = 65535
)

// lpBegin starts a listpack in dst (normally an emptied scratch slice).
func lpBegin(dst []byte) []byte {
	return append(dst, 0, 0, 0, 0, 0, 0)
}

// lpFinish terminates the listpack started at dst[0] holding count
// entries and fills in its header.
func lpFinish(lp []byte, count int) []byte {
	lp = append(lp, lpEnd)
	binary.LittleEndian.PutUint32(lp[0:], uint32(len(lp)))
	binary.LittleEndian.PutUint16(lp[4:], uint16(min(count, lpCountMax)))
	return lp
}

// lpAppend appends s as one entry, as an integer when s is a canonical
// integer (as Redis's lpAppend does), else as a string.
func lpAppend(lp, s []byte) []byte {
	start := len(lp)
	if v, ok := parseCanonicalInt(s); ok {
		lp = lpAppendIntEncoding(lp, v)
	} else {
		n := len(s)
		switch {
		case n < 1<<6:
			lp = append(lp, 0x80|byte(n))
		case n < 1<<12:
			lp = append(lp, 0xE0|byte(n>>8), byte(n))
		default:
			lp = binary.LittleEndian.AppendUint32(append(lp, 0xF0), uint32(n))
		}
		lp = append(lp, s...)
	}
	return lpAppendBacklen(lp, len(lp)-start)
}

func lpAppendIntEncoding(lp []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 127:
		return append(lp, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint16(v) & 0x1fff
		return append(lp, 0xC0|byte(u>>8), byte(u))
	case v >= -32768 && v <= 32767:
		return binary.LittleEndian.AppendUint16(append(lp, 0xF1), uint16(v))
	case v >= -8388608 && v <= 8388607:
		u := uint32(v)
		return append(lp, 0xF2, byte(u), byte(u>>8), byte(u>>16))
	case v >= -2147483648 && v <= 2147483647:
		return binary.LittleEndian.AppendUint32(append(lp, 0xF3), uint32(v))
	}
	return binary.LittleEndian.AppendUint64(append(lp, 0xF4), uint64(v))
}

func lpAppendBacklen(lp []byte, l int) []byte {
	switch {
	case l <= 127:
		return append(lp, byte(l))
	case l < 16383:
		return append(lp, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		return append(lp, byte(l>>14), byte(l>>7&127)|128, byte(l&127)|128)
	case l < 268435455:
		return append(lp, byte(l>>21), byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
	}
	return append(lp, byte(l>>28), byte(l>>21&127)|128, byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
}

func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// lpEntrySize returns the bytes lpAppend would add for s.
func lpEntrySize(s []byte) int {
	var l int
	if v, ok := parseCanonicalInt(s); ok {
		switch {
		case v >= 0 && v <= 127:
			l = 1
		case v >= -4096 && v <= 4095:
			l = 2
		case v >= -32768 && v <= 32767:
			l = 3
		case v >= -8388608 && v <= 8388607:
			l = 4
		case v >= -2147483648 && v <= 2147483647:
			l = 5
		default:
			l = 9
		}
	} else {
		switch n := len(s); {
		case n < 1<<6:
			l = 1 + n
		case n < 1<<12:
			l = 2 + n
		default:
			l = 5 + n
		}
	}
	return l + lpBacklenSize(l)
}

// lpParse validates a listpack and calls fn with every element in order.
// Integer elements are passed in decimal, from ar; string elements alias
// lp. It checks everything Redis's deep integrity check does: header size
// and count, every encoding and backlen, and the terminator.
func lpParse(lp []byte, ar *arena, fn func(elem []byte) error) error {
	if len(lp) < lpHeaderSize+1 {
		return corruptf("listpack of %d bytes is shorter than its header", len(lp))
	}
	if total := binary.LittleEndian.Uint32(lp); int64(total) != int64(len(lp)) {
		return corruptf("listpack header says %d bytes, blob has %d", total, len(lp))
	}
	want := int(binary.LittleEndian.Uint16(lp[4:]))
	p := lpHeaderSize
	count := 0
	for {
		if p >= len(lp) {
			return corruptf("listpack has no terminator")
		}
		if lp[p] == lpEnd {
			break
		}
		elem, size, err := lpEntry(lp, p, ar)
		if err != nil {
			return fmt.Errorf("listpack entry %d at byte %d: %w", count, p, err)
		}
		p += size
		count++
		if err := fn(elem); err != nil {
			return err
		}
	}
	if p != len(lp)-1 {
		return corruptf("listpack has %d bytes after its terminator", len(lp)-1-p)
	}
	if want != lpCountMax && want != count {
		return corruptf("listpack header says %d entries, found %d", want, count)
	}
	return nil
}

// lpEntry decodes the entry at lp[p], returning its value and total size
// including the backlen.
func lpEntry(lp []byte, p int, ar *arena) ([]byte, int, error) {
	b := lp[p]
	rest := len(lp) - p - 1 // bytes after the encoding byte, terminator included
	need := func(n int) error {
		if n > rest-1 { // the terminator must still follow the entry
			return corruptf("entry of %d bytes overruns the listpack", n+1)
		}
		return nil
	}
	var (
		elem  []byte
		hdr   int // encoding bytes
		data  int // data bytes
		v     int64
		isInt bool
	)
	switch {
	case b&0x80 == 0:
		v, isInt, hdr = int64(b&0x7f), true, 1
	case b&0xC0 == 0x80:
		hdr, data = 1, int(b&0x3f)
	case b&0xE0 == 0xC0:
		if err := need(1); err != nil {
			return nil, 0, err
		}
		u := uint16(b&0x1f)<<8 | uint16(lp[p+1])
		v, isInt, hdr = int64(int16(u<<3)>>3), true, 2
	case b&0xF0 == 0xE0:
		if err := need(1); err != nil {
			return nil, 0, err
		}
		hdr, data = 2, int(b&0x0f)<<8|int(lp[p+1])
	case b == 0xF0:
		if err := need(4); err != nil {
			return nil, 0, err
		}
		n := binary.LittleEndian.Uint32(lp[p+1:])
		if int64(n) > int64(rest) {
			return nil, 0, corruptf("string of %d bytes overruns the listpack", n)
		}
		hdr, data = 5, int(n)
	case b == 0xF1:
		if err := need(2); err != nil {
			return nil, 0, err
		}
		v, isInt, hdr = int64(int16(binary.LittleEndian.Uint16(lp[p+1:]))), true, 3
	case b == 0xF2:
		if err := need(3); err != nil {
			return nil, 0, err
		}
		u := uint32(lp[p+1]) | uint32(lp[p+2])<<8 | uint32(lp[p+3])<<16
		v, isInt, hdr = int64(int32(u<<8)>>8), true, 4
	case b == 0xF3:
		if err := need(4); err != nil {
			return nil, 0, err
		}
		v, isInt, hdr = int64(int32(binary.LittleEndian.Uint32(lp[p+1:]))), true, 5
	case b == 0xF4:
		if err := need(8); err != nil {
			return nil, 0, err
		}
		v, isInt, hdr = int64(binary.LittleEndian.Uint64(lp[p+1:])), true, 9
	default:
		return nil, 0, corruptf("invalid listpack encoding byte 0x%02x", b)
	}
	l := hdr + data
	bl := lpBacklenSize(l)
	if l+bl > len(lp)-p-1 {
		return nil, 0, corruptf("entry of %d bytes overruns the listpack", l+bl)
	}
	if got, ok := lpReadBacklen(lp[p+l : p+l+bl]); !ok || got != l {
		return nil, 0, corruptf("backlen does not match entry size %d", l)
	}
	if isInt {
		elem = ar.int(v)
	} else {
		elem = lp[p+hdr : p+l : p+l]
	}
	return elem, l + bl, nil
}

// lpReadBacklen decodes a backlen stored in b (exactly its bytes).
func lpReadBacklen(b []byte) (int, bool) {
	v := 0
	shift := 0
	for i := len(b) - 1; i >= 0; i-- {
		c := b[i]
		v |= int(c&127) << shift
		shift += 7
		if (c&128 == 0) != (i == 0) {
			return 0, false
		}
	}
	return v, true
}
