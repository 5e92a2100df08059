package command

import (
	"encoding/binary"
	"math/bits"

	"github.com/kevy-db/kevy/internal/store"
)

// The bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP here, BITFIELD
// in bitfield.go and LCS (a string command that lives with them) in lcs.go.
// Bits are numbered from the most significant bit of the first byte.

const (
	errBitArg      = "ERR The bit argument must be 1 or 0."
	errBitopNotArg = "ERR BITOP NOT must be called with a single source key."
)

func bitCommands() []spec {
	const g = "bitmap"
	return []spec{
		{name: "setbit", arity: 4, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "RW access update", acl: "@write @bitmap @slow", group: g, summary: "Turns one bit of a string key on or off, growing the string as needed.", run: cmdSetBit},
		{name: "getbit", arity: 3, flags: "readonly fast", first: 1, last: 1, step: 1, acl: "@read @bitmap @fast", group: g, summary: "Reads a single bit of a string key; bits past the end read as 0.", run: cmdGetBit},
		{name: "bitcount", arity: -2, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @bitmap @slow", group: g, summary: "Counts the 1 bits of a string key, whole or within a byte or bit range.", run: cmdBitCount},
		{name: "bitpos", arity: -3, flags: "readonly", first: 1, last: 1, step: 1, acl: "@read @bitmap @slow", group: g, summary: "Finds the position of the first 0 or 1 bit in a string key, optionally in a range.", run: cmdBitPos},
		{name: "bitop", arity: -4, flags: "write denyoom", first: 2, last: -1, step: 1, keys: "OW update index(2) range(0,1,0); RO access index(3) range(-1,1,0)", acl: "@write @bitmap @slow", group: g, summary: "Combines strings bit by bit with AND, OR, XOR or NOT and stores the result.", run: cmdBitOp},
		{name: "bitfield", arity: -2, flags: "write denyoom", first: 1, last: 1, step: 1, keys: "RW access update variable_flags", acl: "@write @bitmap @slow", group: g, summary: "Reads, writes and increments integers of any width packed inside a string key.", run: cmdBitField},
		{name: "bitfield_ro", arity: -2, flags: "readonly fast", first: 1, last: 1, step: 1, acl: "@read @bitmap @fast", group: g, summary: "Reads integers packed inside a string key; the GET-only form of BITFIELD.", run: cmdBitFieldRO},
		{name: "lcs", arity: -3, flags: "readonly", first: 1, last: 2, step: 1, acl: "@read @string @slow", group: "string", summary: "Computes the longest common subsequence of two string keys, or its length or matches.", run: cmdLCS},
	}
}

// bitOffsetArg parses a bit offset as Redis's getBitOffsetFromArgument does.
// With hash (BITFIELD), "#N" means N*width; the multiplication wraps exactly
// as the reference's 64-bit arithmetic does, so a huge N may come back in
// range. Offsets whose byte is at or past proto-max-bulk-len are refused,
// except when replaying the log (the record was accepted once, perhaps under
// a larger limit).
func (c *Ctx) bitOffsetArg(arg []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && len(arg) > 1 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	v, ok := parseInt(arg)
	if ok && useHash {
		v *= int64(width)
	}
	if !ok || v < 0 || (!c.Cl.Replay && v>>3 >= c.E.ProtoMaxBulkLen) {
		c.Err(ErrBitOffset)
		return 0, false
	}
	return uint64(v), true
}

// stringForBitWrite finds key for a bit write that reaches bit maxBit,
// creating it or growing it with zero bytes as needed. It does not mark the
// entry as modified unless it created or grew it (changed reports that), so
// that a write that turns out to change nothing leaves WATCH alone. ok is
// false when a WRONGTYPE error was written.
func (c *Ctx) stringForBitWrite(key []byte, maxBit uint64) (e *store.Entry, changed, ok bool) {
	need := maxBit>>3 + 1
	e = c.DB.LookupNoStats(key)
	if e == nil {
		e = c.DB.SetString(key, make([]byte, need), false)
		e.MarkRaw()
		return e, true, true
	}
	if e.Kind() != store.KindString {
		c.Err(ErrWrongType)
		return nil, false, false
	}
	// Redis unshares the value into a raw string even when nothing changes.
	e.MarkRaw()
	if s := e.Str(); uint64(len(s)) < need {
		c.DB.Touched(e)
		e.SetStr(append(s, make([]byte, need-uint64(len(s)))...))
		return e, true, true
	}
	return e, false, true
}

func cmdSetBit(c *Ctx) {
	off, ok := c.bitOffsetArg(c.Args[2], false, 0)
	if !ok {
		return
	}
	on, ok := parseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.Err(ErrBitValue)
		return
	}
	e, changed, ok := c.stringForBitWrite(c.Args[1], off)
	if !ok {
		return
	}
	s := e.Str()
	idx, mask := off>>3, byte(1)<<(7-off&7)
	old := s[idx]&mask != 0
	if changed || old != (on == 1) {
		if !changed {
			c.DB.Touched(e)
		}
		if on == 1 {
			s[idx] |= mask
		} else {
			s[idx] &^= mask
		}
		c.Dirty(1)
	}
	if old {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

func cmdGetBit(c *Ctx) {
	off, ok := c.bitOffsetArg(c.Args[2], false, 0)
	if !ok {
		return
	}
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	s := e.Str()
	if idx := off >> 3; idx < uint64(len(s)) && s[idx]&(1<<(7-off&7)) != 0 {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// popcount counts the set bits of p.
func popcount(p []byte) int64 {
	var n int
	for len(p) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(p))
		p = p[8:]
	}
	for _, b := range p {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// bitRange turns BITCOUNT/BITPOS start and end (in bytes, or in bits when
// isBit) into an inclusive range of bit positions of a string of n bytes,
// clamped as Redis clamps them. empty reports a range with no bits.
func bitRange(start, end, n int64, isBit bool) (first, last int64, empty bool) {
	total := n
	if isBit {
		total = n << 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= total {
		end = total - 1
	}
	if start > end {
		return 0, 0, true
	}
	if isBit {
		return start, end, false
	}
	return start << 3, end<<3 | 7, false
}

// unitArg parses the BYTE|BIT option.
func unitArg(a []byte) (isBit, ok bool) {
	switch {
	case is(a, "bit"):
		return true, true
	case is(a, "byte"):
		return false, true
	}
	return false, false
}

func cmdBitCount(c *Ctx) {
	// The reference looks the key up before it looks at the range: a missing
	// key answers 0 whatever the other arguments are.
	e, ok := c.getString(c.Args[1])
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	s := e.Str()
	n := int64(len(s))
	first, last, empty := int64(0), n<<3-1, n == 0
	switch len(c.Args) {
	case 2:
	case 4, 5:
		start, end, ok := c.intArgs(c.Args[2], c.Args[3])
		if !ok {
			return
		}
		if start < 0 && end < 0 && start > end {
			c.W.Int(0)
			return
		}
		isBit := false
		if len(c.Args) == 5 {
			if isBit, ok = unitArg(c.Args[4]); !ok {
				c.Err(ErrSyntax)
				return
			}
		}
		first, last, empty = bitRange(start, end, n, isBit)
	default:
		c.Err(ErrSyntax)
		return
	}
	if empty {
		c.W.Int(0)
		return
	}
	c.W.Int(countBits(s, first, last))
}

// countBits counts the set bits of s between bit positions first and last
// inclusive.
func countBits(s []byte, first, last int64) int64 {
	fb, lb := first>>3, last>>3
	n := popcount(s[fb : lb+1])
	// Take away the bits of the edge bytes that lie outside the range.
	if head := first & 7; head != 0 {
		n -= int64(bits.OnesCount8(s[fb] >> (8 - head)))
	}
	if tail := 7 - last&7; tail != 0 {
		n -= int64(bits.OnesCount8(s[lb] & (1<<tail - 1)))
	}
	return n
}

func cmdBitPos(c *Ctx) {
	bit, ok := c.intArg(c.Args[2])
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.Err(errBitArg)
		return
	}
	// A missing key is an infinite run of zeros.
	e := c.DB.Lookup(c.Args[1])
	if e == nil {
		if bit == 1 {
			c.W.Int(-1)
		} else {
			c.W.Int(0)
		}
		return
	}
	if e.Kind() != store.KindString {
		c.Err(ErrWrongType)
		return
	}
	s := e.Str()
	n := int64(len(s))
	first, last, empty := int64(0), n<<3-1, n == 0
	endGiven := false
	switch len(c.Args) {
	case 3:
	case 4, 5, 6:
		start, ok := c.intArg(c.Args[3])
		if !ok {
			return
		}
		isBit := false
		if len(c.Args) == 6 {
			if isBit, ok = unitArg(c.Args[5]); !ok {
				c.Err(ErrSyntax)
				return
			}
		}
		end := n - 1
		if len(c.Args) >= 5 {
			if end, ok = c.intArg(c.Args[4]); !ok {
				return
			}
			endGiven = true
		}
		first, last, empty = bitRange(start, end, n, isBit)
	default:
		c.Err(ErrSyntax)
		return
	}
	if empty {
		c.W.Int(-1)
		return
	}
	if pos := findBit(s, first, last, bit == 1); pos >= 0 {
		c.W.Int(pos)
		return
	}
	// No match. Looking for a zero without an explicit end, the string is
	// taken as padded with zeros: the answer is the first bit after it.
	if bit == 0 && !endGiven {
		c.W.Int(last + 1)
		return
	}
	c.W.Int(-1)
}

// findBit returns the position of the first bit equal to want between bit
// positions first and last inclusive, or -1.
func findBit(s []byte, first, last int64, want bool) int64 {
	var skip byte // a byte with no bit of interest
	if !want {
		skip = 0xff
	}
	for i := first; i <= last; {
		b := s[i>>3]
		if i&7 == 0 && i+7 <= last {
			// Whole bytes, then whole words, that cannot match.
			if b == skip {
				i += 8
				for i+63 <= last {
					w := binary.LittleEndian.Uint64(s[i>>3:])
					if (want && w != 0) || (!want && w != ^uint64(0)) {
						break
					}
					i += 64
				}
				continue
			}
		}
		if (b&(0x80>>(i&7)) != 0) == want {
			return i
		}
		i++
	}
	return -1
}

func cmdBitOp(c *Ctx) {
	op := c.Args[1]
	var kind byte
	switch {
	case is(op, "and"):
		kind = '&'
	case is(op, "or"):
		kind = '|'
	case is(op, "xor"):
		kind = '^'
	case is(op, "not"):
		kind = '~'
	default:
		c.Err(ErrSyntax)
		return
	}
	if kind == '~' && len(c.Args) != 4 {
		c.Err(errBitopNotArg)
		return
	}
	srcKeys := c.Args[3:]
	srcs := make([][]byte, len(srcKeys))
	maxLen := 0
	for i, k := range srcKeys {
		e := c.DB.Lookup(k)
		if e == nil {
			continue // a missing key is an empty string
		}
		if e.Kind() != store.KindString {
			c.Err(ErrWrongType)
			return
		}
		srcs[i] = e.Str()
		maxLen = max(maxLen, len(srcs[i]))
	}
	dest := c.Args[2]
	if maxLen == 0 {
		if c.DB.Delete(dest) {
			c.Dirty(1)
		}
		c.W.Int(0)
		return
	}
	res := make([]byte, maxLen)
	copy(res, srcs[0]) // shorter strings are padded with zeros
	switch kind {
	case '~':
		for i := range res {
			res[i] = ^res[i]
		}
	case '&':
		for _, s := range srcs[1:] {
			for i := range res {
				if i < len(s) {
					res[i] &= s[i]
				} else {
					res[i] = 0
				}
			}
		}
	case '|':
		for _, s := range srcs[1:] {
			for i := 0; i < len(s); i++ {
				res[i] |= s[i]
			}
		}
	case '^':
		for _, s := range srcs[1:] {
			for i := 0; i < len(s); i++ {
				res[i] ^= s[i]
			}
		}
	}
	e := c.DB.SetString(dest, res, false)
	e.MarkRaw()
	c.Dirty(1)
	c.W.Int(int64(maxLen))
}
