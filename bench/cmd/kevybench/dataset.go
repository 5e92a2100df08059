package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A dataset writes keys 0..n-1 with one command each; cmd returns the
// command for key i. With passes > 1 it writes them that many times:
// command j (0 <= j < passes·n) is for key j % n, in pass j / n.
type dataset struct {
	name   string
	cmd    func(i int) []string
	passes int
}

var value16 = "vvvvvvvvvvvvvvvv"

func stringKey(i int) string { return "key:" + strconv.Itoa(i) }

// Small keys of each type, for the memory table.
var (
	stringsDS = dataset{name: "string", cmd: func(i int) []string { return []string{"SET", stringKey(i), value16} }}
	hashDS    = dataset{name: "hash", cmd: func(i int) []string {
		return []string{"HSET", "h:" + strconv.Itoa(i), "f1", "v1", "f2", "v2", "f3", "v3"}
	}}
	listDS = dataset{name: "list", cmd: func(i int) []string { return []string{"RPUSH", "l:" + strconv.Itoa(i), "a", "b", "c"} }}
	setDS  = dataset{name: "set", cmd: func(i int) []string { return []string{"SADD", "s:" + strconv.Itoa(i), "a", "b", "c"} }}
	zsetDS = dataset{name: "zset", cmd: func(i int) []string { return []string{"ZADD", "z:" + strconv.Itoa(i), "1", "a", "2", "b", "3", "c"} }}
)

// Values of 200 bytes, for the memory table. Overwrites: a cache
// refreshing its entries writes each key again with a value of about the
// same size, and a server that makes the old value garbage holds the
// garbage too (with Go's GC, up to the live heap again before a cycle
// frees it). Long lists: their chunks grow push by push, and a server that
// leaves room to spare in each, or regrows them, pays for it per element.
const overwritePasses = 3

// largeValueDatasets are those rows for n keys or elements: strings and
// fields of 1000-field hashes (past hash-max-listpack-entries, 128, so in
// the hashtable form), each written overwritePasses times with values
// that differ from pass to pass; and 1000-element lists.
func largeValueDatasets(n int) []dataset {
	var vals [overwritePasses]string
	for p := range vals {
		vals[p] = strings.Repeat(string(rune('a'+p)), 200)
	}
	return []dataset{
		{name: "string 200 B, written 3 times", passes: overwritePasses, cmd: func(j int) []string {
			return []string{"SET", stringKey(j % n), vals[j/n]}
		}},
		{name: "hash field 200 B, written 3 times", passes: overwritePasses, cmd: func(j int) []string {
			i := j % n
			return []string{"HSET", "h:" + strconv.Itoa(i/1000), "f:" + strconv.Itoa(i%1000), vals[j/n]}
		}},
		{name: "list element 200 B", cmd: func(i int) []string {
			return []string{"RPUSH", "l:" + strconv.Itoa(i/1000), vals[0]}
		}},
	}
}

// mixedDS is the restart/save dataset: 60% strings, 10% each of hashes,
// lists, sets and sorted sets, kept small so that writing it does not
// reach the 64 MB automatic log rewrite threshold at 1M keys.
var mixedDS = dataset{name: "mixed", cmd: func(i int) []string {
	k := "m:" + strconv.Itoa(i)
	switch i % 10 {
	case 6:
		return []string{"HSET", k, "a", "1", "b", "2"}
	case 7:
		return []string{"RPUSH", k, "a", "b", "c"}
	case 8:
		return []string{"SADD", k, "a", "b", "c"}
	case 9:
		return []string{"ZADD", k, "1", "a", "2", "b"}
	default:
		return []string{"SET", k, "val" + strconv.Itoa(i)}
	}
}}

// lastKey is written after a dataset; reading it back proves that the
// whole dataset was loaded.
const lastKey = "kevybench:last"

// populate writes n keys of ds to s with pipelined batches, then lastKey
// with a fresh value which it returns. Any error reply fails it.
func populate(s *server, ds dataset, n int) (string, error) {
	c, err := s.client()
	if err != nil {
		return "", err
	}
	defer c.close()
	c.nc.SetDeadline(time.Now().Add(30 * time.Minute))
	t0 := time.Now()
	const batch = 1000
	total := n * max(ds.passes, 1)
	for i := 0; i < total; i += batch {
		end := min(i+batch, total)
		for j := i; j < end; j++ {
			c.send(ds.cmd(j)...)
		}
		if err := c.flush(); err != nil {
			return "", fmt.Errorf("populate %s: %v", ds.name, err)
		}
		for j := i; j < end; j++ {
			r, err := c.read()
			if err != nil {
				return "", fmt.Errorf("populate %s: %v", ds.name, err)
			}
			if r.kind == '-' {
				return "", fmt.Errorf("populate %s: %s: %s", ds.name, strings.Join(ds.cmd(j), " "), r.str)
			}
		}
	}
	val := "done-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := c.do("SET", lastKey, val); err != nil {
		return "", fmt.Errorf("populate: SET %s: %v", lastKey, err)
	}
	logf("  %s: %d %s keys written in %v", s.prod.name, n, ds.name, time.Since(t0).Round(time.Millisecond))
	return val, nil
}
