//go:build linux

package uring

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Setup flags and opcodes from linux/io_uring.h.
const (
	setupSubmitAll   = 1 << 7 // keep submitting a batch after an entry fails
	setupCoopTaskrun = 1 << 8 // no interrupt to run completion work: we wait for it anyway
	enterGetEvents   = 1
	opSend           = 26
	featSingleMmap   = 1 << 0

	offSQRing = 0
	offCQRing = 0x8000000
	offSQEs   = 0x10000000

	sqeSize = 64
	cqeSize = 16
)

type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  struct {
		head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
		userAddr                                                        uint64
	}
	cqOff struct {
		head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
		userAddr                                                        uint64
	}
}

type sqe struct {
	opcode, flags uint8
	ioprio        uint16
	fd            int32
	off, addr     uint64
	len, msgFlags uint32
	userData      uint64
	bufIndex      uint16
	personality   uint16
	spliceFdIn    int32
	addr3, pad    uint64
}

type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// Unknown is the result of a send whose completion was never seen: the
// ring failed while it was in flight.
const Unknown = math.MinInt32

// Ring is an io_uring instance used for batches of sends. It is not safe
// for concurrent use: the caller serialises Send.
type Ring struct {
	fd      int
	entries uint32
	sqMem   []byte
	cqMem   []byte // aliases sqMem with IORING_FEAT_SINGLE_MMAP
	sqeMem  []byte

	sqHead, sqTail *uint32
	sqMask         *uint32
	sqArray        unsafe.Pointer
	cqHead, cqTail *uint32
	cqMask         uint32
	cqes           unsafe.Pointer
}

// New sets up a ring for batches of up to entries sends. It fails where
// io_uring is unavailable: kernels before 5.19, kernel.io_uring_disabled,
// or a seccomp profile that refuses it (Docker's default does).
func New(entries uint32) (*Ring, error) {
	var p params
	p.flags = setupSubmitAll | setupCoopTaskrun
	fd, _, errno := unix.RawSyscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("uring: io_uring_setup: %w", errno)
	}
	r := &Ring{fd: int(fd), entries: p.sqEntries}
	if err := r.mmap(&p); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Ring) mmap(p *params) error {
	sqSize := int(p.sqOff.array + p.sqEntries*4)
	cqSize := int(p.cqOff.cqes + p.cqEntries*cqeSize)
	single := p.features&featSingleMmap != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	if r.sqMem, err = unix.Mmap(r.fd, offSQRing, sqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		return fmt.Errorf("uring: mmap submission ring: %w", err)
	}
	if single {
		r.cqMem = r.sqMem
	} else if r.cqMem, err = unix.Mmap(r.fd, offCQRing, cqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		return fmt.Errorf("uring: mmap completion ring: %w", err)
	}
	if r.sqeMem, err = unix.Mmap(r.fd, offSQEs, int(p.sqEntries)*sqeSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		return fmt.Errorf("uring: mmap submission entries: %w", err)
	}
	sq, cq := unsafe.Pointer(&r.sqMem[0]), unsafe.Pointer(&r.cqMem[0])
	r.sqHead = (*uint32)(unsafe.Add(sq, p.sqOff.head))
	r.sqTail = (*uint32)(unsafe.Add(sq, p.sqOff.tail))
	r.sqMask = (*uint32)(unsafe.Add(sq, p.sqOff.ringMask))
	r.sqArray = unsafe.Add(sq, p.sqOff.array)
	r.cqHead = (*uint32)(unsafe.Add(cq, p.cqOff.head))
	r.cqTail = (*uint32)(unsafe.Add(cq, p.cqOff.tail))
	r.cqMask = *(*uint32)(unsafe.Add(cq, p.cqOff.ringMask))
	r.cqes = unsafe.Add(cq, p.cqOff.cqes)
	return nil
}

// Close releases the ring.
func (r *Ring) Close() error {
	if r.sqeMem != nil {
		unix.Munmap(r.sqeMem)
	}
	if r.cqMem != nil && unsafe.SliceData(r.cqMem) != unsafe.SliceData(r.sqMem) {
		unix.Munmap(r.cqMem)
	}
	if r.sqMem != nil {
		unix.Munmap(r.sqMem)
	}
	return unix.Close(r.fd)
}

// Send sends each bufs[i] on the socket fds[i] without waiting for room
// in its buffer (MSG_DONTWAIT) and stores in res[i] the number of bytes
// sent or a negative errno: -EAGAIN if the buffer was full, -ECANCELED if
// the kernel refused the submission (nothing was sent). It returns once
// every submitted send has completed, having made one system call per
// batch of the ring's size. An error means the ring can no longer be
// trusted: sends whose completion could not be awaited report Unknown
// (they may or may not have happened), and later calls must not be made.
func (r *Ring) Send(fds []int32, bufs [][]byte, res []int32) error {
	defer runtime.KeepAlive(bufs)
	for start := 0; start < len(fds); {
		n := min(len(fds)-start, int(r.entries))
		if err := r.sendBatch(fds[start:start+n], bufs[start:start+n], res[start:start+n]); err != nil {
			for i := start + n; i < len(fds); i++ {
				res[i] = -int32(unix.ECANCELED)
			}
			return err
		}
		start += n
	}
	return nil
}

func (r *Ring) sendBatch(fds []int32, bufs [][]byte, res []int32) error {
	n := uint32(len(fds))
	tail0, mask := *r.sqTail, *r.sqMask
	for i := range n {
		idx := (tail0 + i) & mask
		b := bufs[i]
		e := (*sqe)(unsafe.Pointer(&r.sqeMem[idx*sqeSize]))
		*e = sqe{
			opcode:   opSend,
			fd:       fds[i],
			addr:     uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))),
			len:      uint32(len(b)),
			msgFlags: unix.MSG_DONTWAIT | unix.MSG_NOSIGNAL,
			userData: uint64(i),
		}
		*(*uint32)(unsafe.Add(r.sqArray, idx*4)) = idx
		res[i] = Unknown // until its completion arrives
	}
	atomic.StoreUint32(r.sqTail, tail0+n)
	submitted, reaped, refused := uint32(0), uint32(0), false
	for {
		toSubmit := n - submitted
		if refused {
			toSubmit = 0
		}
		want := submitted + toSubmit - reaped
		if want == 0 {
			return nil
		}
		_, _, errno := unix.RawSyscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd),
			uintptr(toSubmit), uintptr(want), enterGetEvents, 0, 0)
		// The kernel's head says how many entries it took, whatever the
		// call returned.
		submitted = atomic.LoadUint32(r.sqHead) - tail0
		reaped += r.reap(res)
		switch {
		case errno == 0 || errno == unix.EINTR:
		case toSubmit > 0 && !refused:
			// Entries the kernel did not take are withdrawn (only this
			// caller submits, so nothing else moves the tail) and
			// reported as not sent; the taken ones are still awaited.
			refused = true
			atomic.StoreUint32(r.sqTail, tail0+submitted)
			for i := submitted; i < n; i++ {
				res[i] = -int32(unix.ECANCELED)
			}
		default:
			return fmt.Errorf("uring: io_uring_enter: %w", errno)
		}
	}
}

// reap moves the completions the kernel has posted into res.
func (r *Ring) reap(res []int32) uint32 {
	head, tail := *r.cqHead, atomic.LoadUint32(r.cqTail)
	for h := head; h != tail; h++ {
		c := (*cqe)(unsafe.Add(r.cqes, (h&r.cqMask)*cqeSize))
		res[c.userData] = c.res
	}
	atomic.StoreUint32(r.cqHead, tail)
	return tail - head
}
