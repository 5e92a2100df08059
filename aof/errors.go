package aof

import (
	"errors"
	"fmt"
	"strconv"
)

var (
	// ErrTornTail means the log ends inside a record: its last frame is
	// incomplete, or a MULTI has no EXEC. A crash during a write leaves
	// this; the complete records before it are intact.
	ErrTornTail = errors.New("aof: torn tail")
	// ErrCorrupt means the log holds bytes that are not a valid record at
	// a point where more records follow, or foreign text. Replaying past
	// it would silently lose writes, so loading stops.
	ErrCorrupt = errors.New("aof: corrupt record")
	// ErrClosed is returned by operations on a closed Log.
	ErrClosed = errors.New("aof: log closed")
	// ErrMismatch means a snapshot and a log do not belong together
	// (neither continues the other), so no safe load plan exists.
	ErrMismatch = errors.New("aof: snapshot and log do not match")
	// ErrRewriteInProgress is returned by BeginRewrite while another
	// rewrite has not been committed or aborted.
	ErrRewriteInProgress = errors.New("aof: rewrite already in progress")
)

// previewLen is how many bytes of a bad record an error shows.
const previewLen = 48

// RecordError locates a bad record. It matches ErrTornTail or ErrCorrupt
// with errors.Is, and its cause (if any) too.
type RecordError struct {
	Path    string
	Offset  int64  // byte offset in the file where the bad record starts
	Size    int64  // file size
	Preview string // printable quote of the bytes at Offset
	Kind    error  // ErrTornTail or ErrCorrupt
	Err     error  // what the decoder reported
}

func (e *RecordError) Error() string {
	msg := fmt.Sprintf("%v in %s at byte %d of %d", e.Kind, e.Path, e.Offset, e.Size)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Preview != "" {
		msg += "; bytes there: " + e.Preview
	}
	if e.Kind == ErrCorrupt {
		msg += "; the log cannot be loaded past this point: inspect it, then run `kevy check-aof --fix " + e.Path + "` to cut it there (the cut bytes are saved to a side file)"
	}
	return msg
}

func (e *RecordError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// preview quotes b (at most previewLen bytes of it) so that it prints on one
// line whatever it contains.
func preview(b []byte) string {
	more := ""
	if len(b) > previewLen {
		b, more = b[:previewLen], "..."
	}
	return strconv.QuoteToASCII(string(b)) + more
}
