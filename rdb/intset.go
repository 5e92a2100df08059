package rdb

import (
	"encoding/binary"
	"math"
	"slices"
)

// Intset layout (see doc.go): encoding uint32 LE (2, 4 or 8 = bytes per
// element), count uint32 LE, then the elements as little-endian signed
// integers of that width, strictly ascending.

// buildIntset appends to dst the intset of vals, which it sorts.
func buildIntset(dst []byte, vals []int64) []byte {
	slices.Sort(vals)
	width := 2
	if len(vals) > 0 {
		lo, hi := vals[0], vals[len(vals)-1]
		switch {
		case lo < math.MinInt32 || hi > math.MaxInt32:
			width = 8
		case lo < math.MinInt16 || hi > math.MaxInt16:
			width = 4
		}
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(width))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		case 4:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		default:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
		}
	}
	return dst
}

// parseIntset validates an intset blob and returns its members in decimal,
// from ar.
func parseIntset(b []byte, ar *arena) ([][]byte, error) {
	if len(b) < 8 {
		return nil, corruptf("intset of %d bytes is shorter than its header", len(b))
	}
	width := binary.LittleEndian.Uint32(b)
	if width != 2 && width != 4 && width != 8 {
		return nil, corruptf("intset element width %d", width)
	}
	n := binary.LittleEndian.Uint32(b[4:])
	if uint64(len(b)-8) != uint64(n)*uint64(width) {
		return nil, corruptf("intset says %d elements of %d bytes, blob has %d bytes", n, width, len(b)-8)
	}
	if n == 0 {
		return nil, nil
	}
	out := make([][]byte, 0, n) // n is bounded by the blob already read
	var prev int64
	for i := 0; i < int(n); i++ {
		p := b[8+i*int(width):]
		var v int64
		switch width {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			v = int64(binary.LittleEndian.Uint64(p))
		}
		if i > 0 && v <= prev {
			return nil, corruptf("intset element %d (%d) is not above its predecessor (%d)", i, v, prev)
		}
		prev = v
		out = append(out, ar.int(v))
	}
	return out, nil
}
