//go:build !linux

package redistest

import "os/exec"

// dieWithParent is Linux-only (Pdeathsig); elsewhere t.Cleanup stops Redis.
func dieWithParent(*exec.Cmd) {}
