package aof

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kevy-db/kevy/vfs"
)

var fixedNow = func() time.Time { return time.Unix(1700000000, 0) }

func kevyFile(frames ...[]byte) []byte {
	return concat(append([][]byte{[]byte(Header), frame("KEVY.BASE", "00112233445566778899aabbccddeeff", "-")}, frames...)...)
}

func TestReplayMissingAndEmpty(t *testing.T) {
	m := vfs.NewMem()
	got, res, err := replayAll(t, m, "/none.aof", nil)
	if err != nil || len(got) != 0 || res.Marker != nil {
		t.Fatalf("missing: %v %v %+v", got, err, res)
	}
	writeRaw(t, m, "/empty.aof", nil)
	got, _, err = replayAll(t, m, "/empty.aof", nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
	writeRaw(t, m, "/hdr.aof", []byte(Header))
	got, res, err = replayAll(t, m, "/hdr.aof", nil)
	if err != nil || len(got) != 0 || !res.Header {
		t.Fatalf("header only: %v %v %+v", got, err, res)
	}
}

func TestReplayRedisFile(t *testing.T) {
	data, err := vfs.ReadFile(vfs.Default(), "testdata/redis-7.0.15.aof")
	if err != nil {
		t.Fatal(err)
	}
	m := vfs.NewMem()
	writeRaw(t, m, "/appendonly.aof", data)
	got, res, err := replayAll(t, m, "/appendonly.aof", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT 0\nset a 1\nSELECT 2\nRPUSH l x y z\nINCR n\nMSET p 1 q 2\n"
	if !strings.HasPrefix(join(got), want) || !strings.Contains(join(got), "SET t v PXAT ") {
		t.Fatalf("got %q", join(got))
	}
	if res.Header || res.Marker != nil || res.DB != 2 {
		t.Fatalf("result %+v", res)
	}
	mk, err := ReadMarker(m, "/appendonly.aof")
	if err != nil || mk == nil || mk.ID != "" || !mk.SelfContained() {
		t.Fatalf("legacy marker %+v %v", mk, err)
	}
}

func TestReplayTransactionAllOrNothing(t *testing.T) {
	m := vfs.NewMem()
	full := kevyFile(frame("SET", "a", "1"), frame("MULTI"), frame("INCR", "n"), frame("INCR", "n"), frame("EXEC"), frame("SET", "b", "2"))
	writeRaw(t, m, "/a.aof", full)
	got, _, err := replayAll(t, m, "/a.aof", nil)
	if err != nil || join(got) != "SET a 1\nINCR n\nINCR n\nSET b 2\n" {
		t.Fatalf("got %q %v", join(got), err)
	}

	// A transaction without EXEC at the end is a torn tail: none of it.
	cut := bytes.LastIndex(full, frame("EXEC"))
	writeRaw(t, m, "/b.aof", full[:cut])
	got, res, err := replayAll(t, m, "/b.aof", &ReplayOptions{LoadTruncated: true, Now: fixedNow})
	if err != nil || join(got) != "SET a 1\n" {
		t.Fatalf("got %q %v", join(got), err)
	}
	txStart := int64(bytes.Index(full, frame("MULTI")))
	if res.Torn == nil || res.Torn.Offset != txStart || res.Size != txStart {
		t.Fatalf("torn %+v", res.Torn)
	}
	if got := readFile(t, m, "/b.aof"); int64(len(got)) != txStart {
		t.Fatalf("log not cut: %d bytes", len(got))
	}
	if side := readFile(t, m, res.Torn.SideFile); !bytes.Equal(side, full[txStart:cut]) {
		t.Fatalf("side file %q", side)
	}

	for _, bad := range [][]byte{
		kevyFile(frame("EXEC")),
		kevyFile(frame("MULTI"), frame("MULTI"), frame("EXEC")),
	} {
		writeRaw(t, m, "/c.aof", append(bad, frame("SET", "x", "y")...))
		if _, _, err := replayAll(t, m, "/c.aof", nil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("bad transaction nesting: %v", err)
		}
	}
}

func TestReplayTornTailEveryCut(t *testing.T) {
	full := kevyFile(frame("SET", "a", "1"), frame("RPUSH", "l", "x", "y"), frame("SET", "b", "2"))
	ends := frameEnds(t, full)
	for cut := 1; cut < len(full); cut++ {
		m := vfs.NewMem()
		writeRaw(t, m, "/a.aof", full[:cut])
		// Not tolerated: error, file untouched.
		_, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{})
		complete := isEnd(ends, cut)
		if complete != (err == nil) {
			t.Fatalf("cut %d: LoadTruncated=false err = %v", cut, err)
		}
		if !complete && !errors.Is(err, ErrTornTail) {
			t.Fatalf("cut %d: %v is not ErrTornTail", cut, err)
		}
		if got := readFile(t, m, "/a.aof"); len(got) != cut {
			t.Fatalf("cut %d: file changed without LoadTruncated", cut)
		}
		// Tolerated: the prefix, and the file ends at a frame boundary.
		got, res, err := replayAll(t, m, "/a.aof", &ReplayOptions{LoadTruncated: true, Now: fixedNow})
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		good := lastEnd(ends, cut)
		if res.Size != int64(good) || len(readFile(t, m, "/a.aof")) != good {
			t.Fatalf("cut %d: size %d, want %d", cut, res.Size, good)
		}
		if want := countEnds(ends, cut) - 1; len(got) != max(want, 0) {
			t.Fatalf("cut %d: %d commands, want %d", cut, len(got), want)
		}
		if _, err := Check(m, "/a.aof"); err != nil {
			t.Fatal(err)
		}
		if cr, _ := Check(m, "/a.aof"); !cr.Valid() {
			t.Fatalf("cut %d: still invalid after replay: %v", cut, cr.Err)
		}
	}
}

// frameEnds lists the offsets where a record (header included) ends.
func frameEnds(t *testing.T, b []byte) []int {
	ends := []int{len(Header)}
	for off := len(Header); off < len(b); {
		i := bytes.Index(b[off+1:], []byte("\r\n*"))
		if i < 0 {
			ends = append(ends, len(b))
			break
		}
		off += 1 + i + 2
		ends = append(ends, off)
	}
	return ends
}

func isEnd(ends []int, n int) bool {
	for _, e := range ends {
		if e == n {
			return true
		}
	}
	return false
}

func lastEnd(ends []int, n int) int {
	best := 0
	for _, e := range ends {
		if e <= n {
			best = e
		}
	}
	return best
}

func countEnds(ends []int, n int) int {
	c := 0
	for _, e := range ends {
		if e <= n {
			c++
		}
	}
	return c - 1 // the header is not a command; the marker is subtracted by the caller
}

func TestReplayZeroTailIsTorn(t *testing.T) {
	m := vfs.NewMem()
	full := kevyFile(frame("SET", "a", "1"), frame("SET", "b", "2"))
	data := append(append([]byte{}, full[:len(full)-5]...), make([]byte, 300)...)
	writeRaw(t, m, "/a.aof", data)
	got, res, err := replayAll(t, m, "/a.aof", &ReplayOptions{LoadTruncated: true, Now: fixedNow})
	if err != nil || join(got) != "SET a 1\n" || res.Torn == nil {
		t.Fatalf("got %q %v %+v", join(got), err, res)
	}
}

func TestReplayCorruptMiddle(t *testing.T) {
	m := vfs.NewMem()
	good := kevyFile(frame("SET", "a", "1"))
	data := concat(good, []byte("hello world\r\n"), frame("SET", "b", "2"))
	writeRaw(t, m, "/a.aof", data)
	got, _, err := replayAll(t, m, "/a.aof", nil)
	var rerr *RecordError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &rerr) || errors.Is(err, ErrTornTail) {
		t.Fatalf("err = %v", err)
	}
	if rerr.Offset != int64(len(good)) || !strings.Contains(rerr.Preview, "hello world") ||
		!strings.Contains(err.Error(), "check-aof --fix") || !strings.Contains(err.Error(), "/a.aof") {
		t.Fatalf("error lacks location: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("delivered %d commands", len(got))
	}
	if !bytes.Equal(readFile(t, m, "/a.aof"), data) {
		t.Fatal("replay modified a corrupt log")
	}
}

func TestReplayStartOffset(t *testing.T) {
	m := vfs.NewMem()
	pre := kevyFile(frame("SELECT", "4"), frame("SET", "a", "1"))
	data := concat(pre, frame("SET", "b", "2"), frame("SET", "c", "3"))
	writeRaw(t, m, "/a.aof", data)
	got, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{StartOffset: int64(len(pre))})
	if err != nil || join(got) != "SELECT 4\nSET b 2\nSET c 3\n" {
		t.Fatalf("got %q %v", join(got), err)
	}
	got, _, err = replayAll(t, m, "/a.aof", &ReplayOptions{StartOffset: int64(len(data))})
	if err != nil || len(got) != 0 {
		t.Fatalf("from end: %q %v", join(got), err)
	}
	for _, off := range []int64{int64(len(pre)) + 3, int64(len(data)) + 1} {
		if _, _, err := replayAll(t, m, "/a.aof", &ReplayOptions{StartOffset: off}); !errors.Is(err, ErrMismatch) {
			t.Fatalf("offset %d: %v", off, err)
		}
	}
}

func TestReplayCallbackErrorAndProgress(t *testing.T) {
	m := vfs.NewMem()
	writeRaw(t, m, "/a.aof", kevyFile(frame("SET", "a", "1"), frame("BOGUS")))
	boom := errors.New("unknown command")
	_, err := Replay(m, "/a.aof", nil, func(args [][]byte) error {
		if string(args[0]) == "BOGUS" {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "BOGUS") {
		t.Fatalf("err = %v", err)
	}
	var calls, lastBytes, lastCmds int64
	_, err = Replay(m, "/a.aof", &ReplayOptions{ProgressInterval: 1, Progress: func(b, c int64) {
		calls++
		lastBytes, lastCmds = b, c
	}}, func([][]byte) error { return nil })
	if err != nil || calls < 2 || lastCmds != 2 || lastBytes != int64(len(readFile(t, m, "/a.aof"))) {
		t.Fatalf("progress calls %d last %d/%d err %v", calls, lastBytes, lastCmds, err)
	}
}

func TestReplayForeignText(t *testing.T) {
	m := vfs.NewMem()
	for _, data := range []string{
		"SET a 1\r\n",                     // inline command, no header
		Header + "SET a 1\r\n",            // inline after header
		"# some shell output\n",           // not a timestamp annotation
		"KEVYAOF2\n*1\r\n$4\r\nPING\r\n",  // unknown header version
		Header + "*1\r\n$4\r\nPING\r\nxx", // garbage after a record is not a torn record
	} {
		writeRaw(t, m, "/a.aof", []byte(data))
		_, _, err := replayAll(t, m, "/a.aof", nil)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: err = %v", data, err)
		}
	}
}

func TestCheckAndFix(t *testing.T) {
	m := vfs.NewMem()
	good := kevyFile(frame("SET", "a", "1"))
	data := concat(good, []byte("$$$garbage"), frame("SET", "b", "2"))
	writeRaw(t, m, "/a.aof", data)
	res, err := Check(m, "/a.aof")
	if err != nil || res.Valid() || res.GoodSize != int64(len(good)) || res.Commands != 1 {
		t.Fatalf("Check = %+v, %v", res, err)
	}
	cut, err := Fix(m, "/a.aof", fixedNow())
	if err != nil || cut == nil || cut.Offset != int64(len(good)) {
		t.Fatalf("Fix = %+v, %v", cut, err)
	}
	if !bytes.Equal(readFile(t, m, cut.SideFile), data[len(good):]) {
		t.Fatal("side file does not hold the cut bytes")
	}
	m.Crash() // both the cut and the side file are durable
	if !bytes.Equal(readFile(t, m, "/a.aof"), good) || !bytes.Equal(readFile(t, m, cut.SideFile), data[len(good):]) {
		t.Fatal("fix not durable")
	}
	if cut, err := Fix(m, "/a.aof", fixedNow()); cut != nil || err != nil {
		t.Fatalf("Fix of a valid file = %+v, %v", cut, err)
	}
	if _, err := Check(m, "/missing"); err == nil {
		t.Fatal("Check of a missing file succeeded")
	}
}

func TestOpenRefusesDamagedLog(t *testing.T) {
	m := vfs.NewMem()
	writeRaw(t, m, "/a.aof", kevyFile(frame("SET", "a", "1"))[:30])
	if _, err := Open(m, "/a.aof", nil); !errors.Is(err, ErrTornTail) {
		t.Fatalf("Open of torn log: %v", err)
	}
	writeRaw(t, m, "/b.aof", concat(kevyFile(), []byte("junk\r\n"), frame("SET", "a", "1")))
	if _, err := Open(m, "/b.aof", nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of corrupt log: %v", err)
	}
}

func TestRecordErrorUnwrap(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	e := &RecordError{Path: "p", Kind: ErrTornTail, Err: cause}
	if !errors.Is(e, ErrTornTail) || !errors.Is(e, cause) || errors.Is(e, ErrCorrupt) {
		t.Fatal("RecordError does not unwrap to its kind and cause")
	}
}
