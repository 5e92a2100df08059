package config

import (
	"fmt"
	"io"
	"log/slog"
	"os"
)

// Redis's log levels on slog's scale. verbose sits between debug and
// info, which plays the role of Redis's notice.
const (
	LevelDebug   = slog.LevelDebug
	LevelVerbose = slog.LevelDebug + 2
	LevelNotice  = slog.LevelInfo
	LevelWarning = slog.LevelWarn
)

// SlogLevel maps a loglevel value to its slog level; unknown names map to
// notice.
func SlogLevel(name string) slog.Level {
	switch name {
	case "debug":
		return LevelDebug
	case "verbose":
		return LevelVerbose
	case "warning":
		return LevelWarning
	}
	return LevelNotice
}

// NewLogger returns a text logger honouring v's loglevel and logfile (""
// meaning standard error, which the returned Closer leaves open). The level
// is fixed; use (*Config).NewLogger for one that follows CONFIG SET.
func NewLogger(v *Values) (*slog.Logger, io.Closer, error) {
	return newLogger(v.LogFile, SlogLevel(v.LogLevel))
}

// NewLogger is like the package's NewLogger for the current values, except
// that the level follows later CONFIG SET loglevel changes.
func (c *Config) NewLogger() (*slog.Logger, io.Closer, error) {
	return newLogger(c.Snapshot().LogFile, liveLevel{c})
}

// liveLevel reads the level from the current snapshot on every check.
type liveLevel struct{ c *Config }

func (l liveLevel) Level() slog.Level { return SlogLevel(l.c.Snapshot().LogLevel) }

func newLogger(file string, level slog.Leveler) (*slog.Logger, io.Closer, error) {
	var w io.Writer = os.Stderr
	var closer io.Closer = nopCloser{}
	if file != "" {
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("open logfile: %w", err)
		}
		w, closer = f, f
	}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: levelNames})
	return slog.New(h), closer, nil
}

// levelNames prints Redis's level names instead of slog's.
func levelNames(_ []string, a slog.Attr) slog.Attr {
	if a.Key != slog.LevelKey {
		return a
	}
	lv, ok := a.Value.Any().(slog.Level)
	if !ok {
		return a
	}
	name := "notice"
	switch {
	case lv < LevelVerbose:
		name = "debug"
	case lv < LevelNotice:
		name = "verbose"
	case lv >= LevelWarning:
		name = "warning"
	}
	return slog.String(slog.LevelKey, name)
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// Compile-time check that liveLevel is a slog.Leveler.
var _ slog.Leveler = liveLevel{}
