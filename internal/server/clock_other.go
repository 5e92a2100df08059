//go:build !(linux && amd64)

package server

import "time"

// nowMillis is the wall clock in unix milliseconds (see clock_linux_amd64.go).
func nowMillis() int64 { return time.Now().UnixMilli() }
