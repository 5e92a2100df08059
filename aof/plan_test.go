package aof

import (
	"errors"
	"testing"
)

func TestPlan(t *testing.T) {
	const logA, logB, snap1, snap2 = "aaaa", "bbbb", "s1", "s2"
	snap := func(id, aof string, off int64) *SnapInfo {
		return &SnapInfo{Path: "/dump.rdb", SnapID: id, AOFID: aof, AOFOffset: off}
	}
	mk := func(id, base string) *Marker { return &Marker{Path: "/a.aof", ID: id, Base: base} }
	cases := []struct {
		name string
		snap *SnapInfo
		log  *Marker
		want LoadPlan
		err  error
	}{
		{"nothing", nil, nil, LoadPlan{Base: "-"}, nil},
		{"snapshot only", snap(snap1, logA, 10), nil, LoadPlan{LoadSnapshot: true, Base: snap1}, nil},
		{"foreign snapshot only", snap("", "", 0), nil, LoadPlan{LoadSnapshot: true, Base: "-"}, nil},
		{"log only", nil, mk(logA, "-"), LoadPlan{ReplayLog: true, Base: "-"}, nil},
		{"legacy log only", nil, mk("", "-"), LoadPlan{ReplayLog: true, Base: "-"}, nil},
		// Crash between the snapshot's rename and the log reset.
		{"same log", snap(snap1, logA, 123), mk(logA, "-"), LoadPlan{LoadSnapshot: true, ReplayLog: true, ReplayFrom: 123, Base: "-"}, nil},
		{"same log based", snap(snap2, logA, 50), mk(logA, snap1), LoadPlan{LoadSnapshot: true, ReplayLog: true, ReplayFrom: 50, Base: snap1}, nil},
		// After the reset.
		{"log continues snapshot", snap(snap1, logA, 123), mk(logB, snap1), LoadPlan{LoadSnapshot: true, ReplayLog: true, Base: snap1}, nil},
		// After a rewrite: the log has everything.
		{"self-contained log wins", snap(snap1, logA, 123), mk(logB, "-"), LoadPlan{ReplayLog: true, Base: "-"}, nil},
		{"legacy log wins", snap(snap1, logA, 123), mk("", "-"), LoadPlan{ReplayLog: true, Base: "-"}, nil},
		// Empty ids never match each other.
		{"empty ids", snap("", "", 5), mk("", "-"), LoadPlan{ReplayLog: true, Base: "-"}, nil},
		{"wrong snapshot", snap(snap2, logA, 1), mk(logB, snap1), LoadPlan{}, ErrMismatch},
		{"missing snapshot", nil, mk(logB, snap1), LoadPlan{}, ErrMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Plan(c.snap, c.log)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			got.Reason = ""
			if got != c.want {
				t.Fatalf("plan = %+v, want %+v", got, c.want)
			}
		})
	}
	_, err := Plan(snap(snap2, logA, 1), mk(logB, snap1))
	for _, s := range []string{"/a.aof", "/dump.rdb", logB, snap1, snap2} {
		if !contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}
