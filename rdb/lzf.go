package rdb

import "errors"

// LZF, as used by Redis for strings longer than 20 bytes, is a byte stream
// of two kinds of items, selected by the top three bits of a control byte:
//
//	000LLLLL                      literal run: the next L+1 bytes (1..32)
//	LLLOOOOO [EEEEEEEE] OOOOOOOO  back-reference: copy len bytes from
//	                              offset back; L<7: len=L+2, else len=E+9;
//	                              back = (O<<8 | O)+1, at most 8192
//
// Copies may overlap their destination (a run of one repeated byte is a
// back-reference of distance 1).
const (
	lzfMaxLit = 32      // longest literal run
	lzfMaxOff = 1 << 13 // farthest back-reference distance
	lzfMaxRef = 255 + 9 // longest back-reference
	lzfHashLg = 14      // log2 of the compressor's hash table size
	lzfMinLen = 3       // shortest back-reference worth emitting
	lzfRatio  = 264 / 3 // most output bytes one input byte can produce, rounded down
	lzfNoHint = ^uint32(0)
)

// lzfCompressor keeps the match table between calls so that compressing
// many small strings does not allocate. Stale entries from earlier inputs
// are harmless: every candidate match is verified against the current input.
type lzfCompressor struct {
	table [1 << lzfHashLg]uint32
}

func lzfHash(a, b, c byte) uint32 {
	v := uint32(a)<<16 | uint32(b)<<8 | uint32(c)
	return (v * 2654435761) >> (32 - lzfHashLg)
}

// compress appends the LZF encoding of in to dst and reports whether the
// result is at most maxOut bytes; on false dst is returned unchanged in
// length and the caller stores the string uncompressed.
func (z *lzfCompressor) compress(dst, in []byte, maxOut int) ([]byte, bool) {
	start := len(dst)
	n := len(in)
	lit := 0 // start of the pending literal run
	flushLit := func(end int) {
		for lit < end {
			run := min(end-lit, lzfMaxLit)
			dst = append(dst, byte(run-1))
			dst = append(dst, in[lit:lit+run]...)
			lit += run
		}
	}
	ip := 0
	for ip+lzfMinLen <= n {
		if len(dst)-start > maxOut {
			return dst[:start], false
		}
		h := lzfHash(in[ip], in[ip+1], in[ip+2])
		ref := z.table[h]
		z.table[h] = uint32(ip)
		if ref < uint32(ip) && ip-int(ref) <= lzfMaxOff &&
			in[ref] == in[ip] && in[ref+1] == in[ip+1] && in[ref+2] == in[ip+2] {
			r := int(ref)
			maxLen := min(lzfMaxRef, n-ip)
			l := lzfMinLen
			for l < maxLen && in[r+l] == in[ip+l] {
				l++
			}
			flushLit(ip)
			off := ip - r - 1
			if l-2 < 7 {
				dst = append(dst, byte((l-2)<<5|off>>8), byte(off))
			} else {
				dst = append(dst, byte(7<<5|off>>8), byte(l-9), byte(off))
			}
			// Index the positions inside the match sparsely (the first
			// two) so that following data can still refer to them.
			for k := 1; k < 3 && ip+k+lzfMinLen <= n && k < l; k++ {
				z.table[lzfHash(in[ip+k], in[ip+k+1], in[ip+k+2])] = uint32(ip + k)
			}
			ip += l
			lit = ip
			continue
		}
		ip++
	}
	flushLit(n)
	if len(dst)-start > maxOut {
		return dst[:start], false
	}
	return dst, true
}

var errLZF = errors.New("invalid LZF stream")

// lzfDecompress decodes src, which must expand to exactly rawLen bytes.
// The output grows as it is produced instead of being sized from rawLen,
// so a forged rawLen cannot make it allocate more than the stream really
// expands to (at most lzfRatio times its own size, a bound checked first).
func lzfDecompress(src []byte, rawLen int) ([]byte, error) {
	if rawLen < 0 || rawLen > len(src)*lzfRatio+lzfMaxLit {
		return nil, errLZF
	}
	out := make([]byte, 0, min(rawLen, 4*len(src)+64))
	i := 0
	for i < len(src) {
		ctrl := int(src[i])
		i++
		if ctrl < 32 {
			run := ctrl + 1
			if i+run > len(src) || len(out)+run > rawLen {
				return nil, errLZF
			}
			out = append(out, src[i:i+run]...)
			i += run
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if i >= len(src) {
				return nil, errLZF
			}
			l += int(src[i])
			i++
		}
		l += 2
		if i >= len(src) {
			return nil, errLZF
		}
		back := (ctrl&0x1f)<<8 | int(src[i])
		i++
		ref := len(out) - back - 1
		if ref < 0 || len(out)+l > rawLen {
			return nil, errLZF
		}
		for k := 0; k < l; k++ {
			out = append(out, out[ref+k])
		}
	}
	if len(out) != rawLen {
		return nil, errLZF
	}
	return out, nil
}
