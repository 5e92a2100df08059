package main

// Fast unit tests of the parsing and reporting helpers. They start no
// servers; the benchmark itself only runs through `go run`.

import (
	"bufio"
	"errors"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseBenchCSV(t *testing.T) {
	out := `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","32154.34","0.997","0.024","0.959","1.495","2.879","5.191"
"LPUSH (needed to benchmark LRANGE)","29895.37","1.110","0.072","0.975","1.783","5.711","17.471"
"LRANGE_100 (first 100 elements)","24968.79","1.330","0.136","1.191","2.111","5.591","13.495"
"MSET (10 keys)","31948.88","1.077","0.072","1.031","1.503","3.231","5.839"
`
	got, err := parseBenchCSV([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"set": 32154.34, "lrange_100": 24968.79, "mset": 31948.88}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestMedianPercentile(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	s := make([]float64, 1000)
	for i := range s {
		s[i] = float64(i + 1)
	}
	for q, want := range map[float64]float64{0.5: 500, 0.99: 990, 0.999: 999, 1: 1000} {
		if got := percentile(s, q); got != want {
			t.Errorf("p%v = %v, want %v", q, got, want)
		}
	}
}

func TestReadReplyAndInfo(t *testing.T) {
	in := "+OK\r\n-ERR nope\r\n:42\r\n$3\r\nfoo\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n$28\r\n# Memory\r\nused_memory:1234\r\n\r\n"
	r := bufio.NewReader(strings.NewReader(in))
	var got []reply
	for i := 0; i < 7; i++ {
		rep, err := readReply(r)
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		got = append(got, rep)
	}
	if got[0].str != "OK" || got[1].err() == nil || got[2].num != 42 || got[3].str != "foo" || !got[4].null ||
		len(got[5].arr) != 2 || got[5].arr[1].num != 1 {
		t.Errorf("decoded %+v", got)
	}
	if v, ok := infoField(got[6].str, "used_memory"); !ok || v != "1234" {
		t.Errorf("infoField = %q %v", v, ok)
	}
}

func TestTableMarkdown(t *testing.T) {
	tb := newTable("T", column{"ops", fmtOps})
	r := tb.row("SET")
	r.metrics[0].add(0, 200)
	r.metrics[0].add(1, 100)
	e := tb.row("ZADD")
	e.metrics[0].fail(0, errors.New("ERR unknown | command"))
	e.metrics[0].add(1, 50)
	md := tb.markdown()
	for _, want := range []string{"| SET | 200 | 100 | 2.00 |", "| ZADD | error: ERR unknown / command | 50 | — |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// The run groups cover every test once, in the table's order, so no row
// goes unmeasured and the rows keep their order.
func TestThroughputGroupsCoverTheTests(t *testing.T) {
	var flat []string
	for _, g := range throughputGroups {
		flat = append(flat, g...)
	}
	if strings.Join(flat, ",") != strings.Join(throughputTests, ",") {
		t.Fatalf("groups %v do not list the tests %v in order", throughputGroups, throughputTests)
	}
	for _, test := range throughputTests {
		if probes[test] == nil {
			t.Errorf("no probe for %s", test)
		}
	}
}

// procCPU must see CPU time the process spends: this test burns some and
// checks that the reading grows by about as much as the Go runtime's own
// account of it.
func TestProcCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("procCPU reads /proc/PID/stat (Linux)")
	}
	pid := os.Getpid()
	before, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	x := 0
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
		for i := range 1000 {
			x += i
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	after, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	used := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	cpuSink = x
	got := after - before
	// /proc counts in 10 ms ticks; allow two of them either way.
	if got < used-20*time.Millisecond || got > used+20*time.Millisecond {
		t.Fatalf("procCPU grew by %v; getrusage says %v", got, used)
	}
	if _, err := procCPU(-1); err == nil {
		t.Fatal("procCPU of a process that does not exist: no error")
	}
}

var cpuSink int // keeps TestProcCPU's loop from being optimised away

func TestRunCost(t *testing.T) {
	c := runCost{ok: true, requests: 1000, server: 15 * time.Millisecond, client: 900 * time.Millisecond, wall: time.Second}
	if got := c.serverPerRequest(); got != 15*time.Microsecond {
		t.Errorf("serverPerRequest = %v, want 15µs", got)
	}
	if got := c.clientBusy(); got != 0.9 {
		t.Errorf("clientBusy = %v, want 0.9", got)
	}
}

func TestRatioPairsRounds(t *testing.T) {
	var m metric
	// kevy is ahead in two rounds of three; the medians taken apart fall
	// on different rounds (kevy's on round 3, Redis's on round 1) and
	// would give 90/95 = 0.95.
	for _, p := range [][2]float64{{100, 95}, {60, 55}, {90, 100}} {
		m.add(0, p[0])
		m.add(1, p[1])
	}
	if got, want := m.ratio(), "1.05 (0.90–1.09)"; got != want {
		t.Errorf("ratio = %q, want %q", got, want)
	}
	var two metric
	two.add(0, 30)
	two.add(1, 20)
	two.add(0, 10)
	two.add(1, 20)
	if got, want := two.ratio(), "1.00"; got != want {
		t.Errorf("two rounds: ratio = %q, want %q (no range under 3 rounds)", got, want)
	}
	// A failed round: the sides no longer pair, so the medians are compared.
	var failed metric
	failed.add(0, 10)
	failed.add(0, 30)
	failed.add(0, 20)
	failed.add(1, 10)
	failed.fail(1, errors.New("boom"))
	failed.add(1, 40)
	if got, want := failed.ratio(), "0.80"; got != want {
		t.Errorf("unpaired: ratio = %q, want %q", got, want)
	}
	var none metric
	none.add(0, 1)
	if got := none.ratio(); got != "—" {
		t.Errorf("one side only: ratio = %q", got)
	}
}

func TestCalibratedN(t *testing.T) {
	for _, c := range []struct {
		n          int
		took, want time.Duration
		out        int
	}{
		{100000, 250 * time.Millisecond, 1500 * time.Millisecond, 600000},
		{100000, 700 * time.Millisecond, 1500 * time.Millisecond, 210000}, // 214285 to two digits
		{100000, 3 * time.Second, 1500 * time.Millisecond, 100000},        // never below n
		{4000, time.Millisecond, 1500 * time.Millisecond, 200000},         // at most 50·n
		{100000, 0, 1500 * time.Millisecond, 100000},                      // no measurement
	} {
		if got := calibratedN(c.n, c.took, c.want); got != c.out {
			t.Errorf("calibratedN(%d, %v, %v) = %d, want %d", c.n, c.took, c.want, got, c.out)
		}
	}
}

func TestRunDuration(t *testing.T) {
	d, ok := runDuration(map[string]float64{"set": 100000, "get": 50000}, nil, []string{"set", "get"}, 100000)
	if !ok || d != 3*time.Second {
		t.Errorf("set,get: %v %v, want 3s", d, ok)
	}
	if _, ok := runDuration(map[string]float64{"set": 100000}, nil, []string{"set", "get"}, 100000); ok {
		t.Errorf("a missing test still gave a duration")
	}
	if _, ok := runDuration(map[string]float64{"set": 100000}, map[string]error{"set": errors.New("x")}, []string{"set"}, 1); ok {
		t.Errorf("a failed test still gave a duration")
	}
}
