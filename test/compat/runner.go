package compat

import (
	"fmt"
	"strings"
)

// maxMismatches stops a script after this many differing replies: by then
// the two servers' states have likely diverged and later lines only repeat
// the first difference.
const maxMismatches = 10

// peer is one of the two servers a script runs against.
type peer struct {
	name string // "redis" or "kevy", for failure messages
	addr string
}

// runScript runs steps against both peers, each on its own fresh set of
// connections that starts with FLUSHALL in db 0, and returns a description
// of every mismatch. A non-nil error means the run could not go on (a
// server hung, sent malformed RESP, or the script is unusable); mismatches
// found before it are still returned. trace, when not nil, receives every
// line with the first peer's reply, for reviewing what a script asserts.
func runScript(steps []step, peers [2]peer, trace func(string)) ([]string, error) {
	var sessions [2]*session
	for i, p := range peers {
		sessions[i] = newSession(p.addr)
		defer sessions[i].close()
	}
	flush := step{act: actCommand, args: []string{"FLUSHALL"}}
	for i, s := range sessions {
		r, _, err := s.run(flush)
		if err != nil {
			return nil, fmt.Errorf("%s: initial FLUSHALL: %w", peers[i].name, err)
		}
		if string(r.raw) != "+OK\r\n" {
			return nil, fmt.Errorf("%s: initial FLUSHALL replied %q", peers[i].name, r.raw)
		}
	}

	var mismatches []string
	for _, st := range steps {
		var replies [2]reply
		var has bool
		for i, s := range sessions {
			r, ok, err := s.run(st)
			if err != nil {
				return mismatches, fmt.Errorf("line %d: %s: %s: %w", st.line, st.text, peers[i].name, err)
			}
			replies[i], has = r, ok
		}
		if !has {
			continue
		}
		if trace != nil {
			trace(fmt.Sprintf("%d: %s => %q", st.line, st.text, replies[0].raw))
		}
		if msg := check(st, replies, peers); msg != "" {
			mismatches = append(mismatches, msg)
			if len(mismatches) == maxMismatches {
				return mismatches, fmt.Errorf("stopped after %d mismatches", maxMismatches)
			}
		}
	}
	return mismatches, nil
}

// check compares the two replies of a step and describes a mismatch, or
// returns "" when they agree.
func check(st step, replies [2]reply, peers [2]peer) string {
	a, b := replies[0], replies[1]
	var problem string
	switch {
	case st.act == actRawClose && (a.kind != closedMarker.kind || b.kind != closedMarker.kind):
		problem = "expected both servers to close the connection"
	case !equivalent(st, a, b):
		problem = "replies differ, compared " + st.describe()
	default:
		return ""
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "line %d: %s\n\t%s\n", st.line, st.text, problem)
	for i, p := range peers {
		fmt.Fprintf(&msg, "\t%-5s %q\n", p.name+":", replies[i].raw)
	}
	return strings.TrimSuffix(msg.String(), "\n")
}
