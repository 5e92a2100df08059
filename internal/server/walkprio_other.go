//go:build !linux

package server

import "time"

// The idle-class wait is Linux-only (walkprio_linux.go); elsewhere walks
// rest after busy chunks (walkPause).
func lockIdleCapableThread() (int32, bool)  { return 0, false }
func yieldToIdleClass(int32) bool           { return false }
func threadRunDelay() (time.Duration, bool) { return 0, false }
