package aof

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/kevy-db/kevy/internal/netpoll"
	"github.com/kevy-db/kevy/resp"
	"github.com/kevy-db/kevy/vfs"
)

// Options configures Open. A nil *Options means the zero value, whose
// fields all have documented defaults.
type Options struct {
	// Policy is the initial fsync policy (default EverySec).
	Policy Policy
	// Base is the marker base given to a log that Open has to create:
	// LoadPlan.Base, i.e. the id of the snapshot just loaded, or
	// SelfContained (the default, "") if the dataset started empty.
	// Ignored for an existing log.
	Base string
	// SyncInterval is the everysec fsync period and the period at which
	// buffered bytes are flushed and failed writes retried (default 1 s).
	// An everysec fsync that has been running for two intervals makes
	// later writes count as delayed (Stats.DelayedFsync).
	SyncInterval time.Duration
	// Logger receives warnings and errors; nil discards them.
	Logger *slog.Logger
	// Replayed is the result of the Replay of this log that the caller
	// has just completed, with nothing written to the file since. Open
	// then takes the log's marker, database and end of data from it
	// instead of reading the whole log a second time, provided the file
	// still ends where the replay found it to end. Nil: Open reads it.
	Replayed *ReplayResult
}

// Validate reports invalid options.
func (o *Options) Validate() error {
	if !o.Policy.valid() {
		return fmt.Errorf("aof: invalid policy %d", o.Policy)
	}
	if o.SyncInterval < 0 {
		return fmt.Errorf("aof: negative sync interval %v", o.SyncInterval)
	}
	if o.Base != "" && o.Base != SelfContained && !validID([]byte(o.Base)) {
		return fmt.Errorf("aof: invalid base id %q", o.Base)
	}
	return nil
}

// Log is an open append-only log. Its methods are safe for concurrent use;
// see commit.go for the contract between Append and the Wait methods.
type Log struct {
	fs     vfs.FS
	path   string
	opts   Options
	logger *slog.Logger

	// syncMu is held around every fsync of the log file and while a
	// rewrite switches files, so a background fsync never runs on a file
	// being replaced. Lock order: leadership, then syncMu, then mu.
	syncMu sync.Mutex

	mu sync.Mutex
	// The append side: stream bytes [bufStart, end) are in buf. Stream
	// offsets count every byte appended since Open, starting at the file's
	// size then; they keep increasing across rewrites.
	buf      []byte
	bufStart int64
	end      int64
	curDB    int // database the next record applies to

	// The file side.
	file        vfs.File
	fileBase    int64 // stream offset of the file's byte 0
	allocated   int64 // the file's size: written bytes, then preallocated zeros
	noAlloc     bool  // the file system cannot preallocate
	allocWarned bool  // leader only: a preallocation failure was logged
	// Leader only: a block of zeros for zeroFill.
	zeros       []byte
	id, base    string
	baseSize    int64 // file size after Open or the last rewrite
	written     int64 // the file holds the stream up to here
	durable     int64 // ... and it is fsynced up to here
	syncReq     int64 // highest offset a WaitDurable caller wants durable
	needTrunc   bool  // the file may hold bytes beyond written
	needDirSync bool  // a rename into the directory is not yet durable
	syncFailed  bool  // a background fsync failed; the next turn rewrites
	syncErr     error
	lastErr     error
	turning     bool             // a leader's turn is in progress
	turnSeq     uint64           // turns started so far
	curTurn     turn             // the turn in progress (its leader fills it in)
	lastTurn    turn             // result of the last turn that ended
	turnDone    sync.Cond        // on mu; broadcast when a turn ends
	yielder     *netpoll.Yielder // leader only, made on first use; see gather
	policy      Policy
	closing     bool
	closed      bool
	rewriting   *Rewrite
	syncing     bool          // a background fsync is running
	syncNow     chan struct{} // asks background for an early everysec fsync (maxUnsynced)
	syncStart   time.Time
	stallAfter  time.Duration // a running fsync this old delays writes
	bufBusy     time.Time     // the last trim whose cycle used much of buf (see trim)
	now         func() time.Time

	fsyncs, delayedFsync     int64
	rewrites, rewritesFailed int64
	lastRewriteErr           error

	stop chan struct{}
	done chan struct{}
}

// Open opens the log at path for appending, creating it (header and marker,
// written atomically) if it is missing or empty. An existing log is read
// through first: Open refuses one with a torn tail or a corrupt record
// (errors.Is ErrTornTail or ErrCorrupt), which must be replayed with
// LoadTruncated or repaired with Fix before anything is appended to it.
// Temporary files left by an interrupted rewrite are removed.
func Open(fsys vfs.FS, path string, opts *Options) (*Log, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.SyncInterval == 0 {
		o.SyncInterval = time.Second
	}
	if o.Base == "" {
		o.Base = SelfContained
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if _, err := vfs.RemoveTemps(fsys, path); err != nil {
		return nil, fmt.Errorf("aof: removing temporary files of %s: %w", path, err)
	}
	l := &Log{fs: fsys, path: path, opts: o, logger: logger, policy: o.Policy, base: o.Base,
		stallAfter: 2 * o.SyncInterval, now: time.Now}
	l.turnDone.L = &l.mu

	// size is where the records end: the file's size for a new log, or
	// where Check found the data to end (before the zeros an earlier
	// process preallocated).
	size := int64(-1)
	fi, err := fsys.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0):
		if l.id, err = newID(); err != nil {
			return nil, err
		}
		if err := vfs.WriteFileAtomic(fsys, path, func(w io.Writer) error {
			_, err := w.Write(appendMarker([]byte(Header), l.id, l.base))
			return err
		}); err != nil {
			return nil, fmt.Errorf("aof: creating %s: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("aof: stat %s: %w", path, err)
	default:
		res, err := checkOrTrust(fsys, path, fi.Size(), o.Replayed)
		if err != nil {
			return nil, err
		}
		if !res.Valid() {
			return nil, fmt.Errorf("aof: refusing to append to %s: %w", path, res.Err)
		}
		if res.Marker != nil {
			l.id, l.base = res.Marker.ID, res.Marker.Base
		} else {
			l.base = SelfContained
		}
		l.curDB = res.DB
		size = res.Size
	}

	f, err := fsys.OpenWrite(path)
	if err != nil {
		return nil, fmt.Errorf("aof: open %s: %w", path, err)
	}
	fi, err = f.Stat()
	if err == nil && size < 0 {
		size = fi.Size()
	}
	if err == nil {
		// Whatever an earlier process wrote may still be only in the page
		// cache; sync it so that "durable" starts out true.
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("aof: open %s: %w", path, err)
	}
	l.file, l.allocated = f, fi.Size()
	l.end, l.bufStart, l.written, l.durable, l.baseSize = size, size, size, size, size
	l.stop, l.done, l.syncNow = make(chan struct{}), make(chan struct{}), make(chan struct{}, 1)
	go l.background()
	return l, nil
}

// Path returns the log's file name.
func (l *Log) Path() string { return l.path }

// Append adds one encoded RESP multibulk frame to the log and returns the
// stream offset just past it, to pass to Wait. It only copies the frame into
// memory. The caller serialises Appends (the server executes commands under
// its lock), and the file receives records in Append order. A SELECT frame
// updates the database the log tracks; prefer AppendCommandDB.
func (l *Log) Append(frame []byte) int64 {
	l.mu.Lock()
	if db, ok := frameSelectDB(frame); ok {
		l.curDB = db
	}
	l.buf = append(l.buf, frame...)
	l.end += int64(len(frame))
	off := l.end
	l.mu.Unlock()
	return off
}

// AppendCommand encodes args as one record and appends it; see Append.
func (l *Log) AppendCommand(args ...[]byte) int64 {
	l.mu.Lock()
	if db, ok := argsSelectDB(args); ok {
		l.curDB = db
	}
	n := len(l.buf)
	l.buf = resp.AppendCommand(l.buf, args...)
	l.end += int64(len(l.buf) - n)
	off := l.end
	l.mu.Unlock()
	return off
}

// AppendCommandDB appends args as a command in database db, preceded by a
// SELECT if the log's current database is a different one.
func (l *Log) AppendCommandDB(db int, args ...[]byte) int64 {
	l.mu.Lock()
	n := len(l.buf)
	if db != l.curDB {
		l.buf = selectFrame(l.buf, db)
		l.curDB = db
	}
	l.buf = resp.AppendCommand(l.buf, args...)
	l.end += int64(len(l.buf) - n)
	off := l.end
	l.mu.Unlock()
	return off
}

// Point is a position in the log, taken under the caller's lock at a
// snapshot's point in time.
type Point struct {
	// LogID is the live log's id (the snapshot's kevy-aof-id).
	LogID string
	// Size is the log file's logical size (buffered bytes included), the
	// snapshot's kevy-aof-offset.
	Size int64
	// Pos is the stream offset of the same instant: WaitDurable(Pos)
	// makes every record before the point durable.
	Pos int64
}

// Point returns the log's current position.
func (l *Log) Point() Point {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Point{LogID: l.id, Size: l.end - l.fileBase, Pos: l.end}
}

// Stats is a snapshot of the log's counters, for INFO persistence.
type Stats struct {
	Policy   Policy
	ID, Base string
	// Size is the current file's logical size, buffered bytes included
	// (aof_current_size); BaseSize its size after Open or the last rewrite
	// (aof_base_size); Buffered the bytes not yet written to the file
	// (aof_buffer_length).
	Size, BaseSize, Buffered int64
	// Written and Durable are stream offsets (comparable with Append's
	// results): everything before Written is in the file, everything
	// before Durable is fsynced.
	Written, Durable int64
	// Fsyncs counts successful fsyncs of the log file. DelayedFsync counts
	// writes made while an everysec fsync had been running for more than
	// two sync intervals (aof_delayed_fsync).
	Fsyncs, DelayedFsync int64
	// Rewrites and RewritesFailed count committed and failed rewrites
	// (log resets included).
	Rewrites, RewritesFailed int64
	RewriteInProgress        bool
	// LastWriteErr is the error state (aof_last_write_status:err) while
	// non-nil; LastRewriteErr the last rewrite failure.
	LastWriteErr, LastRewriteErr error
}

// Stats returns the current counters.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{
		Policy: l.policy, ID: l.id, Base: l.base,
		Size: l.end - l.fileBase, BaseSize: l.baseSize, Buffered: l.end - l.written,
		Written: l.written, Durable: l.durable,
		Fsyncs: l.fsyncs, DelayedFsync: l.delayedFsync,
		Rewrites: l.rewrites, RewritesFailed: l.rewritesFailed, RewriteInProgress: l.rewriting != nil,
		LastWriteErr: l.lastErr, LastRewriteErr: l.lastRewriteErr,
	}
}

// LastWriteErr returns the error that put the log into its error state, or
// nil. While it is non-nil the server must refuse writes; it clears by
// itself once a retry succeeds.
func (l *Log) LastWriteErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastErr
}

// Policy returns the current fsync policy.
func (l *Log) Policy() Policy {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.policy
}

// SetPolicy switches the fsync policy. Switching to Always first writes and
// fsyncs everything appended so far, so that the new promise covers earlier
// records too; its error is returned (the policy is switched regardless).
func (l *Log) SetPolicy(p Policy) error {
	if !p.valid() {
		return fmt.Errorf("aof: invalid policy %d", p)
	}
	l.mu.Lock()
	old := l.policy
	l.policy = p
	off := l.end
	l.mu.Unlock()
	if p == Always && old != Always {
		return l.WaitDurable(off)
	}
	return nil
}

// Flush writes everything appended so far to the file. In the error state
// it retries the failed work first, even if no record is waiting.
func (l *Log) Flush() error {
	if err := l.retryPending(); err != nil {
		return err
	}
	l.mu.Lock()
	off := l.end
	l.mu.Unlock()
	return l.WaitWritten(off)
}

// Sync writes and fsyncs everything appended so far, whatever the policy.
// In the error state it retries the failed work first (a directory fsync
// after a rewrite, say), even if no record is waiting.
func (l *Log) Sync() error {
	if err := l.retryPending(); err != nil {
		return err
	}
	l.mu.Lock()
	off := l.end
	l.mu.Unlock()
	return l.WaitDurable(off)
}

// Close aborts a rewrite in progress, stops the background work, writes and
// fsyncs everything appended (under every policy) and closes the file. The
// error reports a failure of that final flush or fsync.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closing = true
	rw := l.rewriting
	l.mu.Unlock()
	var errs []error
	if rw != nil {
		errs = append(errs, rw.Abort())
	}
	close(l.stop)
	<-l.done
	if err := l.Sync(); err != nil {
		errs = append(errs, fmt.Errorf("aof: final sync of %s: %w", l.path, err))
	}
	l.mu.Lock()
	l.awaitNoTurn()
	l.closed = true
	f := l.file
	l.yielder.Close()
	dataSize := l.written - l.fileBase
	trim := l.allocated > dataSize && l.lastErr == nil
	l.mu.Unlock()
	if trim {
		// Leave no preallocated zeros behind: the file then ends with its
		// last record, as any reader expects.
		if err := f.Truncate(dataSize); err != nil {
			errs = append(errs, fmt.Errorf("aof: trimming %s to %d: %w", l.path, dataSize, err))
		} else if err := f.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("aof: sync %s after trimming: %w", l.path, err))
		}
	}
	if err := f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("aof: close %s: %w", l.path, err))
	}
	return errors.Join(errs...)
}
