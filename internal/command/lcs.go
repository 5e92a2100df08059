package command

import (
	"math"

	"github.com/kevy-db/kevy/internal/store"
)

const (
	errLCSType     = "ERR The specified keys must contain string values"
	errLCSLenIdx   = "ERR If you want both the length and indexes, please just use IDX."
	errLCSTooLong  = "ERR String too long for LCS"
	errLCSMemLimit = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
	errLCSMemAlloc = "ERR Insufficient memory, failed allocating transient memory for LCS"
)

// lcsRange is one matching run reported by LCS IDX: a[aStart..aEnd] equals
// b[bStart..bEnd].
type lcsRange struct{ aStart, aEnd, bStart, bEnd uint32 }

func cmdLCS(c *Ctx) {
	ea := c.DB.Lookup(c.Args[1])
	eb := c.DB.Lookup(c.Args[2])
	if (ea != nil && ea.Kind() != store.KindString) || (eb != nil && eb.Kind() != store.KindString) {
		c.Err(errLCSType)
		return
	}
	var a, b []byte
	if ea != nil {
		a = ea.Str()
	}
	if eb != nil {
		b = eb.Str()
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.Args); j++ {
		opt := c.Args[j]
		more := len(c.Args) - 1 - j
		switch {
		case is(opt, "idx"):
			getIdx = true
		case is(opt, "len"):
			getLen = true
		case is(opt, "withmatchlen"):
			withMatchLen = true
		case is(opt, "minmatchlen") && more > 0:
			v, ok := c.intArg(c.Args[j+1])
			if !ok {
				return
			}
			minMatchLen = max(v, 0)
			j++
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.Err(errLCSLenIdx)
		return
	}
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		c.Err(errLCSTooLong)
		return
	}
	// The reference allocates a table of (len(a)+1)*(len(b)+1) 32-bit
	// counters and refuses when it would exceed proto-max-bulk-len; we
	// refuse in exactly the same cases (the error is part of the reply), but
	// only keep two rows of counters plus one bit per cell for the walk
	// back, 32 times less memory.
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if hi, _ := mulOverflows(cells, 4); hi {
		c.Err(errLCSMemAlloc)
		return
	}
	if cells*4 > uint64(c.E.ProtoMaxBulkLen) {
		c.Err(errLCSMemLimit)
		return
	}
	computeLCS := getIdx || !getLen
	length, up := lcsTable(a, b, computeLCS)
	if !computeLCS {
		c.W.Int(int64(length))
		return
	}

	// Walk back from the end as the reference does, collecting the LCS and
	// the ranges of contiguous matches.
	result := make([]byte, length)
	k := length
	var ranges []lcsRange
	const unset = math.MaxUint32
	cur := lcsRange{aStart: unset}
	blen := uint64(len(b))
	i, j := uint32(len(a)), uint32(len(b))
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[k-1] = a[i-1]
			if cur.aStart == unset {
				cur = lcsRange{i - 1, i - 1, j - 1, j - 1}
			} else {
				// Consecutive matches along the diagonal always extend
				// the current range.
				cur.aStart--
				cur.bStart--
			}
			if cur.aStart == 0 || cur.bStart == 0 {
				emit = true
			}
			k--
			i--
			j--
		} else {
			cell := uint64(i-1)*blen + uint64(j-1)
			if up[cell>>6]&(1<<(cell&63)) != 0 {
				i--
			} else {
				j--
			}
			if cur.aStart != unset {
				emit = true
			}
		}
		if emit {
			if n := int64(cur.aEnd - cur.aStart + 1); minMatchLen == 0 || n >= minMatchLen {
				ranges = append(ranges, cur)
			}
			cur.aStart = unset
		}
	}

	if !getIdx {
		c.W.Bulk(result)
		return
	}
	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(len(ranges))
	for _, r := range ranges {
		if withMatchLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(int64(r.aStart))
		c.W.Int(int64(r.aEnd))
		c.W.Array(2)
		c.W.Int(int64(r.bStart))
		c.W.Int(int64(r.bEnd))
		if withMatchLen {
			c.W.Int(int64(r.aEnd - r.aStart + 1))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(length))
}

// mulOverflows reports whether x*y overflows 64 bits.
func mulOverflows(x, y uint64) (bool, uint64) {
	if x != 0 && y > math.MaxUint64/x {
		return true, 0
	}
	return false, x * y
}

// lcsTable runs the classic dynamic programme over a and b, keeping two rows
// of LCS lengths. It returns the length of the LCS and, when withPath is
// set, one bit per cell (i-1)*len(b)+(j-1) for 1 <= i <= len(a), 1 <= j <=
// len(b): whether LCS(i-1, j) > LCS(i, j-1), the only fact the walk back
// needs at a mismatch.
func lcsTable(a, b []byte, withPath bool) (uint32, []uint64) {
	if len(a) == 0 || len(b) == 0 {
		return 0, nil
	}
	var up []uint64
	blen := uint64(len(b))
	if withPath {
		up = make([]uint64, (uint64(len(a))*blen+63)/64)
	}
	prev := make([]uint32, len(b)+1)
	row := make([]uint32, len(b)+1)
	for i := 1; i <= len(a); i++ {
		ai := a[i-1]
		base := uint64(i-1) * blen
		for j := 1; j <= len(b); j++ {
			if ai == b[j-1] {
				row[j] = prev[j-1] + 1
				continue
			}
			l1, l2 := prev[j], row[j-1]
			if l1 > l2 {
				row[j] = l1
				if withPath {
					cell := base + uint64(j-1)
					up[cell>>6] |= 1 << (cell & 63)
				}
			} else {
				row[j] = l2
			}
		}
		prev, row = row, prev
	}
	return prev[len(b)], up
}
