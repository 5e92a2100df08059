// Command kevy is a Redis-compatible key-value server whose data survives
// crashes: see README.md.
//
//	kevy [config-file] [--directive value ...]
//	kevy check-aof [--fix] FILE
//	kevy check-rdb FILE
//	kevy import-kevy1 [--dir DEST] SRC
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/config"
	"github.com/kevy-db/kevy/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "check-aof":
			return checkAOF(args[1:], os.Stdout, os.Stderr)
		case "check-rdb":
			return checkRDB(args[1:], os.Stdout, os.Stderr)
		case "import-kevy1":
			return importKevy1(args[1:], os.Stdout, os.Stderr)
		case "-v", "--version":
			fmt.Printf("kevy (Redis %s compatible)\n", command.ServerVersion)
			return 0
		case "-h", "--help":
			fmt.Println("usage: kevy [config-file] [--directive value ...]\n       kevy check-aof [--fix] FILE\n       kevy check-rdb FILE\n       kevy import-kevy1 [--dir DEST] SRC")
			return 0
		}
	}
	cfg, err := config.Parse(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logger, closer, err := cfg.NewLogger()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kevy:", err)
		return 1
	}
	defer closer.Close()
	if path := os.Getenv("KEVY_CPUPROFILE"); path != "" {
		// Profiling hook for the benchmark work: the profile covers the
		// server's whole life and is written on a clean exit.
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "kevy:", err)
			return 1
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if path := os.Getenv("KEVY_ALLOCPROFILE"); path != "" {
		// Where the garbage comes from (go tool pprof -sample_index=alloc_space),
		// written on a clean exit like the CPU profile.
		defer func() {
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	opts := server.OptionsFromConfig(cfg, logger)
	opts.AutoProcs = os.Getenv("GOMAXPROCS") == ""
	opts.BusyPoll = os.Getenv("KEVY_NO_BUSY_POLL") != "1"
	opts.IdleWalk = os.Getenv("KEVY_NO_IDLE_WALK") != "1"
	opts.BatchReplies = os.Getenv("KEVY_NO_URING") != "1"
	opts.AutoGC = os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == ""
	opts.HugePages = os.Getenv("KEVY_NO_HUGEPAGES") != "1"
	srv, err := server.New(opts)
	if err != nil {
		logger.Error("cannot start", "err", err)
		return 1
	}
	srv.BindConfig(cfg)
	if err := srv.Listen(); err != nil {
		logger.Error("cannot listen", "err", err)
		return 1
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve() }()
	if err := srv.Load(); err != nil {
		logger.Error("refusing to start: the data on disk could not be loaded", "err", err)
		fmt.Fprintln(os.Stderr, "kevy: refusing to start:", err)
		srv.Close()
		<-serveErr
		return 1
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go handleSignals(sigs, logger, func() error { return srv.Shutdown(context.Background(), 0) }, os.Exit)
	logger.Info("kevy ready to accept connections", "addr", srv.Addr().String())
	if err := <-serveErr; err != nil && !errors.Is(err, server.ErrServerClosed) {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// handleSignals shuts the server down on SIGTERM or SIGINT, as Redis does:
// if the shutdown fails (the snapshot or the log cannot be written, say
// because the disk is full or the directory is gone), the server keeps
// serving, says so, and the next signal tries again; a second SIGINT while
// an attempt is still running exits at once with status 1, without saving
// (the operator insists). Every attempt runs on its own goroutine so the
// signals keep being read meanwhile.
func handleSignals(sigs <-chan os.Signal, logger *slog.Logger, shutdown func() error, exit func(int)) {
	done := make(chan error, 1)
	running := false
	for {
		select {
		case sig := <-sigs:
			if running {
				if sig == syscall.SIGINT {
					logger.Warn("second interrupt while shutting down: exiting now, without saving")
					exit(1)
					return
				}
				logger.Warn("shutdown already in progress", "signal", sig.String())
				continue
			}
			logger.Info("received signal, shutting down", "signal", sig.String())
			running = true
			go func() { done <- shutdown() }()
		case err := <-done:
			running = false
			if err == nil {
				return
			}
			logger.Error("shutdown failed, still serving; signal again to retry", "err", err)
		}
	}
}
