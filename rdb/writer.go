package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// Writer writes an RDB version 10 file, one key at a time. It buffers
// internally; nothing is guaranteed to have reached the underlying writer
// before Close returns. Errors are sticky: after a failed call every later
// call returns the same error.
type Writer struct {
	out    output
	enc    *encoder
	db     int // currently selected database, -1 before the first SelectDB
	closed bool
}

// NewWriter writes the header and the AUX fields and returns a Writer.
// A nil opts means DefaultWriterOptions.
func NewWriter(w io.Writer, opts *WriterOptions) (*Writer, error) {
	enc, err := newEncoder(opts)
	if err != nil {
		return nil, err
	}
	wr := &Writer{out: output{w: w, buf: make([]byte, 0, 2*flushAt)}, enc: enc, db: -1}
	o := &enc.opts
	wr.out.buf = fmt.Appendf(wr.out.buf, "REDIS%04d", Version)
	ctime := o.CTime
	if ctime == 0 {
		ctime = time.Now().Unix()
	}
	aofBase := "0"
	if o.AOFBase {
		aofBase = "1"
	}
	wr.aux("redis-ver", "7.0.15")
	wr.aux("redis-bits", "64")
	wr.aux("ctime", strconv.FormatInt(ctime, 10))
	wr.aux("used-mem", strconv.FormatInt(o.UsedMem, 10))
	wr.aux("aof-base", aofBase)
	for _, a := range o.Aux {
		wr.aux(a.Key, a.Value)
	}
	if err := wr.out.maybeFlush(); err != nil {
		return nil, err
	}
	return wr, nil
}

func (w *Writer) aux(k, v string) {
	w.out.buf = append(w.out.buf, opAux)
	w.out.buf = w.enc.appendString(w.out.buf, []byte(k))
	w.out.buf = w.enc.appendString(w.out.buf, []byte(v))
}

var errClosed = errors.New("rdb: writer is closed")

func (w *Writer) check() error {
	if w.out.err != nil {
		return w.out.err
	}
	if w.closed {
		return errClosed
	}
	return nil
}

// SelectDB starts database db. keys and expires are the sizes announced
// in the RESIZEDB opcode (hints Redis uses to presize its tables; 0, 0
// omits the opcode). Entries whose DB differs from the selected one make
// WriteEntry select their database itself, without size hints.
func (w *Writer) SelectDB(db int, keys, expires uint64) error {
	if err := w.check(); err != nil {
		return err
	}
	if db < 0 || db > math.MaxInt32 {
		return fmt.Errorf("rdb: invalid database number %d", db)
	}
	w.out.buf = append(w.out.buf, opSelectDB)
	w.out.buf = appendLen(w.out.buf, uint64(db))
	if keys != 0 || expires != 0 {
		w.out.buf = append(w.out.buf, opResizeDB)
		w.out.buf = appendLen(w.out.buf, keys)
		w.out.buf = appendLen(w.out.buf, expires)
	}
	w.db = db
	return w.out.maybeFlush()
}

// WriteEntry writes one key. Its encoding is chosen from the options as
// Redis 7.0 would choose it. Invalid entries (empty collections, duplicate
// members or fields, NaN scores) are refused before anything is written,
// and do not poison the Writer.
func (w *Writer) WriteEntry(e *Entry) error {
	if err := w.check(); err != nil {
		return err
	}
	t, err := w.enc.valueType(e)
	if err != nil {
		return err
	}
	if e.DB != w.db {
		if err := w.SelectDB(e.DB, 0, 0); err != nil {
			return err
		}
	}
	b := w.out.buf
	if e.ExpireAt > 0 {
		b = binary.LittleEndian.AppendUint64(append(b, opExpireTimeMS), uint64(e.ExpireAt))
	}
	if e.Idle > 0 {
		b = appendLen(append(b, opIdle), uint64(e.Idle))
	}
	if e.Freq > 0 {
		b = append(b, opFreq, byte(min(e.Freq, 255)))
	}
	b = append(b, t)
	w.out.buf = w.enc.appendString(b, e.Key)
	return w.enc.appendValue(&w.out, t, e)
}

// Close writes the EOF opcode and the checksum and flushes. It does not
// close the underlying writer.
func (w *Writer) Close() error {
	if err := w.check(); err != nil {
		return err
	}
	w.closed = true
	w.out.buf = append(w.out.buf, opEOF)
	var sum uint64
	if w.enc.opts.Checksum {
		sum = crc64Update(w.out.crc, w.out.buf)
	}
	w.out.buf = binary.LittleEndian.AppendUint64(w.out.buf, sum)
	return w.out.flush()
}

// Written returns the number of bytes handed to the underlying writer.
func (w *Writer) Written() int64 { return w.out.n }
