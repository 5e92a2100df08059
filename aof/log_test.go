package aof

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kevy-db/kevy/vfs"
)

func TestOpenCreatesHeaderAndMarker(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	id := l.Stats().ID
	if len(id) != idLen {
		t.Fatalf("id %q", id)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	want := concat([]byte(Header), frame("KEVY.BASE", id, "-"))
	if got := readFile(t, m, "/a.aof"); !bytes.Equal(got, want) {
		t.Fatalf("file %q, want %q", got, want)
	}
	mk, err := ReadMarker(m, "/a.aof")
	if err != nil || mk == nil || mk.ID != id || !mk.SelfContained() {
		t.Fatalf("ReadMarker = %+v, %v", mk, err)
	}
	// The creation is durable: header and marker survive a crash.
	m.Crash()
	if got := readFile(t, m, "/a.aof"); !bytes.Equal(got, want) {
		t.Fatalf("after crash %q", got)
	}
}

func TestAppendWaitReplayEachPolicy(t *testing.T) {
	for _, p := range []Policy{Always, EverySec, No} {
		t.Run(p.String(), func(t *testing.T) {
			m := vfs.NewMem()
			l := mustOpen(t, m, "/a.aof", slowOpts(p))
			want := setCmds(10)
			for _, c := range want {
				if err := l.Wait(l.AppendCommand(c...)); err != nil {
					t.Fatal(err)
				}
			}
			st := l.Stats()
			if st.Buffered != 0 || st.Size != int64(len(readFile(t, m, "/a.aof"))) {
				t.Fatalf("stats %+v", st)
			}
			if p == Always && st.Durable != st.Written {
				t.Fatalf("always: durable %d < written %d", st.Durable, st.Written)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			got, res, err := replayAll(t, m, "/a.aof", nil)
			if err != nil {
				t.Fatal(err)
			}
			if join(got) != join(want) || res.Marker == nil || res.Marker.ID != st.ID {
				t.Fatalf("replayed %q marker %+v", join(got), res.Marker)
			}
		})
	}
}

func TestReopenAppendsAndTracksDB(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(EverySec))
	l.AppendCommandDB(3, cmd("SET", "a", "1")...)
	id := l.Stats().ID
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = mustOpen(t, m, "/a.aof", slowOpts(EverySec))
	if l.Stats().ID != id {
		t.Fatal("id changed on reopen")
	}
	// Database 3 is still selected: no SELECT needed; database 0 needs one.
	l.AppendCommandDB(3, cmd("SET", "b", "2")...)
	l.AppendCommandDB(0, cmd("SET", "c", "3")...)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := replayAll(t, m, "/a.aof", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT 3\nSET a 1\nSET b 2\nSELECT 0\nSET c 3\n"
	if join(got) != want {
		t.Fatalf("got %q", join(got))
	}
}

func TestSetPolicyToAlwaysSyncsBacklog(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(No))
	defer l.Close()
	off := l.AppendCommand(cmd("SET", "a", "1")...)
	if err := l.Wait(off); err != nil {
		t.Fatal(err)
	}
	if s, _ := m.SyncedSize("/a.aof"); s >= off {
		t.Fatalf("policy no synced eagerly")
	}
	l.AppendCommand(cmd("SET", "b", "2")...) // buffered, not waited for
	if err := l.SetPolicy(Always); err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	if s, _ := m.SyncedSize("/a.aof"); s < st.Size || st.Durable != st.Written || st.Buffered != 0 {
		t.Fatalf("after SetPolicy(always): synced %d, stats %+v", s, st)
	}
}

func TestEverySecBackgroundSync(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", fastOpts(EverySec))
	defer l.Close()
	off := l.AppendCommand(cmd("SET", "a", "1")...)
	// Nobody waits: the background work must still write and fsync it.
	for l.Stats().Durable < off {
		waitTick(l)
	}
	if s, _ := m.SyncedSize("/a.aof"); s < off {
		t.Fatalf("synced %d < %d", s, off)
	}
}

// waitTick runs one round of background work synchronously, which makes
// tests independent of the ticker's timing.
func waitTick(l *Log) { l.tick() }

func TestClosedLog(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	off := l.AppendCommand(cmd("SET", "a", "1")...)
	if err := l.Wait(off); !errors.Is(err, ErrClosed) {
		t.Fatalf("Wait after Close: %v", err)
	}
	if _, err := l.BeginRewrite(SelfContained); !errors.Is(err, ErrClosed) {
		t.Fatalf("BeginRewrite after Close: %v", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{Policy: 7}, {SyncInterval: -1}, {Base: "bad id!"}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if _, err := ParsePolicy("sometimes"); err == nil {
		t.Error("ParsePolicy accepted nonsense")
	}
	for _, p := range []Policy{Always, EverySec, No} {
		if q, err := ParsePolicy(p.String()); err != nil || q != p {
			t.Errorf("round trip %v: %v %v", p, q, err)
		}
	}
}

func TestAutoRewrite(t *testing.T) {
	a := DefaultAutoRewrite()
	cases := []struct {
		size, base int64
		want       bool
	}{
		{10 << 20, 1 << 20, false},   // below min size
		{128 << 20, 64 << 20, true},  // doubled
		{127 << 20, 64 << 20, false}, // 98 %
		{64 << 20, 0, true},
	}
	for _, c := range cases {
		if got := a.Due(c.size, c.base); got != c.want {
			t.Errorf("Due(%d, %d) = %v", c.size, c.base, got)
		}
	}
	if (AutoRewrite{Percentage: 0}).Due(1<<40, 1) {
		t.Error("percentage 0 must disable")
	}
}

func TestRawSelectFrameTracked(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	l.Append(frame("select", "7"))
	l.AppendCommandDB(7, cmd("SET", "a", "1")...)
	l.AppendCommand(cmd("SELECT", "8")...)
	l.AppendCommandDB(8, cmd("SET", "b", "1")...)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := replayAll(t, m, "/a.aof", nil)
	if err != nil || join(got) != "select 7\nSET a 1\nSELECT 8\nSET b 1\n" {
		t.Fatalf("got %q %v", join(got), err)
	}
}

// TestOpenTrustsAJustFinishedReplay: given the replay's result, Open
// continues the log exactly as it would after reading it itself, and reads
// it itself when the file no longer ends where the replay found its end.
func TestOpenTrustsAJustFinishedReplay(t *testing.T) {
	for _, stale := range []bool{false, true} {
		m := vfs.NewMem()
		l := mustOpen(t, m, "/a.aof", slowOpts(EverySec))
		l.AppendCommandDB(3, cmd("SET", "a", "1")...)
		id := l.Stats().ID
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		_, res, err := replayAll(t, m, "/a.aof", nil)
		if err != nil {
			t.Fatal(err)
		}
		if stale {
			// Written after the replay: the result no longer describes the file.
			writeRaw(t, m, "/a.aof", concat(readFile(t, m, "/a.aof"), frame("SELECT", "5"), frame("SET", "x", "y")))
		}
		opts := slowOpts(EverySec)
		opts.Replayed = res
		l = mustOpen(t, m, "/a.aof", opts)
		if l.Stats().ID != id {
			t.Fatal("id changed on reopen")
		}
		l.AppendCommandDB(3, cmd("SET", "b", "2")...)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		got, _, err := replayAll(t, m, "/a.aof", nil)
		if err != nil {
			t.Fatal(err)
		}
		want := "SELECT 3\nSET a 1\nSET b 2\n"
		if stale {
			want = "SELECT 3\nSET a 1\nSELECT 5\nSET x y\nSELECT 3\nSET b 2\n"
		}
		if join(got) != want {
			t.Fatalf("stale=%v: got %q, want %q", stale, join(got), want)
		}
	}
}
