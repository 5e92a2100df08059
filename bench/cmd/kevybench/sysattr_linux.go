package main

import "syscall"

// sysAttr puts each child in its own process group (a terminal's Ctrl-C
// reaches only the benchmark, which then cleans up) and asks the kernel to
// kill it if the benchmark dies without cleaning up.
func sysAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
