//go:build linux

package crash

import (
	"fmt"
	"io"
	"math/rand"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// counter is what the test knows about one writer's key(s).
type counter struct {
	key  string // the INCR key, or a_i of a pair
	pair string // b_i of a pair; "" for a plain INCR writer
	// acked is the last value the server acknowledged (or recovered at the
	// last restart); inflight says a request was sent, or being sent, and
	// its reply never came: it may or may not have been applied.
	acked    int64
	inflight bool
	acks     int64 // acknowledgements in the current cycle
}

// stats are one test's numbers, printed at the end of the run.
type stats struct {
	cycles         int
	acked          int64 // acknowledged writes (INCRs; a transaction counts once)
	inflight       int64 // requests in flight at a kill
	inflightLanded int64 // ... of which the restart showed applied
	lost           int64 // recovered below the last acknowledged value
	duplicated     int64 // recovered above the last acknowledged value (+1 if in flight)
	tornTx         int64 // a_i != b_i after a restart
	jobs           map[string]int64
	plans          map[string]int64
	kills          map[string]int64
	files          map[string]int64 // temporary files seen after kills and restarts
}

var (
	summaryMu sync.Mutex
	summary   = map[string]*stats{}
)

func statsFor(t *testing.T) *stats {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	s := summary[t.Name()]
	if s == nil {
		s = &stats{jobs: map[string]int64{}, plans: map[string]int64{}, kills: map[string]int64{}, files: map[string]int64{}}
		summary[t.Name()] = s
	}
	return s
}

func (s *stats) String() string {
	return fmt.Sprintf("cycles=%d acked=%d inflight_at_kill=%d inflight_landed=%d lost=%d duplicated=%d torn_tx=%d kills=%v plans=%v jobs=%v temp_files=%v",
		s.cycles, s.acked, s.inflight, s.inflightLanded, s.lost, s.duplicated, s.tornTx, fmtMap(s.kills), fmtMap(s.plans), fmtMap(s.jobs), fmtMap(s.files))
}

func fmtMap(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + strconv.FormatInt(m[k], 10)
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func printSummary(w io.Writer) {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	if len(summary) == 0 {
		return
	}
	names := make([]string, 0, len(summary))
	for n := range summary {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "crash test summary:")
	var tot stats
	for _, n := range names {
		s := summary[n]
		fmt.Fprintf(w, "  %-40s %s\n", n, s)
		tot.cycles += s.cycles
		tot.acked += s.acked
		tot.inflight += s.inflight
		tot.inflightLanded += s.inflightLanded
		tot.lost += s.lost
		tot.duplicated += s.duplicated
		tot.tornTx += s.tornTx
	}
	fmt.Fprintf(w, "  TOTAL: kill/restart cycles=%d acknowledged writes=%d in flight at kills=%d (landed %d) lost=%d duplicated=%d torn transactions=%d\n",
		tot.cycles, tot.acked, tot.inflight, tot.inflightLanded, tot.lost, tot.duplicated, tot.tornTx)
}

// workload describes what runs against the server during a cycle.
type workload struct {
	policy   string // appendfsync
	incr     int    // INCR writers
	tx       int    // MULTI/EXEC pair writers
	filler   int    // filler keys written once at the start (a dataset for snapshots to walk)
	fillSize int    // bytes per filler value
	bulk     bool   // a writer that keeps overwriting filler keys (log volume during jobs)
	// chaos is the persistence command issued over and over while the
	// writers run: "", "BGREWRITEAOF", "BGSAVE", "SAVE", or "mixed".
	chaos string
	// kill chooses the moment of the SIGKILL: "random" (a seeded delay),
	// "mid-job" (while the chaos command's job runs), "after-rename" (just
	// after the job's file was renamed into place), or "mixed".
	kill               string
	minDelay, maxDelay time.Duration // of the random kill, counted from the writers' start
	// killStarts also kills some restarts a few milliseconds in, while the
	// server loads (replays, cuts a torn tail, creates a log).
	killStarts bool
}

// crashTest is a run of kill/restart cycles on one data directory.
type crashTest struct {
	t        *testing.T
	rng      *rand.Rand
	dir      string
	w        workload
	counters []*counter
	st       *stats
	keys     int    // keys the dataset must have after any restart
	cur      string // the running server's appendfsync policy
}

func newCrashTest(t *testing.T, w workload) *crashTest {
	ct := &crashTest{t: t, rng: newRand(t), dir: t.TempDir(), w: w, st: statsFor(t)}
	for i := range w.incr {
		ct.counters = append(ct.counters, &counter{key: fmt.Sprintf("c:%03d", i)})
	}
	for i := range w.tx {
		ct.counters = append(ct.counters, &counter{key: fmt.Sprintf("a:%03d", i), pair: fmt.Sprintf("b:%03d", i)})
	}
	t.Cleanup(func() { t.Logf("%s", ct.st) })
	return ct
}

// run performs cycles kill/restart cycles and a final restart check.
func (ct *crashTest) run(cycles int) {
	t := ct.t
	srv := startServer(t, ct.dir, ct.policy())
	ct.populate(srv)
	for i := range cycles {
		ct.cycle(srv, i)
		if t.Failed() {
			return
		}
		ct.noteFiles("at kill")
		if ct.w.killStarts && ct.rng.Intn(2) == 0 {
			ct.killDuringStart()
		}
		srv = startServer(t, ct.dir, ct.policy())
		ct.verify(srv)
		if t.Failed() {
			return
		}
	}
	srv.kill()
}

// policy is the appendfsync policy for the next start: the workload's, or
// a random one for "mixed" (a log written under one policy must load and
// continue under another).
func (ct *crashTest) policy() string {
	p := ct.w.policy
	if p == "mixed" {
		p = []string{"always", "everysec", "no"}[ct.rng.Intn(3)]
	}
	ct.cur = p
	return p
}

// killDuringStart starts a server and kills it at a random instant of its
// first 60 ms, usually while it loads.
func (ct *crashTest) killDuringStart() {
	srv := launch(ct.t, ct.dir, ct.policy())
	d := time.Duration(ct.rng.Int63n(int64(60 * time.Millisecond)))
	select {
	case <-srv.exited:
		ct.t.Fatalf("server exited during start: %s", tail(srv.out.String(), 2000))
	case <-time.After(d):
	}
	label := "during start (before ready)"
	if strings.Contains(srv.out.String(), readyLine) {
		label = "during start (after ready)"
	}
	srv.kill()
	ct.st.kills[label]++
}

// noteFiles counts the temporary and side files in the directory.
func (ct *crashTest) noteFiles(when string) {
	for _, n := range listDir(ct.t, ct.dir) {
		if i := strings.Index(n, ".tmp-"); i >= 0 {
			ct.st.files[when+": "+n[:i+len(".tmp-")]+"*"]++
		}
	}
}

// populate writes every counter as 0 and the filler keys, and checks them.
func (ct *crashTest) populate(srv *server) {
	t := ct.t
	c, err := dial(srv.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.close()
	n := 0
	for _, k := range ct.counters {
		c.send("SET", k.key, "0")
		n++
		if k.pair != "" {
			c.send("SET", k.pair, "0")
			n++
		}
	}
	val := strings.Repeat("f", ct.w.fillSize)
	for i := range ct.w.filler {
		c.send("SET", fillerKey(i), val)
		n++
		if n%1000 == 0 {
			ct.expectOKs(c, 1000)
			n = 0
		}
	}
	ct.expectOKs(c, n)
	ct.keys = len(ct.counters) + ct.w.filler
	for _, k := range ct.counters {
		if k.pair != "" {
			ct.keys++
		}
	}
	ct.checkKeyCount(c)
}

func fillerKey(i int) string { return "fill:" + strconv.Itoa(i) }

func (ct *crashTest) expectOKs(c *client, n int) {
	t := ct.t
	if err := c.flush(); err != nil {
		t.Fatalf("populate: %v", err)
	}
	for range n {
		r, err := c.recv()
		if err != nil || r.typ != '+' {
			t.Fatalf("populate: SET answered %v, %v", r, err)
		}
	}
}

func (ct *crashTest) checkKeyCount(c *client) {
	r, err := c.do("DBSIZE")
	if err != nil || r.typ != ':' {
		ct.t.Fatalf("DBSIZE answered %v, %v", r, err)
	}
	if r.num != int64(ct.keys) {
		ct.t.Errorf("DBSIZE is %d, want %d: keys were lost or invented", r.num, ct.keys)
	}
}

// verify checks the recovered dataset against what was acknowledged, and
// makes the recovered values the writers' starting point.
func (ct *crashTest) verify(srv *server) {
	t := ct.t
	ct.st.plans[planCase(srv.planReason())]++
	c, err := dial(srv.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.close()
	args := []string{"MGET"}
	for _, k := range ct.counters {
		args = append(args, k.key)
		if k.pair != "" {
			args = append(args, k.pair)
		}
	}
	r, err := c.do(args...)
	if err != nil || r.typ != '*' || len(r.elems) != len(args)-1 {
		t.Fatalf("MGET answered %v, %v", r, err)
	}
	vals := r.elems
	num := func(key string, e reply) int64 {
		v, err := strconv.ParseInt(e.str, 10, 64)
		if e.typ != '$' || e.null || err != nil {
			t.Errorf("%s recovered as %s, want an integer", key, e)
			return -1
		}
		return v
	}
	for _, k := range ct.counters {
		v := num(k.key, vals[0])
		vals = vals[1:]
		if k.pair != "" {
			b := num(k.pair, vals[0])
			vals = vals[1:]
			if b != v {
				ct.st.tornTx++
				t.Errorf("transaction replayed partially: %s=%d but %s=%d (last acknowledged %d, in flight %v)", k.key, v, k.pair, b, k.acked, k.inflight)
			}
		}
		hi := k.acked
		if k.inflight {
			hi++
		}
		switch {
		case v < k.acked:
			ct.st.lost++
			t.Errorf("LOST acknowledged writes: %s recovered as %d, but %d was acknowledged (policy %s)", k.key, v, k.acked, ct.cur)
		case v > hi:
			ct.st.duplicated++
			t.Errorf("write APPLIED TWICE: %s recovered as %d, last acknowledged %d, in flight %v (policy %s)", k.key, v, k.acked, k.inflight, ct.cur)
		case k.inflight && v == hi:
			ct.st.inflightLanded++
		}
		k.acked, k.inflight = v, false
	}
	ct.checkKeyCount(c)
	inf, err := c.info("persistence")
	if err != nil {
		t.Fatalf("INFO: %v", err)
	}
	if inf["loading"] != "0" || inf["aof_enabled"] != "1" || inf["aof_last_write_status"] != "ok" {
		t.Errorf("after restart INFO persistence says loading=%s aof_enabled=%s aof_last_write_status=%s",
			inf["loading"], inf["aof_enabled"], inf["aof_last_write_status"])
	}
	// An interrupted rewrite's temporary log must be gone: the log's Open
	// removes it.
	for _, n := range listDir(t, ct.dir) {
		if strings.HasPrefix(n, "appendonly.aof.tmp-") {
			t.Errorf("temporary log %s left after restart", n)
		}
	}
	ct.noteFiles("after restart")
}

// cycle runs the workload on srv and kills it.
func (ct *crashTest) cycle(srv *server, n int) {
	t := ct.t
	ct.st.cycles++
	var killed atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, len(ct.counters)+4)
	stop := make(chan struct{}) // never closed: the writers run until the kill
	for _, k := range ct.counters {
		k.acks = 0
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runWriter(srv.addr, k, &killed, stop); err != nil {
				errs <- err
			}
		}()
	}
	if ct.w.bulk {
		seed := ct.rng.Int63()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runBulk(srv.addr, ct.w, seed, &killed); err != nil {
				errs <- err
			}
		}()
	}
	started := make(chan string, 1024) // the chaos command's accepted starts
	var jobMu sync.Mutex
	jobs := map[string]int64{}
	if ct.w.chaos != "" {
		seed := ct.rng.Int63()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runChaos(srv.addr, ct.w.chaos, seed, &killed, started, &jobMu, jobs); err != nil {
				errs <- err
			}
		}()
	}

	mode := ct.w.kill
	if mode == "mixed" {
		mode = []string{"random", "mid-job", "after-rename"}[ct.rng.Intn(3)]
	}
	if ct.w.chaos == "" {
		mode = "random"
	}
	delay := ct.w.minDelay + time.Duration(ct.rng.Int63n(int64(ct.w.maxDelay-ct.w.minDelay)+1))
	label := ct.waitKillMoment(srv, mode, delay, started)
	ct.st.kills[label]++

	killed.Store(true)
	srv.kill()
	waitGroup(t, &wg, 30*time.Second)
	close(errs)
	for err := range errs {
		t.Errorf("cycle %d: %v", n, err)
	}
	var acks int64
	inflight := 0
	for _, k := range ct.counters {
		acks += k.acks
		if k.inflight {
			inflight++
		}
	}
	ct.st.acked += acks
	ct.st.inflight += int64(inflight)
	jobMu.Lock()
	for k, v := range jobs {
		ct.st.jobs[k] += v
	}
	jobMu.Unlock()
	t.Logf("cycle %d: policy %s, killed at %s after %d acknowledged writes (%d in flight), jobs started %v",
		n, ct.cur, label, acks, inflight, fmtMap(jobs))
	if acks == 0 {
		t.Errorf("cycle %d: no write was acknowledged before the kill: the cycle tested nothing", n)
	}
}

// waitKillMoment returns when the server should be killed, and a label
// saying which moment it was.
func (ct *crashTest) waitKillMoment(srv *server, mode string, delay time.Duration, started <-chan string) string {
	t := ct.t
	timer := time.NewTimer(delay)
	defer timer.Stop()
	switch mode {
	case "random":
		<-timer.C
		return "random"
	case "mid-job":
		// After the delay, the next time a job is seen running.
		<-timer.C
		if ct.w.chaos == "SAVE" || ct.w.chaos == "mixed" {
			// SAVE blocks the server (INFO would wait for it): kill a
			// random instant after a start was accepted... or sent.
			drain(started)
			select {
			case <-started:
			case <-time.After(5 * time.Second):
				return "mid-job(missed)"
			}
			time.Sleep(time.Duration(ct.rng.Int63n(int64(20 * time.Millisecond))))
			return "mid-job(after start)"
		}
		c, err := dial(srv.addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.close()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			inf, err := c.info("persistence")
			if err != nil {
				t.Fatalf("INFO: %v", err)
			}
			if inf["rdb_bgsave_in_progress"] == "1" || inf["aof_rewrite_in_progress"] == "1" {
				return "mid-job"
			}
		}
		return "mid-job(missed)"
	case "after-rename":
		// After the delay, poll the job's target file until it is replaced:
		// the kill then lands between the rename and whatever follows it
		// (for a snapshot: the log reset that hands the log over to it).
		<-timer.C
		target := "appendonly.aof"
		if ct.w.chaos == "BGSAVE" || ct.w.chaos == "SAVE" || (ct.w.chaos == "mixed" && ct.rng.Intn(2) == 0) {
			target = "dump.rdb"
		}
		path := filepath.Join(ct.dir, target)
		before := inode(path)
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if ino := inode(path); ino != before && ino != 0 {
				return "after-rename(" + target + ")"
			}
		}
		return "after-rename(missed)"
	}
	t.Fatalf("unknown kill mode %q", mode)
	return ""
}

func drain(ch <-chan string) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func waitGroup(t *testing.T, wg *sync.WaitGroup, timeout time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		t.Fatalf("workers did not stop within %v after the kill", timeout)
	}
}

// runWriter increments k's counter (or pair) until its connection dies or
// stop is closed. A failure while killed is false is a server error.
func runWriter(addr string, k *counter, killed *atomic.Bool, stop <-chan struct{}) error {
	c, err := dial(addr)
	if err != nil {
		return fmt.Errorf("writer %s: dial: %v", k.key, err)
	}
	defer c.close()
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		k.inflight = true
		want := k.acked + 1
		var got int64
		if k.pair == "" {
			r, err := c.do("INCR", k.key)
			if err != nil {
				return ioErr(killed, k.key, err)
			}
			if r.typ != ':' {
				return fmt.Errorf("writer %s: INCR answered %s", k.key, r)
			}
			got = r.num
		} else {
			c.send("MULTI")
			c.send("INCR", k.key)
			c.send("INCR", k.pair)
			c.send("EXEC")
			if err := c.flush(); err != nil {
				return ioErr(killed, k.key, err)
			}
			var rs [4]reply
			for i := range rs {
				if rs[i], err = c.recv(); err != nil {
					return ioErr(killed, k.key, err)
				}
			}
			if rs[0].str != "OK" || rs[1].str != "QUEUED" || rs[2].str != "QUEUED" || rs[3].typ != '*' || len(rs[3].elems) != 2 ||
				rs[3].elems[0].typ != ':' || rs[3].elems[1].num != rs[3].elems[0].num {
				return fmt.Errorf("writer %s: MULTI/INCR/INCR/EXEC answered %s %s %s %s", k.key, rs[0], rs[1], rs[2], rs[3])
			}
			got = rs[3].elems[0].num
		}
		if got != want {
			return fmt.Errorf("writer %s: acknowledged value %d, want %d (the server lost or invented increments while running)", k.key, got, want)
		}
		k.acked, k.inflight = got, false
		k.acks++
	}
}

// ioErr turns a connection error into nil if the server was killed, and
// into a test error otherwise.
func ioErr(killed *atomic.Bool, who string, err error) error {
	if killed.Load() {
		return nil
	}
	return fmt.Errorf("%s: connection failed while the server was alive: %v", who, err)
}

// runBulk overwrites random filler keys in pipelined batches until the
// connection dies, to give the log volume while jobs run.
func runBulk(addr string, w workload, seed int64, killed *atomic.Bool) error {
	if w.filler == 0 {
		return nil
	}
	rng := rand.New(rand.NewSource(seed))
	c, err := dial(addr)
	if err != nil {
		return fmt.Errorf("bulk writer: dial: %v", err)
	}
	defer c.close()
	val := []byte(strings.Repeat("b", w.fillSize))
	for gen := 0; ; gen++ {
		for i := range val[:8] {
			val[i] = byte('a' + (gen+i)%26)
		}
		for range 64 {
			c.send("SET", fillerKey(rng.Intn(w.filler)), string(val))
		}
		if err := c.flush(); err != nil {
			return ioErr(killed, "bulk writer", err)
		}
		for range 64 {
			r, err := c.recv()
			if err != nil {
				return ioErr(killed, "bulk writer", err)
			}
			if r.typ != '+' {
				return fmt.Errorf("bulk writer: SET answered %s", r)
			}
		}
	}
}

// checkJobStatus returns the INFO persistence field that reports a failed
// background save or rewrite, or "" if none does.
func checkJobStatus(c *client) (string, error) {
	info, err := c.info("persistence")
	if err != nil {
		return "", err
	}
	for _, field := range []string{"rdb_last_bgsave_status", "aof_last_bgrewrite_status"} {
		if info[field] == "err" {
			return field, nil
		}
	}
	return "", nil
}

// runChaos issues the persistence command over and over until the
// connection dies. Refusals because a job is already running are normal;
// anything else is an error.
func runChaos(addr, chaos string, seed int64, killed *atomic.Bool, started chan<- string, mu *sync.Mutex, jobs map[string]int64) error {
	rng := rand.New(rand.NewSource(seed))
	c, err := dial(addr)
	if err != nil {
		return fmt.Errorf("chaos: dial: %v", err)
	}
	defer c.close()
	for {
		// Every job started so far either finished well or is still
		// running (or dies with the process): the servers are killed,
		// never starved of disk, so a failed BGSAVE or BGREWRITEAOF is a
		// bug, not chaos.
		if failed, err := checkJobStatus(c); err != nil {
			return ioErr(killed, "chaos INFO", err)
		} else if failed != "" {
			return fmt.Errorf("chaos: a background job failed while the server was alive: INFO says %s:err", failed)
		}
		cmd := chaos
		if chaos == "mixed" {
			cmd = []string{"BGREWRITEAOF", "BGSAVE", "SAVE"}[rng.Intn(3)]
		}
		if cmd == "SAVE" {
			select {
			case started <- cmd:
			default:
			}
		}
		r, err := c.do(cmd)
		if err != nil {
			return ioErr(killed, "chaos "+cmd, err)
		}
		switch {
		case r.typ == '+' && (cmd != "SAVE" || r.str == "OK"):
			mu.Lock()
			jobs[cmd]++
			mu.Unlock()
			if cmd != "SAVE" {
				select {
				case started <- cmd:
				default:
				}
			}
		case r.typ == '-' && (strings.Contains(r.str, "in progress") || strings.Contains(r.str, "active")):
			// Another job runs (SAVE is refused during a BGSAVE as in
			// Redis, and kevy also refuses it during a rewrite).
		default:
			return fmt.Errorf("chaos: %s answered %s", cmd, r)
		}
		// Pace the jobs: a few per second, so that writes happen between
		// them as well as during them.
		time.Sleep(time.Duration(10+rng.Intn(60)) * time.Millisecond)
	}
}
