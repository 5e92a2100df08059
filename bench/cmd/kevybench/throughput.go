package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The redis-benchmark tests of the throughput tables, by their -t names.
var throughputTests = []string{"set", "get", "incr", "lpush", "rpop", "sadd", "hset", "zadd", "mset", "lrange_100"}

// throughputGroups split throughputTests into redis-benchmark runs. A
// test that reads what another wrote shares its run (GET finds SET's
// keys, RPOP pops LPUSH's lists; LRANGE_100 fills its own list). Each
// run takes a few seconds, and kevy and Redis alternate run by run: with
// one run of all ten tests per server, a burst of noise on this shared
// machine (tens of seconds; the other server's ratio swung 0.76-1.18
// between full runs) fell on several tests of one server only.
var throughputGroups = [][]string{{"set", "get"}, {"incr"}, {"lpush", "rpop"}, {"sadd"}, {"hset"}, {"zadd"}, {"mset"}, {"lrange_100"}}

func groupsText() string {
	var parts []string
	for _, g := range throughputGroups {
		parts = append(parts, strings.Join(g, ","))
	}
	return strings.Join(parts, "; ")
}

// probes are one command per test, run before redis-benchmark: a server
// that answers an error is marked "error" for that test instead of being
// credited with the speed of its error replies (redis-benchmark counts
// error replies as completed requests).
var probes = map[string][]string{
	"set":        {"SET", "kevybench:probe", "x"},
	"get":        {"GET", "kevybench:probe"},
	"incr":       {"INCR", "kevybench:probe:n"},
	"lpush":      {"LPUSH", "kevybench:probe:l", "x"},
	"rpop":       {"RPOP", "kevybench:probe:l"},
	"sadd":       {"SADD", "kevybench:probe:s", "x"},
	"hset":       {"HSET", "kevybench:probe:h", "f", "x"},
	"zadd":       {"ZADD", "kevybench:probe:z", "1", "x"},
	"mset":       {"MSET", "kevybench:probe:1", "x", "kevybench:probe:2", "y"},
	"lrange_100": {"LRANGE", "kevybench:probe:l", "0", "99"},
}

// throughputRun is one redis-benchmark configuration.
type throughputRun struct {
	label    func(test string) string // table row
	col      int
	tests    []string
	clients  int
	pipeline int
	n        int
}

func throughput(cfg *config) ([]*table, error) {
	var tables []*table
	for _, mode := range []string{"off", "everysec", "always"} {
		if !cfg.modes[mode] {
			continue
		}
		set := settings{appendOnly: mode != "off", fsync: mode}
		if mode == "off" {
			set.fsync = "everysec"
		}
		cols := []column{{"ops/s, no pipelining", fmtOps}, {"ops/s, -P 16", fmtOps}}
		costs := costColumns(mode)
		for _, c := range costs {
			cols = append(cols, c.column)
		}
		var t *table
		var runs []throughputRun
		if mode != "always" {
			t = newTable(fmt.Sprintf("%s: ops/s, 50 clients", set), cols...)
			for col, p := range []int{1, 16} {
				for _, g := range throughputGroups {
					runs = append(runs, throughputRun{label: strings.ToUpper, col: col, tests: g, clients: 50, pipeline: p, n: cfg.n * pipelinedRunScale(p)})
				}
			}
			nText := cfg.nText(fmt.Sprintf("N = %d, ×%d with -P 16", cfg.n, pipelinedRunScale(16)))
			t.note("`redis-benchmark -c 50 -n N -r 100000 -t TESTS [-P 16] --csv`, %s, database flushed before each run. One run per group of tests (%s), kevy and Redis alternating run by run.", nText, groupsText())
			t.note("redis-benchmark CPU is its user + system time over its wall time, per run (tests of one group share it); 100 %% is one core saturated. Where it is near 100 %% for both servers, the client is the limit and the ratio is within the noise of 1.0.")
		} else {
			t = newTable(fmt.Sprintf("%s: SET and INCR by client count (group commit)", set), cols...)
			for _, c := range []int{1, 10, 50, 200} {
				c := c
				// About a second or more per run here: shorter runs
				// (0.2-0.3 s at 10 and 50 clients with 200·C) swung by
				// ±20 % between rounds, connection setup included.
				n := max(4000, 1000*c)
				if cfg.quick {
					n = max(300, 30*c)
				}
				for col, p := range []int{1, 16} {
					scale := p
					if p > 1 && !cfg.quick {
						scale = alwaysPipelinedScale
					}
					runs = append(runs, throughputRun{
						label: func(test string) string { return clientsLabel(test, c) },
						col:   col, tests: []string{"set", "incr"}, clients: c, pipeline: p, n: n * scale,
					})
				}
			}
			// Rows in client order, SET then INCR.
			for _, test := range []string{"set", "incr"} {
				for _, c := range []int{1, 10, 50, 200} {
					t.row(clientsLabel(test, c))
				}
			}
			nText := cfg.nText("N = " + map[bool]string{true: "max(300, 30·C), ×16 with -P 16", false: fmt.Sprintf("max(4000, 1000·C), ×%d with -P 16", alwaysPipelinedScale)}[cfg.quick] + " per run")
			t.note("`redis-benchmark -c C -n N -r 100000 -t set,incr [-P 16] --csv`, %s; every write is fsynced before its reply, so throughput beyond one fsync per round trip comes from group commit.", nText)
			t.note("Server CPU is the server process's user + system time (/proc/PID/stat) over the run's requests; redis-benchmark CPU is its user + system time over its wall time, 100 %% being one core saturated. Both are per run of set,incr, so SET and INCR share them. On a 2-core machine the load generator needs about one core by itself: a server that takes it near 100 %% is as fast as this client can measure.")
		}
		tables = append(tables, t)
		if err := runThroughputMode(cfg, set, mode, t, runs, costs); err != nil {
			t.note("error: %s", shorten(err.Error()))
		}
		if cfg.runTime > 0 {
			t.note("%s", runSizes(cfg, runs))
		}
	}
	return tables, nil
}

// nText is how a table's note states its run sizes: fixed, or listed
// after the table when calibration sized them (runSizes).
func (cfg *config) nText(fixed string) string {
	if cfg.runTime > 0 {
		return "N per run as listed below"
	}
	return fixed
}

// pipelinedRunScale multiplies the requests of a pipelined run of the
// plain tables: at 400k-800k ops/s, 100000 requests took 0.15-0.25 s, so
// a round's figure was mostly connection setup, the first GC cycles and
// the scheduler's mood; four times as many take about as long as the
// unpipelined runs.
func pipelinedRunScale(pipeline int) int {
	if pipeline > 1 {
		return 4
	}
	return 1
}

// alwaysPipelinedScale multiplies the requests of a -P 16 run under
// appendfsync always (fsyncs batch 16 times more requests there).
const alwaysPipelinedScale = 8

// costColumn is a column after a throughput table's two ops/s columns:
// what each run of ops column col cost, as value reads it.
type costColumn struct {
	column
	col   int
	value func(runCost) float64
}

// costColumns are the columns that show who is the limit. redis-benchmark
// is single-threaded, and where it uses most of a core for both servers
// the ratio measures the client. The plain tables show its share for both
// ops columns; the always table, where the client count varies, shows it
// for the unpipelined runs next to the server's own CPU per request.
func costColumns(mode string) []costColumn {
	busy := func(c runCost) float64 { return c.clientBusy() * 100 }
	if mode == "always" {
		perRequest := func(c runCost) float64 { return c.serverPerRequest().Seconds() * 1e6 }
		return []costColumn{
			{column{"server CPU µs/request, no pipelining", fmtF1}, 0, perRequest},
			{column{"redis-benchmark CPU % of a core, no pipelining", fmtPct}, 0, busy},
		}
	}
	return []costColumn{
		{column{"redis-benchmark CPU % of a core, no pipelining", fmtPct}, 0, busy},
		{column{"redis-benchmark CPU % of a core, -P 16", fmtPct}, 1, busy},
	}
}

// runThroughputMode runs every run for every round; costs are the
// table's columns after its two ops/s columns.
func runThroughputMode(cfg *config, set settings, mode string, t *table, runs []throughputRun, costs []costColumn) error {
	logf("throughput: %s", set)
	base := filepath.Join(cfg.tmp, "throughput-"+mode)
	p, err := startPair(cfg.prods, set, base)
	if err != nil {
		return err
	}
	defer func() { p.kill() }() // p may be updated with restarted servers
	for _, s := range p {
		if err := cfg.pinServer(s); err != nil {
			return err
		}
	}
	// Rows of the plain tables in the listed order.
	for _, r := range runs {
		for _, test := range r.tests {
			t.row(r.label(test))
		}
	}
	if cfg.runTime > 0 {
		calibrate(cfg, p, runs)
	}
	for round := 0; round < cfg.rounds; round++ {
		for _, r := range runs {
			for i := range p {
				if !p[i].alive() {
					// A crashed server gets a fresh start so the rest of
					// the run still measures it.
					for _, test := range r.tests {
						t.row(r.label(test)).metrics[r.col].fail(i, fmt.Errorf("server had exited: %s", p[i].logTail()))
					}
					dir := fmt.Sprintf("%s-restart%d", p[i].dir, time.Now().UnixNano())
					if s, err := startServer(p[i].prod, set, dir); err == nil {
						p[i] = s
						if err := cfg.pinServer(s); err != nil {
							return err
						}
					}
					continue
				}
				res, cost, errs := benchOnce(cfg, p[i], r.tests, r.clients, r.pipeline, r.n)
				for _, test := range r.tests {
					ms := t.row(r.label(test)).metrics
					if e, ok := errs[test]; ok {
						ms[r.col].fail(i, e)
						continue
					}
					ms[r.col].add(i, res[test])
					for k, c := range costs {
						if cost.ok && c.col == r.col {
							ms[len(ms)-len(costs)+k].add(i, c.value(cost))
						}
					}
				}
			}
		}
	}
	return nil
}

// pinServer confines a throughput server to its core. Both servers get
// the same one, in turn: they never run at the same time.
func (cfg *config) pinServer(s *server) error {
	if cfg.pin == nil {
		return nil
	}
	return pinProcess(s.pid(), cfg.pin.server)
}

// runCost is what one redis-benchmark run cost the server and the load
// generator.
type runCost struct {
	ok             bool // the server's CPU time could be read
	requests       int
	server, client time.Duration // CPU time
	wall           time.Duration // the load generator's
}

func (c runCost) serverPerRequest() time.Duration { return c.server / time.Duration(c.requests) }
func (c runCost) clientBusy() float64             { return c.client.Seconds() / c.wall.Seconds() }

// benchOnce probes the tests, then runs redis-benchmark once on s.
func benchOnce(cfg *config, s *server, tests []string, clients, pipeline, n int) (map[string]float64, runCost, map[string]error) {
	errs := map[string]error{}
	var cost runCost
	failAll := func(err error) (map[string]float64, runCost, map[string]error) {
		for _, t := range tests {
			errs[t] = err
		}
		return nil, cost, errs
	}
	c, err := s.client()
	if err != nil {
		return failAll(err)
	}
	var run []string
	for _, t := range tests {
		if _, err := c.do(probes[t]...); err != nil {
			errs[t] = fmt.Errorf("%s: %v", strings.Join(probes[t], " "), err)
			continue
		}
		run = append(run, t)
	}
	_, ferr := c.do("FLUSHALL")
	c.close()
	if ferr != nil {
		return failAll(fmt.Errorf("FLUSHALL: %v", ferr))
	}
	if len(run) == 0 {
		return nil, cost, errs
	}
	limit := 10 * time.Minute
	if cfg.quick {
		limit = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	args := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-c", strconv.Itoa(clients),
		"-n", strconv.Itoa(n), "-P", strconv.Itoa(pipeline), "-r", "100000", "-t", strings.Join(run, ","), "--csv"}
	cmd := exec.CommandContext(ctx, cfg.benchBin, args...)
	cmd.SysProcAttr = sysAttr()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	logf("  %s: redis-benchmark -c %d -P %d -n %d -t %s", s.prod.name, clients, pipeline, n, strings.Join(run, ","))
	cpu0, cpuErr := procCPU(s.pid())
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return failAll(err)
	}
	track(cmd)
	if cfg.pin != nil {
		// Before its first connection is up, in practice: redis-benchmark
		// connects its clients after parsing its arguments and the
		// server's CONFIG replies.
		if err := pinProcess(cmd.Process.Pid, cfg.pin.client); err != nil {
			logf("  %v", err)
		}
	}
	err = cmd.Wait()
	untrack(cmd)
	cost.wall = time.Since(start)
	if cpu1, err1 := procCPU(s.pid()); cpuErr == nil && err1 == nil && cmd.ProcessState != nil && cost.wall > 0 {
		cost.ok, cost.requests, cost.server = true, n*len(run), cpu1-cpu0
		cost.client = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	res, perr := parseBenchCSV(stdout.Bytes())
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("redis-benchmark timed out after %v", limit)
	}
	// Every run's figures go to the progress log: the report keeps only
	// medians, and a cell's spread is read from here.
	var got []string
	for _, t := range run {
		if v, ok := res[t]; ok {
			got = append(got, fmt.Sprintf("%s=%.0f", t, v))
		}
	}
	if cost.ok {
		got = append(got, fmt.Sprintf("(server %.1f µs/request, redis-benchmark %.0f %% of a core)", cost.serverPerRequest().Seconds()*1e6, cost.clientBusy()*100))
	}
	logf("  %s: %s", s.prod.name, strings.Join(got, " "))
	for _, t := range run {
		if _, ok := res[t]; ok {
			continue
		}
		switch {
		case err != nil:
			errs[t] = fmt.Errorf("redis-benchmark: %v %s", err, lastLine(stderr.String()))
		case perr != nil:
			errs[t] = perr
		case !s.alive():
			errs[t] = fmt.Errorf("server exited: %s", s.logTail())
		default:
			errs[t] = fmt.Errorf("no result from redis-benchmark %s", lastLine(stderr.String()))
		}
	}
	return res, cost, errs
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// parseBenchCSV reads redis-benchmark --csv output into requests per
// second by -t test name. Rows like "LPUSH (needed to benchmark LRANGE)"
// are setup steps and are skipped; "LRANGE_100 (first 100 elements)" is
// lrange_100 and "MSET (10 keys)" is mset.
func parseBenchCSV(out []byte) (map[string]float64, error) {
	r := csv.NewReader(bytes.NewReader(out))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("redis-benchmark CSV: %v", err)
	}
	res := map[string]float64{}
	for _, rec := range recs {
		if len(rec) < 2 || rec[0] == "test" || strings.Contains(rec[0], "needed") {
			continue
		}
		f := strings.Fields(rec[0])
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			return res, fmt.Errorf("redis-benchmark CSV: bad rps %q for %s", rec[1], rec[0])
		}
		res[strings.ToLower(f[0])] = v
	}
	return res, nil
}

func clientsLabel(test string, c int) string {
	if c == 1 {
		return strings.ToUpper(test) + ", 1 client"
	}
	return fmt.Sprintf("%s, %d clients", strings.ToUpper(test), c)
}
