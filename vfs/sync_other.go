//go:build !linux

package vfs

import (
	"errors"
	"os"
)

// datasync falls back to a full fsync where fdatasync is not available.
func datasync(f *os.File) error { return f.Sync() }

// allocate is not supported: writes extend the file as they go.
func allocate(f *os.File, size int64) error {
	return &os.PathError{Op: "fallocate", Path: f.Name(), Err: errors.ErrUnsupported}
}

func writeAtInline(f *os.File, p []byte, off int64) (int, error) { return f.WriteAt(p, off) }

func datasyncInline(f *os.File) error { return f.Sync() }
