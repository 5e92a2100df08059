//go:build !linux

package server

// prepareHugePages is Linux-only (thp_linux.go).
func prepareHugePages(n int64) {}
