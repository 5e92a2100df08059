package command

import (
	"bytes"
	"math"
)

const (
	errBitfieldType     = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errBitfieldOverflow = "ERR Invalid OVERFLOW type specified"
	errBitfieldRO       = "ERR BITFIELD_RO only supports the GET subcommand"
)

// Overflow behaviours of BITFIELD SET and INCRBY.
const (
	owWrap = iota
	owSat
	owFail
)

// bfOp is one parsed BITFIELD operation.
type bfOp struct {
	op     byte // 'g' GET, 's' SET, 'i' INCRBY
	signed bool
	width  int
	offset uint64
	arg    int64 // SET value or INCRBY increment
	ow     int
}

func cmdBitField(c *Ctx)   { c.bitfield(false) }
func cmdBitFieldRO(c *Ctx) { c.bitfield(true) }

// bitfieldType parses i1…i64 and u1…u63. Like the reference, which reads a
// C string, it ignores anything from a NUL byte on.
func bitfieldType(a []byte) (signed bool, width int, ok bool) {
	if i := bytes.IndexByte(a, 0); i >= 0 {
		a = a[:i]
	}
	if len(a) == 0 || (a[0] != 'i' && a[0] != 'u') {
		return false, 0, false
	}
	signed = a[0] == 'i'
	n, ok := parseInt(a[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, int(n), true
}

func (c *Ctx) bitfield(readOnly bool) {
	var ops []bfOp
	ow := owWrap
	writes := false
	var highest uint64 // highest bit a SET or INCRBY reaches
	args := c.Args
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		var op byte
		switch a := args[j]; {
		case is(a, "get") && rem >= 2:
			op = 'g'
		case is(a, "set") && rem >= 3:
			op = 's'
		case is(a, "incrby") && rem >= 3:
			op = 'i'
		case is(a, "overflow") && rem >= 1:
			j++
			switch t := args[j]; {
			case is(t, "wrap"):
				ow = owWrap
			case is(t, "sat"):
				ow = owSat
			case is(t, "fail"):
				ow = owFail
			default:
				c.Err(errBitfieldOverflow)
				return
			}
			continue
		default:
			c.Err(ErrSyntax)
			return
		}
		signed, width, ok := bitfieldType(args[j+1])
		if !ok {
			c.Err(errBitfieldType)
			return
		}
		off, ok := c.bitOffsetArg(args[j+2], true, width)
		if !ok {
			return
		}
		o := bfOp{op: op, signed: signed, width: width, offset: off, ow: ow}
		if op != 'g' {
			writes = true
			highest = max(highest, off+uint64(width)-1)
			if o.arg, ok = c.intArg(args[j+3]); !ok {
				return
			}
			j++
		}
		ops = append(ops, o)
		j += 2
	}

	var s []byte
	if !writes {
		e, ok := c.getString(c.Args[1])
		if !ok {
			return
		}
		if e != nil {
			s = e.Str()
		}
	} else {
		if readOnly {
			c.Err(errBitfieldRO)
			return
		}
		e, changed, ok := c.stringForBitWrite(c.Args[1], highest)
		if !ok {
			return
		}
		// Every SET and INCRBY counts as a change, even one that FAIL
		// refused, as in the reference.
		if !changed {
			c.DB.Touched(e)
		}
		s = e.Str()
	}

	c.W.Array(len(ops))
	changes := int64(0)
	for _, o := range ops {
		if o.op == 'g' {
			v := getBits(s, o.offset, o.width)
			if o.signed {
				c.W.Int(signExtend(v, o.width))
			} else {
				c.W.Int(int64(v))
			}
			continue
		}
		changes++
		old := getBits(s, o.offset, o.width)
		var newVal uint64
		var ret int64
		var overflow bool
		if o.signed {
			oldS := signExtend(old, o.width)
			var limit int64
			if o.op == 'i' {
				overflow, limit = signedOverflow(oldS, o.arg, o.width, o.ow)
				if !overflow {
					limit = oldS + o.arg
				}
				ret = limit
			} else {
				overflow, limit = signedOverflow(o.arg, 0, o.width, o.ow)
				if !overflow {
					limit = o.arg
				}
				ret = oldS
			}
			newVal = uint64(limit)
		} else {
			var limit uint64
			if o.op == 'i' {
				overflow, limit = unsignedOverflow(old, o.arg, o.width, o.ow)
				if !overflow {
					limit = old + uint64(o.arg)
				}
				ret = int64(limit)
			} else {
				overflow, limit = unsignedOverflow(uint64(o.arg), 0, o.width, o.ow)
				if !overflow {
					limit = uint64(o.arg)
				}
				ret = int64(old)
			}
			newVal = limit
		}
		if overflow && o.ow == owFail {
			c.W.Null()
			continue
		}
		c.W.Int(ret)
		setBits(s, o.offset, o.width, newVal)
	}
	if changes > 0 {
		c.Dirty(changes)
	}
}

// getBits reads width bits at bit offset off (most significant first); bits
// past the end of s read as zero.
func getBits(s []byte, off uint64, width int) uint64 {
	var v uint64
	for i := uint64(0); i < uint64(width); i++ {
		p := off + i
		v <<= 1
		if idx := p >> 3; idx < uint64(len(s)) {
			v |= uint64(s[idx]>>(7-p&7)) & 1
		}
	}
	return v
}

// setBits writes the low width bits of v at bit offset off, which the caller
// made sure lies inside s.
func setBits(s []byte, off uint64, width int, v uint64) {
	for i := 0; i < width; i++ {
		p := off + uint64(i)
		mask := byte(0x80) >> (p & 7)
		if v>>(width-1-i)&1 != 0 {
			s[p>>3] |= mask
		} else {
			s[p>>3] &^= mask
		}
	}
}

func signExtend(v uint64, width int) int64 {
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= math.MaxUint64 << width
	}
	return int64(v)
}

// unsignedOverflow reports whether value+incr leaves the range of a width-bit
// unsigned integer and, when it does, the value to store for WRAP and SAT.
// The arithmetic deliberately follows the reference's 64-bit wrapping
// computations, quirks included (e.g. a negative SET value saturates to the
// maximum).
func unsignedOverflow(value uint64, incr int64, width, ow int) (bool, uint64) {
	maxV := uint64(1)<<width - 1
	maxIncr := int64(maxV - value)
	minIncr := -int64(value)
	wrap := func() uint64 { return (value + uint64(incr)) &^ (math.MaxUint64 << width) }
	switch {
	case value > maxV || (incr > 0 && incr > maxIncr):
		if ow == owWrap {
			return true, wrap()
		}
		return true, maxV
	case incr < 0 && incr < minIncr:
		if ow == owWrap {
			return true, wrap()
		}
		return true, 0
	}
	return false, 0
}

// signedOverflow is unsignedOverflow for width-bit two's complement integers,
// with the reference's wrapping intermediate computations: for instance SET
// i8 with -2^63 and OVERFLOW SAT stores 127, as Redis does.
func signedOverflow(value, incr int64, width, ow int) (bool, int64) {
	maxV := int64(math.MaxInt64)
	if width < 64 {
		maxV = int64(1)<<(width-1) - 1
	}
	minV := -maxV - 1
	maxIncr := int64(uint64(maxV) - uint64(value))
	minIncr := minV - value
	wrap := func() int64 {
		r := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << width
			if r&(1<<(width-1)) != 0 {
				r |= mask
			} else {
				r &^= mask
			}
		}
		return int64(r)
	}
	switch {
	case value > maxV || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		if ow == owWrap {
			return true, wrap()
		}
		return true, maxV
	case value < minV || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		if ow == owWrap {
			return true, wrap()
		}
		return true, minV
	}
	return false, 0
}
