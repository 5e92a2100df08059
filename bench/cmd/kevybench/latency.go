package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
)

// loadResult holds the latencies (ms) of one open-loop run, by operation
// (0 SET, 1 GET).
type loadResult struct {
	lat      [2][]float64
	errs     int
	firstErr string
	sent     int
	elapsed  time.Duration
}

type pendingReq struct {
	intended time.Time
	op       int
}

// openLoop sends SET/GET (1:1, random keys of the string dataset) at a
// fixed total rate over conns connections until stop is closed. Each
// request has an intended send time on a fixed schedule and its latency is
// measured from that time, not from when it was actually written, so a
// server stall is charged to every request that should have been sent
// during it (no coordinated omission). Writers never wait for replies.
func openLoop(addr string, rate, conns, keys int, stop <-chan struct{}) (loadResult, error) {
	var res loadResult
	var mu sync.Mutex
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) * float64(conns) / float64(rate))
	start := time.Now().Add(20 * time.Millisecond)
	cs := make([]*conn, conns)
	for i := range cs {
		c, err := dial(addr, 5*time.Second)
		if err != nil {
			for _, c := range cs[:i] {
				c.close()
			}
			return res, err
		}
		cs[i] = c
	}
	for i, c := range cs {
		pending := make(chan pendingReq, 1<<16)
		rng := rand.New(rand.NewPCG(uint64(i)+1, uint64(time.Now().UnixNano())))
		t0 := start.Add(time.Duration(i) * interval / time.Duration(conns))
		wg.Add(2)
		go func() { // writer
			defer wg.Done()
			defer close(pending)
			sent := 0
			for k := 0; ; {
				select {
				case <-stop:
					mu.Lock()
					res.sent += sent
					mu.Unlock()
					return
				default:
				}
				now := time.Now()
				if next := t0.Add(time.Duration(k) * interval); next.After(now) {
					time.Sleep(next.Sub(now))
					continue
				}
				for ; !t0.Add(time.Duration(k) * interval).After(now); k++ {
					op := rng.IntN(2)
					key := stringKey(rng.IntN(keys))
					if op == 0 {
						c.send("SET", key, value16)
					} else {
						c.send("GET", key)
					}
					pending <- pendingReq{t0.Add(time.Duration(k) * interval), op}
					sent++
				}
				if err := c.flush(); err != nil {
					mu.Lock()
					res.errs++
					if res.firstErr == "" {
						res.firstErr = err.Error()
					}
					res.sent += sent
					mu.Unlock()
					return
				}
			}
		}()
		go func() { // reader
			defer wg.Done()
			defer c.close()
			var lat [2][]float64
			var errs int
			var first string
			broken := false
			for p := range pending {
				if broken {
					continue
				}
				c.nc.SetReadDeadline(time.Now().Add(60 * time.Second))
				r, err := c.read()
				d := time.Since(p.intended)
				if err != nil {
					errs++
					first = err.Error()
					broken = true
					c.close()
					continue
				}
				if r.kind == '-' {
					errs++
					if first == "" {
						first = r.str
					}
					continue
				}
				lat[p.op] = append(lat[p.op], float64(d)/float64(time.Millisecond))
			}
			mu.Lock()
			res.lat[0] = append(res.lat[0], lat[0]...)
			res.lat[1] = append(res.lat[1], lat[1]...)
			res.errs += errs
			if res.firstErr == "" {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}

// percentile of sorted samples, nearest rank.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

var latScenarios = []struct{ name, cmd string }{
	{"no background job", ""},
	{"during BGSAVE", "BGSAVE"},
	{"during BGREWRITEAOF", "BGREWRITEAOF"},
}

func latency(cfg *config) ([]*table, error) {
	set := settings{appendOnly: true, fsync: "everysec"}
	t := newTable(fmt.Sprintf("SET/GET latency in ms at %d requests/s, %s", cfg.rate, set),
		column{"p50", fmtMs}, column{"p99", fmtMs}, column{"p99.9", fmtMs})
	t.note("Open-loop load generator (bench/cmd/kevybench/latency.go): %d connections, requests on a fixed schedule, SET:GET 1:1 on random keys of a %d-key dataset (16-byte values), latency counted from each request's scheduled send time. Window %v; with a background job it starts with the job and lasts at least until the job ends.",
		cfg.conns, cfg.keys, cfg.window)
	jobs := newTable("Background job duration during the latency run (s)", column{"seconds", fmtSec})
	info := newTable("Latency run sanity: requests completed per second and error replies", column{"completed/s", fmtOps}, column{"errors", fmtOps})
	tables := []*table{t, jobs, info}
	for _, sc := range latScenarios {
		t.row("SET, " + sc.name)
		t.row("GET, " + sc.name)
	}

	p, err := startPair(cfg.prods, set, filepath.Join(cfg.tmp, "latency"))
	if err != nil {
		return tables, err
	}
	defer p.kill()
	var ok [2]bool
	for i, s := range p {
		if _, err := populate(s, stringsDS, cfg.keys); err != nil {
			for _, r := range t.rows {
				for _, m := range r.metrics {
					m.fail(i, err)
				}
			}
			continue
		}
		if err := s.waitIdle(10 * time.Minute); err != nil {
			t.row("SET, no background job").metrics[0].fail(i, err)
			continue
		}
		ok[i] = true
	}
	for round := 0; round < cfg.rounds; round++ {
		for _, sc := range latScenarios {
			for i, s := range p {
				if !ok[i] {
					continue
				}
				label := sc.name
				if sc.cmd == "" {
					label = "none"
				}
				res, jobSec, err := latencyRun(cfg, s, sc.cmd)
				if err == errAutoRewrite {
					t.note("Note: %s ran an automatic log rewrite during a %q window (round %d); that window's figures include it.", s.prod.name, sc.name, round+1)
					err = nil
				}
				rows := []*row{t.row("SET, " + sc.name), t.row("GET, " + sc.name)}
				if err != nil {
					for _, r := range rows {
						for _, m := range r.metrics {
							m.fail(i, err)
						}
					}
					if sc.cmd != "" {
						jobs.row(sc.cmd).metrics[0].fail(i, err)
					}
					continue
				}
				for op, r := range rows {
					s := append([]float64(nil), res.lat[op]...)
					sort.Float64s(s)
					if len(s) == 0 {
						for _, m := range r.metrics {
							m.fail(i, fmt.Errorf("no successful replies (%d errors: %s)", res.errs, res.firstErr))
						}
						continue
					}
					for k, q := range []float64{0.50, 0.99, 0.999} {
						r.metrics[k].add(i, percentile(s, q))
					}
				}
				if sc.cmd != "" {
					jobs.row(sc.cmd).metrics[0].add(i, jobSec)
				}
				ir := info.row(label)
				ir.metrics[0].add(i, float64(len(res.lat[0])+len(res.lat[1]))/res.elapsed.Seconds())
				ir.metrics[1].add(i, float64(res.errs))
				if res.errs > 0 {
					ir.metrics[1].fail(i, errors.New(strconv.Itoa(res.errs)+" errors, first: "+res.firstErr))
				}
				logf("  %s, %s: p99 SET %.3f ms, GET %.3f ms", s.prod.name, sc.name,
					percentile(sortedCopy(res.lat[0]), 0.99), percentile(sortedCopy(res.lat[1]), 0.99))
			}
		}
	}
	return tables, nil
}

func sortedCopy(v []float64) []float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s
}

var errAutoRewrite = errors.New("automatic log rewrite during the window")

// latencyRun runs the load for the window; with job set it starts the job
// (BGSAVE or BGREWRITEAOF) as the load starts and keeps the load on until
// the job has finished, and returns the job's duration.
func latencyRun(cfg *config, s *server, job string) (loadResult, float64, error) {
	if err := s.waitIdle(10 * time.Minute); err != nil {
		return loadResult{}, 0, err
	}
	ctl, err := s.client()
	if err != nil {
		return loadResult{}, 0, err
	}
	defer ctl.close()
	rewritesBefore, _ := infoInt(ctl, "persistence", "aof_rewrites")
	stop := make(chan struct{})
	type out struct {
		res loadResult
		err error
	}
	done := make(chan out, 1)
	go func() {
		r, err := openLoop(s.addr(), cfg.rate, cfg.conns, cfg.keys, stop)
		done <- out{r, err}
	}()
	time.Sleep(50 * time.Millisecond) // let the schedule start
	var jobSec float64
	var jobErr error
	if job != "" {
		t0 := time.Now()
		if _, err := ctl.do(job); err != nil {
			jobErr = fmt.Errorf("%s: %v", job, err)
		} else {
			field := "rdb_bgsave_in_progress"
			if job == "BGREWRITEAOF" {
				field = "aof_rewrite_in_progress"
			}
			for {
				r, err := ctl.do("INFO", "persistence")
				if err != nil {
					jobErr = err
					break
				}
				v1, _ := infoField(r.str, field)
				v2, _ := infoField(r.str, "aof_rewrite_scheduled")
				if v1 != "1" && v2 != "1" {
					break
				}
				if time.Since(t0) > 5*time.Minute {
					jobErr = fmt.Errorf("%s still running after 5 minutes", job)
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			jobSec = time.Since(t0).Seconds()
		}
		if rest := cfg.window - time.Since(t0); rest > 0 {
			time.Sleep(rest)
		}
	} else {
		time.Sleep(cfg.window)
	}
	close(stop)
	o := <-done
	if o.err != nil {
		return o.res, 0, o.err
	}
	if jobErr != nil {
		return o.res, 0, jobErr
	}
	if !s.alive() {
		return o.res, 0, fmt.Errorf("server exited: %s", s.logTail())
	}
	if job != "BGREWRITEAOF" {
		if n, err := infoInt(ctl, "persistence", "aof_rewrites"); err == nil && n != rewritesBefore {
			return o.res, jobSec, errAutoRewrite
		}
	}
	return o.res, jobSec, nil
}
