package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/kevy-db/kevy/resp"
	"github.com/kevy-db/kevy/vfs"
)

// unit is what a replay applies at once: one command, or the commands of a
// MULTI/EXEC transaction (without MULTI and EXEC).
type unit struct {
	cmds       [][][]byte
	start, end int64 // file offsets of the unit's first and past-last byte
}

// decoder reads a log file unit by unit over a vfs.File. It tells a clean
// end (io.EOF), a torn tail (*RecordError of kind ErrTornTail) and a corrupt
// record (kind ErrCorrupt) apart; other errors are I/O errors.
type decoder struct {
	path   string
	f      vfs.File
	size   int64 // file size when the decoder was opened; later bytes are ignored
	header bool
	base   int64 // file offset where the RESP stream starts
	r      *resp.Reader
	marker *Marker
	first  bool // the next frame is the first of the stream

	db      int // database selected after the units returned so far
	unitDB  int // database selected before the last unit returned
	inTx    bool
	txStart int64
	tx      [][][]byte
	one     [1][][]byte
	err     error // sticky
}

// openDecoder opens path for decoding. A missing file is reported as an
// error satisfying errors.Is(err, fs.ErrNotExist).
func openDecoder(fsys vfs.FS, path string, lim resp.Limits) (*decoder, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("aof: open %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("aof: stat %s: %w", path, err)
	}
	size, err := dataEnd(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("aof: read %s: %w", path, err)
	}
	d := &decoder{path: path, f: f, size: size, first: true}
	var hdr [len(Header)]byte
	n, err := f.ReadAt(hdr[:], 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, fmt.Errorf("aof: read header of %s: %w", path, err)
	}
	switch {
	case n == len(Header) && string(hdr[:]) == Header:
		d.header, d.base = true, int64(len(Header))
	case n > 0 && n < len(Header) && string(hdr[:n]) == Header[:n]:
		// A crash while the header itself was being written.
		d.err = d.recordErr(ErrTornTail, 0, errors.New("incomplete header"))
	}
	d.r = resp.NewReader(io.NewSectionReader(f, d.base, d.size-d.base), lim)
	d.r.SetStrict(true)
	d.r.SetAnnotationHandler(checkAnnotation)
	return d, nil
}

func (d *decoder) close() error { return d.f.Close() }

// dataEnd returns the file size without its trailing zero bytes: the space
// a log preallocates ahead of its writes (see Log). No record ends in a
// zero byte (a frame ends with CRLF), so the cut can only shorten a torn
// last frame, which is then handled as a torn tail. Zeros followed by
// anything else are left in place and read as a corrupt record.
func dataEnd(f io.ReaderAt, size int64) (int64, error) {
	var buf [64 << 10]byte
	for size > 0 {
		n := int64(len(buf))
		if size < n {
			n = size
		}
		b := buf[:n]
		if _, err := f.ReadAt(b, size-n); err != nil && err != io.EOF {
			return 0, err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				return size - n + int64(i) + 1, nil
			}
		}
		size -= n
	}
	return 0, nil
}

// checkAnnotation accepts the "#TS:<unix-time>" lines Redis writes with
// aof-timestamp-enabled and rejects any other '#' line.
func checkAnnotation(line []byte) error {
	ts, ok := bytes.CutPrefix(line, []byte("#TS:"))
	if !ok || len(ts) == 0 || len(ts) > 20 {
		return &annotationError{"unexpected annotation line " + preview(line)}
	}
	for _, c := range ts {
		if c < '0' || c > '9' {
			return &annotationError{"malformed timestamp annotation " + preview(line)}
		}
	}
	return nil
}

// annotationError rejects a '#' line; it counts as a corrupt record.
type annotationError struct{ msg string }

func (e *annotationError) Error() string { return e.msg }

// offset is the file offset where the next frame starts.
func (d *decoder) offset() int64 { return d.base + d.r.Offset() }

// next returns the next unit. Commands outside transactions alias the
// reader's buffer and are valid until the next call.
func (d *decoder) next() (unit, error) {
	if d.err != nil {
		return unit{}, d.err
	}
	u, err := d.read()
	if err != nil {
		d.err = err
		return unit{}, err
	}
	d.unitDB = d.db
	for _, c := range u.cmds {
		if db, ok := argsSelectDB(c); ok {
			d.db = db
		}
	}
	return u, nil
}

func (d *decoder) read() (unit, error) {
	for {
		start := d.offset()
		args, err := d.r.ReadCommand()
		if err != nil {
			return unit{}, d.classify(err, start)
		}
		first := d.first
		d.first = false
		if m, isMarker, err := parseMarker(args); isMarker {
			if err != nil {
				return unit{}, d.recordErr(ErrCorrupt, start, err)
			}
			if !first {
				return unit{}, d.recordErr(ErrCorrupt, start, errors.New("hand-over marker after the first record"))
			}
			m.Path = d.path
			d.marker = &m
			continue
		}
		end := d.offset()
		switch {
		case len(args) == 1 && bytes.EqualFold(args[0], []byte("MULTI")):
			if d.inTx {
				return unit{}, d.recordErr(ErrCorrupt, start, errors.New("MULTI inside a transaction"))
			}
			d.inTx, d.txStart, d.tx = true, start, d.tx[:0]
		case len(args) == 1 && bytes.EqualFold(args[0], []byte("EXEC")):
			if !d.inTx {
				return unit{}, d.recordErr(ErrCorrupt, start, errors.New("EXEC without MULTI"))
			}
			d.inTx = false
			return unit{cmds: d.tx, start: d.txStart, end: end}, nil
		case d.inTx:
			d.tx = append(d.tx, cloneArgs(args))
		default:
			d.one[0] = args
			return unit{cmds: d.one[:], start: start, end: end}, nil
		}
	}
}

// classify turns a reader error at the frame starting at start into a
// torn-tail, corrupt-record or I/O error.
func (d *decoder) classify(err error, start int64) error {
	at := start
	if d.inTx {
		at = d.txStart
	}
	var pe *resp.ProtocolError
	switch {
	case err == io.EOF && !d.inTx:
		return io.EOF
	case err == io.EOF:
		return d.recordErr(ErrTornTail, at, errors.New("transaction without EXEC at the end of the log"))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return d.recordErr(ErrTornTail, at, errors.New("last record incomplete"))
	case errors.As(err, &pe), errors.As(err, new(*annotationError)), errors.Is(err, resp.ErrQueryBufferLimit):
		if d.zeroTail(start) {
			return d.recordErr(ErrTornTail, at, errors.New("last record followed by zero bytes up to the end"))
		}
		return d.recordErr(ErrCorrupt, start, err)
	}
	return fmt.Errorf("aof: read %s at byte %d: %w", d.path, start, err)
}

// zeroTail reports whether the frame at start is a valid prefix followed by
// nothing but zero bytes up to the end of the file: what some file systems
// leave when a crash extended the file before its data reached the disk.
// Such a tail cannot hide later records, so it counts as torn.
func (d *decoder) zeroTail(start int64) bool {
	end := d.size
	var buf [4096]byte
	for end > start {
		n := int64(len(buf))
		if end-start < n {
			n = end - start
		}
		if _, err := d.f.ReadAt(buf[:n], end-n); err != nil && err != io.EOF {
			return false
		}
		i := len(buf[:n]) - 1
		for i >= 0 && buf[i] == 0 {
			i--
		}
		if i >= 0 {
			end = end - n + int64(i) + 1
			break
		}
		end -= n
	}
	if end == d.size {
		return false // no zero tail at all
	}
	r := resp.NewReader(io.NewSectionReader(d.f, start, end-start), resp.Limits{})
	r.SetStrict(true)
	for {
		if _, err := r.ReadCommand(); err != nil {
			return err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
		}
	}
}

// recordErr builds a *RecordError with a preview of the bytes at off.
func (d *decoder) recordErr(kind error, off int64, cause error) error {
	buf := make([]byte, previewLen+1)
	n, _ := d.f.ReadAt(buf, off)
	return &RecordError{Path: d.path, Offset: off, Size: d.size, Preview: preview(buf[:n]), Kind: kind, Err: cause}
}

// cloneArgs copies a command's arguments into one allocation.
func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	flat := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		flat = append(flat, a...)
		out[i] = flat[len(flat)-len(a) : len(flat) : len(flat)]
	}
	return out
}
