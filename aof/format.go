package aof

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/kevy-db/kevy/resp"
)

// Wire-format constants. They are written into files that outlive any
// version of this code and must never change.
const (
	// Header starts every log file kevy creates.
	Header = "KEVYAOF1\n"
	// markerCommand is the command name of the hand-over marker frame.
	markerCommand = "KEVY.BASE"
	// SelfContained is the marker base of a log that replays onto an empty
	// dataset.
	SelfContained = "-"
	// idLen is the length of a log id in hex digits.
	idLen = 32
)

// Marker is a log file's identity as recorded in its marker frame.
type Marker struct {
	// Path is the file the marker was read from (for error messages).
	Path string
	// ID is the log's unique id; "" for a file without a marker (legacy
	// or Redis), which is always self-contained.
	ID string
	// Base is SelfContained or the id of the snapshot the log continues.
	Base string
}

// SelfContained reports whether the log replays onto an empty dataset.
func (m *Marker) SelfContained() bool { return m.Base == SelfContained }

// newID returns a fresh random log id.
func newID() (string, error) {
	var b [idLen / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("aof: generating log id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// appendMarker appends the marker frame for a log with the given id and base.
func appendMarker(dst []byte, id, base string) []byte {
	return resp.AppendCommand(dst, []byte(markerCommand), []byte(id), []byte(base))
}

// parseMarker reports whether args is a marker frame and, if so, whether it
// is well formed.
func parseMarker(args [][]byte) (m Marker, isMarker bool, err error) {
	if len(args) == 0 || !bytes.EqualFold(args[0], []byte(markerCommand)) {
		return Marker{}, false, nil
	}
	if len(args) != 3 || !validID(args[1]) || (string(args[2]) != SelfContained && len(args[2]) == 0) {
		return Marker{}, true, fmt.Errorf("malformed %s marker (%d arguments)", markerCommand, len(args))
	}
	return Marker{ID: string(args[1]), Base: string(args[2])}, true, nil
}

func validID(b []byte) bool {
	if len(b) == 0 || len(b) > 128 {
		return false
	}
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// selectFrame returns the frame "SELECT <db>".
func selectFrame(dst []byte, db int) []byte {
	return resp.AppendCommand(dst, []byte("SELECT"), strconv.AppendInt(nil, int64(db), 10))
}

// selectPrefix is how every SELECT frame with a one-to-nine-digit argument
// starts; frameSelectDB uses it to notice raw SELECT frames cheaply.
const selectPrefix = "*2\r\n$6\r\nSELECT\r\n$"

// frameSelectDB reports the database a raw SELECT frame switches to.
func frameSelectDB(frame []byte) (int, bool) {
	if len(frame) < len(selectPrefix)+5 || len(frame) > 64 ||
		!bytes.EqualFold(frame[:len(selectPrefix)], []byte(selectPrefix)) {
		return 0, false
	}
	rest := frame[len(selectPrefix):]
	i := bytes.Index(rest, []byte("\r\n"))
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(rest[:i]))
	if err != nil || len(rest) != i+2+n+2 {
		return 0, false
	}
	return parseDB(rest[i+2 : i+2+n])
}

// argsSelectDB reports the database a SELECT command switches to.
func argsSelectDB(args [][]byte) (int, bool) {
	if len(args) != 2 || !bytes.EqualFold(args[0], []byte("SELECT")) {
		return 0, false
	}
	return parseDB(args[1])
}

func parseDB(b []byte) (int, bool) {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
