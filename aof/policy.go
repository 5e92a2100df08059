package aof

import (
	"fmt"
	"strings"
)

// Policy says when appended records are fsynced (Redis's appendfsync).
type Policy int

const (
	// EverySec writes records before replies and fsyncs about once a
	// second in the background: a crash of the machine may lose up to
	// about a second of writes, a crash of the process loses none.
	EverySec Policy = iota
	// Always fsyncs every record before its reply, with group commit.
	Always
	// No writes records before replies and leaves fsync to the OS (and to
	// Close).
	No
)

// String returns the appendfsync spelling.
func (p Policy) String() string {
	switch p {
	case EverySec:
		return "everysec"
	case Always:
		return "always"
	case No:
		return "no"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// ParsePolicy parses an appendfsync value, case-insensitively.
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToLower(s) {
	case "everysec":
		return EverySec, nil
	case "always":
		return Always, nil
	case "no":
		return No, nil
	}
	return 0, fmt.Errorf("aof: unknown fsync policy %q (want always, everysec or no)", s)
}

func (p Policy) valid() bool { return p >= EverySec && p <= No }
