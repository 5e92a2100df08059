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
	"syscall"

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
		}
	}
	opts, err := parseArgs(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := server.New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kevy:", err)
		return 1
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(os.Stderr, "kevy:", err)
		return 1
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve() }()
	if err := srv.Load(); err != nil {
		opts.Logger.Error("refusing to start: the data on disk could not be loaded", "err", err)
		srv.Close()
		<-serveErr
		return 1
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-sigs
		opts.Logger.Info("received signal, shutting down", "signal", sig.String())
		if err := srv.Shutdown(context.Background(), 0); err != nil {
			opts.Logger.Error("shutdown failed", "err", err)
		}
	}()
	opts.Logger.Info("kevy ready to accept connections", "addr", srv.Addr().String())
	if err := <-serveErr; err != nil && !errors.Is(err, server.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "kevy:", err)
		return 1
	}
	return 0
}
