package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// restart measures, for the mixed dataset, the time from starting the
// process to serving: PING answers PONG and the last key written reads
// back with its value. Once from dump.rdb alone (appendonly no), once from
// the log alone (appendonly yes, no dump.rdb in the directory).
func restart(cfg *config) ([]*table, error) {
	t := newTable(fmt.Sprintf("Restart with %d mixed keys (60%% strings, 10%% each hash/list/set/zset)", cfg.keys),
		column{"seconds to serving", fmtSec}, column{"file MB", fmtMB})
	t.note("Time from exec to the first successful `GET %s` returning the value written last (polled every ms; -LOADING answers are retried). The files are in the page cache (they were just written), so this measures loading, not the disk. \"file MB\" is dump.rdb, or everything under the log (Redis: appendonlydir/, kevy: appendonly.aof*).", lastKey)
	cases := []struct {
		label string
		set   settings
		keep  func(string) bool
	}{
		{"from dump.rdb alone", settings{appendOnly: false, fsync: "everysec"}, isSnapshot},
		{"from the log alone", settings{appendOnly: true, fsync: "everysec"}, isLog},
	}
	for _, cs := range cases {
		r := t.row(cs.label)
		var vals [2]string
		var ready [2]bool
		var dirs [2]string
		for i, prod := range cfg.prods {
			dir := filepath.Join(cfg.tmp, "restart-"+map[bool]string{false: "rdb", true: "log"}[cs.set.appendOnly], strings.ToLower(prod.name))
			dirs[i] = dir
			val, err := prepareRestart(cfg, prod, cs.set, dir, cs.label)
			if err != nil {
				r.metrics[0].fail(i, err)
				r.metrics[1].fail(i, err)
				continue
			}
			vals[i], ready[i] = val, true
			r.metrics[1].add(i, float64(dirSize(dir, cs.keep)))
			if notes := rewriteNote(dir, cs.set.appendOnly); notes != "" {
				t.note("%s, %s: %s", prod.name, cs.label, notes)
			}
		}
		for round := 0; round < cfg.rounds; round++ {
			for i, prod := range cfg.prods {
				if !ready[i] {
					continue
				}
				sec, err := timeRestart(prod, cs.set, dirs[i], vals[i], cfg.keys+1)
				if err != nil {
					r.metrics[0].fail(i, err)
					continue
				}
				r.metrics[0].add(i, sec)
				logf("  %s %s: %.3f s", prod.name, cs.label, sec)
			}
		}
	}
	return []*table{t}, nil
}

// prepareRestart writes the dataset and leaves only the file to restart
// from in dir.
func prepareRestart(cfg *config, prod product, set settings, dir, label string) (string, error) {
	s, err := startServer(prod, set, dir)
	if err != nil {
		return "", err
	}
	defer s.kill()
	val, err := populate(s, mixedDS, cfg.keys)
	if err != nil {
		return "", err
	}
	if !set.appendOnly {
		if _, err := s.command("SAVE"); err != nil {
			return "", fmt.Errorf("SAVE: %v", err)
		}
	} else if err := s.waitIdle(10 * time.Minute); err != nil {
		return "", err
	}
	if err := s.stop(2 * time.Minute); err != nil {
		return "", err
	}
	if set.appendOnly {
		os.Remove(filepath.Join(dir, "dump.rdb"))
	} else if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		return "", fmt.Errorf("no dump.rdb after SAVE: %v", err)
	}
	return val, nil
}

// rewriteNote says if the log is not a pure command log (an automatic
// rewrite turned its head into a snapshot).
func rewriteNote(dir string, appendOnly bool) string {
	if !appendOnly {
		return ""
	}
	var files []string
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, fmt.Sprintf("%s (%d bytes)", rel, info.Size()))
		}
		return nil
	})
	return "log files: " + strings.Join(files, ", ")
}

// timeRestart starts the server on dir and returns the seconds until it
// serves the last key, then shuts it down gracefully.
func timeRestart(prod product, set settings, dir, val string, wantKeys int) (float64, error) {
	s, err := launch(prod, set, dir, 0)
	if err != nil {
		return 0, err
	}
	defer s.stop(2 * time.Minute)
	deadline := s.started.Add(10 * time.Minute)
	var c *conn
	var wrongSince time.Time
	for {
		if !s.alive() {
			return 0, fmt.Errorf("exited while loading (%v): %s", s.waitErr, s.logTail())
		}
		if time.Now().After(deadline) {
			return 0, errors.New("not serving after 10 minutes")
		}
		if c == nil {
			if c, err = dial(s.addr(), time.Second); err != nil {
				c = nil
				time.Sleep(time.Millisecond)
				continue
			}
			c.nc.SetDeadline(deadline)
		}
		r, err := c.do("PING")
		if err == nil && r.str == "PONG" {
			g, err := c.do("GET", lastKey)
			if err == nil && g.str == val {
				break
			}
			if err == nil {
				// Serving without the key. A server may answer in the
				// moment before it starts loading; if it keeps doing so,
				// the load lost data.
				if wrongSince.IsZero() {
					wrongSince = time.Now()
				} else if time.Since(wrongSince) > 5*time.Second {
					return 0, fmt.Errorf("serving, but %s is missing", lastKey)
				}
			}
		} else if err != nil && !strings.HasPrefix(err.Error(), "LOADING") {
			c.close()
			c = nil
		}
		time.Sleep(time.Millisecond)
	}
	sec := time.Since(s.started).Seconds()
	defer c.close()
	if r, err := c.do("DBSIZE"); err != nil {
		return sec, fmt.Errorf("DBSIZE: %v", err)
	} else if int(r.num) != wantKeys {
		return sec, fmt.Errorf("loaded %d keys, want %d", r.num, wantKeys)
	}
	return sec, nil
}
