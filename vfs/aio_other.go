//go:build !linux || !(amd64 || arm64)

package vfs

// AsyncSync reports whether File.Sync on the OS file system waits for the
// disk without holding an OS thread; only on Linux (aio_linux.go).
func AsyncSync() bool { return false }
