package rdb

import (
	"encoding/binary"
	"fmt"
)

// Ziplist layout (RDB versions before 10; see doc.go): zlbytes uint32 LE,
// zltail uint32 LE (offset of the last entry), zllen uint16 LE (65535 =
// "count it"), entries, 0xFF. Each entry: prevlen (1 byte, or 0xFE and a
// uint32 LE), an encoding with its data, no trailer.
const (
	zlHeaderSize = 10
	zlEnd        = 0xFF
)

// zlParse validates a ziplist and calls fn with every element in order.
// Integer elements are passed in decimal, from ar; strings alias zl.
func zlParse(zl []byte, ar *arena, fn func(elem []byte) error) error {
	if len(zl) < zlHeaderSize+1 {
		return corruptf("ziplist of %d bytes is shorter than its header", len(zl))
	}
	if total := binary.LittleEndian.Uint32(zl); int64(total) != int64(len(zl)) {
		return corruptf("ziplist header says %d bytes, blob has %d", total, len(zl))
	}
	tail := int64(binary.LittleEndian.Uint32(zl[4:]))
	want := int(binary.LittleEndian.Uint16(zl[8:]))
	p := zlHeaderSize
	prevLen := 0
	last := zlHeaderSize // offset of the last entry seen (the header's end when empty)
	count := 0
	for {
		if p >= len(zl) {
			return corruptf("ziplist has no terminator")
		}
		if zl[p] == zlEnd {
			break
		}
		elem, size, err := zlEntry(zl, p, prevLen, ar)
		if err != nil {
			return fmt.Errorf("ziplist entry %d at byte %d: %w", count, p, err)
		}
		if err := fn(elem); err != nil {
			return err
		}
		last = p
		prevLen = size
		p += size
		count++
	}
	if p != len(zl)-1 {
		return corruptf("ziplist has %d bytes after its terminator", len(zl)-1-p)
	}
	if tail != int64(last) {
		return corruptf("ziplist tail offset %d, last entry at %d", tail, last)
	}
	if want != 65535 && want != count {
		return corruptf("ziplist header says %d entries, found %d", want, count)
	}
	return nil
}

func zlEntry(zl []byte, p, prevLen int, ar *arena) ([]byte, int, error) {
	end := len(zl) - 1 // entries must end before the terminator
	q := p
	var pl int
	if zl[q] < 0xFE {
		pl = int(zl[q])
		q++
	} else {
		if q+5 > end {
			return nil, 0, corruptf("prevlen overruns the ziplist")
		}
		pl = int(binary.LittleEndian.Uint32(zl[q+1:]))
		q += 5
	}
	if pl != prevLen {
		return nil, 0, corruptf("prevlen %d, previous entry has %d bytes", pl, prevLen)
	}
	if q >= end {
		return nil, 0, corruptf("entry overruns the ziplist")
	}
	b := zl[q]
	var n int // string length, or integer width
	isInt := false
	switch b >> 6 {
	case 0:
		n, q = int(b&0x3f), q+1
	case 1:
		if q+2 > end {
			return nil, 0, corruptf("entry overruns the ziplist")
		}
		n, q = int(b&0x3f)<<8|int(zl[q+1]), q+2
	case 2:
		if b != 0x80 || q+5 > end {
			return nil, 0, corruptf("invalid ziplist string encoding 0x%02x", b)
		}
		n, q = int(binary.BigEndian.Uint32(zl[q+1:])), q+5
	default:
		isInt = true
		q++
		switch {
		case b == 0xC0:
			n = 2
		case b == 0xD0:
			n = 4
		case b == 0xE0:
			n = 8
		case b == 0xF0:
			n = 3
		case b == 0xFE:
			n = 1
		case b >= 0xF1 && b <= 0xFD:
			return ar.int(int64(b&0x0f) - 1), q - p, nil
		default:
			return nil, 0, corruptf("invalid ziplist encoding 0x%02x", b)
		}
	}
	if n > end-q {
		return nil, 0, corruptf("entry data of %d bytes overruns the ziplist", n)
	}
	d := zl[q : q+n : q+n]
	size := q + n - p
	if !isInt {
		return d, size, nil
	}
	var v int64
	switch n {
	case 1:
		v = int64(int8(d[0]))
	case 2:
		v = int64(int16(binary.LittleEndian.Uint16(d)))
	case 3:
		v = int64(int32(uint32(d[0])<<8|uint32(d[1])<<16|uint32(d[2])<<24) >> 8)
	case 4:
		v = int64(int32(binary.LittleEndian.Uint32(d)))
	default:
		v = int64(binary.LittleEndian.Uint64(d))
	}
	return ar.int(v), size, nil
}

// zipmapParse validates a zipmap (RDB type 9, Redis < 2.6 small hashes)
// and calls fn with each field and value. Layout: a count byte (254 and up
// = "count it"), then entries of field length, field, value length, a
// free-space byte, value and that many unused bytes; 0xFF ends it. Lengths
// are one byte below 254, or 254 and a uint32 LE.
func zipmapParse(zm []byte, fn func(field, value []byte) error) error {
	if len(zm) < 2 {
		return corruptf("zipmap of %d bytes is too short", len(zm))
	}
	p := 1
	readLen := func() (int, error) {
		if p >= len(zm) {
			return 0, corruptf("zipmap has no terminator")
		}
		b := zm[p]
		switch {
		case b < 254:
			p++
			return int(b), nil
		case b == 254:
			if p+5 > len(zm) {
				return 0, corruptf("zipmap length overruns the blob")
			}
			n := binary.LittleEndian.Uint32(zm[p+1:])
			p += 5
			return int(n), nil
		}
		return 0, corruptf("unexpected zipmap terminator")
	}
	take := func(n int) ([]byte, error) {
		if n > len(zm)-p {
			return nil, corruptf("zipmap entry of %d bytes overruns the blob", n)
		}
		b := zm[p : p+n : p+n]
		p += n
		return b, nil
	}
	for {
		if p >= len(zm) {
			return corruptf("zipmap has no terminator")
		}
		if zm[p] == 0xFF {
			break
		}
		fl, err := readLen()
		if err != nil {
			return err
		}
		field, err := take(fl)
		if err != nil {
			return err
		}
		vl, err := readLen()
		if err != nil {
			return err
		}
		if p >= len(zm) {
			return corruptf("zipmap entry overruns the blob")
		}
		free := int(zm[p])
		p++
		value, err := take(vl)
		if err != nil {
			return err
		}
		if _, err := take(free); err != nil {
			return err
		}
		if err := fn(field, value); err != nil {
			return err
		}
	}
	if p != len(zm)-1 {
		return corruptf("zipmap has %d bytes after its terminator", len(zm)-1-p)
	}
	return nil
}
