package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/kevy-db/kevy/internal/server"
)

// importKevy1 implements `kevy import-kevy1 [--dir DEST] SRC`: it converts a
// kevy 1.x data directory (per-shard dump-<id>.rdb and aof-<id>.aof) into a
// kevy data directory (dump.rdb and appendonly.aof) that `kevy --dir DEST`
// then serves. SRC is only read.
func importKevy1(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import-kevy1", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dest := fs.String("dir", "./data", "the kevy data directory to create (must not hold data yet)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: kevy import-kevy1 [--dir DEST] SRC")
		return 2
	}
	for _, name := range []string{"dump.rdb", "appendonly.aof"} {
		if _, err := os.Stat(filepath.Join(*dest, name)); err == nil {
			fmt.Fprintf(stderr, "import-kevy1: %s already holds %s; import into an empty directory\n", *dest, name)
			return 1
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := server.New(server.Options{
		Addrs: []string{"127.0.0.1:0"}, Dir: *dest, AppendOnly: true, AppendFsync: "everysec",
		RDBCompression: true, RDBChecksum: true, AOFLoadTruncated: true, Logger: logger,
	})
	if err != nil {
		fmt.Fprintln(stderr, "import-kevy1:", err)
		return 1
	}
	defer srv.Close()
	if err := srv.Load(); err != nil {
		fmt.Fprintln(stderr, "import-kevy1:", err)
		return 1
	}
	n, err := srv.ImportKevy1(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "import-kevy1:", err)
		return 1
	}
	fmt.Fprintf(stdout, "imported %d keys from %s into %s; start the server with: kevy --dir %s\n", n, fs.Arg(0), *dest, *dest)
	return 0
}
