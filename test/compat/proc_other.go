//go:build !linux

package compat

import "os/exec"

// setParentDeath has no portable equivalent outside Linux; there the
// suite relies on its cleanups alone.
func setParentDeath(cmd *exec.Cmd) {}
