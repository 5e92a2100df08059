//go:build !linux

package main

import "syscall"

// sysAttr puts each child in its own process group (a terminal's Ctrl-C
// reaches only the benchmark, which then cleans up). Without Pdeathsig a
// benchmark killed by SIGKILL leaves its servers running.
func sysAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
