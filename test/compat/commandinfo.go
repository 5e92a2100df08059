package compat

import (
	"bytes"
	"fmt"
	"strconv"
)

// COMMAND INFO comparison. Every entry kevy gives must be byte-identical to
// Redis's, with two exceptions that are by design:
//
//   - Key-spec notes. Redis attaches a free-text "notes" field to some key
//     specs. The text is Redis's prose, which kevy does not copy, so kevy
//     omits the field entirely. The comparison drops the "notes" pair from
//     Redis's key specs (fixing the map's length header) and compares the
//     rest byte for byte; kevy's key specs are compared as sent, so a notes
//     field there would be a mismatch.
//   - A container's subcommand list (CLIENT, CONFIG …). Redis lists them in
//     the order of its command dictionary, which changes from one run to the
//     next, and lists subcommands kevy does not implement. The subcommands
//     are matched by name: each of kevy's must equal Redis's entry of the
//     same name (by these same rules) and the list must be the same type of
//     aggregate; Redis's extra subcommands are returned in missing for the
//     caller to report.
//
// Validating with KEVY_COMPAT_PEER=redis, the peer is a second Redis, whose
// notes are dropped as well (notesToo).

// commandEntryFields is the length of one COMMAND INFO entry: name, arity,
// flags, first key, last key, step, ACL categories, tips, key specs,
// subcommands.
const commandEntryFields = 10

// compareCommandEntry compares one COMMAND INFO entry of Redis (want) and of
// kevy (got). diff describes the first difference, "" when they agree;
// missing names Redis's subcommands kevy does not have. notesToo drops the
// notes of got as well, for a peer that is a second Redis.
func compareCommandEntry(want, got reply, notesToo bool) (diff string, missing []string) {
	if want.kind != '*' || got.kind != '*' || len(want.elems) != commandEntryFields || len(got.elems) != commandEntryFields {
		if bytes.Equal(want.raw, got.raw) {
			return "", nil
		}
		return fmt.Sprintf("not a %d-field entry on both sides:\n redis: %q\n  kevy: %q", commandEntryFields, want.raw, got.raw), nil
	}
	if !bytes.Equal(header(want), header(got)) {
		return fmt.Sprintf("entry header: redis %q, kevy %q", header(want), header(got)), nil
	}
	name := string(want.elems[0].data)
	fields := []string{"name", "arity", "flags", "first key", "last key", "step", "ACL categories", "tips"}
	for i, f := range fields {
		if !bytes.Equal(want.elems[i].raw, got.elems[i].raw) {
			return fmt.Sprintf("%s: %s: redis %q, kevy %q", name, f, want.elems[i].raw, got.elems[i].raw), nil
		}
	}
	w, g := withoutNotes(want.elems[8]), got.elems[8].raw
	if notesToo {
		g = withoutNotes(got.elems[8])
	}
	if !bytes.Equal(w, g) {
		return fmt.Sprintf("%s: key specs (Redis's notes dropped):\n redis: %q\n  kevy: %q", name, w, g), nil
	}
	return compareSubcommands(name, want.elems[9], got.elems[9], notesToo)
}

// compareSubcommands matches the subcommand lists of a command by name.
func compareSubcommands(name string, want, got reply, notesToo bool) (diff string, missing []string) {
	if want.kind != got.kind || want.null != got.null {
		return fmt.Sprintf("%s: subcommands: redis %q, kevy %q", name, want.raw, got.raw), nil
	}
	byName := make(map[string]reply, len(want.elems))
	for _, w := range want.elems {
		if len(w.elems) > 0 {
			byName[string(w.elems[0].data)] = w
		}
	}
	for _, g := range got.elems {
		if len(g.elems) == 0 {
			return fmt.Sprintf("%s: subcommand entry %q is not an entry", name, g.raw), nil
		}
		sub := string(g.elems[0].data)
		w, ok := byName[sub]
		if !ok {
			return fmt.Sprintf("%s: kevy lists subcommand %s, Redis does not", name, sub), nil
		}
		delete(byName, sub)
		d, m := compareCommandEntry(w, g, notesToo)
		if d != "" {
			return d, nil
		}
		missing = append(missing, m...)
	}
	for sub := range byName {
		missing = append(missing, sub)
	}
	return "", missing
}

// header is the type and length line of an aggregate.
func header(r reply) []byte {
	i := bytes.IndexByte(r.raw, '\n')
	return r.raw[:i+1]
}

// withoutNotes re-encodes a key-spec list with the "notes" pair removed from
// every key spec (a RESP3 map, or a flat key/value array in RESP2).
func withoutNotes(specs reply) []byte {
	if !specs.isAggregate() {
		return specs.raw
	}
	out := append([]byte(nil), header(specs)...)
	for _, ks := range specs.elems {
		if !ks.isAggregate() || len(ks.elems)%2 != 0 {
			out = append(out, ks.raw...)
			continue
		}
		var body []byte
		pairs := 0
		for i := 0; i < len(ks.elems); i += 2 {
			if string(ks.elems[i].data) == "notes" {
				continue
			}
			body = append(append(body, ks.elems[i].raw...), ks.elems[i+1].raw...)
			pairs++
		}
		n := pairs
		if ks.kind != '%' {
			n *= 2
		}
		out = append(out, ks.kind)
		out = strconv.AppendInt(out, int64(n), 10)
		out = append(append(out, "\r\n"...), body...)
	}
	return out
}
