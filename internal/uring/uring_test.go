//go:build linux

package uring

import (
	"bytes"
	"fmt"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func newRing(t *testing.T, entries uint32) *Ring {
	t.Helper()
	r, err := New(entries)
	if err != nil {
		t.Skipf("io_uring unavailable here (%v): the server falls back to a write per reply", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// pair returns a connected, non-blocking stream socket pair, as the
// server's sockets are.
func pair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

func TestSendBatchLargerThanRing(t *testing.T) {
	r := newRing(t, 4)
	const n = 11 // three submissions of at most four
	var fds []int32
	var bufs [][]byte
	var peers []int
	for i := range n {
		a, b := pair(t)
		fds = append(fds, int32(a))
		bufs = append(bufs, fmt.Appendf(nil, "+reply %d\r\n", i))
		peers = append(peers, b)
	}
	res := make([]int32, n)
	if err := r.Send(fds, bufs, res); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if int(res[i]) != len(bufs[i]) {
			t.Fatalf("send %d: result %d, want %d", i, res[i], len(bufs[i]))
		}
		got := make([]byte, 64)
		m, err := unix.Read(peers[i], got)
		if err != nil || !bytes.Equal(got[:m], bufs[i]) {
			t.Fatalf("peer %d read %q, %v; want %q", i, got[:m], err, bufs[i])
		}
	}
}

// A full socket must report EAGAIN at once: were the send armed to wait
// for room, Send would wait for a completion that only the reader can
// bring, and the server would hang.
func TestSendToFullSocketReportsEAGAIN(t *testing.T) {
	r := newRing(t, 8)
	a, _ := pair(t)
	fill := make([]byte, 1<<16)
	for {
		if _, err := unix.Write(a, fill); err == unix.EAGAIN {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	ok, okPeer := pair(t)
	res := make([]int32, 2)
	if err := r.Send([]int32{int32(a), int32(ok)}, [][]byte{[]byte("+x\r\n"), []byte("+y\r\n")}, res); err != nil {
		t.Fatal(err)
	}
	if res[0] != -int32(syscall.EAGAIN) {
		t.Fatalf("full socket: result %d, want -EAGAIN", res[0])
	}
	if res[1] != 4 {
		t.Fatalf("the other socket: result %d, want 4", res[1])
	}
	got := make([]byte, 8)
	if m, _ := unix.Read(okPeer, got); string(got[:m]) != "+y\r\n" {
		t.Fatalf("peer read %q", got[:m])
	}
}

func TestSendPartialAndErrors(t *testing.T) {
	r := newRing(t, 8)
	// A send larger than the room left is cut short, not refused.
	a, _ := pair(t)
	if err := unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("z"), 1<<20)
	closed, peer := pair(t)
	unix.Close(peer) // a peer gone: EPIPE, and no SIGPIPE
	res := make([]int32, 3)
	if err := r.Send([]int32{int32(a), int32(closed), -1}, [][]byte{big, []byte("+x\r\n"), []byte("+x\r\n")}, res); err != nil {
		t.Fatal(err)
	}
	if res[0] <= 0 || int(res[0]) >= len(big) {
		t.Fatalf("send to a small buffer: result %d, want a short send", res[0])
	}
	if res[1] != -int32(syscall.EPIPE) {
		t.Fatalf("send to a closed peer: result %d, want -EPIPE", res[1])
	}
	if res[2] != -int32(syscall.EBADF) {
		t.Fatalf("send to fd -1: result %d, want -EBADF", res[2])
	}
}

// One send through the ring against one write(2), and a batch of 32
// against 32 writes: where a submission starts to pay.
func BenchmarkSend(b *testing.B) {
	for _, n := range []int{1, 32} {
		r, err := New(64)
		if err != nil {
			b.Skip(err)
		}
		var fds []int32
		var bufs [][]byte
		var peers []int
		for range n {
			p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
			if err != nil {
				b.Fatal(err)
			}
			fds, peers = append(fds, int32(p[0])), append(peers, p[1])
			bufs = append(bufs, []byte("+OK\r\n"))
		}
		res := make([]int32, n)
		drain := make([]byte, 4096)
		b.Run(fmt.Sprintf("ring/%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := r.Send(fds, bufs, res); err != nil {
					b.Fatal(err)
				}
				for _, p := range peers {
					unix.Read(p, drain)
				}
			}
		})
		b.Run(fmt.Sprintf("write/%d", n), func(b *testing.B) {
			for b.Loop() {
				for i, fd := range fds {
					unix.Write(int(fd), bufs[i])
				}
				for _, p := range peers {
					unix.Read(p, drain)
				}
			}
		})
		r.Close()
		for i := range fds {
			unix.Close(int(fds[i]))
			unix.Close(peers[i])
		}
	}
}
