package command

import (
	"strconv"
	"strings"
	"testing"
)

func TestLatencyMonitor(t *testing.T) {
	te := newTestEnv(t)
	step := int64(0)
	slowClock(te, &step)
	te.e.SetSlowlog(-1, 128)
	// Off (the default): nothing is recorded, replies are empty.
	step = 1e6
	te.cmd("SET a 1")
	step = 0
	te.expect("LATENCY LATEST", "*0\r\n")
	te.expect("LATENCY HISTORY command", "*0\r\n")
	te.expect("LATENCY RESET", ":0\r\n")

	te.e.SetLatencyThreshold(5)
	step = 4999 // 4 ms: under the threshold
	te.cmd("SET a 1")
	step = 0
	te.expect("LATENCY LATEST", "*0\r\n")
	step = 7000
	te.cmd("SET a 1") // 7 ms, a "command"
	step = 5000
	te.cmd("GET a") // 5 ms, a "fast-command"
	te.cmd("SET a 2")
	step = 0
	r := te.cmd("LATENCY LATEST")
	// Events sorted by name; SET's two samples fell in one second, whose
	// sample keeps the larger latency; latest is that merged sample.
	if !strings.HasPrefix(r, "*2\r\n*4\r\n$7\r\ncommand\r\n:") || !strings.Contains(r, "\r\n:7\r\n:7\r\n*4\r\n$12\r\nfast-command\r\n") {
		t.Errorf("LATENCY LATEST: %q", r)
	}
	if r := te.cmd("LATENCY HISTORY command"); !strings.HasPrefix(r, "*1\r\n*2\r\n:") || !strings.HasSuffix(r, "\r\n:7\r\n") {
		t.Errorf("LATENCY HISTORY: %q", r)
	}
	if ev := te.e.lat.events["command"]; ev == nil || ev.max != 7 || len(ev.samples) != 1 {
		t.Errorf("command event %+v", ev)
	}
	// A new second gets its own sample; the history keeps the last 160.
	step = 1e6
	for i := 0; i < latencyHistoryLen+5; i++ {
		te.cmd("SET a 1")
	}
	if ev := te.e.lat.events["command"]; len(ev.samples) != latencyHistoryLen || ev.max != 1000 {
		t.Errorf("after many seconds: %d samples, max %d", len(ev.samples), ev.max)
	}
	step = 0
	te.e.SetLatencyThreshold(0)
	te.expect("LATENCY RESET fast-command nosuch", ":1\r\n")
	te.expect("LATENCY RESET", ":1\r\n")
	te.expect("LATENCY LATEST", "*0\r\n")
}

func TestMemoryUsage(t *testing.T) {
	te := newTestEnv(t)
	te.expect("MEMORY USAGE nokey", "$-1\r\n")
	te.expect("MEMORY USAGE k SAMPLES -1", "-ERR syntax error\r\n")
	te.expect("MEMORY USAGE k SAMPLES x", "-ERR value is not an integer or out of range\r\n")
	te.cmd("SET k " + strings.Repeat("v", 1000))
	big := te.st.DB(0).Peek([]byte("k"))
	if got, want := memUsage(big, 5), memEntry+1+1000; got != want {
		t.Errorf("string usage %d, want %d", got, want)
	}
	if r := te.cmd("MEMORY USAGE k"); r != ":"+strconv.FormatInt(memEntry+1001, 10)+"\r\n" {
		t.Errorf("MEMORY USAGE k: %q", r)
	}
	// A list of equal elements: sampling extrapolates to the exact sum.
	args := []string{"RPUSH", "l"}
	for i := 0; i < 100; i++ {
		args = append(args, "abcdefghij")
	}
	te.do(args...)
	ent := te.st.DB(0).Peek([]byte("l"))
	want := memEntry + 1 + 100*(10+memListElem)
	if got := memUsage(ent, 5); got != want {
		t.Errorf("sampled list usage %d, want %d", got, want)
	}
	if got := memUsage(ent, math64Max); got != want {
		t.Errorf("full list usage %d, want %d", got, want)
	}
}

const math64Max = 1<<63 - 1
