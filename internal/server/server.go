// Package server runs kevy: it accepts connections, reads commands, executes
// them under one execution lock and writes replies, and ties the keyspace to
// the append-only log and snapshots.
//
// The write path, and its invariants:
//
//  1. Every command runs under Server.mu. Its effects, and the log records
//     describing them (command.Engine.TakeLog), are appended to the log
//     buffer before the lock is released, so the order of records in the log
//     is exactly the order in which effects became visible, per key and
//     across the keys of a multi-key command or transaction.
//  2. A connection executes every complete command it has buffered, then,
//     before blocking for more input, waits until the log holds its records
//     as the fsync policy promises (written for everysec/no, fsynced for
//     always) and only then flushes its replies. One fsync thus covers all
//     pipelined commands of all connections that wrote meanwhile (group
//     commit), and a connection waiting for the disk holds no lock: other
//     clients keep executing.
//  3. If the log cannot take the records, none of the replies from the first
//     unacknowledged write on is sent; each becomes a MISCONF error, and
//     further writes are refused until the log recovers.
//
// Rejected alternatives: a single executor goroutine fed by channels (Redis's
// model translated literally) costs two goroutine hand-offs per command,
// which measured slower than a mutex on this 2-core machine (see
// docs/architecture.md); a sharded keyspace makes multi-key commands,
// transactions and a single ordered log much harder for no gain on 2 cores.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/config"
	"github.com/kevy-db/kevy/internal/store"
)

// Server is one kevy instance.
type Server struct {
	opts Options
	log  *slog.Logger

	// mu is the execution lock: the store, the engine and the log's append
	// order are only touched under it.
	mu sync.Mutex
	// execWaiting counts connections waiting for mu to run a command; a
	// background job's walk lets them go first (persist.go, walkChunk).
	execWaiting atomic.Int32
	st          *store.Store
	eng         *command.Engine

	loading atomic.Bool

	lnMu      sync.Mutex
	listeners []net.Listener
	clientsMu sync.Mutex
	clients   map[int64]*conn
	nextID    atomic.Int64
	wg        sync.WaitGroup

	closing  atomic.Bool
	done     chan struct{}
	doneOnce sync.Once

	startTime time.Time
	stats     serverStats
	p         persistState
	dyn       atomic.Pointer[dynamic]
	pause     pauseSlot   // CLIENT PAUSE (pause.go)
	poller    *busyPoller // nil unless Options.BusyPoll
	replies   *replyBatch // nil unless Options.BatchReplies and io_uring works
}

// dynamic holds settings that CONFIG SET may change while connections read
// them.
type dynamic struct {
	requirePass   string
	protectedMode bool
	maxClients    int
	idleTimeout   time.Duration
}

type serverStats struct {
	connectionsReceived atomic.Int64
	rejectedConns       atomic.Int64
	netInput            atomic.Int64
	netOutput           atomic.Int64
}

// New creates a server; it does not listen or load data yet.
func New(opts Options) (*Server, error) {
	opts.setDefaults()
	if err := opts.FS.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		clients:   make(map[int64]*conn),
		done:      make(chan struct{}),
		startTime: time.Now(),
	}
	s.st = store.New(store.Options{Databases: opts.Databases, Seed: opts.Seed})
	// Until Load has finished, every command gets -LOADING: a client that
	// connects early must neither read the empty dataset nor write into it.
	s.loading.Store(true)
	s.eng = command.NewEngine(s.st, (*host)(s))
	s.eng.LogOff = true // until Load opens the log (setLogLocked)
	s.eng.ProtoMaxBulkLen = opts.ProtoMaxBulkLen
	s.eng.NowMicros = nowMicros
	if c, ok := opts.Config.(*config.Config); ok {
		v := c.Snapshot()
		s.eng.SetSlowlog(v.SlowlogLogSlowerThan, v.SlowlogMaxLen)
		s.eng.SetLatencyThreshold(v.LatencyMonitorThreshold)
	}
	if opts.Limits != nil {
		s.eng.Limits = *opts.Limits
	}
	s.initPersist()
	s.tuneProcs()
	if opts.BusyPoll {
		s.poller = newBusyPoller()
	}
	if opts.BatchReplies {
		s.replies = newReplyBatch()
	}
	s.dyn.Store(&dynamic{
		requirePass:   opts.RequirePass,
		protectedMode: opts.ProtectedMode,
		maxClients:    opts.MaxClients,
		idleTimeout:   opts.IdleTimeout,
	})
	return s, nil
}

// SetRequirePass changes the password (CONFIG SET requirepass).
func (s *Server) SetRequirePass(p string) { s.updateDyn(func(d *dynamic) { d.requirePass = p }) }

// SetProtectedMode changes protected-mode.
func (s *Server) SetProtectedMode(v bool) { s.updateDyn(func(d *dynamic) { d.protectedMode = v }) }

// SetMaxClients changes maxclients.
func (s *Server) SetMaxClients(n int) { s.updateDyn(func(d *dynamic) { d.maxClients = n }) }

// SetIdleTimeout changes timeout.
func (s *Server) SetIdleTimeout(t time.Duration) { s.updateDyn(func(d *dynamic) { d.idleTimeout = t }) }

func (s *Server) updateDyn(fn func(*dynamic)) {
	for {
		old := s.dyn.Load()
		nd := *old
		fn(&nd)
		if s.dyn.CompareAndSwap(old, &nd) {
			return
		}
	}
}

// Listen binds the configured addresses. An address in OptionalAddrs that
// cannot be bound is skipped with a warning.
func (s *Server) Listen() error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	for _, a := range s.opts.Addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			for _, l := range s.listeners {
				l.Close()
			}
			s.listeners = nil
			return fmt.Errorf("listening on %s: %w", a, err)
		}
		s.listeners = append(s.listeners, ln)
	}
	for _, a := range s.opts.OptionalAddrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			s.log.Warn("could not bind optional address", "addr", a, "err", err)
			continue
		}
		s.listeners = append(s.listeners, ln)
	}
	return nil
}

// Addr is the address of the first listener (tests listen on port 0).
func (s *Server) Addr() net.Addr {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if len(s.listeners) == 0 {
		return nil
	}
	return s.listeners[0].Addr()
}

// Serve accepts connections until Shutdown or Close. It returns
// ErrServerClosed after a clean stop.
func (s *Server) Serve() error {
	s.lnMu.Lock()
	lns := append([]net.Listener(nil), s.listeners...)
	s.lnMu.Unlock()
	if len(lns) == 0 {
		return errors.New("kevy: Serve called before Listen")
	}
	s.wg.Add(1)
	go s.cron()
	if s.poller != nil {
		go s.poller.run(s.done)
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func(ln net.Listener) { errc <- s.acceptLoop(ln) }(ln)
	}
	var first error
	for range lns {
		if err := <-errc; err != nil && first == nil && !s.closing.Load() {
			first = err
			s.Close()
		}
	}
	s.wg.Wait()
	if first != nil {
		return first
	}
	return ErrServerClosed
}

func (s *Server) acceptLoop(ln net.Listener) error {
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: back off like
				// net/http rather than spin.
				if delay == 0 {
					delay = 5 * time.Millisecond
				} else if delay *= 2; delay > time.Second {
					delay = time.Second
				}
				s.log.Warn("accept error; retrying", "err", err, "delay", delay)
				time.Sleep(delay)
				continue
			}
			return fmt.Errorf("accept on %s: %w", ln.Addr(), err)
		}
		delay = 0
		s.stats.connectionsReceived.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(nc)
		}()
	}
}

// cron runs the periodic work of Redis's serverCron: active expiry and
// incremental rehashing, hz times a second.
func (s *Server) cron() {
	defer s.wg.Done()
	t := time.NewTicker(time.Second / time.Duration(s.opts.Hz))
	defer t.Stop()
	// Each cycle may use up to a quarter of its period, as Redis's slow
	// expire cycle, but in 1 ms slices so no command waits behind it long.
	budget := time.Second / time.Duration(s.opts.Hz) / 4
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		if s.loading.Load() {
			continue
		}
		start := time.Now()
		if s.poller != nil {
			if cpu, ok := processCPU(); ok {
				s.mu.Lock()
				logOn := s.p.log != nil
				s.mu.Unlock()
				s.poller.tune(start, cpu, runtime.GOMAXPROCS(0), logOn)
			}
		}
		for time.Since(start) < budget {
			s.mu.Lock()
			s.st.SetTime(time.Now().UnixMilli())
			n := 0
			if !s.eng.ActiveExpireOff && !s.pause.active() { // as Redis, none during CLIENT PAUSE
				n = s.st.ActiveExpire(time.Millisecond, time.Now)
			}
			s.st.RehashStep()
			s.appendLogLocked()
			if !s.closing.Load() {
				s.persistCronLocked(time.Now())
			}
			s.mu.Unlock()
			if n < 20 { // nothing more worth doing this cycle
				break
			}
		}
	}
}

// Close stops the server at once: listeners and connections are closed;
// nothing is saved. Use Shutdown for a graceful stop.
func (s *Server) Close() error {
	s.closing.Store(true)
	s.doneOnce.Do(func() { close(s.done) })
	s.lnMu.Lock()
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.lnMu.Unlock()
	s.clientsMu.Lock()
	for _, c := range s.clients {
		c.abort()
	}
	s.clientsMu.Unlock()
	if s.replies != nil {
		s.replies.close() // under its lock: no send is in flight after it
	}
	// Release the log file. Close flushes what is buffered, which loses
	// nothing and breaks no promise.
	s.mu.Lock()
	if j := s.p.job; j != nil {
		j.cancel.Store(true)
	}
	l := s.p.log
	s.setLogLocked(nil)
	s.mu.Unlock()
	if l != nil {
		l.Close()
	}
	return nil
}

// Shutdown stops the server gracefully: it flushes and fsyncs the log,
// saves a snapshot when asked, then closes everything.
func (s *Server) Shutdown(ctx context.Context, save int) error {
	s.mu.Lock()
	err := s.shutdownLocked(save)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.Close()
}

// Store exposes the keyspace to in-process tests and tools.
func (s *Server) Store() *store.Store { return s.st }
