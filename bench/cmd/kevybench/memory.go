package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procKB reads a "Name:   123 kB" field of a /proc file, in bytes.
func procKB(path, name string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				break
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			return n << 10, err
		}
	}
	return 0, fmt.Errorf("%s: no %s", path, name)
}

// procCPU is the user + system CPU time the process has used so far
// (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s: the
// USER_HZ Linux reports on every architecture Go supports).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, s := range f[11:13] { // fields 14 and 15; f[0] is field 3
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * (time.Second / 100), nil
}

func rss(pid int) (int64, error) { return procKB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS") }

// descendants returns pid and all its descendant processes (Redis's
// snapshot child, for one).
func descendants(pid int) []int {
	out := []int{pid}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, descendants(c)...)
			}
		}
	}
	return out
}

// treeMemory sums RSS and PSS over pid and its descendants. RSS counts
// pages shared between a parent and its forked child twice; PSS splits
// them, so the PSS sum is the memory really in use.
func treeMemory(pid int) (rssSum, pssSum int64) {
	for _, p := range descendants(pid) {
		if v, err := rss(p); err == nil {
			rssSum += v
		}
		if v, err := procKB(fmt.Sprintf("/proc/%d/smaps_rollup", p), "Pss"); err == nil {
			pssSum += v
		}
	}
	return
}

func usedMemory(s *server) (int64, error) {
	c, err := s.client()
	if err != nil {
		return 0, err
	}
	defer c.close()
	return infoInt(c, "memory", "used_memory")
}

func memory(cfg *config) ([]*table, error) {
	datasets := append([]dataset{stringsDS, hashDS, listDS, setDS, zsetDS}, largeValueDatasets(cfg.keys)...)
	t := newTable(fmt.Sprintf("Memory for %d keys of one type (appendonly no)", cfg.keys),
		column{"RSS MB", fmtMB}, column{"used_memory MB", fmtMB}, column{"RSS bytes/key", fmtF1})
	t.note("RSS is VmRSS from /proc/PID/status, used_memory from INFO memory, both read 1 s after the last write; bytes/key is (RSS − RSS of the empty server) / keys. Keys: string = SET key:N <16 bytes>; hash = 3 fields; list, set = 3 elements; zset = 3 members.")
	t.note("200-byte rows: bytes/key is per key, field or element. The overwrite rows write each key (or field: %[1]d hashes of 1000 fields, in the hashtable form) %[2]d times in a row, with a value that changes from pass to pass, as a cache refreshing its entries does; a server that makes each old value garbage holds it until its allocator or garbage collector takes it back. The list row RPUSHes into %[1]d lists of 1000 elements.", max(cfg.keys/1000, 1), overwritePasses)
	peak := newTable(fmt.Sprintf("Peak memory during BGSAVE of the %d-key string dataset", cfg.keys),
		column{"RSS before MB", fmtMB}, column{"peak RSS MB", fmtMB}, column{"PSS before MB", fmtMB}, column{"peak PSS MB", fmtMB}, column{"BGSAVE s", fmtSec})
	peak.note("Sampled every 10 ms from /proc for the server and all its child processes (Redis forks a snapshot child; kevy snapshots in-process). The RSS sum counts pages shared by parent and child twice; PSS (from smaps_rollup) splits them, and also splits shared-library pages with other processes, so PSS can be below RSS. BGSAVE s is from the command to INFO showing it finished (polled every 20 ms).")
	for _, ds := range datasets {
		t.row(ds.name)
	}
	pr := peak.row("strings")
	for round := 0; round < cfg.rounds; round++ {
		for di, ds := range datasets {
			r := t.row(ds.name)
			dir := filepath.Join(cfg.tmp, fmt.Sprintf("memory-%d-%d", di, round))
			p, err := startPair(cfg.prods, settings{fsync: "everysec"}, dir)
			if err != nil {
				return []*table{t, peak}, err
			}
			for i, s := range p {
				rss0, err := rss(s.pid())
				if err == nil {
					_, err = populate(s, ds, cfg.keys)
				}
				if err == nil {
					time.Sleep(time.Second)
					var rss1, used int64
					if rss1, err = rss(s.pid()); err == nil {
						r.metrics[0].add(i, float64(rss1))
						r.metrics[2].add(i, float64(rss1-rss0)/float64(cfg.keys))
					}
					if used, err = usedMemory(s); err == nil {
						r.metrics[1].add(i, float64(used))
					}
				}
				if err != nil {
					for _, m := range r.metrics {
						m.fail(i, err)
					}
					continue
				}
				if ds.name == "string" {
					if err := peakDuringBgsave(s, pr, i); err != nil {
						for _, m := range pr.metrics {
							m.fail(i, err)
						}
					}
				}
			}
			p.kill()
			os.RemoveAll(dir)
		}
	}
	return []*table{t, peak}, nil
}

func peakDuringBgsave(s *server, r *row, i int) error {
	rssBefore, pssBefore := treeMemory(s.pid())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var peakRSS, peakPSS int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			a, b := treeMemory(s.pid())
			peakRSS, peakPSS = max(peakRSS, a), max(peakPSS, b)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	t0 := time.Now()
	_, err := s.command("BGSAVE")
	if err == nil {
		err = s.waitIdle(10 * time.Minute)
	}
	sec := time.Since(t0).Seconds()
	close(stop)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("BGSAVE: %v", err)
	}
	r.metrics[0].add(i, float64(rssBefore))
	r.metrics[1].add(i, float64(peakRSS))
	r.metrics[2].add(i, float64(pssBefore))
	r.metrics[3].add(i, float64(peakPSS))
	r.metrics[4].add(i, sec)
	return nil
}

// saveBench times SAVE of the mixed dataset.
func saveBench(cfg *config) ([]*table, error) {
	t := newTable(fmt.Sprintf("SAVE of %d mixed keys (appendonly no)", cfg.keys),
		column{"SAVE s", fmtSec}, column{"MB/s", fmtF1}, column{"dump.rdb MB", fmtMB})
	t.note("Wall time of a synchronous SAVE as seen by the client; MB/s = dump.rdb size / wall time. Dataset as in the restart table.")
	r := t.row("SAVE")
	p, err := startPair(cfg.prods, settings{fsync: "everysec"}, filepath.Join(cfg.tmp, "save"))
	if err != nil {
		return []*table{t}, err
	}
	defer p.kill()
	var ok [2]bool
	for i, s := range p {
		if _, err := populate(s, mixedDS, cfg.keys); err != nil {
			for _, m := range r.metrics {
				m.fail(i, err)
			}
			continue
		}
		ok[i] = true
	}
	for round := 0; round < cfg.rounds; round++ {
		for i, s := range p {
			if !ok[i] {
				continue
			}
			t0 := time.Now()
			_, err := s.command("SAVE")
			sec := time.Since(t0).Seconds()
			if err != nil {
				for _, m := range r.metrics {
					m.fail(i, fmt.Errorf("SAVE: %v", err))
				}
				continue
			}
			st, err := os.Stat(filepath.Join(s.dir, "dump.rdb"))
			if err != nil {
				r.metrics[0].add(i, sec)
				r.metrics[1].fail(i, err)
				continue
			}
			r.metrics[0].add(i, sec)
			r.metrics[1].add(i, float64(st.Size())/(1<<20)/sec)
			r.metrics[2].add(i, float64(st.Size()))
			logf("  %s SAVE: %.3f s, %d bytes", s.prod.name, sec, st.Size())
		}
	}
	return []*table{t}, nil
}
