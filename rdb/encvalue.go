package rdb

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// valueType chooses the RDB type byte for e, following Redis 7.0's own
// choices so that a loaded value keeps the encoding Redis would give it.
// It also rejects values Redis could not hold.
func (enc *encoder) valueType(e *Entry) (byte, error) {
	o := &enc.opts
	if e.Type != TypeString && e.Len() == 0 {
		// Redis never stores empty collections and skips them on load.
		return 0, fmt.Errorf("rdb: key %q: empty %s", e.Key, e.Type)
	}
	switch e.Type {
	case TypeString:
		return typeString, nil
	case TypeList:
		return typeListQuicklist2, nil
	case TypeSet:
		if dup, found := enc.dups.find(len(e.Set), func(i int) []byte { return e.Set[i] }); found {
			return 0, fmt.Errorf("rdb: key %q: duplicate set member %q", e.Key, dup)
		}
		if len(e.Set) <= o.SetMaxIntsetEntries {
			all := true
			for _, m := range e.Set {
				if _, ok := parseCanonicalInt(m); !ok {
					all = false
					break
				}
			}
			if all {
				return typeSetIntset, nil
			}
		}
		return typeSet, nil
	case TypeHash:
		if dup, found := enc.dups.find(len(e.Hash), func(i int) []byte { return e.Hash[i].Field }); found {
			return 0, fmt.Errorf("rdb: key %q: duplicate hash field %q", e.Key, dup)
		}
		if len(e.Hash) <= o.HashMaxListpackEntries {
			small := true
			for _, f := range e.Hash {
				if len(f.Field) > o.HashMaxListpackValue || len(f.Value) > o.HashMaxListpackValue {
					small = false
					break
				}
			}
			if small {
				return typeHashListpack, nil
			}
		}
		return typeHash, nil
	case TypeZSet:
		if dup, found := enc.dups.find(len(e.ZSet), func(i int) []byte { return e.ZSet[i].Member }); found {
			return 0, fmt.Errorf("rdb: key %q: duplicate zset member %q", e.Key, dup)
		}
		small := len(e.ZSet) <= o.ZSetMaxListpackEntries
		for _, m := range e.ZSet {
			if math.IsNaN(m.Score) {
				return 0, fmt.Errorf("rdb: key %q: NaN score for member %q", e.Key, m.Member)
			}
			if len(m.Member) > o.ZSetMaxListpackValue {
				small = false
			}
		}
		if small {
			return typeZSetListpack, nil
		}
		return typeZSet2, nil
	}
	return 0, fmt.Errorf("rdb: key %q: invalid type %v", e.Key, e.Type)
}

var errUnknownType = errors.New("rdb: unknown value type byte")

// appendValue appends the encoding of e as type t (from valueType),
// flushing o between large pieces when it has a destination.
func (enc *encoder) appendValue(o *output, t byte, e *Entry) error {
	switch t {
	case typeString:
		o.buf = enc.appendString(o.buf, e.Str)
	case typeListQuicklist2:
		return enc.appendQuicklist(o, e.List)
	case typeSetIntset:
		vals := make([]int64, len(e.Set))
		for i, m := range e.Set {
			vals[i], _ = parseCanonicalInt(m)
		}
		enc.scratch = buildIntset(enc.scratch[:0], vals)
		o.buf = enc.appendString(o.buf, enc.scratch)
	case typeSet:
		o.buf = appendLen(o.buf, uint64(len(e.Set)))
		for _, m := range e.Set {
			o.buf = enc.appendString(o.buf, m)
			if err := o.maybeFlush(); err != nil {
				return err
			}
		}
	case typeHashListpack:
		lp := lpBegin(enc.scratch[:0])
		for _, f := range e.Hash {
			lp = lpAppend(lp, f.Field)
			lp = lpAppend(lp, f.Value)
		}
		enc.scratch = lpFinish(lp, 2*len(e.Hash))
		o.buf = enc.appendString(o.buf, enc.scratch)
	case typeHash:
		o.buf = appendLen(o.buf, uint64(len(e.Hash)))
		for _, f := range e.Hash {
			o.buf = enc.appendString(o.buf, f.Field)
			o.buf = enc.appendString(o.buf, f.Value)
			if err := o.maybeFlush(); err != nil {
				return err
			}
		}
	case typeZSetListpack:
		// Redis's listpack sorted sets must be ordered by score, then
		// member bytes: its lookups depend on it.
		ms := slices.Clone(e.ZSet)
		slices.SortFunc(ms, func(a, b ZMember) int {
			if c := cmp.Compare(a.Score, b.Score); c != 0 {
				return c
			}
			return bytes.Compare(a.Member, b.Member)
		})
		lp := lpBegin(enc.scratch[:0])
		var num []byte
		for _, m := range ms {
			lp = lpAppend(lp, m.Member)
			num = formatScore(num[:0], m.Score)
			lp = lpAppend(lp, num)
		}
		enc.scratch = lpFinish(lp, 2*len(ms))
		o.buf = enc.appendString(o.buf, enc.scratch)
	case typeZSet2:
		o.buf = appendLen(o.buf, uint64(len(e.ZSet)))
		for _, m := range e.ZSet {
			o.buf = enc.appendString(o.buf, m.Member)
			o.buf = binary.LittleEndian.AppendUint64(o.buf, math.Float64bits(m.Score))
			if err := o.maybeFlush(); err != nil {
				return err
			}
		}
	default:
		return errUnknownType
	}
	return o.maybeFlush()
}

// quicklistAllowInsert reports whether an element of n bytes joins a
// listpack node of curSize bytes holding count elements. It reproduces
// Redis 7.0's own rule (_quicklistNodeAllowInsert: the element's length
// plus a fixed 8-byte overestimate, not the exact entry size), so that
// lists are split into the same nodes as in Redis and DUMP payloads match
// byte for byte. fill is list-max-listpack-size: -1..-5 cap a node at
// 4..64 KiB, a positive value caps its element count (within 8 KiB).
func quicklistAllowInsert(fill, curSize, count, n int) bool {
	const estimateOverhead = 8
	newSize := curSize + n + estimateOverhead
	if fill < 0 {
		return newSize <= 4096<<(-fill-1)
	}
	return newSize <= 8192 && count+1 <= fill
}

// appendQuicklist writes a list as a quicklist v2: the node count, then
// for every node its container and the listpack as a string. Node
// boundaries are computed first because the count comes before the nodes.
func (enc *encoder) appendQuicklist(o *output, list [][]byte) error {
	fill := enc.opts.ListMaxListpackSize
	type node struct{ from, to int } // list[from:to]
	var nodes []node
	size, from := lpHeaderSize+1, 0
	for i, s := range list {
		if len(s) >= plainNodeThreshold {
			// Huge elements get a plain node of their own.
			if i > from {
				nodes = append(nodes, node{from, i})
			}
			nodes = append(nodes, node{i, i + 1})
			from, size = i+1, lpHeaderSize+1
			continue
		}
		if i > from && !quicklistAllowInsert(fill, size, i-from, len(s)) {
			nodes = append(nodes, node{from, i})
			from, size = i, lpHeaderSize+1
		}
		size += lpEntrySize(s)
	}
	if from < len(list) {
		nodes = append(nodes, node{from, len(list)})
	}
	o.buf = appendLen(o.buf, uint64(len(nodes)))
	for _, n := range nodes {
		if n.to-n.from == 1 && len(list[n.from]) >= plainNodeThreshold {
			o.buf = appendLen(o.buf, qlPlain)
			o.buf = enc.appendString(o.buf, list[n.from])
		} else {
			lp := lpBegin(enc.scratch[:0])
			for _, s := range list[n.from:n.to] {
				lp = lpAppend(lp, s)
			}
			enc.scratch = lpFinish(lp, n.to-n.from)
			o.buf = appendLen(o.buf, qlPacked)
			o.buf = enc.appendString(o.buf, enc.scratch)
		}
		if err := o.maybeFlush(); err != nil {
			return err
		}
	}
	return nil
}
