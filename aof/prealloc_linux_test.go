package aof

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"

	"github.com/kevy-db/kevy/vfs"
)

// On a real file system the reservation under always leaves written
// blocks, not fallocate's unwritten extents, whose conversion on first
// write every following fdatasync would pay for (preallocate); under
// everysec it stays a fallocate. Checked with FIEMAP where the file system
// has it.
func TestReservationKindByPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy        Policy
		wantUnwritten bool
	}{{Always, false}, {EverySec, true}} {
		path := filepath.Join(t.TempDir(), "a.aof")
		l := mustOpen(t, vfs.Default(), path, slowOpts(tc.policy))
		for _, c := range setCmds(50) {
			if err := l.WaitWritten(l.AppendCommand(c...)); err != nil {
				t.Fatal(err)
			}
		}
		flags, err := extentFlags(path)
		l.Close()
		if err != nil {
			t.Skipf("no FIEMAP here: %v", err)
		}
		const unwritten = 0x800 // FIEMAP_EXTENT_UNWRITTEN
		found := false
		for _, fl := range flags {
			found = found || fl&unwritten != 0
		}
		if len(flags) == 0 || found != tc.wantUnwritten {
			t.Fatalf("%v: extent flags %#x, want an unwritten extent: %v", tc.policy, flags, tc.wantUnwritten)
		}
	}
}

// extentFlags returns the flags of the file's extents (FS_IOC_FIEMAP with
// FIEMAP_FLAG_SYNC, so delayed allocation is resolved first).
func extentFlags(path string) ([]uint32, error) {
	const (
		fsIocFiemap    = 0xC020660B
		fiemapFlagSync = 1
		maxExtents     = 64
		headerSize     = 32 // struct fiemap
		extentSize     = 56 // struct fiemap_extent; fe_flags at byte 40
	)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, headerSize+maxExtents*extentSize)
	binary.LittleEndian.PutUint64(buf[8:], ^uint64(0)) // fm_length: the whole file
	binary.LittleEndian.PutUint32(buf[16:], fiemapFlagSync)
	binary.LittleEndian.PutUint32(buf[24:], maxExtents)
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), fsIocFiemap, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
		return nil, e
	}
	n := min(binary.LittleEndian.Uint32(buf[20:]), maxExtents)
	flags := make([]uint32, 0, n)
	for i := range int(n) {
		flags = append(flags, binary.LittleEndian.Uint32(buf[headerSize+i*extentSize+40:]))
	}
	return flags, nil
}
