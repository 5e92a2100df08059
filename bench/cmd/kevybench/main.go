// Command kevybench compares kevy with Debian's redis-server on this
// machine: both servers run side by side with identical settings, runs
// alternate between them, and the medians and kevy/Redis ratios are written
// as Markdown to docs/benchmarks.md. See bench/README.md.
//
//	go run ./bench/cmd/kevybench [-quick] [-rounds 3] [-only throughput,latency,restart,memory,save]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

var workloadNames = []string{"throughput", "latency", "restart", "memory", "save"}

type config struct {
	quick    bool
	rounds   int
	only     map[string]bool
	modes    map[string]bool
	n        int           // redis-benchmark requests per test (the calibration run's, with runTime)
	runTime  time.Duration // throughput: size each run to last about this long; 0 = n as given
	keys     int           // dataset size for latency, restart, memory, save
	rate     int           // latency: requests per second (open loop)
	conns    int           // latency: connections
	window   time.Duration
	out      string
	tmp      string
	prods    [2]product
	benchBin string
	args     []string
	pin      *pinning // throughput: cores for the servers and the client; nil = not pinned
	pinNote  string   // why pinning is off, when asked for
}

// pinning gives the servers of the throughput tables one core and
// redis-benchmark the others, for both servers alike.
type pinning struct{ server, client []int }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func main() { os.Exit(run()) }

func run() int {
	var cfg config
	quick := flag.Bool("quick", false, "short development run: 1 round, small -n, 100k-key datasets")
	rounds := flag.Int("rounds", 0, "rounds of alternating kevy/Redis runs (default 3, or 1 with -quick)")
	only := flag.String("only", strings.Join(workloadNames, ","), "comma-separated workloads to run: "+strings.Join(workloadNames, ","))
	modes := flag.String("modes", "off,everysec,always", "throughput: persistence modes to run (off, everysec, always)")
	n := flag.Int("n", 0, "throughput: requests per redis-benchmark test of the calibration run, or of every run with -run-time 0 (default 100000, or 10000 with -quick)")
	runTime := flag.Duration("run-time", 0, "throughput: size every run so that the faster server's lasts about this long, from a discarded calibration run (default 1.5s; 0 with -quick, where N is fixed)")
	keys := flag.Int("keys", 0, "dataset keys for latency/restart/memory/save (default 1000000, or 100000 with -quick)")
	rate := flag.Int("rate", 10000, "latency: fixed request rate per second (open loop), SET:GET 1:1")
	conns := flag.Int("conns", 16, "latency: connections of the load generator")
	window := flag.Duration("window", 0, "latency: measurement window (default 10s, or 3s with -quick); with a background job, at least until it ends")
	out := flag.String("out", "", "Markdown report to write (default docs/benchmarks.md in the repository; \"-\" for stdout only)")
	tmpRoot := flag.String("tmpdir", "", "where to make the temporary data directories (default $TMPDIR); its disk is the one measured")
	keep := flag.Bool("keep", false, "keep the temporary directory (binaries, data, server logs)")
	kevyBin := flag.String("kevy", "", "use this kevy binary instead of building ./cmd/kevy")
	redisBin := flag.String("redis-server", "redis-server", "redis-server binary")
	benchBin := flag.String("redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	pin := flag.Bool("pin", true, "throughput: run each server on one core and redis-benchmark on the others (Linux, 2+ cores)")
	flag.Parse()

	cfg.quick = *quick
	cfg.args = os.Args[1:]
	cfg.rounds = pick(*rounds, 3, 1, *quick)
	if *pin {
		server, client, err := pinCPUs()
		if err != nil {
			cfg.pinNote = "not pinned: " + err.Error()
			logf("throughput: %s", cfg.pinNote)
		} else {
			cfg.pin = &pinning{server: server, client: client}
		}
	} else {
		cfg.pinNote = "not pinned (-pin=false)"
	}
	cfg.n = pick(*n, 100000, 10000, *quick)
	cfg.runTime = *runTime
	if cfg.runTime == 0 && !*quick && !flagSet("run-time") {
		cfg.runTime = 1500 * time.Millisecond
	}
	cfg.keys = pick(*keys, 1000000, 100000, *quick)
	cfg.rate, cfg.conns = *rate, *conns
	cfg.window = *window
	if cfg.window == 0 {
		cfg.window = 10 * time.Second
		if *quick {
			cfg.window = 3 * time.Second
		}
	}
	cfg.only = map[string]bool{}
	for _, w := range strings.Split(*only, ",") {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if !contains(workloadNames, w) {
			fmt.Fprintf(os.Stderr, "kevybench: unknown workload %q (have %s)\n", w, strings.Join(workloadNames, ", "))
			return 2
		}
		cfg.only[w] = true
	}
	cfg.modes = map[string]bool{}
	for _, m := range strings.Split(*modes, ",") {
		m = strings.TrimSpace(m)
		if m != "off" && m != "everysec" && m != "always" {
			fmt.Fprintf(os.Stderr, "kevybench: unknown mode %q (have off, everysec, always)\n", m)
			return 2
		}
		cfg.modes[m] = true
	}
	if cfg.rounds < 1 || cfg.n < 1 || cfg.keys < 1 || cfg.rate < 1 || cfg.conns < 1 || cfg.runTime < 0 {
		fmt.Fprintln(os.Stderr, "kevybench: -rounds, -n, -keys, -rate and -conns must be positive, -run-time not negative")
		return 2
	}

	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kevybench:", err)
		return 2
	}
	cfg.out = *out
	if cfg.out == "" {
		cfg.out = filepath.Join(root, "docs", "benchmarks.md")
	}

	// The tools: found, never installed.
	redisPath, err1 := exec.LookPath(*redisBin)
	benchPath, err2 := exec.LookPath(*benchBin)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "kevybench: redis-server and redis-benchmark are needed and were not found on PATH.")
		fmt.Fprintln(os.Stderr, "Install Debian's packages with:  apt-get install -y redis-server redis-tools")
		return 2
	}
	cfg.benchBin = benchPath

	cfg.tmp, err = os.MkdirTemp(*tmpRoot, "kevybench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "kevybench:", err)
		return 2
	}
	cleanup := func() {
		killAll()
		if !*keep {
			os.RemoveAll(cfg.tmp)
		} else {
			logf("kept %s", cfg.tmp)
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-sigs
		logf("received %v: stopping servers", sig)
		cleanup()
		os.Exit(130)
	}()
	defer cleanup()

	kevyPath := *kevyBin
	if kevyPath == "" {
		kevyPath = filepath.Join(cfg.tmp, "kevy")
		logf("building kevy: go build -o %s ./cmd/kevy", kevyPath)
		b := exec.Command("go", "build", "-o", kevyPath, "./cmd/kevy")
		b.Dir = root
		b.SysProcAttr = sysAttr()
		var outp bytes.Buffer
		b.Stdout, b.Stderr = &outp, &outp
		err := b.Start()
		if err == nil {
			track(b)
			err = b.Wait()
			untrack(b)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "kevybench: building kevy failed: %v\n%s", err, outp.String())
			return 1
		}
	}
	cfg.prods = [2]product{{name: "kevy", bin: kevyPath}, {name: "Redis", bin: redisPath}}

	// Fail clearly, before any workload, when a server cannot start.
	for _, p := range cfg.prods {
		s, err := startServer(p, settings{fsync: "everysec"}, filepath.Join(cfg.tmp, "smoke-"+strings.ToLower(p.name)))
		if err != nil {
			fmt.Fprintf(os.Stderr, "kevybench: %s does not start: %v\n", p.name, err)
			return 1
		}
		s.kill()
	}

	machine := machineInfo(cfg, root)
	if *kevyBin != "" {
		machine = append(machine, "kevy binary: given with -kevy ("+*kevyBin+"), not built from this tree")
	} else {
		machine = append(machine, "kevy binary: `go build ./cmd/kevy` of this working tree at the start of the run")
	}
	start := time.Now()
	var sections []string
	for _, name := range workloadNames {
		if !cfg.only[name] {
			continue
		}
		logf("== %s", name)
		t0 := time.Now()
		md := runWorkload(&cfg, name)
		logf("== %s done in %v", name, time.Since(t0).Round(time.Second))
		fmt.Println(md)
		sections = append(sections, md)
	}
	report := renderReport(cfg, machine, sections, time.Since(start))
	if cfg.out != "-" {
		if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "kevybench:", err)
			return 1
		}
		logf("wrote %s", cfg.out)
	}
	return 0
}

// runWorkload runs one workload and renders its section; a failure (or a
// panic) becomes an error line in the report and the run continues.
func runWorkload(cfg *config, name string) (md string) {
	var tables []*table
	var err error
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
		var b strings.Builder
		fmt.Fprintf(&b, "## %s\n\n", titles[name])
		for _, t := range tables {
			b.WriteString(t.markdown())
		}
		if err != nil {
			logf("%s: %v", name, err)
			fmt.Fprintf(&b, "error: %s\n\n", shorten(err.Error()))
		}
		md = b.String()
	}()
	switch name {
	case "throughput":
		tables, err = throughput(cfg)
	case "latency":
		tables, err = latency(cfg)
	case "restart":
		tables, err = restart(cfg)
	case "memory":
		tables, err = memory(cfg)
	case "save":
		tables, err = saveBench(cfg)
	}
	return
}

var titles = map[string]string{
	"throughput": "Throughput (redis-benchmark)",
	"latency":    "Latency at a fixed rate (open loop)",
	"restart":    "Restart: process start to serving",
	"memory":     "Memory",
	"save":       "SAVE",
}

func pick(v, full, quick int, isQuick bool) int {
	if v != 0 {
		return v
	}
	if isQuick {
		return quick
	}
	return full
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// repoRoot finds the kevy module root from the working directory upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/kevy-db/kevy\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run kevybench inside the kevy repository (no go.mod of github.com/kevy-db/kevy above %s)", dir)
		}
		dir = parent
	}
}

// flagSet reports whether the command line set the named flag.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
