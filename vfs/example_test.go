package vfs_test

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/kevy-db/kevy/vfs"
)

// A crash keeps only what was synced, and only names whose directory was
// synced: WriteFileAtomic does both.
func ExampleMemFS_Crash() {
	fs := vfs.NewMem()
	_ = vfs.WriteFileAtomic(fs, "/config", func(w io.Writer) error {
		_, err := io.WriteString(w, "durable")
		return err
	})
	f, _ := fs.Create("/scratch")
	f.Write([]byte("lost"))

	fs.Crash()
	b, _ := vfs.ReadFile(fs, "/config")
	_, err := fs.Stat("/scratch")
	fmt.Println(string(b), err != nil)
	// Output: durable true
}

// NewFault makes the next fsync fail, as a dying disk would.
func ExampleNewFault() {
	fs := vfs.NewFault(vfs.NewMem(), vfs.Fault{Op: vfs.OpSync})
	err := vfs.WriteFileAtomic(fs, "/f", func(w io.Writer) error { return nil })
	fmt.Println(errors.Is(err, syscall.EIO))
	// Output: true
}
