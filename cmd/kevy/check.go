package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/rdb"
	"github.com/kevy-db/kevy/vfs"
)

// checkAOF implements `kevy check-aof [--fix] FILE`: it reports whether the
// log is valid and where its first bad record is; --fix cuts it back to the
// last good record after saving the cut bytes to a side file.
func checkAOF(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-aof", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fix := fs.Bool("fix", false, "cut the log back to its last valid record (the cut bytes are saved next to it first)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: kevy check-aof [--fix] FILE")
		return 2
	}
	path := fs.Arg(0)
	fsys := vfs.Default()
	if st, err := os.Stat(path); err == nil && st.Size() > 64<<20 && isTerminal(stdout) {
		showProgress(fsys, path, st.Size(), stdout)
	}
	res, err := aof.Check(fsys, path)
	if err != nil {
		fmt.Fprintf(stderr, "check-aof: %v\n", err)
		return 1
	}
	marker := "none (a Redis or pre-marker log: replayed on its own)"
	if res.Marker != nil {
		marker = fmt.Sprintf("log id %s, base %s", res.Marker.ID, res.Marker.Base)
	}
	fmt.Fprintf(stdout, "file: %s\nsize: %d bytes\nheader: %v\nmarker: %s\ncommands: %d\n", path, res.Size, res.Header, marker, res.Commands)
	if res.Valid() {
		fmt.Fprintln(stdout, "AOF is valid")
		return 0
	}
	fmt.Fprintf(stdout, "first bad record at byte %d: %v\n", res.GoodSize, res.Err)
	fmt.Fprintf(stdout, "the valid part is %d bytes; %d bytes after it would be removed\n", res.GoodSize, res.Size-res.GoodSize)
	if !*fix {
		fmt.Fprintf(stdout, "run `kevy check-aof --fix %s` to cut the log there (the removed bytes are kept in a side file)\n", path)
		return 1
	}
	cut, err := aof.Fix(fsys, path, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "check-aof: fix failed: %v\n", err)
		return 1
	}
	if cut == nil {
		fmt.Fprintln(stdout, "nothing to fix")
		return 0
	}
	fmt.Fprintf(stdout, "cut %d bytes at offset %d; they were saved to %s\nAOF fixed\n", cut.Bytes, cut.Offset, cut.SideFile)
	return 0
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// showProgress reads the log once with a progress bar (large files only).
func showProgress(fsys vfs.FS, path string, size int64, out io.Writer) {
	opts := aof.ReplayOptions{LoadTruncated: false, ProgressInterval: 16 << 20}
	opts.Progress = func(done, _ int64) {
		const width = 40
		n := int(done * width / size)
		if n > width {
			n = width
		}
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < n {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(out, "\r[%s] %3d%%", bar, done*100/size)
	}
	aof.Replay(fsys, path, &opts, func([][]byte) error { return nil })
	fmt.Fprint(out, "\r\033[K")
}

// checkRDB implements `kevy check-rdb FILE`: validate a snapshot and print
// a summary, or the offset and cause of the first problem.
func checkRDB(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: kevy check-rdb FILE")
		return 2
	}
	f, err := os.Open(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "check-rdb: %v\n", err)
		return 1
	}
	defer f.Close()
	sum, err := rdb.Check(f)
	if sum != nil {
		fmt.Fprintf(stdout, "file: %s\nRDB version: %d\n", args[0], sum.Version)
		keys := make([]string, 0, len(sum.Aux))
		for k := range sum.Aux {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(stdout, "aux %s = %s\n", k, sum.Aux[k])
		}
		for _, d := range sum.DBs {
			fmt.Fprintf(stdout, "db %d: %d keys", d.DB, d.Keys)
			types := make([]string, 0, len(d.ByType))
			for t, n := range d.ByType {
				types = append(types, fmt.Sprintf("%s=%d", t, n))
			}
			sort.Strings(types)
			for _, t := range types {
				fmt.Fprintf(stdout, " %s", t)
			}
			fmt.Fprintf(stdout, " (%d with expiry)\n", d.Expires)
		}
		fmt.Fprintf(stdout, "keys: %d, with expiry: %d, checksum verified: %v\n", sum.Keys, sum.Expires, sum.ChecksumVerified)
		for _, w := range sum.Warnings {
			fmt.Fprintf(stdout, "warning: %s\n", w)
		}
	}
	if err != nil {
		off := int64(-1)
		if sum != nil {
			off = sum.ErrOffset
		}
		fmt.Fprintf(stdout, "RDB is NOT valid: first problem at byte %d: %v\n", off, err)
		return 1
	}
	fmt.Fprintln(stdout, "RDB looks OK")
	return 0
}
