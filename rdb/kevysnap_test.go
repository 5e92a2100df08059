package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// snapBuilder writes KEVYSNAP records as kevy 1.x did.
type snapBuilder struct{ b []byte }

func newSnap(version byte) *snapBuilder {
	return &snapBuilder{b: append([]byte("KEVYSNAP"), version)}
}

func (s *snapBuilder) u32(v int) *snapBuilder {
	s.b = binary.LittleEndian.AppendUint32(s.b, uint32(v))
	return s
}

func (s *snapBuilder) bytes(v string) *snapBuilder {
	s.u32(len(v))
	s.b = append(s.b, v...)
	return s
}

func (s *snapBuilder) record(t byte, ttl int64, key string) *snapBuilder {
	s.b = append(s.b, t)
	if ttl < 0 {
		s.b = append(s.b, 0)
	} else {
		s.b = binary.LittleEndian.AppendUint64(append(s.b, 1), uint64(ttl))
	}
	return s.bytes(key)
}

func buildSnap(version byte, ttl int64) []byte {
	s := newSnap(version)
	s.record(1, -1, "str").bytes("value")
	s.record(2, ttl, "hash").u32(2).bytes("f1").bytes("v1").bytes("f2").bytes("v2")
	s.record(3, -1, "list").u32(3).bytes("a").bytes("b").bytes("c")
	s.record(4, -1, "set").u32(2).bytes("x").bytes("y")
	s.record(5, -1, "zset").u32(2).bytes("m1")
	s.b = binary.LittleEndian.AppendUint64(s.b, math.Float64bits(1.5))
	s.bytes("m2")
	s.b = binary.LittleEndian.AppendUint64(s.b, math.Float64bits(math.Inf(-1)))
	s.record(3, -1, "empty-list").u32(0)
	s.b = append(s.b, 0)
	return s.b
}

func TestReadKevySnap(t *testing.T) {
	const now = 1700000000000
	for _, tc := range []struct {
		version byte
		ttl     int64
		want    int64
	}{
		{2, 5000, now + 5000},             // relative: counted from now
		{3, 1800000000000, 1800000000000}, // absolute
	} {
		var got []*Entry
		err := ReadKevySnap(bytes.NewReader(buildSnap(tc.version, tc.ttl)), now, func(e *Entry) error {
			got = append(got, e)
			return nil
		})
		if err != nil {
			t.Fatalf("v%d: %v", tc.version, err)
		}
		want := []*Entry{
			{Key: []byte("str"), Type: TypeString, Str: []byte("value")},
			{Key: []byte("hash"), Type: TypeHash, Hash: fields("f1", "v1", "f2", "v2"), ExpireAt: tc.want},
			{Key: []byte("list"), Type: TypeList, List: strs("a", "b", "c")},
			{Key: []byte("set"), Type: TypeSet, Set: strs("x", "y")},
			{Key: []byte("zset"), Type: TypeZSet, ZSet: []ZMember{{[]byte("m1"), 1.5}, {[]byte("m2"), math.Inf(-1)}}},
		}
		if len(got) != len(want) {
			t.Fatalf("v%d: %d entries", tc.version, len(got))
		}
		for i := range want {
			want[i].Idle, want[i].Freq = -1, -1
			sameEntry(t, want[i], got[i])
		}
	}
}

func TestReadKevySnapErrors(t *testing.T) {
	good := buildSnap(3, 1)
	stop := errors.New("stop")
	if err := ReadKevySnap(bytes.NewReader(good), 0, func(*Entry) error { return stop }); err != stop {
		t.Fatalf("callback error not returned as is: %v", err)
	}
	for n := 0; n < len(good); n++ {
		err := ReadKevySnap(bytes.NewReader(good[:n]), 0, func(*Entry) error { return nil })
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
	for name, tc := range map[string]struct {
		data []byte
		want error
	}{
		"magic":     {[]byte("KEVYSNAQ\x03\x00"), ErrCorrupt},
		"version":   {[]byte("KEVYSNAP\x04\x00"), ErrUnsupported},
		"type":      {[]byte("KEVYSNAP\x03\x09"), ErrCorrupt},
		"ttl flag":  {[]byte("KEVYSNAP\x03\x01\x02"), ErrCorrupt},
		"trailing":  {append(bytes.Clone(good), 1), ErrCorrupt},
		"forged":    {newSnap(3).record(3, -1, "l").u32(-1).bytes("a").b, ErrTruncated},
		"dup field": {append(newSnap(3).record(2, -1, "h").u32(2).bytes("f").bytes("1").bytes("f").bytes("2").b, 0), ErrCorrupt},
	} {
		err := ReadKevySnap(bytes.NewReader(tc.data), 0, func(*Entry) error { return nil })
		if !errors.Is(err, tc.want) || ErrorOffset(err) < 0 {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
}
