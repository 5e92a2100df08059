package aof

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kevy-db/kevy/resp"
	"github.com/kevy-db/kevy/vfs"
)

// CheckResult is the verdict of Check.
type CheckResult struct {
	Path     string
	Size     int64   // file size
	GoodSize int64   // end of the last complete, valid unit
	Commands int64   // commands in the valid part
	Header   bool    // the file starts with Header
	Marker   *Marker // nil if the file has no marker
	DB       int     // database selected at GoodSize
	// Err is nil for a valid file, else a *RecordError locating the first
	// bad record (errors.Is ErrTornTail or ErrCorrupt).
	Err error
}

// Valid reports whether the whole file is made of complete, valid records.
func (r *CheckResult) Valid() bool { return r.Err == nil }

// Check reads the whole log at path without changing it. The returned error
// is for failures to read the file; problems in its content are reported in
// CheckResult.Err.
func Check(fsys vfs.FS, path string) (*CheckResult, error) {
	d, err := openDecoder(fsys, path, resp.Limits{})
	if err != nil {
		return nil, err
	}
	defer d.close()
	res := &CheckResult{Path: path, Size: d.size, Header: d.header, GoodSize: d.base}
	for {
		u, err := d.next()
		if err == io.EOF {
			res.GoodSize = d.size
			break
		}
		var rerr *RecordError
		if errors.As(err, &rerr) {
			res.Err = err
			res.GoodSize = rerr.Offset
			break
		}
		if err != nil {
			return nil, err
		}
		res.GoodSize = u.end
		res.Commands += int64(len(u.cmds))
		res.DB = d.db
	}
	if res.GoodSize == 0 {
		// Nothing valid, not even a header: the cut goes to zero.
		res.Header = false
	}
	res.Marker = d.marker
	return res, nil
}

// Fix repairs the log at path the way "kevy check-aof --fix" does: if Check
// finds a bad record, the bytes from it to the end are saved to a side file
// "<path>.cut-<unix>-<offset>" (synced), then the log is cut there and
// synced. It returns nil, nil if the file was valid. Everything after the
// first bad record is lost from the log, which is why loading never does
// this by itself for a corrupt record.
func Fix(fsys vfs.FS, path string, now time.Time) (*Cut, error) {
	res, err := Check(fsys, path)
	if err != nil {
		return nil, err
	}
	if res.Valid() {
		return nil, nil
	}
	cut, err := cutTail(fsys, path, res.GoodSize, res.Size, "cut", now)
	if err != nil {
		return nil, fmt.Errorf("aof: fixing %s: %w", path, err)
	}
	cut.Reason = res.Err
	return cut, nil
}

// cutTail saves bytes [off, size) of path to a side file, then truncates
// path to off and syncs it. The side file is durable before the log is
// changed, so a crash in between loses nothing.
func cutTail(fsys vfs.FS, path string, off, size int64, kind string, now time.Time) (*Cut, error) {
	// Never overwrite an earlier side file (two recoveries in the same
	// second at the same offset): pick the first free suffix.
	side := fmt.Sprintf("%s.%s-%d-%d", path, kind, now.Unix(), off)
	for i := 1; ; i++ {
		if _, err := fsys.Stat(side); err != nil {
			break
		}
		side = fmt.Sprintf("%s.%s-%d-%d.%d", path, kind, now.Unix(), off, i)
	}
	src, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = vfs.WriteFileAtomic(fsys, side, func(w io.Writer) error {
		_, err := io.Copy(w, io.NewSectionReader(src, off, size-off))
		return err
	})
	src.Close()
	if err != nil {
		return nil, fmt.Errorf("saving bytes %d-%d to %s: %w", off, size, side, err)
	}
	f, err := fsys.OpenAppend(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := f.Truncate(off); err != nil {
		f.Close()
		return nil, fmt.Errorf("truncate %s to %d: %w", path, off, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync %s after truncating to %d: %w", path, off, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", path, err)
	}
	return &Cut{Offset: off, Bytes: size - off, SideFile: side}, nil
}

// checkOrTrust is Check for Open: when the caller has just replayed the
// log (r != nil), the replay has already read every record, so what Check
// would find is taken from r, after checking that the file still ends
// where the replay found its data to end.
func checkOrTrust(fsys vfs.FS, path string, fileSize int64, r *ReplayResult) (*CheckResult, error) {
	if r == nil {
		return Check(fsys, path)
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("aof: open %s: %w", path, err)
	}
	end, err := dataEnd(f, fileSize)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("aof: read %s: %w", path, err)
	}
	if end != r.Size {
		return Check(fsys, path)
	}
	return &CheckResult{Path: path, Size: end, GoodSize: end, Commands: r.Commands,
		Header: r.Header, Marker: r.Marker, DB: r.DB}, nil
}
