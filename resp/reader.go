package resp

import (
	"fmt"
	"io"
)

// Reader parses client commands from a byte stream: RESP multibulk
// requests and inline commands. It is not safe for concurrent use.
type Reader struct {
	rd          io.Reader
	lim         Limits
	strict      bool
	beforeBlock func() error
	annotation  func(line []byte) error

	buf  []byte // len(buf) == cap(buf); the unconsumed input is buf[r:w]
	r, w int
	off  int64 // stream offset of buf[r]
	err  error // sticky: a *ProtocolError or ErrQueryBufferLimit
	rerr error // error from rd, reported once the buffered input is used up

	cmd   cmdState
	spans []span
	args  [][]byte
}

// cmdState is the progress of parsing the command starting at buf[r], kept
// across reads so that a command arriving in many pieces is scanned once.
type cmdState struct {
	p       int   // bytes of the command parsed so far
	scan    int   // where the search for the current line's end resumes
	inMulti bool  // the multibulk header has been parsed
	argc    int64 // arguments still expected
	bulk    int64 // length of the bulk argument being read, -1 before its header
}

// NewReader returns a Reader reading from rd with the given limits.
func NewReader(rd io.Reader, lim Limits) *Reader {
	return &Reader{rd: rd, lim: lim.withDefaults()}
}

// SetLimits replaces the limits; zero fields mean the defaults. It takes
// effect from the next length header parsed.
func (r *Reader) SetLimits(lim Limits) { r.lim = lim.withDefaults() }

// SetStrict makes the reader accept only RESP multibulk commands with
// exact CRLF line endings and at least one argument. Inline commands, empty
// lines, "*0" and "*-1" headers and bulk arguments not followed by "\r\n"
// become protocol errors. The append-only log loader uses it so that
// foreign or damaged text is never taken for commands.
func (r *Reader) SetStrict(strict bool) { r.strict = strict }

// SetBeforeBlock sets fn to be called each time ReadCommand has no complete
// command buffered and is about to call Read on the underlying reader. A
// server flushes its pending replies there, so a pipeline of commands that
// arrived together gets its replies in one write. If fn returns an error,
// ReadCommand returns it.
func (r *Reader) SetBeforeBlock(fn func() error) { r.beforeBlock = fn }

// SetAnnotationHandler makes lines that start with '#' where a command
// would start annotations rather than commands: fn receives the line
// without its line ending (aliasing the buffer, valid only during the call)
// and the line is consumed. Redis writes such lines into the append-only
// file ("#TS:<unix time>") when aof-timestamp-enabled is set. An error from
// fn is returned by ReadCommand and every later call. With fn nil (the
// default), a '#' line is an inline command, or a protocol error in strict
// mode.
func (r *Reader) SetAnnotationHandler(fn func(line []byte) error) { r.annotation = fn }

// Offset is the number of input bytes consumed by the commands returned so
// far (and the empty lines and empty multibulk headers skipped): the stream
// offset at which the next command starts. After an error it is the offset
// of the command that could not be read.
func (r *Reader) Offset() int64 { return r.off }

// Buffered returns the number of bytes read from the underlying reader but
// not yet consumed by a returned command.
func (r *Reader) Buffered() int { return r.w - r.r }

// ReadCommand returns the next command's arguments. The slices alias the
// reader's buffer and are valid only until the next call; they are capped,
// so appending to one copies it.
//
// Empty inline lines and "*0"/"*-1" headers are skipped, as Redis does. At
// a clean end of input between commands it returns io.EOF; input ending
// inside a command gives an error wrapping io.ErrUnexpectedEOF. Malformed
// input gives a *ProtocolError, and more buffered input than
// Limits.MaxQueryBuffer gives ErrQueryBufferLimit; both are then returned
// by every later call. Other errors from the underlying reader are returned
// as they are, and the next call reads again.
func (r *Reader) ReadCommand() ([][]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		done, want, err := r.parse()
		if err != nil {
			r.err = err
			return nil, err
		}
		if done {
			return r.args, nil
		}
		if r.rerr != nil {
			return nil, r.readError()
		}
		if err := r.fill(want); err != nil {
			return nil, err
		}
	}
}

// readError reports the pending error from the underlying reader.
func (r *Reader) readError() error {
	err := r.rerr
	if err != io.EOF {
		r.rerr = nil // a later call may retry, e.g. after a read timeout
		return err
	}
	if r.w == r.r {
		return io.EOF
	}
	return fmt.Errorf("resp: input ends inside the command at offset %d (%d bytes buffered): %w",
		r.off, r.w-r.r, io.ErrUnexpectedEOF)
}

// consume marks n bytes at buf[r] as consumed and resets the parse state.
func (r *Reader) consume(n int) {
	r.r += n
	r.off += int64(n)
	r.cmd = cmdState{}
}

// fill reads more input. want is how many bytes, counted from buf[r], the
// parser needs to make progress (see makeRoom).
func (r *Reader) fill(want int) error {
	if int64(r.w-r.r) >= r.lim.MaxQueryBuffer {
		r.err = ErrQueryBufferLimit
		return r.err
	}
	r.buf, r.r, r.w = makeRoom(r.buf, r.r, r.w, want)
	end := len(r.buf)
	if r.lim.MaxQueryBuffer < int64(end-r.r) {
		end = r.r + int(r.lim.MaxQueryBuffer)
	}
	if r.beforeBlock != nil {
		if err := r.beforeBlock(); err != nil {
			return err
		}
	}
	for range maxEmptyReads {
		m, err := r.rd.Read(r.buf[r.w:end])
		if m < 0 || m > end-r.w {
			return fmt.Errorf("resp: underlying reader returned invalid count %d", m)
		}
		r.w += m
		if err != nil {
			r.rerr = err
			return nil
		}
		if m > 0 {
			return nil
		}
	}
	r.rerr = io.ErrNoProgress
	return nil
}
