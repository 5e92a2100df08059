//go:build linux

package vfs

import (
	"errors"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// datasync flushes the file's data and size but not its timestamps, which is
// all a log or snapshot needs and saves a metadata write per call. It waits
// through AIO where available (aio_linux.go), so the P serves others.
func datasync(f *os.File) error { return fdatasync(f, false) }

// datasyncInline is fdatasync on the calling thread: a raw system call
// with one P (see SyncInline), an ordinary one otherwise.
func datasyncInline(f *os.File) error { return fdatasync(f, true) }

func fdatasync(f *os.File, inline bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	raw := inline && runtime.GOMAXPROCS(0) == 1
	var serr error
	if err := rc.Control(func(fd uintptr) {
		if !inline {
			if a := getAIO(); a != nil {
				var submitted bool
				if submitted, serr = a.fdatasync(fd); submitted {
					return
				}
			}
		}
		for {
			if raw {
				serr = nil
				if _, _, e := unix.RawSyscall(unix.SYS_FDATASYNC, fd, 0, 0); e != 0 {
					serr = e
				}
			} else {
				serr = unix.Fdatasync(int(fd))
			}
			if serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}

// allocate reserves blocks up to size with fallocate(2) (mode 0: the size
// grows, the new range reads as zeros).
func allocate(f *os.File, size int64) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() >= size {
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = unix.Fallocate(int(fd), 0, fi.Size(), size-fi.Size())
			if serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr == unix.EOPNOTSUPP || serr == unix.ENOSYS {
		return &os.PathError{Op: "fallocate", Path: f.Name(), Err: errors.ErrUnsupported}
	}
	if serr != nil {
		return &os.PathError{Op: "fallocate", Path: f.Name(), Err: serr}
	}
	return nil
}

// writeAtInline is pwrite(2) on the calling thread: a raw system call
// with one P (see WriteAtInline), os.File.WriteAt otherwise.
func writeAtInline(f *os.File, p []byte, off int64) (int, error) {
	if runtime.GOMAXPROCS(0) != 1 {
		return f.WriteAt(p, off)
	}
	if off < 0 {
		return 0, &os.PathError{Op: "writeat", Path: f.Name(), Err: errors.New("negative offset")}
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	written := 0
	var errno unix.Errno
	if err := rc.Control(func(fd uintptr) {
		for written < len(p) {
			n, _, e := unix.RawSyscall6(unix.SYS_PWRITE64, fd, uintptr(unsafe.Pointer(&p[written])), uintptr(len(p)-written), uintptr(off+int64(written)), 0, 0)
			if e == unix.EINTR {
				continue
			}
			if e != 0 {
				errno = e
				return
			}
			if n == 0 {
				errno = unix.EIO // no progress and no error: give up rather than spin
				return
			}
			written += int(n)
		}
	}); err != nil {
		return written, err
	}
	if errno != 0 {
		return written, &os.PathError{Op: "write", Path: f.Name(), Err: errno}
	}
	return written, nil
}
