package aof

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strconv"
	"time"

	"github.com/kevy-db/kevy/resp"
	"github.com/kevy-db/kevy/vfs"
)

// ReplayOptions configures Replay. A nil *ReplayOptions means
// DefaultReplayOptions().
type ReplayOptions struct {
	// LoadTruncated tolerates a torn tail (Redis's aof-load-truncated):
	// the dropped bytes are saved to a side file, the log is cut to its
	// last complete unit and synced, and a warning is logged. When false,
	// a torn tail fails the replay with ErrTornTail and nothing is changed.
	LoadTruncated bool
	// StartOffset skips the units that end at or before this file offset
	// (see Plan): they are parsed and checked but not delivered, except
	// that the database they leave selected is delivered as a SELECT
	// before the first unit that is. It must fall on a unit boundary and
	// not beyond the log's last complete unit.
	StartOffset int64
	// Progress, if set, is called about every ProgressInterval bytes and
	// once at the end with the bytes read and commands delivered so far.
	Progress func(bytes, commands int64)
	// ProgressInterval defaults to 1 MiB.
	ProgressInterval int64
	// Logger receives the torn-tail warning; nil discards it.
	Logger *slog.Logger
	// Now names the side file; nil means time.Now.
	Now func() time.Time
	// Limits bound the decoder (resp.Limits zero values are Redis's
	// defaults).
	Limits resp.Limits
}

// DefaultReplayOptions returns the defaults: LoadTruncated true.
func DefaultReplayOptions() ReplayOptions { return ReplayOptions{LoadTruncated: true} }

// ReplayResult describes a finished replay.
type ReplayResult struct {
	// Marker is the log's hand-over marker, nil if it has none.
	Marker *Marker
	// Header reports whether the file starts with Header.
	Header bool
	// Commands is how many commands were delivered.
	Commands int64
	// Size is the file's size after the replay: the end of its last
	// complete unit.
	Size int64
	// DB is the database selected at the end of the log.
	DB int
	// Torn describes the tail that was cut, nil if none.
	Torn *Cut
}

// Cut describes bytes removed from the end of a log.
type Cut struct {
	Offset   int64  // where the log was cut
	Bytes    int64  // how many bytes were removed
	SideFile string // where they were saved
	Reason   error  // the *RecordError that caused the cut
}

// Replay reads the log at path and calls fn with each command's arguments,
// in order. The arguments are valid only during the call. A MULTI/EXEC
// transaction is delivered (without MULTI and EXEC) only once its EXEC has
// been read. A missing or empty file is an empty log. See the package
// documentation for the torn-tail and corrupt-record rules; an error from fn
// stops the replay and is returned wrapped with the record's offset.
func Replay(fsys vfs.FS, path string, opts *ReplayOptions, fn func(args [][]byte) error) (*ReplayResult, error) {
	o := DefaultReplayOptions()
	if opts != nil {
		o = *opts
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = 1 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	d, err := openDecoder(fsys, path, o.Limits)
	if errors.Is(err, fs.ErrNotExist) {
		if o.StartOffset > 0 {
			return nil, fmt.Errorf("%w: %s is missing but replay was to start at byte %d", ErrMismatch, path, o.StartOffset)
		}
		return &ReplayResult{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer d.close()

	res := &ReplayResult{Header: d.header}
	var (
		lastProgress int64
		started      bool
		goodEnd      = d.base
	)
	for {
		u, err := d.next()
		if err == io.EOF {
			break
		}
		var rerr *RecordError
		if errors.As(err, &rerr) && rerr.Kind == ErrTornTail {
			if !o.LoadTruncated {
				return nil, err
			}
			if o.StartOffset > rerr.Offset {
				return nil, fmt.Errorf("%w: %s: its complete records end at byte %d, before the snapshot's offset %d", ErrMismatch, path, rerr.Offset, o.StartOffset)
			}
			cut, cerr := cutTail(fsys, path, rerr.Offset, d.size, "torn", o.Now())
			if cerr != nil {
				return nil, fmt.Errorf("aof: repairing torn tail of %s: %w", path, cerr)
			}
			cut.Reason = err
			res.Torn = cut
			if o.Logger != nil {
				o.Logger.Warn("aof: torn tail cut off (crash during a write?)",
					"file", path, "offset", cut.Offset, "bytes", cut.Bytes, "saved_to", cut.SideFile, "reason", rerr.Err)
			}
			break
		}
		if err != nil {
			return nil, err
		}
		goodEnd = u.end
		if u.end <= o.StartOffset {
			continue
		}
		if !started {
			started = true
			if u.start < o.StartOffset {
				return nil, fmt.Errorf("%w: start offset %d of %s is inside the record at bytes %d-%d", ErrMismatch, o.StartOffset, path, u.start, u.end)
			}
			if db := d.unitDB; db != 0 {
				if err := fn([][]byte{[]byte("SELECT"), strconv.AppendInt(nil, int64(db), 10)}); err != nil {
					return nil, fmt.Errorf("aof: applying SELECT before byte %d of %s: %w", u.start, path, err)
				}
			}
		}
		for _, c := range u.cmds {
			if err := fn(c); err != nil {
				return nil, fmt.Errorf("aof: applying %s at byte %d of %s: %w", preview(c[0]), u.start, path, err)
			}
			res.Commands++
		}
		if o.Progress != nil && u.end-lastProgress >= o.ProgressInterval {
			lastProgress = u.end
			o.Progress(u.end, res.Commands)
		}
	}
	if !started && o.StartOffset > goodEnd {
		return nil, fmt.Errorf("%w: %s ends at byte %d, before the snapshot's offset %d", ErrMismatch, path, goodEnd, o.StartOffset)
	}
	if res.Torn != nil {
		res.Size = res.Torn.Offset
	} else {
		res.Size = d.size
	}
	res.Marker = d.marker
	res.DB = d.db
	if o.Progress != nil {
		o.Progress(res.Size, res.Commands)
	}
	return res, nil
}
