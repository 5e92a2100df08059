package server

import (
	"errors"
	"slices"
	"sync"

	"github.com/kevy-db/kevy/internal/uring"
)

// replyBatch sends, in one system call, the replies of every connection
// that waited for the same log turn.
//
// Why: under appendfsync always (and everysec without pipelining) the
// replies of a group are held until the log's turn covers their records;
// then every connection of the group wakes and writes its own, one
// write(2) each. On the reference machine a system call costs about
// 1.2 µs of entry and exit alone (a PVM guest), and at 50 clients the
// replies' writes were a third of kevy's system calls. So a connection
// that will wait for the log registers its pending replies here (add),
// and the first connection of the group whose wait returns, which with
// one P is the turn's leader, sends every registered reply that the log
// has acknowledged through io_uring (internal/uring), one submission for
// the lot (finish). The others find their replies sent when they run.
//
// A socket whose buffer is full reports EAGAIN and keeps its replies;
// so does any other failed send: the owner then writes what is left
// itself, as without the batch, and meets the same error or waits for
// room in Go's poller. Only sockets inside a step are batched (serveRaw):
// the step holds the descriptor, so it cannot be closed and reused while
// another goroutine sends on it. Pub/Sub connections, whose output
// buffer publishers share, are not batched.
type replyBatch struct {
	mu      sync.Mutex
	ring    sender // nil once it has failed
	pending []*conn

	// Scratch for one send, reused so a batch allocates nothing.
	fds  []int32
	bufs [][]byte
	res  []int32
	sent []*conn
}

// sender sends a batch: *uring.Ring, or in tests a fault injector.
type sender interface {
	Send(fds []int32, bufs [][]byte, res []int32) error
	Close() error
}

// The owner-only states of conn.batch; they change under replyBatch.mu.
const (
	batchNone    = iota
	batchPending // registered, replies not sent
	batchSent    // sent by another connection; result in batchRes
)

// errReplyLost closes a connection whose replies may or may not have
// been sent: the ring failed while their send was in flight.
var errReplyLost = errors.New("server: the batched send of this connection's replies failed midway")

// newReplyBatch returns nil where io_uring is unavailable.
func newReplyBatch() *replyBatch {
	r, err := uring.New(64)
	if err != nil {
		return nil
	}
	return &replyBatch{ring: r}
}

func (b *replyBatch) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ring != nil {
		b.ring.Close()
		b.ring = nil
	}
}

// add registers c's buffered replies, which wait for its log records.
// Called by c's owner inside a step, just before its wait; false if the
// batch is out of order and c must write its replies itself.
func (b *replyBatch) add(c *conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ring == nil {
		return false
	}
	c.batch = batchPending
	b.pending = append(b.pending, c)
	return true
}

// finish is called by c's owner once its wait has returned, acked if it
// returned nil. If another connection has sent c's replies it returns that
// send's result: the bytes sent, or a negative errno. Otherwise, and if
// acked, it sends c's replies together with every other registered
// connection's that the log has acknowledged, and returns c's result.
// sent is false if c's replies were not sent (the wait failed).
func (b *replyBatch) finish(c *conn, acked bool) (res int32, sent bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c.batch == batchSent {
		c.batch = batchNone
		return c.batchRes, true
	}
	c.batch = batchNone
	if i := slices.Index(b.pending, c); i >= 0 {
		b.pending = slices.Delete(b.pending, i, i+1)
	}
	if !acked || b.ring == nil {
		return 0, false
	}
	// Records end at or before Acked only if their wait would return nil:
	// those replies may go. The others wait for a later turn.
	upTo := c.waitLog.Acked()
	b.fds, b.bufs, b.sent = b.fds[:0], b.bufs[:0], b.sent[:0]
	b.enqueue(c)
	kept := b.pending[:0]
	for _, o := range b.pending {
		if o.waitLog == c.waitLog && o.waitOff <= upTo {
			b.enqueue(o)
		} else {
			kept = append(kept, o)
		}
	}
	clear(b.pending[len(kept):])
	b.pending = kept
	if len(b.sent) == 1 {
		// Alone: a plain write is a little cheaper than a submission
		// (internal/uring BenchmarkSend, with the peer's read: one send
		// 4.7-5.0 us against 4.4-4.7; 32 sends 87-100 us against
		// 147-173 us).
		b.sent[0], b.bufs[0] = nil, nil
		return 0, false
	}
	b.res = slices.Grow(b.res[:0], len(b.fds))[:len(b.fds)]
	if err := b.ring.Send(b.fds, b.bufs, b.res); err != nil {
		c.s.log.Error("batched reply send failed; replies are written one by one from now on", "err", err)
		b.ring.Close()
		b.ring = nil
	}
	for i, o := range b.sent[1:] {
		o.batch, o.batchRes = batchSent, b.res[i+1]
	}
	clear(b.sent)
	clear(b.bufs)
	return b.res[0], true
}

func (b *replyBatch) enqueue(c *conn) {
	b.fds = append(b.fds, int32(c.raw.fd))
	b.bufs = append(b.bufs, c.cl.W.Pending())
	b.sent = append(b.sent, c)
}

// sentBatch applies the result of a batched send to c's output buffer.
// What was not sent stays buffered for the owner's own write.
func (c *conn) sentBatch(res int32) error {
	switch {
	case res == uring.Unknown:
		// Whether the replies went out is unknown: none may be sent
		// again, and the connection closes.
		c.cl.W.Truncate(0)
		return errReplyLost
	case res > 0:
		c.s.stats.netOutput.Add(int64(res))
		c.cl.W.Consumed(int(res))
	}
	return nil
}
