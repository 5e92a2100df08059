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

// ToRDB describes entry e of database db as an rdb.Entry sharing e's bytes.
func ToRDB(db int, e *store.Entry) (*rdb.Entry, error) {
	out := &rdb.Entry{DB: db, Key: []byte(e.Key()), ExpireAt: e.ExpireAt(), Idle: -1, Freq: -1}
	switch e.Kind() {
	case store.KindString:
		out.Type, out.Str = rdb.TypeString, e.Str()
	case store.KindList:
		l := e.Obj().(*store.List)
		out.Type = rdb.TypeList
		out.List = make([][]byte, 0, l.Len())
		l.Each(func(v []byte) bool { out.List = append(out.List, v); return true })
	case store.KindSet:
		st := e.Obj().(*store.Set)
		out.Type = rdb.TypeSet
		out.Set = make([][]byte, 0, st.Len())
		st.Each(func(m []byte) bool { out.Set = append(out.Set, m); return true })
	case store.KindHash:
		h := e.Obj().(*store.Hash)
		out.Type = rdb.TypeHash
		out.Hash = make([]rdb.HashField, 0, h.Len())
		h.Each(func(f, v []byte) bool { out.Hash = append(out.Hash, rdb.HashField{Field: f, Value: v}); return true })
	case store.KindZSet:
		z := e.Obj().(*store.ZSet)
		out.Type = rdb.TypeZSet
		out.ZSet = make([]rdb.ZMember, 0, z.Len())
		z.Each(func(m []byte, s float64) bool {
			out.ZSet = append(out.ZSet, rdb.ZMember{Member: m, Score: s})
			return true
		})
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
