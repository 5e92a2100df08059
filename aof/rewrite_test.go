package aof

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kevy-db/kevy/vfs"
)

func TestRewriteWriter(t *testing.T) {
	var b strings.Builder
	w := NewRewriteWriter(&b)
	items := make([][]byte, 130)
	for i := range items {
		items[i] = []byte(strconv.Itoa(i))
	}
	w.String([]byte("s"), []byte("v"), 0)
	w.String([]byte("t"), []byte("v"), 1700000000123)
	w.Select(2)
	w.List([]byte("l"), slices.Values(items), 0)
	w.Set([]byte("set"), slices.Values(items[:2]), 1700000000000)
	w.Hash([]byte("h"), func(yield func([]byte, []byte) bool) {
		_ = yield([]byte("f1"), []byte("v1")) && yield([]byte("f2"), []byte("v2"))
	}, 0)
	w.ZSet([]byte("z"), func(yield func([]byte, float64) bool) {
		_ = yield([]byte("a"), 0.1) && yield([]byte("b"), math.Inf(-1)) && yield([]byte("c"), math.Inf(1)) && yield([]byte("d"), 1e300)
	}, 0)
	w.List([]byte("empty"), slices.Values([][]byte(nil)), 5)
	if err := w.Err(); err != nil {
		t.Fatal(err)
	}
	if w.Keys() != 6 {
		t.Fatalf("Keys = %d", w.Keys())
	}
	m := vfs.NewMem()
	writeRaw(t, m, "/r.aof", []byte(b.String()))
	got, _, err := replayAll(t, m, "/r.aof", nil)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	want.WriteString("SET s v\nSET t v PXAT 1700000000123\nSELECT 2\n")
	for _, chunk := range [][2]int{{0, 64}, {64, 128}, {128, 130}} {
		want.WriteString("RPUSH l")
		for i := chunk[0]; i < chunk[1]; i++ {
			fmt.Fprintf(&want, " %d", i)
		}
		want.WriteString("\n")
	}
	want.WriteString("SADD set 0 1\nPEXPIREAT set 1700000000000\nHSET h f1 v1 f2 v2\nZADD z 0.1 a -inf b inf c 1e+300 d\n")
	if join(got) != want.String() {
		t.Fatalf("got\n%s\nwant\n%s", join(got), want.String())
	}
	for _, s := range []string{"0.1", "-inf", "inf", "1e+300"} {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || string(FormatScore(nil, f)) != s {
			t.Fatalf("score %s does not round-trip", s)
		}
	}
	var nan strings.Builder
	if err := NewRewriteWriter(&nan).ZSet([]byte("z"), func(yield func([]byte, float64) bool) { yield([]byte("a"), math.NaN()) }, 0); err == nil {
		t.Fatal("NaN score accepted")
	}
}

// rewriteScenario: a log with writes in two databases, a rewrite whose
// dataset is written while more commands arrive, then more commands.
func TestRewriteHandOver(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(EverySec))
	defer l.Close()
	oldID := l.Stats().ID
	l.AppendCommandDB(0, cmd("SET", "a", "1")...)
	l.AppendCommandDB(5, cmd("SET", "b", "1")...)
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	rw, err := l.BeginRewrite(SelfContained)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.BeginRewrite(SelfContained); err == nil {
		t.Fatal("second rewrite allowed")
	}
	if p := rw.Point(); p.LogID != oldID || p.Size != l.Stats().Size {
		t.Fatalf("point %+v", p)
	}
	// Written meanwhile: in database 5 (current at the point), some
	// written to the old file, some still buffered at Commit.
	l.AppendCommandDB(5, cmd("INCR", "n")...)
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	// The dataset at the point, in database 0 then 5.
	dw := NewRewriteWriter(rw)
	dw.String([]byte("a"), []byte("1"), 0)
	dw.Select(5)
	dw.String([]byte("b"), []byte("1"), 0)
	dw.Select(0) // the dataset ends elsewhere; the tail must still go to 5
	if err := rw.CatchUp(); err != nil {
		t.Fatal(err)
	}
	l.AppendCommandDB(5, cmd("INCR", "n")...)
	if err := rw.Commit(); err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	if st.ID == oldID || st.ID != rw.ID() || st.Rewrites != 1 || st.BaseSize != st.Size || st.Buffered != 0 {
		t.Fatalf("stats after rewrite %+v", st)
	}
	l.AppendCommandDB(5, cmd("SET", "c", "1")...)
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	m.Crash()
	got, res, err := replayAll(t, m, "/a.aof", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "SET a 1\nSELECT 5\nSET b 1\nSELECT 0\nSELECT 5\nINCR n\nINCR n\nSET c 1\n"
	if join(got) != want || res.Marker.ID != rw.ID() || !res.Marker.SelfContained() {
		t.Fatalf("got %q marker %+v", join(got), res.Marker)
	}
	if names, _ := m.List("/"); len(names) != 1 {
		t.Fatalf("files left: %v", names)
	}
}

func TestRewriteAbort(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/a.aof", slowOpts(Always))
	defer l.Close()
	l.Wait(l.AppendCommand(cmd("SET", "a", "1")...))
	before := readFile(t, m, "/a.aof")
	rw, err := l.BeginRewrite(SelfContained)
	if err != nil {
		t.Fatal(err)
	}
	rw.Write(frame("SET", "x", "y"))
	if err := rw.Abort(); err != nil {
		t.Fatal(err)
	}
	if names, _ := m.List("/"); len(names) != 1 || string(readFile(t, m, "/a.aof")) != string(before) {
		t.Fatalf("abort left %v", names)
	}
	if err := l.Wait(l.AppendCommand(cmd("SET", "b", "2")...)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.BeginRewrite(SelfContained); err != nil {
		t.Fatalf("rewrite after abort: %v", err)
	}
}

// TestRewriteFaults fails every file operation of a rewrite and of a log
// reset in turn: the old log must stay intact and usable, and a later
// replay must see every record exactly once.
func TestRewriteFaults(t *testing.T) {
	for _, base := range []string{SelfContained, "snap1"} {
		for _, op := range []vfs.Op{vfs.OpCreate, vfs.OpOpen, vfs.OpWrite, vfs.OpSync, vfs.OpRename, vfs.OpDirSync} {
			for n := 1; n <= 4; n++ {
				name := fmt.Sprintf("%s/%v/%d", base, op, n)
				t.Run(name, func(t *testing.T) {
					m := vfs.NewMem()
					ff := vfs.NewFault(m)
					l := mustOpen(t, ff, "/a.aof", slowOpts(Always))
					defer l.Close()
					want := []string{}
					add := func(v string) {
						if err := l.Wait(l.AppendCommand(cmd("RPUSH", "l", v)...)); err != nil {
							t.Fatalf("append %s: %v", v, err)
						}
						want = append(want, "RPUSH l "+v)
					}
					add("0")
					ff.Inject(vfs.Fault{Op: op, N: n, Err: syscall.EIO})
					rw, err := l.BeginRewrite(base)
					dataset := base == SelfContained
					if err == nil {
						if dataset {
							NewRewriteWriter(rw).List([]byte("l"), slices.Values([][]byte{[]byte("0")}), 0)
						}
						l.AppendCommand(cmd("RPUSH", "l", "1")...) // buffered at Commit
						err = rw.Commit()
					} else {
						l.AppendCommand(cmd("RPUSH", "l", "1")...)
					}
					committed := l.Stats().Rewrites == 1
					want = append(want, "RPUSH l 1")
					ff.Heal()
					if err := l.Sync(); err != nil {
						t.Fatalf("after heal: %v", err)
					}
					if l.LastWriteErr() != nil {
						t.Fatalf("error state stuck: %v", l.LastWriteErr())
					}
					add("2")
					m.Crash()
					got, _, rerr := replayAll(t, m, "/a.aof", &ReplayOptions{})
					if rerr != nil {
						t.Fatal(rerr)
					}
					wantS := strings.Join(want, "\n") + "\n"
					if committed && !dataset {
						wantS = strings.Join(want[1:], "\n") + "\n" // reset: the snapshot holds "0"
					}
					gotS := strings.ReplaceAll(join(got), "SELECT 0\n", "")
					if gotS != wantS {
						t.Fatalf("fault fired=%d committed=%v err=%v\ngot  %q\nwant %q", ff.Fired(), committed, err, join(got), wantS)
					}
				})
			}
		}
	}
}

// Commit need not run under the caller's lock: records appended while the
// new file is being committed land in the new file, once each, in order.
func TestRewriteCommitConcurrentWithAppends(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, m, "/c.aof", slowOpts(EverySec))
	defer l.Close()
	for i := 0; i < 10; i++ {
		l.AppendCommandDB(0, cmd("INCR", "n")...)
	}
	rw, err := l.BeginRewrite(SelfContained)
	if err != nil {
		t.Fatal(err)
	}
	NewRewriteWriter(rw).String([]byte("n"), []byte("10"), 0)
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			l.AppendCommandDB(0, cmd("INCR", "n")...)
			n++
		}
	}()
	if err := rw.Commit(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	appended := <-done
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	m.Crash()
	got, _, err := replayAll(t, m, "/c.aof", nil)
	if err != nil {
		t.Fatal(err)
	}
	incrs := 0
	for _, c := range got {
		if string(c[0]) == "INCR" {
			incrs++
		}
	}
	if incrs != appended {
		t.Fatalf("%d INCRs appended after the point, %d in the new log", appended, incrs)
	}
}
