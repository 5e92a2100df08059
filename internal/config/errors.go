package config

import (
	"errors"
	"fmt"
	"strings"
)

// Error texts of CONFIG SET and CONFIG REWRITE, exactly as Redis 7.0 sends
// them, "ERR " prefix included, so that the command layer can reply with
// err.Error() verbatim.
const (
	msgUnknownOption = "ERR Unknown option or number of arguments for CONFIG SET - '%s'"
	msgSetFailed     = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
	msgSyntax        = "ERR syntax error"
	msgSetArity      = "ERR wrong number of arguments for 'config|set' command"

	reasonImmutable = "can't set immutable config"
	reasonProtected = "can't set protected config"
	reasonDuplicate = "duplicate parameter"
)

// ErrNoConfigFile is returned by Rewrite when the server was started
// without a configuration file.
var ErrNoConfigFile = errors.New("ERR The server is running without a config file")

// SetError is a failed CONFIG SET. Error returns Redis's reply text. When
// an apply hook failed and the hooks already applied could not all be
// undone, Rollback holds those failures: the server may then be running
// with part of the new settings, and should log it loudly.
type SetError struct {
	Text     string
	Rollback error
	cause    error
}

func (e *SetError) Error() string { return e.Text }

// Unwrap returns the apply hook's error, if a hook failed.
func (e *SetError) Unwrap() error { return e.cause }

func setFailed(name, reason string) *SetError {
	return &SetError{Text: fmt.Sprintf(msgSetFailed, name, reason)}
}

// ParseError is a start-up configuration error: a bad line in the config
// file or in the command-line options, which Redis reads as further lines
// of the same file. Error renders it in the shape of Redis's fatal config
// report.
type ParseError struct {
	File   string // the config file, or "" when the line came from the command line
	Line   int    // 1-based, counted as Redis counts (file lines, then option lines)
	Text   string // the offending line, trimmed
	Reason string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("*** FATAL CONFIG FILE ERROR (kevy) ***\n")
	b.WriteString("Reading the configuration file")
	if e.File != "" {
		b.WriteString(" " + e.File)
	}
	fmt.Fprintf(&b, ", at line %d\n>>> '%s'\n%s", e.Line, e.Text, e.Reason)
	return b.String()
}
