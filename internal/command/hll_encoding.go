package command

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
)

// HyperLogLog values, stored exactly as Redis stores them so that GET,
// DUMP, the RDB file and the log carry the same bytes in both servers.
//
// A value is a string: a 16-byte header, "HYLL", the encoding (0 dense,
// 1 sparse), three unused bytes and the cached cardinality, 8 bytes little
// endian whose most significant bit (the top bit of byte 15) marks the
// cache stale; then the 16384 registers.
//
//   - dense: 6 bits per register, register i at bit 6*i, bits packed from
//     the least significant bit of each byte up (12288 bytes).
//   - sparse: run-length opcodes that must cover exactly 16384 registers:
//     ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy
//     (1..16384 zero registers, 14-bit length-1), VAL 1vvvvvxx (1..4
//     registers holding value 1..32).
//
// An element is hashed with MurmurHash64A (seed 0xadc83b19); the low 14
// bits choose the register, and the rank is one plus the number of trailing
// zeros of the remaining 50 bits (a sentinel bit at 50 caps it at 51). The
// estimate is Otmar Ertl's improved raw estimator ("New cardinality
// estimation algorithms for HyperLogLog sketches", 2017) over the histogram
// of register values, rounded to the nearest integer as Redis rounds it.
const (
	hllP         = 14
	hllQ         = 64 - hllP
	hllRegisters = 1 << hllP
	hllBits      = 6
	hllHdrSize   = 16
	hllDenseSize = hllHdrSize + (hllRegisters*hllBits+7)/8

	hllEncDense  = 0
	hllEncSparse = 1

	sparseValMaxValue = 32
	sparseValMaxLen   = 4
	sparseZeroMaxLen  = 64
	sparseXZeroMaxLen = 16384

	hllSeed = 0xadc83b19
)

var errHLLCorrupt = errors.New("corrupt HLL")

// murmur64A is Austin Appleby's MurmurHash64A, reading 8-byte blocks little
// endian (so the result does not depend on the host's byte order).
func murmur64A(data []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ uint64(len(data))*m
	for len(data) >= 8 {
		k := binary.LittleEndian.Uint64(data)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
		data = data[8:]
	}
	if n := len(data); n > 0 {
		for i := n - 1; i >= 0; i-- {
			h ^= uint64(data[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPosition gives the register an element updates and the rank it offers.
func hllPosition(elem []byte) (index int, rank uint8) {
	h := murmur64A(elem, hllSeed)
	index = int(h & (hllRegisters - 1))
	h >>= hllP
	h |= 1 << hllQ
	return index, uint8(bits.TrailingZeros64(h) + 1)
}

// newSparseHLL is the value of an empty HyperLogLog: the header and one
// XZERO opcode covering every register.
func newSparseHLL(capacity int) []byte {
	b := make([]byte, hllHdrSize+2, max(capacity, hllHdrSize+2))
	copy(b, "HYLL")
	b[4] = hllEncSparse
	b[hllHdrSize] = 0x40 | byte((hllRegisters-1)>>8)
	b[hllHdrSize+1] = byte((hllRegisters - 1) & 0xff)
	return b
}

// isHLL reports whether a string passes Redis's shape check: a header with
// the magic, a known encoding, and the exact size for a dense one.
func isHLL(v []byte) bool {
	if len(v) < hllHdrSize || string(v[:4]) != "HYLL" || v[4] > hllEncSparse {
		return false
	}
	return v[4] != hllEncDense || len(v) == hllDenseSize
}

func hllCacheValid(v []byte) bool { return v[15]&0x80 == 0 }
func hllInvalidate(v []byte)      { v[15] |= 0x80 }
func hllCached(v []byte) uint64   { return binary.LittleEndian.Uint64(v[8:16]) }
func hllSetCache(v []byte, n uint64) {
	binary.LittleEndian.PutUint64(v[8:16], n&^(1<<63))
}

// denseGet reads register i of the dense registers r.
func denseGet(r []byte, i int) uint8 {
	bit := i * hllBits
	b, fb := bit>>3, uint(bit&7)
	v := uint(r[b]) >> fb
	if fb > 8-hllBits {
		v |= uint(r[b+1]) << (8 - fb)
	}
	return uint8(v & 63)
}

// denseSet writes register i of the dense registers r.
func denseSet(r []byte, i int, val uint8) {
	bit := i * hllBits
	b, fb := bit>>3, uint(bit&7)
	r[b] = r[b]&^byte(63<<fb) | byte(uint(val)<<fb)
	if fb > 8-hllBits {
		r[b+1] = r[b+1]&^byte(63>>(8-fb)) | byte(uint(val)>>(8-fb))
	}
}

// denseAdd raises register i to rank; it reports whether it changed.
func denseAdd(r []byte, i int, rank uint8) bool {
	if denseGet(r, i) >= rank {
		return false
	}
	denseSet(r, i, rank)
	return true
}

// sparseOp decodes the opcode at p: its length in bytes, the registers it
// covers and their value. ok is false for an XZERO cut off by the end.
func sparseOp(s []byte, p int) (oplen, span int, val uint8, ok bool) {
	c := s[p]
	switch {
	case c&0xc0 == 0: // ZERO
		return 1, int(c&0x3f) + 1, 0, true
	case c&0xc0 == 0x40: // XZERO
		if p+1 >= len(s) {
			return 0, 0, 0, false
		}
		return 2, (int(c&0x3f)<<8 | int(s[p+1])) + 1, 0, true
	default: // VAL
		return 1, int(c&3) + 1, (c>>2)&0x1f + 1, true
	}
}

// appendZeros appends the shortest opcode for n (1..16384) zero registers.
func appendZeros(dst []byte, n int) []byte {
	if n > sparseZeroMaxLen {
		return append(dst, 0x40|byte((n-1)>>8), byte((n-1)&0xff))
	}
	return append(dst, byte(n-1))
}

func valOp(val uint8, n int) byte { return 0x80 | (val-1)<<2 | byte(n-1) }

// sparseToDense returns the dense form of a sparse value (same header,
// encoding changed). The opcodes must cover exactly every register.
func sparseToDense(v []byte) ([]byte, error) {
	d := make([]byte, hllDenseSize)
	copy(d, v[:hllHdrSize])
	d[4] = hllEncDense
	regs := d[hllHdrSize:]
	idx := 0
	for p := hllHdrSize; p < len(v); {
		oplen, span, val, ok := sparseOp(v, p)
		if !ok || idx+span > hllRegisters {
			return nil, errHLLCorrupt
		}
		if val != 0 {
			for j := idx; j < idx+span; j++ {
				denseSet(regs, j, val)
			}
		}
		idx += span
		p += oplen
	}
	if idx != hllRegisters {
		return nil, errHLLCorrupt
	}
	return d, nil
}

// sparseAdd raises register index of the sparse value v to rank, editing
// the opcodes as Redis does so that the bytes stay identical to Redis's.
// It returns the (possibly moved) value and whether it changed. promote
// means the register cannot be set in the sparse form (rank above 32, or
// the value would outgrow maxBytes): the caller converts to dense and sets
// it there. Only the opcodes up to the register are examined, as Redis
// does; the whole value is validated when it is counted or merged.
func sparseAdd(v []byte, index int, rank uint8, maxBytes int) (out []byte, changed, promote bool, err error) {
	if rank > sparseValMaxValue {
		return v, false, true, nil
	}
	// Find the opcode covering the register.
	first, prev, p := 0, -1, hllHdrSize
	var oplen, span int
	var val uint8
	for {
		if p >= len(v) {
			return v, false, false, errHLLCorrupt
		}
		var ok bool
		if oplen, span, val, ok = sparseOp(v, p); !ok {
			return v, false, false, errHLLCorrupt
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if v[p]&0x80 != 0 && val >= rank {
		return v, false, false, nil
	}
	if v[p]&0x80 != 0 && span == 1 {
		v[p] = valOp(rank, 1)
	} else {
		// Replace the opcode by up to three: what precedes the register,
		// the register, what follows.
		var seqBuf [5]byte
		seq := seqBuf[:0]
		before, after := index-first, first+span-1-index
		if v[p]&0x80 == 0 {
			if before > 0 {
				seq = appendZeros(seq, before)
			}
			seq = append(seq, valOp(rank, 1))
			if after > 0 {
				seq = appendZeros(seq, after)
			}
		} else {
			if before > 0 {
				seq = append(seq, valOp(val, before))
			}
			seq = append(seq, valOp(rank, 1))
			if after > 0 {
				seq = append(seq, valOp(val, after))
			}
		}
		delta := len(seq) - oplen
		if delta > 0 && len(v)+delta > maxBytes {
			return v, false, true, nil
		}
		if delta > 0 {
			v = append(v, seq[:delta]...) // grow; the tail is moved below
		}
		copy(v[p+len(seq):], v[p+oplen:len(v)-max(delta, 0)])
		copy(v[p:], seq)
		if delta < 0 {
			v = v[:len(v)+delta]
		}
	}
	// Merge neighbouring VAL opcodes of equal value, looking at up to five
	// opcodes from the one before the change.
	q := hllHdrSize
	if prev >= 0 {
		q = prev
	}
	for n := 0; q < len(v) && n < 5; n++ {
		c := v[q]
		if c&0xc0 == 0x40 {
			q += 2
			continue
		}
		if c&0x80 != 0 && q+1 < len(v) && v[q+1]&0x80 != 0 {
			v1, v2 := (c>>2)&0x1f, (v[q+1]>>2)&0x1f
			l := int(c&3) + int(v[q+1]&3) + 2
			if v1 == v2 && l <= sparseValMaxLen {
				v[q+1] = valOp(v1+1, l)
				copy(v[q:], v[q+1:])
				v = v[:len(v)-1]
				continue
			}
		}
		q++
	}
	return v, true, false, nil
}

// hllHisto counts the registers of each value of an HLL value (dense or
// sparse) into h.
func hllHisto(v []byte, h *[64]int) error {
	if v[4] == hllEncDense {
		denseHisto(v[hllHdrSize:], h)
		return nil
	}
	idx := 0
	for p := hllHdrSize; p < len(v); {
		oplen, span, val, ok := sparseOp(v, p)
		if !ok {
			return errHLLCorrupt
		}
		idx += span
		if idx > hllRegisters {
			return errHLLCorrupt
		}
		h[val] += span
		p += oplen
	}
	if idx != hllRegisters {
		return errHLLCorrupt
	}
	return nil
}

// denseHisto takes four registers from each three bytes.
func denseHisto(r []byte, h *[64]int) {
	for i := 0; i+3 <= len(r); i += 3 {
		w := uint32(r[i]) | uint32(r[i+1])<<8 | uint32(r[i+2])<<16
		h[w&63]++
		h[w>>6&63]++
		h[w>>12&63]++
		h[w>>18&63]++
	}
}

// hllMergeInto raises regs (one byte per register) to the registers of v.
func hllMergeInto(regs *[hllRegisters]uint8, v []byte) error {
	if v[4] == hllEncDense {
		r := v[hllHdrSize:]
		for i, j := 0, 0; i+3 <= len(r); i, j = i+3, j+4 {
			w := uint32(r[i]) | uint32(r[i+1])<<8 | uint32(r[i+2])<<16
			for k := 0; k < 4; k++ {
				if x := uint8(w >> (6 * k) & 63); x > regs[j+k] {
					regs[j+k] = x
				}
			}
		}
		return nil
	}
	idx := 0
	for p := hllHdrSize; p < len(v); {
		oplen, span, val, ok := sparseOp(v, p)
		if !ok || idx+span > hllRegisters {
			return errHLLCorrupt
		}
		if val != 0 {
			for j := idx; j < idx+span; j++ {
				regs[j] = max(regs[j], val)
			}
		}
		idx += span
		p += oplen
	}
	if idx != hllRegisters {
		return errHLLCorrupt
	}
	return nil
}

// hllEstimate is the improved estimator over a register histogram. Every
// product is converted explicitly so that no platform fuses it with the
// following addition (an FMA would change the last bits, and the count).
func hllEstimate(h *[64]int) uint64 {
	const m = float64(hllRegisters)
	const alphaInf = 0.721347520444481703680 // 1 / (2 ln 2)
	z := float64(m * hllTau((m-float64(h[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(h[0])/m))
	return uint64(math.Round(alphaInf * m * m / z))
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z += float64(x * y)
		y += y
		if zp == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		d := 1 - x
		sq := float64(d * d)
		z -= float64(sq * y)
		if zp == z {
			return z / 3
		}
	}
}

// hllCount estimates the cardinality of a value (ignoring its cache).
func hllCount(v []byte) (uint64, error) {
	var h [64]int
	if err := hllHisto(v, &h); err != nil {
		return 0, err
	}
	return hllEstimate(&h), nil
}

// regsCount estimates the cardinality of a register array.
func regsCount(regs *[hllRegisters]uint8) uint64 {
	var h [64]int
	for _, r := range regs {
		h[r]++
	}
	return hllEstimate(&h)
}
