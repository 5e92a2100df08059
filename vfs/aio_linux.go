//go:build linux && (amd64 || arm64)

package vfs

import (
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Asynchronous fdatasync through Linux AIO (IOCB_CMD_FDSYNC, Linux ≥ 4.18).
//
// Why: fdatasync blocks the calling OS thread for the whole disk round trip
// (0.2–0.5 ms on the reference machine), and Go only takes that thread's P
// away when sysmon notices, 20 µs to 10 ms later. On a 2-core machine the
// server runs best with one P (docs/architecture.md, "GOMAXPROCS"), but with
// one P a blocking fsync stalls every connection, so appendfsync always
// needed a second P, whose cross-thread wake-ups cost 40 % of throughput
// even when the fsync itself is free (measured on tmpfs). Submitted through
// AIO, the fsync runs in a kernel worker; the goroutine that asked for it
// parks in the network poller on an eventfd, like a goroutine waiting for a
// socket, and the P serves connections meanwhile.
//
// The AIO context and its eventfd are process-wide, like the runtime's own
// network poller: one context serves every file, and a reaper goroutine
// hands each completion to the goroutine that submitted it. Where AIO is
// unavailable (a seccomp profile, aio-max-nr reached), Sync falls back to a
// blocking fdatasync.

const (
	iocbCmdFdsync = 3
	iocbFlagResfd = 1 << 0
)

// iocb is struct iocb of <linux/aio_abi.h> on little-endian machines.
type iocb struct {
	data      uint64
	key       uint32
	rwFlags   int32
	opcode    uint16
	reqprio   int16
	fildes    uint32
	buf       uint64
	nbytes    uint64
	offset    int64
	reserved2 uint64
	flags     uint32
	resfd     uint32
}

// ioEvent is struct io_event.
type ioEvent struct {
	data uint64
	obj  uint64
	res  int64
	res2 int64
}

type aioSyncer struct {
	ctx    uintptr
	efd    *os.File // the eventfd, read through the network poller
	efdNum uint32   // its number (efd.Fd() would make it blocking)

	mu      sync.Mutex
	next    uint64
	waiting map[uint64]chan int64
}

var (
	aioOnce sync.Once
	aio     *aioSyncer // nil if AIO is unavailable
)

func getAIO() *aioSyncer {
	aioOnce.Do(func() {
		if os.Getenv("KEVY_NO_AIO") != "" {
			return
		}
		aio = newAIOSyncer()
	})
	return aio
}

func newAIOSyncer() *aioSyncer {
	var ctx uintptr
	if _, _, e := unix.Syscall(unix.SYS_IO_SETUP, 128, uintptr(unsafe.Pointer(&ctx)), 0); e != 0 {
		return nil
	}
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Syscall(unix.SYS_IO_DESTROY, ctx, 0, 0)
		return nil
	}
	a := &aioSyncer{ctx: ctx, efd: os.NewFile(uintptr(fd), "aio-eventfd"), efdNum: uint32(fd), waiting: make(map[uint64]chan int64)}
	go a.reap()
	return a
}

// AsyncSync reports whether File.Sync on the OS file system waits for the
// disk without holding an OS thread (and so without holding a P).
func AsyncSync() bool { return getAIO() != nil }

// reap waits on the eventfd and delivers completions.
func (a *aioSyncer) reap() {
	var cnt [8]byte
	var evs [64]ioEvent
	rc, err := a.efd.SyscallConn()
	if err != nil {
		return
	}
	for {
		// A raw read, parked in the poller on EAGAIN: announcing a
		// syscall would wake sysmon (see rawWriteAt).
		if err := rc.Read(func(fd uintptr) bool {
			_, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&cnt[0])), 8)
			return e != unix.EAGAIN
		}); err != nil {
			return
		}
		for {
			var ts unix.Timespec
			n, _, e := unix.RawSyscall6(unix.SYS_IO_GETEVENTS, a.ctx, 0, uintptr(len(evs)),
				uintptr(unsafe.Pointer(&evs[0])), uintptr(unsafe.Pointer(&ts)), 0)
			if e == unix.EINTR {
				continue
			}
			if e != 0 || n == 0 {
				break
			}
			a.mu.Lock()
			for _, ev := range evs[:n] {
				if ch, ok := a.waiting[ev.data]; ok {
					delete(a.waiting, ev.data)
					ch <- ev.res
				}
			}
			a.mu.Unlock()
			if int(n) < len(evs) {
				break
			}
		}
	}
}

// fdatasync submits an fdatasync of fd and waits for it. submitted is
// false if the submission failed; the caller then syncs synchronously.
func (a *aioSyncer) fdatasync(fd uintptr) (submitted bool, err error) {
	ch := make(chan int64, 1)
	a.mu.Lock()
	a.next++
	id := a.next
	a.waiting[id] = ch
	a.mu.Unlock()
	cb := iocb{data: id, opcode: iocbCmdFdsync, fildes: uint32(fd), flags: iocbFlagResfd, resfd: a.efdNum}
	p := &cb
	for {
		_, _, e := unix.RawSyscall(unix.SYS_IO_SUBMIT, a.ctx, 1, uintptr(unsafe.Pointer(&p)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			a.mu.Lock()
			delete(a.waiting, id)
			a.mu.Unlock()
			return false, nil
		}
		break
	}
	if res := <-ch; res < 0 {
		return true, syscall.Errno(-res)
	}
	return true, nil
}
