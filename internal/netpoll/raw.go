package netpoll

import (
	"syscall"
	"unsafe"
)

// RawRead reads into p from the non-blocking descriptor fd with a raw
// system call, retried on EINTR. It never announces the call to the
// scheduler: an announced call wakes sysmon, which may then hand the P to
// another thread mid-call (see internal/server/rawio.go). A descriptor with
// nothing to read gives EAGAIN.
func RawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	return rawCall(syscall.SYS_READ, fd, p)
}

// RawWrite is RawRead for a write of p; it may write less than all of p.
func RawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	return rawCall(syscall.SYS_WRITE, fd, p)
}

func rawCall(trap, fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	for {
		n, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(n), e
		}
	}
}
