package server

import (
	"bytes"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/resp"
)

// Redis's reply to a non-loopback client while protected mode is on.
const protectedModeMsg = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

// conn is one client connection.
//
// Its goroutine reads commands, executes them under the execution lock and
// writes the replies (invariant 2 of the package comment). Two things make
// other goroutines touch it:
//
//   - A client blocked in BLPOP and friends is served by whichever
//     goroutine filled the key, under the execution lock: the reply goes into
//     cl.W, the log offset to wait for into wakeOff, and the blocked reader
//     is interrupted with a read deadline in the past (block.go).
//   - Once the client has subscribed to Pub/Sub, publishers append messages
//     to cl.W under the execution lock, and a flusher goroutine sends them.
//     From then on cl.W is only touched under the lock and bytes leave it
//     through extractLocked, with writeMu ordering the network writes
//     (pubsub.go).
type conn struct {
	s  *Server
	nc net.Conn
	io io.ReadWriter // nc's data path: rawIO where possible
	rd *resp.Reader
	cl *command.Client
	in connInput // what the reader reads: input read while blocked, then nc

	clockUs int64 // the clock after the last command, while still valid (exec)

	// Log offset of the last record this connection's commands produced,
	// and the reply-buffer position and command count since the first
	// record not yet acknowledged by the log (invariant 3).
	waitOff     int64
	waitLog     *aof.Log // the log waitOff refers to
	unackStart  int
	unackCmds   int
	hasUnacked  bool
	killed      atomic.Bool
	lastCmdTime atomic.Int64
	// kicked is closed by abort, to end a wait for CLIENT PAUSE (pause.go).
	kicked   chan struct{}
	kickOnce sync.Once
	paused   bool // waiting for CLIENT PAUSE to end; set under the execution lock

	// Set under the execution lock by the goroutine that served this
	// blocked client: the log offset covering the served pop's record.
	wakeOff int64
	wakeLog *aof.Log

	// Pub/Sub output path (pubsub.go).
	ps         bool // owner only: cl.W is shared with publishers (set under the lock)
	subscribed bool // owner only: subscribed after the last command
	holdOut    bool // under the lock: cl.W holds replies waiting for this connection's log
	writeMu    sync.Mutex
	capture    bool   // under the lock and writeMu: cl.W flushes into capBuf
	capBuf     []byte // under writeMu
	inflight   atomic.Int64
	softSince  time.Time // under the lock: when the soft output limit was first exceeded
	outSig     chan struct{}
	outStop    chan struct{}

	// Pipelined commands whose keys were prefetched and have not run yet,
	// and the buffer their keys are collected in (prefetchKeys).
	prefetched int
	keyBuf     [][]byte
	memberBuf  [][]byte

	// Owner only: beforeBlock left an idle-timeout read deadline set.
	idleDeadline bool

	// raw is io when it is a rawIO (nil otherwise), set before the
	// connection is registered. The rest is serveRaw's owner-only state
	// (the callback is bound once, so a step allocates nothing).
	raw      *rawIO
	batch    int   // batchNone, batchPending or batchSent (replybatch.go)
	batchRes int32 // with batchSent: the send's result
	stepFn   func(fd uintptr) bool
	stepNext next
	stepErr  error
}

// countingReader counts bytes for INFO's total_net_*_bytes.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// connInput is the reader's source: input that arrived while the client
// was blocked (read to notice a disconnect) comes first, then the socket.
type connInput struct {
	c       *conn
	pending []byte
	err     error // a read error seen while blocked, reported after pending
}

func (in *connInput) Read(p []byte) (int, error) {
	in.c.clockUs = 0 // time passes between reads (conn.exec)
	if len(in.pending) > 0 {
		n := copy(p, in.pending)
		in.pending = in.pending[n:]
		if len(in.pending) == 0 {
			in.pending = nil
		}
		return n, nil
	}
	if in.err != nil {
		err := in.err
		in.err = nil
		return 0, err
	}
	n, err := in.c.io.Read(p)
	in.c.s.stats.netInput.Add(int64(n))
	return n, err
}

// connSink is cl.W's destination: the socket, or capBuf while a Pub/Sub
// connection's output is being extracted under the lock.
type connSink struct{ c *conn }

func (s connSink) Write(p []byte) (int, error) {
	c := s.c
	if c.capture {
		c.capBuf = append(c.capBuf, p...)
		return len(p), nil
	}
	n, err := c.io.Write(p)
	c.s.stats.netOutput.Add(int64(n))
	return n, err
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

func (s *Server) serveConn(nc net.Conn) {
	defer nc.Close()
	dyn := s.dyn.Load()
	if dyn.protectedMode && dyn.requirePass == "" && !isLoopback(nc.RemoteAddr()) {
		s.stats.rejectedConns.Add(1)
		nc.Write([]byte(protectedModeMsg))
		return
	}
	c := &conn{s: s, nc: nc, io: nc, kicked: make(chan struct{})}
	if r := newRawIO(nc); r != nil {
		c.io, c.raw = r, r
	}
	c.in.c = c
	now := time.Now()
	c.cl = &command.Client{
		ID:              s.nextID.Add(1),
		Addr:            nc.RemoteAddr().String(),
		LocalAddr:       nc.LocalAddr().String(),
		Created:         now,
		LastInteraction: now,
		W:               resp.NewWriter(connSink{c}),
		Conn:            c,
	}
	c.lastCmdTime.Store(now.UnixMilli())
	s.clientsMu.Lock()
	if len(s.clients) >= dyn.maxClients {
		s.clientsMu.Unlock()
		s.stats.rejectedConns.Add(1)
		nc.Write([]byte("-ERR max number of clients reached\r\n"))
		return
	}
	if s.closing.Load() {
		s.clientsMu.Unlock()
		return
	}
	s.clients[c.cl.ID] = c
	s.clientsMu.Unlock()
	defer func() {
		s.clientsMu.Lock()
		delete(s.clients, c.cl.ID)
		s.clientsMu.Unlock()
		s.mu.Lock()
		s.eng.UnblockClient(c.cl, false)
		s.eng.TrackingOff(c.cl)
		c.cl.Reset() // drop MULTI state, watched keys and subscriptions
		s.mu.Unlock()
		c.stopFlusher()
	}()

	c.rd = resp.NewReader(&c.in, c.limits())
	c.rd.SetBeforeBlock(c.beforeBlock)
	if c.raw != nil {
		c.serveRaw()
		return
	}
	for {
		args, err := c.rd.ReadCommand()
		if err != nil {
			c.readFailed(err)
			return
		}
		if !c.resume(c.run(args)) {
			return
		}
	}
}

// next is what a connection does after a command.
type next uint8

const (
	nextRead  next = iota // read the next command
	nextBlock             // the client blocked: wait for its key (block.go)
	nextEnd               // close the connection
)

// pipelineFlushAt is how many reply bytes a pipeline accumulates before
// they are sent mid-pipeline. It must stay well under the size past which
// the writer drops its buffer after a flush (resp's maxIdleWriteBuf, 1 MB):
// at 1 MB the buffer always grew past that, was dropped at each flush and
// regrown for the next replies, and LRANGE of 300 200-byte elements at
// -P 16 made 150 KB of garbage per command (98 % of all allocation, GC at
// 2/3 of the server's CPU, RSS 190-200 MB against Redis's 156-172). At
// 256 KB: CPU 28-31 s -> 13-15 s for the same run, RSS 114-116 MB, the
// same throughput (the client is the limit).
const pipelineFlushAt = 256 << 10

// run executes one command read from the client.
func (c *conn) run(args [][]byte) next {
	if c.killed.Load() {
		return nextEnd
	}
	if c.s.pause.cur.Load() != nil {
		c.waitPause(args) // CLIENT PAUSE (pause.go)
		c.clockUs = 0
		if c.killed.Load() {
			return nextEnd
		}
	}
	c.exec(args)
	if c.cl.Blocked() {
		return nextBlock
	}
	if c.cl.CloseAfterReply {
		c.flush()
		return nextEnd
	}
	// Don't let a long pipeline grow the reply buffer without bound.
	if c.buffered() > pipelineFlushAt && c.flush() != nil {
		return nextEnd
	}
	return nextRead
}

// resume carries out what run decided, reporting whether the connection
// goes on reading.
func (c *conn) resume(n next) bool {
	switch n {
	case nextBlock:
		return c.waitBlocked()
	case nextEnd:
		return false
	}
	return true
}

// serveRaw is serveConn's loop for a socket read with raw system calls.
// Commands run inside RawConn.Read's callback, in steps: a step reads and
// runs commands until the socket has nothing left, and returning from the
// callback then waits for input in the poller. Staying inside one
// RawConn.Read call is what lets stepRead skip the read that would find
// nothing. A client that blocks leaves the callback, since waitBlocked
// reads the socket through net.Conn.
//
// While a step runs, the descriptor is held, so closing the socket from
// another goroutine would wait for the step to end; such closers use
// abort, which does not.
func (c *conn) serveRaw() {
	r := c.raw
	c.stepFn = c.step
	for {
		c.stepNext, c.stepErr = nextRead, nil
		// A new RawConn.Read forgets readiness seen before it: the first
		// read of the step must be tried.
		r.drained = false
		err := r.rc.Read(c.stepFn)
		if err == nil {
			err = c.stepErr
		}
		if err != nil {
			c.readFailed(err)
			return
		}
		if !c.resume(c.stepNext) {
			return
		}
	}
}

// step is serveRaw's RawConn callback: false asks the poller to wait for
// input and call again, true ends the RawConn.Read call with the outcome
// in stepNext and stepErr.
func (c *conn) step(fd uintptr) bool {
	r := c.raw
	r.fd, r.inStep = fd, true
	p := c.s.poller
	if p != nil {
		p.noteWake()
	}
	cmds, more := uint64(0), false
	for {
		args, err := c.rd.ReadCommand()
		if err == errWouldBlock {
			more = true
			break
		}
		if err != nil {
			c.stepErr = err
			break
		}
		cmds++
		if n := c.run(args); n != nextRead {
			c.stepNext = n
			break
		}
	}
	if p != nil {
		p.commands.Add(cmds)
	}
	r.inStep = false
	return !more
}

// abort ends the connection from another goroutine. It never waits for
// the owner, so it may be called under any lock (serveRaw).
func (c *conn) abort() {
	c.killed.Store(true)
	c.kickOnce.Do(func() { close(c.kicked) })
	if c.raw == nil {
		c.nc.Close() // no step holds the descriptor
		return
	}
	if c.raw.shutdown() != nil {
		// Already closed, or a socket the kernel will not shut down
		// (the peer is gone, so the owner's reads fail anyway): close it
		// once the owner lets go, without waiting here.
		go c.nc.Close()
	}
}

// limits are the protocol limits for this client; unauthenticated clients
// get Redis's small ones so a stranger cannot make us buffer much.
func (c *conn) limits() resp.Limits {
	l := resp.Limits{MaxBulkLen: c.s.opts.ProtoMaxBulkLen, MaxQueryBuffer: c.s.opts.ClientQueryBufferLimit}
	if !c.authenticated() {
		l.Unauthenticated = true
	}
	return l
}

func (c *conn) authenticated() bool {
	return c.cl.Authenticated || c.s.dyn.Load().requirePass == ""
}

func (c *conn) readFailed(err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		c.flush()
		c.lockOut()
		c.cl.W.Error("ERR " + pe.Msg)
		c.unlockOut()
		c.flush()
		c.s.log.Debug("protocol error; closing client", "addr", c.cl.Addr, "err", pe.Msg)
		return
	}
	if errors.Is(err, resp.ErrQueryBufferLimit) {
		c.s.log.Warn("closing client that reached max query buffer length", "addr", c.cl.Addr)
		return
	}
	// EOF, reset, timeout or a kill: flush what we can and go.
	c.flush()
}

// exec runs one command under the execution lock.
func (c *conn) exec(args [][]byte) {
	s := c.s
	wasAuth := c.authenticated()
	// The count of waiting connections matters only when the lock is
	// held by someone else; uncontended, its two atomic adds were a third
	// of exec's own time at -P 16 (perf annotate).
	if !s.mu.TryLock() {
		s.execWaiting.Add(1)
		s.mu.Lock()
		s.execWaiting.Add(-1)
	}
	start := c.cl.W.Buffered()
	// The clock read after this connection's previous command (the slow
	// log's) serves again while nothing can have taken time in between:
	// no socket read or flush since (they reset it), and no later time
	// set since by anyone else, so the store's clock never goes back. At
	// -P 16 SET this halved the clock's share of the CPU, 5.2 % -> 2.6 %.
	nowUs := c.clockUs
	if nowUs == 0 || nowUs/1000 < s.st.Now() {
		nowUs = nowMicros()
	}
	nowMs := nowUs / 1000
	s.st.SetTime(nowMs)
	s.eng.CallStart = nowUs // the slow log's start
	if held := s.pause.cur.Load() != nil && s.pause.active(); held != s.st.ExpiryHeld() {
		s.st.HoldExpiry(held) // no expiry during CLIENT PAUSE (pause.go)
	}
	c.cl.LastInteraction = time.UnixMilli(nowMs)
	c.holdOut = true // replies from here on wait for this connection's flush
	c.prefetchKeys(args)
	s.eng.Call(c.cl, args)
	c.clockUs = s.eng.CallEnd
	off, lg := s.afterCallLocked()
	c.subscribed = c.cl.SubscriptionCount() > 0
	// A tracking client gets invalidations from others' commands, which
	// needs the subscribers' shared output.
	if (c.subscribed || c.cl.Tracking()) && !c.ps {
		c.startFlusher()
	}
	s.mu.Unlock()
	if c.lastCmdTime.Load() != nowMs { // a load is a plain read; a store is not
		c.lastCmdTime.Store(nowMs)
	}
	if off > 0 {
		c.waitOff, c.waitLog = off, lg
		if !c.hasUnacked {
			c.hasUnacked = true
			c.unackStart = start
			c.unackCmds = 0
		}
	}
	if c.hasUnacked {
		c.unackCmds++
	}
	if !wasAuth && c.authenticated() {
		c.rd.SetLimits(c.limits())
	}
}

// prefetchKeys, under the execution lock, warms the cache for the lookups
// of this command and of the pipelined commands buffered behind it, once
// per batch, so that their cache misses overlap (store.DB.Prefetch). The
// key is taken to be the second argument and a hash or set member the
// third; for a command where they are not, the hint is wasted, never
// wrong.
func (c *conn) prefetchKeys(args [][]byte) {
	if c.prefetched > 0 {
		c.prefetched--
		return
	}
	if c.rd.Buffered() == 0 || len(args) < 2 {
		return
	}
	keys := append(c.keyBuf[:0], args[1])
	var member []byte
	if len(args) > 2 {
		member = args[2]
	}
	members := append(c.memberBuf[:0], member)
	keys, members = c.rd.PeekArgs(keys, members, store.PrefetchMax-1)
	switch {
	case len(keys) > 1 && oneLookup(keys, members):
		// A pipeline on one key (LPUSH/RPOP on one list): its lines stay
		// cached, and peeking costs what it cannot save (2.5 % of the CPU
		// at LPUSH -P 16). Look again after a few batches.
		c.prefetched = len(keys) - 1 + prefetchRest
	case len(keys) > 1:
		c.s.st.DB(c.cl.DB).Prefetch(keys, members)
		c.prefetched = len(keys) - 1
	}
	// The slices point into the reader's buffer: do not keep it alive
	// after the reader has replaced it.
	clear(keys)
	clear(members)
	c.keyBuf, c.memberBuf = keys[:0], members[:0]
}

// prefetchRest is how many commands go unpeeked after a batch that looked
// up one key and member only.
const prefetchRest = 8 * store.PrefetchMax

// oneLookup reports whether every command of a peeked batch looks up the
// same key and the same member (or none).
func oneLookup(keys, members [][]byte) bool {
	for i := 1; i < len(keys); i++ {
		if !bytes.Equal(keys[i], keys[0]) || !bytes.Equal(members[i], members[0]) {
			return false
		}
	}
	return true
}

// beforeBlock runs when the reader has no complete command left: the moment
// to make this connection's writes durable and send its replies (invariant
// 2). It also arms the idle timeout, which, as in Redis, spares subscribers
// (and blocked clients, which never get here while blocked).
func (c *conn) beforeBlock() error {
	waited := c.hasUnacked
	if err := c.flush(); err != nil {
		return err
	}
	if waited && runtime.GOMAXPROCS(0) == 1 && c.raw == nil {
		// This connection's replies waited for the log, so others were
		// woken by the same write or fsync: let them send their replies
		// too before this one reads again. Reading at once mostly finds
		// nothing yet (one wasted read per request under appendfsync
		// always), while after the others' turn the client's next request
		// has often arrived. perf stat, 50 clients, always: reads per
		// request 2.0 -> 1.0-1.2, server CPU per request 19 -> 15.5-18 us;
		// redis-benchmark SET, 5 alternating rounds: median 28.3k -> 31.8k
		// requests/s (Redis 33.8k). A raw socket's step does better
		// without the yield: it does not read again after a read that
		// emptied the socket but parks at once (serveRaw), which lets
		// the others run just the same; reads per request 1.8-2.0 ->
		// 1.07, CPU per request 17.4-23.3 -> 15.4-22.2 us (pinned runs).
		runtime.Gosched()
	}
	// Only this function leaves a deadline on the socket between commands
	// (waitBlocked clears its own), so without an idle timeout there is
	// nothing to clear and the runtime's deadline bookkeeping is skipped.
	if t := c.s.dyn.Load().idleTimeout; t > 0 && !c.cl.InMulti() && !c.subscribed {
		c.nc.SetReadDeadline(time.Now().Add(t))
		c.idleDeadline = true
	} else if c.idleDeadline {
		c.nc.SetReadDeadline(time.Time{})
		c.idleDeadline = false
	}
	return nil
}

// flush waits for the log to acknowledge this connection's records, then
// writes the buffered replies.
func (c *conn) flush() error {
	// A flush may wait for the log or for room in the socket: the clock
	// kept from the last command is stale after it (conn.exec). Only the
	// owner flushes; a Pub/Sub flusher writes through connSink on its own
	// goroutine and must not touch clockUs.
	c.clockUs = 0
	if c.hasUnacked {
		b := c.s.replies
		batched := b != nil && c.raw != nil && c.raw.inStep && !c.ps && c.waitLog != nil &&
			c.cl.W.Buffered() > 0 && b.add(c)
		err := waitLog(c.waitLog, c.waitOff)
		if batched {
			if res, sent := b.finish(c, err == nil); sent {
				// Sent only once the log acknowledged the records, by
				// this wait or (after a failed turn) a later one.
				err = nil
				if serr := c.sentBatch(res); serr != nil {
					c.hasUnacked = false
					return serr
				}
			}
		}
		if err != nil {
			// Replace every reply from the first unacknowledged write on
			// with an error: none of them may be taken as success.
			c.lockOut()
			c.cl.W.Truncate(min(c.unackStart, c.cl.W.Buffered()))
			msg := "MISCONF Errors writing to the AOF file: " + errText(err)
			for i := 0; i < c.unackCmds; i++ {
				c.cl.W.Error(msg)
			}
			c.unlockOut()
		}
		c.hasUnacked = false
	}
	if c.ps {
		return c.flushShared()
	}
	if c.cl.W.Buffered() == 0 {
		return nil
	}
	return c.cl.W.Flush()
}

// lockOut and unlockOut guard cl.W when publishers may append to it.
func (c *conn) lockOut() {
	if c.ps {
		c.s.mu.Lock()
	}
}

func (c *conn) unlockOut() {
	if c.ps {
		c.s.mu.Unlock()
	}
}

// buffered is the size of the pending replies.
func (c *conn) buffered() int {
	c.lockOut()
	defer c.unlockOut()
	return c.cl.W.Buffered()
}

// errText is the strerror-like tail of an I/O error.
func errText(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}
