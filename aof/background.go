package aof

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/kevy-db/kevy/vfs"
)

// background runs every SyncInterval, and early when a writer finds
// maxUnsynced bytes waiting for the everysec fsync: it flushes bytes no
// waiter has asked for, retries after failures and, under everysec, fsyncs.
func (l *Log) background() {
	defer close(l.done)
	ticker := time.NewTicker(l.opts.SyncInterval)
	defer ticker.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ticker.C:
		case <-l.syncNow:
		}
		l.tick()
	}
}

// tick does one round of background work.
func (l *Log) tick() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	if !l.turning {
		if l.end > l.written || l.lastErr != nil || l.needTrunc || l.needDirSync || l.syncFailed {
			t := l.lead()
			l.runTurn(t)
			l.endTurn(t)
		} else {
			l.trim()
		}
	}
	everysec := l.policy == EverySec && l.written > l.durable
	l.mu.Unlock()
	if everysec {
		l.backgroundSync()
	}
}

// backgroundSync is the everysec fsync. It runs outside leadership, so
// writers are never blocked by it; syncMu keeps a rewrite from switching
// files under it.
func (l *Log) backgroundSync() {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	if l.closed || l.syncFailed || l.needDirSync || l.needTrunc || l.written <= l.durable {
		l.mu.Unlock()
		return
	}
	f, target := l.file, l.written
	l.syncing, l.syncStart = true, time.Now()
	l.mu.Unlock()

	err := f.Sync()

	l.mu.Lock()
	defer l.mu.Unlock()
	l.syncing = false
	if err != nil {
		err = fmt.Errorf("aof: background fsync of %s: %w", l.path, err)
		l.syncFailed, l.syncErr, l.lastErr = true, err, err
		l.logger.Error("aof: fsync failed; the unsynced records will be written again", "file", l.path, "err", err)
		return
	}
	l.fsyncs++
	if target > l.durable {
		l.durable = target
	}
}

func syncDirOf(fsys vfs.FS, path string) error {
	return vfs.SyncDir(fsys, filepath.Dir(path))
}
