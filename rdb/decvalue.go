package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// readKeyValue reads the key and value of type byte t. It returns nil,
// nil for an empty collection, which Redis skips on load.
func (r *Reader) readKeyValue(t byte) (*Entry, error) {
	typeOff := r.mark
	typeErr := checkType(t)
	if errors.Is(typeErr, ErrCorrupt) {
		return nil, typeErr // not a type byte at all: do not read further
	}
	r.mark = r.in.offset()
	key, err := r.in.readString()
	if err != nil {
		return nil, fmt.Errorf("reading key: %w", err)
	}
	r.key = key
	if typeErr != nil {
		// Unsupported: report the key, at the offset of its type byte.
		r.mark = typeOff
		return nil, typeErr
	}
	var e *Entry
	if r.reuse {
		e = &r.ent
		*e = Entry{DB: r.db, Key: key}
	} else {
		e = &Entry{DB: r.db, Key: key}
	}
	if err := r.readValue(t, e); err != nil {
		return nil, err
	}
	r.keepScratch(e)
	if e.Type != TypeString && e.Len() == 0 {
		r.warnf("skipped empty %s %q", e.Type, key)
		return nil, nil
	}
	return e, nil
}

// checkType refuses type bytes that are not values this package decodes.
func checkType(t byte) error {
	switch {
	case t == typeStreamListpack || t == typeStreamV2 || t == typeStreamV3:
		return unsupportedf("stream value (type %d): kevy has no streams", t)
	case t == typeModulePreGA || t == typeModule2:
		return unsupportedf("module value (type %d)", t)
	case t >= typeHashMetaFirst && t <= typeHashMetaLast:
		return unsupportedf("hash with field expiry (type %d, Redis 7.4)", t)
	case t <= typeZSet2, t >= typeHashZipmap && t <= typeListQuicklist,
		t >= typeHashListpack && t <= typeListQuicklist2, t == typeSetListpack:
		return nil
	}
	return corruptf("unknown value type %d", t)
}

// readValue decodes a value of RDB type t into e. It is shared by the file
// reader and DecodeDump.
func (r *Reader) readValue(t byte, e *Entry) error {
	in := r.in
	start := in.offset()
	r.mark = start
	switch t {
	case typeString:
		e.Type = TypeString
		s, err := in.readString()
		e.Str = s
		return err
	case typeList, typeSet:
		n, err := in.readPlainLen()
		if err != nil {
			return err
		}
		items := r.strs(n)
		for i := uint64(0); i < n; i++ {
			r.mark = in.offset()
			s, err := in.readString()
			if err != nil {
				return err
			}
			items = append(items, s)
		}
		if t == typeList {
			e.Type, e.List = TypeList, items
			return nil
		}
		e.Type, e.Set = TypeSet, items
		r.mark = start
		return r.checkUnique("set member", len(items), func(i int) []byte { return items[i] })
	case typeZSet, typeZSet2:
		n, err := in.readPlainLen()
		if err != nil {
			return err
		}
		e.Type = TypeZSet
		e.ZSet = r.zmembers(n)
		for i := uint64(0); i < n; i++ {
			r.mark = in.offset()
			m, err := in.readString()
			if err != nil {
				return err
			}
			r.mark = in.offset()
			var score float64
			if t == typeZSet2 {
				p, err := in.next(8)
				if err != nil {
					return err
				}
				score = math.Float64frombits(binary.LittleEndian.Uint64(p))
			} else if score, err = r.readTextScore(); err != nil {
				return err
			}
			if math.IsNaN(score) {
				return corruptf("NaN score for member %q", m)
			}
			e.ZSet = append(e.ZSet, ZMember{Member: m, Score: score})
		}
		r.mark = start
		return r.checkUnique("zset member", len(e.ZSet), func(i int) []byte { return e.ZSet[i].Member })
	case typeHash:
		n, err := in.readPlainLen()
		if err != nil {
			return err
		}
		e.Type = TypeHash
		e.Hash = r.hashFields(n)
		for i := uint64(0); i < n; i++ {
			r.mark = in.offset()
			f, err := in.readString()
			if err != nil {
				return err
			}
			r.mark = in.offset()
			v, err := in.readString()
			if err != nil {
				return err
			}
			e.Hash = append(e.Hash, HashField{Field: f, Value: v})
		}
		r.mark = start
		return r.checkUnique("hash field", len(e.Hash), func(i int) []byte { return e.Hash[i].Field })
	case typeListQuicklist, typeListQuicklist2:
		return r.readQuicklist(t, e)
	}
	switch t {
	case typeHashZipmap, typeListZiplist, typeSetIntset, typeZSetZiplist,
		typeHashZiplist, typeHashListpack, typeZSetListpack, typeSetListpack:
		blob, err := in.readString()
		if err != nil {
			return err
		}
		if err := r.decodeBlob(t, blob, e); err != nil {
			return fmt.Errorf("value of type %d: %w", t, err)
		}
		return nil
	}
	return checkType(t)
}

// readTextScore reads a zset type 3 score: a length byte, with 253, 254
// and 255 standing for NaN, +inf and -inf, then that many ASCII bytes.
func (r *Reader) readTextScore() (float64, error) {
	b, err := r.in.readByte()
	if err != nil {
		return 0, err
	}
	switch b {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := r.in.next(int(b))
	if err != nil {
		return 0, err
	}
	f, ok := parseScore(p)
	if !ok {
		return 0, corruptf("invalid score %q", p)
	}
	return f, nil
}

// decodeBlob decodes the single-string encodings (zipmap, ziplist, intset,
// listpack) of type t.
func (r *Reader) decodeBlob(t byte, blob []byte, e *Entry) error {
	elems := r.strs(0)
	collect := func(b []byte) error {
		elems = append(elems, b)
		return nil
	}
	var err error
	switch t {
	case typeHashZipmap:
		e.Type = TypeHash
		return r.finishHash(e, zipmapParse(blob, func(f, v []byte) error {
			e.Hash = append(e.Hash, HashField{Field: f, Value: v})
			return nil
		}))
	case typeSetIntset:
		e.Type = TypeSet
		e.Set, err = parseIntset(blob, r.in.ar)
		return err // sorted strictly, so already unique
	case typeListZiplist, typeZSetZiplist, typeHashZiplist:
		err = zlParse(blob, r.in.ar, collect)
	default:
		err = lpParse(blob, r.in.ar, collect)
	}
	if err != nil {
		return err
	}
	r.keepStrs(elems)
	switch t {
	case typeListZiplist:
		e.Type, e.List = TypeList, elems
		return nil
	case typeSetListpack:
		e.Type, e.Set = TypeSet, elems
		return r.checkUnique("set member", len(elems), func(i int) []byte { return elems[i] })
	case typeHashZiplist, typeHashListpack:
		e.Type = TypeHash
		if len(elems)%2 != 0 {
			return corruptf("hash with an odd number (%d) of elements", len(elems))
		}
		e.Hash = r.hashFields(uint64(len(elems) / 2))
		for i := 0; i < len(elems); i += 2 {
			e.Hash = append(e.Hash, HashField{Field: elems[i], Value: elems[i+1]})
		}
		return r.finishHash(e, nil)
	default: // typeZSetZiplist, typeZSetListpack
		e.Type = TypeZSet
		if len(elems)%2 != 0 {
			return corruptf("zset with an odd number (%d) of elements", len(elems))
		}
		e.ZSet = r.zmembers(uint64(len(elems) / 2))
		for i := 0; i < len(elems); i += 2 {
			score, ok := parseScore(elems[i+1])
			if !ok {
				return corruptf("invalid score %q for member %q", elems[i+1], elems[i])
			}
			e.ZSet = append(e.ZSet, ZMember{Member: elems[i], Score: score})
		}
		return r.checkUnique("zset member", len(e.ZSet), func(i int) []byte { return e.ZSet[i].Member })
	}
}

func (r *Reader) finishHash(e *Entry, err error) error {
	if err != nil {
		return err
	}
	return r.checkUnique("hash field", len(e.Hash), func(i int) []byte { return e.Hash[i].Field })
}

// readQuicklist reads a quicklist: a node count, then per node (v2 only)
// a container length, 1 = plain element, 2 = listpack, and the node
// string (a ziplist in v1). Empty nodes are skipped, as Redis does.
func (r *Reader) readQuicklist(t byte, e *Entry) error {
	in := r.in
	n, err := in.readPlainLen()
	if err != nil {
		return err
	}
	e.Type = TypeList
	if r.reuse {
		e.List = r.strs(0)
	}
	for i := uint64(0); i < n; i++ {
		r.mark = in.offset()
		container := uint64(qlPacked)
		if t == typeListQuicklist2 {
			if container, err = in.readPlainLen(); err != nil {
				return err
			}
			if container != qlPlain && container != qlPacked {
				return corruptf("quicklist node %d: invalid container %d", i, container)
			}
		}
		r.mark = in.offset()
		blob, err := in.readString()
		if err != nil {
			return err
		}
		collect := func(b []byte) error {
			e.List = append(e.List, b)
			return nil
		}
		switch {
		case container == qlPlain:
			e.List = append(e.List, blob)
		case t == typeListQuicklist:
			err = zlParse(blob, r.in.ar, collect)
		default:
			err = lpParse(blob, r.in.ar, collect)
		}
		if err != nil {
			return fmt.Errorf("quicklist node %d: %w", i, err)
		}
	}
	return nil
}

// checkUnique fails with ErrCorrupt when item returns the same bytes
// twice: Redis refuses duplicate members and fields in what it loads.
func (r *Reader) checkUnique(what string, n int, item func(int) []byte) error {
	if b, found := r.dups.find(n, item); found {
		return corruptf("duplicate %s %q", what, b)
	}
	return nil
}

// Scratch slices for ReuseEntry mode: the element slices of the entry
// being decoded start from the previous entry's, so that a run of small
// collections allocates none. Without ReuseEntry every entry gets new ones.
type scratch struct {
	strs [][]byte
	hash []HashField
	zset []ZMember
}

// scratchMaxKeep bounds the elements a scratch slice keeps between entries.
const scratchMaxKeep = 1 << 16

// strs returns an empty slice for n strings.
func (r *Reader) strs(n uint64) [][]byte {
	if r.reuse {
		return r.sc.strs[:0]
	}
	if n == 0 {
		return nil
	}
	return make([][]byte, 0, min(n, maxPrealloc))
}

func (r *Reader) hashFields(n uint64) []HashField {
	if r.reuse {
		return r.sc.hash[:0]
	}
	return make([]HashField, 0, min(n, maxPrealloc))
}

func (r *Reader) zmembers(n uint64) []ZMember {
	if r.reuse {
		return r.sc.zset[:0]
	}
	return make([]ZMember, 0, min(n, maxPrealloc))
}

// keepStrs keeps s, grown while decoding, for the next entry.
func (r *Reader) keepStrs(s [][]byte) {
	if r.reuse && cap(s) <= scratchMaxKeep {
		r.sc.strs = s
	}
}

// keepScratch keeps the element slice of e for the next entry.
func (r *Reader) keepScratch(e *Entry) {
	if !r.reuse {
		return
	}
	switch e.Type {
	case TypeList:
		r.keepStrs(e.List)
	case TypeSet:
		r.keepStrs(e.Set)
	case TypeHash:
		if cap(e.Hash) <= scratchMaxKeep {
			r.sc.hash = e.Hash
		}
	case TypeZSet:
		if cap(e.ZSet) <= scratchMaxKeep {
			r.sc.zset = e.ZSet
		}
	}
}
