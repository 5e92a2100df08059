package command

import (
	"fmt"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/rdb"
)

// Conversions between the store's values and the persistence formats. They
// run under the execution lock (snapshot sinks) or during loading, so they
// may read values without copying: the encoders copy into their buffers
// before the lock is released.

// RDBConverter turns store entries into rdb.Entry values, reusing its
// buffers between calls: a snapshot converts every key, and per-key garbage
// would make the Go heap grow toward twice the dataset during a BGSAVE.
// The entry returned is valid until the next call.
type RDBConverter struct {
	e     rdb.Entry
	key   []byte
	arena []byte   // copies of list and set elements (see ToRDB)
	spans [][2]int // their positions in arena
	elems [][]byte
	hash  []rdb.HashField
	zset  []rdb.ZMember
}

// ToRDB describes entry e of database db as an rdb.Entry. Strings, hash
// fields and sorted-set members are shared with the store (the caller
// encodes them before releasing the execution lock); list and set elements
// are copied, because those types hand out elements that are valid only
// during their Each callback (an intset formats each member into a
// scratch buffer).
func ToRDB(db int, e *store.Entry) (*rdb.Entry, error) {
	var c RDBConverter
	return c.ToRDB(db, e)
}

// ToRDB converts e, reusing c's buffers.
func (c *RDBConverter) ToRDB(db int, e *store.Entry) (*rdb.Entry, error) {
	c.key = append(c.key[:0], e.Key()...)
	out := &c.e
	*out = rdb.Entry{DB: db, Key: c.key, ExpireAt: e.ExpireAt(), Idle: -1, Freq: -1}
	copied := func(each func(func([]byte) bool)) [][]byte {
		c.arena, c.spans = c.arena[:0], c.spans[:0]
		each(func(v []byte) bool {
			c.spans = append(c.spans, [2]int{len(c.arena), len(c.arena) + len(v)})
			c.arena = append(c.arena, v...)
			return true
		})
		c.elems = c.elems[:0]
		for _, sp := range c.spans {
			c.elems = append(c.elems, c.arena[sp[0]:sp[1]:sp[1]])
		}
		return c.elems
	}
	switch e.Kind() {
	case store.KindString:
		out.Type, out.Str = rdb.TypeString, e.Str()
	case store.KindList:
		out.Type = rdb.TypeList
		out.List = copied(e.Obj().(*store.List).Each)
	case store.KindSet:
		out.Type = rdb.TypeSet
		out.Set = copied(e.Obj().(*store.Set).Each)
	case store.KindHash:
		h := e.Obj().(*store.Hash)
		out.Type = rdb.TypeHash
		c.hash = c.hash[:0]
		h.Each(func(f, v []byte) bool { c.hash = append(c.hash, rdb.HashField{Field: f, Value: v}); return true })
		out.Hash = c.hash
	case store.KindZSet:
		z := e.Obj().(*store.ZSet)
		out.Type = rdb.TypeZSet
		c.zset = c.zset[:0]
		z.Each(func(m []byte, s float64) bool {
			c.zset = append(c.zset, rdb.ZMember{Member: m, Score: s})
			return true
		})
		out.ZSet = c.zset
	default:
		return nil, fmt.Errorf("key %q: unknown kind %d", e.Key(), e.Kind())
	}
	return out, nil
}

// FromRDB builds a store value from a loaded entry, in the encoding Redis
// would choose for its size under lim.
func FromRDB(e *rdb.Entry, lim EncodingLimits) (store.Kind, []byte, any) {
	switch e.Type {
	case rdb.TypeString:
		return store.KindString, e.Str, nil
	case rdb.TypeList:
		l := store.NewList(lim.ListMaxListpackSize)
		for _, v := range e.List {
			l.PushBack(v)
		}
		return store.KindList, nil, l
	case rdb.TypeSet:
		st := store.NewSet()
		for _, m := range e.Set {
			st.Add(m, lim.SetMaxIntsetEntries)
		}
		return store.KindSet, nil, st
	case rdb.TypeHash:
		h := store.NewHash()
		hl := store.HashLimits{MaxListpackEntries: lim.HashMaxListpackEntries, MaxListpackValue: lim.HashMaxListpackValue}
		for _, f := range e.Hash {
			h.Set(f.Field, f.Value, hl)
		}
		return store.KindHash, nil, h
	case rdb.TypeZSet:
		zl := store.ZSetLimits{MaxListpackEntries: lim.ZSetMaxListpackEntries, MaxListpackValue: lim.ZSetMaxListpackValue}
		first := 0
		if len(e.ZSet) > 0 {
			first = len(e.ZSet[0].Member)
		}
		z := store.NewZSet(zl, first)
		for _, m := range e.ZSet {
			z.Add(m.Member, m.Score, zl)
		}
		return store.KindZSet, nil, z
	}
	return store.KindNone, nil, nil
}

// WriteRewrite emits entry e as compact commands for a log rewrite.
func WriteRewrite(w *aof.RewriteWriter, e *store.Entry) error {
	key := []byte(e.Key())
	at := e.ExpireAt()
	switch e.Kind() {
	case store.KindString:
		return w.String(key, e.Str(), at)
	case store.KindList:
		return w.List(key, e.Obj().(*store.List).Each, at)
	case store.KindSet:
		return w.Set(key, e.Obj().(*store.Set).Each, at)
	case store.KindHash:
		return w.Hash(key, e.Obj().(*store.Hash).Each, at)
	case store.KindZSet:
		return w.ZSet(key, e.Obj().(*store.ZSet).Each, at)
	}
	return fmt.Errorf("key %q: unknown kind %d", e.Key(), e.Kind())
}
