package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/kevy-db/kevy/vfs"
)

// Rewrite is a log rewrite (or, with an empty dataset, a log reset after a
// snapshot) in progress. The new file is built under a temporary name in
// the log's directory:
//
//	Header, KEVY.BASE <new id> <base>, the dataset (written by the caller
//	through Write, usually with a RewriteWriter), SELECT <db at the point>,
//	then every byte the old log received from the point on.
//
// The old log itself is the rewrite buffer: CatchUp copies its settled tail
// without any lock, and Commit (which may run concurrently with Append)
// copies the last bytes, fsyncs, renames over the live log, fsyncs the
// directory and switches appends to the new file. Abort (or any failure before the
// rename) leaves the old log exactly as it was.
type Rewrite struct {
	l        *Log
	point    Point
	db       int
	id, base string
	af       *vfs.AtomicFile
	w        *bufio.Writer
	n        int64 // bytes written to the new file
	dataset  int64 // n when the dataset began
	tail     bool  // the SELECT before the tail is written
	copied   int64 // stream offset up to which the old log's tail is copied
	src      vfs.File
	done     bool
}

// BeginRewrite starts a rewrite at the current point in time; call it under
// the lock that serialises Append, together with taking the dataset view.
// base is SelfContained for a rewrite of the full dataset (BGREWRITEAOF),
// or a snapshot's id for the log reset that follows that snapshot (whose
// dataset is empty). Only one rewrite can be in progress.
func (l *Log) BeginRewrite(base string) (*Rewrite, error) {
	if base != SelfContained && !validID([]byte(base)) {
		return nil, fmt.Errorf("aof: invalid rewrite base %q", base)
	}
	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		return nil, ErrClosed
	}
	if l.rewriting != nil {
		l.mu.Unlock()
		return nil, ErrRewriteInProgress
	}
	rw := &Rewrite{l: l, base: base, point: Point{LogID: l.id, Size: l.end - l.fileBase, Pos: l.end}, db: l.curDB, copied: l.end}
	l.rewriting = rw
	l.mu.Unlock()

	err := rw.start()
	if err != nil {
		l.mu.Lock()
		l.rewriting = nil
		l.rewritesFailed++
		l.lastRewriteErr = err
		l.mu.Unlock()
		return nil, err
	}
	return rw, nil
}

func (rw *Rewrite) start() error {
	l := rw.l
	id, err := newID()
	if err != nil {
		return err
	}
	rw.id = id
	src, err := l.fs.Open(l.path)
	if err != nil {
		return fmt.Errorf("aof: rewrite: open %s: %w", l.path, err)
	}
	af, err := vfs.CreateAtomic(l.fs, l.path)
	if err != nil {
		src.Close()
		return fmt.Errorf("aof: rewrite: %w", err)
	}
	rw.src, rw.af = src, af
	rw.w = bufio.NewWriterSize(countWriter{af, &rw.n}, 256<<10)
	if _, err := rw.w.Write(appendMarker([]byte(Header), rw.id, rw.base)); err != nil {
		rw.abort()
		return err
	}
	rw.dataset = int64(rw.w.Buffered())
	return nil
}

// countWriter counts the bytes that reach w.
type countWriter struct {
	w io.Writer
	n *int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}

// Point is the old log's position at BeginRewrite: the snapshot aux fields
// for a reset (kevy-aof-id, kevy-aof-offset).
func (rw *Rewrite) Point() Point { return rw.point }

// ID is the new log's id.
func (rw *Rewrite) ID() string { return rw.id }

// WaitPoint makes the old log durable up to the point. A snapshot that
// records the point must call it before its own rename (see Plan).
func (rw *Rewrite) WaitPoint() error { return rw.l.WaitDurable(rw.point.Pos) }

// Write adds dataset bytes (complete RESP frames) to the new file. It must
// not be called after CatchUp or Commit.
func (rw *Rewrite) Write(p []byte) (int, error) {
	if rw.tail {
		return 0, errors.New("aof: rewrite: dataset written after the tail began")
	}
	return rw.w.Write(p)
}

// beginTail writes the SELECT that restores the database of the point.
func (rw *Rewrite) beginTail() error {
	if rw.tail {
		return nil
	}
	rw.tail = true
	if rw.db == 0 && rw.n+int64(rw.w.Buffered()) == rw.dataset {
		return nil // empty dataset: replay starts in database 0 anyway
	}
	_, err := rw.w.Write(selectFrame(nil, rw.db))
	return err
}

// CatchUp copies the part of the old log's tail that is settled in its file
// into the new file. It takes no lock the writers need; calling it now and
// then during a long rewrite keeps Commit's final step short.
func (rw *Rewrite) CatchUp() error {
	if rw.done {
		return errors.New("aof: rewrite already finished")
	}
	if err := rw.beginTail(); err != nil {
		return err
	}
	l := rw.l
	l.mu.Lock()
	limit, fileBase := l.bufStart, l.fileBase
	l.mu.Unlock()
	return rw.copyFile(limit, fileBase)
}

// copyFile copies stream bytes [rw.copied, limit) from the old file.
func (rw *Rewrite) copyFile(limit, fileBase int64) error {
	if limit <= rw.copied {
		return nil
	}
	sr := io.NewSectionReader(rw.src, rw.copied-fileBase, limit-rw.copied)
	n, err := io.Copy(rw.w, sr)
	rw.copied += n
	if err == nil && rw.copied != limit {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return fmt.Errorf("aof: rewrite: copy tail of %s: %w", rw.l.path, err)
	}
	return nil
}

// Presync copies the settled tail like CatchUp and then fsyncs everything
// the new file holds so far, without taking the log's leadership. Calling it
// just before Commit leaves Commit — during which waiters of the log are
// held — only a small remainder to write and fsync.
func (rw *Rewrite) Presync() error {
	if err := rw.CatchUp(); err != nil {
		return err
	}
	if err := rw.w.Flush(); err != nil {
		return fmt.Errorf("aof: rewrite: %w", err)
	}
	return rw.af.Sync()
}

// Commit finishes the rewrite; call it under the lock that serialises
// Append. On success the new file is the durable live log. On an error
// before the rename, the rewrite is aborted and the old log continues as
// if nothing happened. If only the final directory fsync fails, the new
// file is live (and the error wraps a *vfs.DirSyncError): the log stays in
// its error state until a retry of the directory fsync succeeds.
func (rw *Rewrite) Commit() error {
	if rw.done {
		return errors.New("aof: rewrite already finished")
	}
	l := rw.l
	if err := rw.CatchUp(); err != nil {
		return rw.fail(err)
	}
	// Take leadership, so no turn touches the old file or the buffer.
	l.mu.Lock()
	l.awaitNoTurn()
	t := l.lead()
	end, bufStart, fileBase := l.end, l.bufStart, l.fileBase
	from := max(rw.copied, bufStart)
	data := l.buf[from-bufStart : end-bufStart]
	l.mu.Unlock()

	l.syncMu.Lock()
	newFile, err := rw.finish(bufStart, fileBase, data)
	var dse *vfs.DirSyncError
	renamed := err == nil || errors.As(err, &dse)
	var old vfs.File
	l.mu.Lock()
	if renamed {
		old = l.file
		l.file = newFile
		l.fileBase = end - rw.n
		l.allocated = rw.n
		l.written = end
		// Records appended while the new file was being committed (the
		// caller need not hold its lock during Commit) stay buffered for
		// the next turn, which writes them to the new file.
		l.buf = append(l.buf[:0], l.buf[end-bufStart:]...)
		l.bufStart = end
		l.needTrunc, l.syncFailed = false, false
		l.id, l.base, l.baseSize = rw.id, rw.base, rw.n
		l.rewrites++
		if err == nil {
			l.durable = end
			l.lastErr = nil
		} else {
			// The old name may come back after a crash: only what the old
			// file holds durably is durable.
			l.needDirSync = true
			l.lastErr = err
			l.lastRewriteErr = err
		}
	} else {
		l.rewritesFailed++
		l.lastRewriteErr = err
	}
	l.rewriting = nil
	l.endTurn(t)
	l.mu.Unlock()
	l.syncMu.Unlock()
	rw.done = true
	rw.src.Close()
	if old != nil {
		old.Close()
	}
	if err != nil {
		if renamed {
			return fmt.Errorf("aof: rewrite of %s committed but not yet durable: %w", l.path, err)
		}
		return fmt.Errorf("aof: rewrite of %s failed, the old log is unchanged: %w", l.path, err)
	}
	return nil
}

// finish writes the last part of the tail and commits the new file,
// returning an append handle on it.
func (rw *Rewrite) finish(bufStart, fileBase int64, data []byte) (vfs.File, error) {
	if err := rw.copyFile(bufStart, fileBase); err != nil {
		rw.af.Abort()
		return nil, err
	}
	if _, err := rw.w.Write(data); err != nil {
		rw.af.Abort()
		return nil, err
	}
	if err := rw.w.Flush(); err != nil {
		rw.af.Abort()
		return nil, err
	}
	// The handle follows the file through the rename.
	f, err := rw.l.fs.OpenWrite(rw.af.TempPath())
	if err != nil {
		rw.af.Abort()
		return nil, fmt.Errorf("aof: rewrite: open %s: %w", rw.af.TempPath(), err)
	}
	if err := rw.af.Commit(); err != nil {
		var dse *vfs.DirSyncError
		if errors.As(err, &dse) {
			return f, err
		}
		f.Close()
		return nil, err
	}
	return f, nil
}

// fail aborts the rewrite after an error before Commit's final step.
func (rw *Rewrite) fail(err error) error {
	rw.abort()
	l := rw.l
	l.mu.Lock()
	l.rewritesFailed++
	l.lastRewriteErr = err
	l.mu.Unlock()
	return fmt.Errorf("aof: rewrite of %s failed, the old log is unchanged: %w", l.path, err)
}

// Abort discards the new file; the old log is unaffected.
func (rw *Rewrite) Abort() error {
	if rw.done {
		return nil
	}
	return rw.abort()
}

func (rw *Rewrite) abort() error {
	rw.done = true
	var err error
	if rw.af != nil {
		err = rw.af.Abort()
	}
	if rw.src != nil {
		rw.src.Close()
	}
	l := rw.l
	l.mu.Lock()
	if l.rewriting == rw {
		l.rewriting = nil
	}
	l.mu.Unlock()
	return err
}
