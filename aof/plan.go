package aof

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/kevy-db/kevy/resp"
	"github.com/kevy-db/kevy/vfs"
)

// SnapInfo is what a snapshot records about the log it was taken with (its
// aux fields kevy-snap-id, kevy-aof-id and kevy-aof-offset).
type SnapInfo struct {
	// Path is the snapshot file (for error messages).
	Path string
	// SnapID is the snapshot's own unique id; "" for a snapshot that has
	// none (a foreign RDB file), which no log can continue.
	SnapID string
	// AOFID is the id of the log that was live at the snapshot's point in
	// time; "" if none.
	AOFID string
	// AOFOffset is that log's size (Point.Size) at the same instant.
	AOFOffset int64
}

// LoadPlan says how to rebuild the dataset from a snapshot and a log.
type LoadPlan struct {
	// LoadSnapshot: load the snapshot first.
	LoadSnapshot bool
	// ReplayLog: replay the log (from ReplayFrom, a file offset to pass as
	// ReplayOptions.StartOffset).
	ReplayLog  bool
	ReplayFrom int64
	// Base is the marker base a new log must get if there is none yet
	// (Options.Base for Open): the loaded snapshot's id, or SelfContained.
	Base string
	// Reason explains the decision in one sentence, for the startup log.
	Reason string
}

// Plan decides how to load from a snapshot (nil if there is none) and a log
// (its marker; nil if the log is missing or holds no records — see
// ReadMarker). It is a pure function of its arguments.
//
// The rule, in order:
//  1. the snapshot's log id is the log's id: load the snapshot and replay
//     the log from the recorded offset (the snapshot was taken while this
//     log was live, and the log reset that should have followed did not
//     happen);
//  2. the log's base is the snapshot's id: load the snapshot and replay the
//     whole log (the log was reset, or rewritten onto this snapshot);
//  3. the log is self-contained (base "-", or no marker): replay it alone
//     and ignore the snapshot;
//  4. there is no log: load the snapshot alone;
//  5. otherwise refuse with ErrMismatch.
//
// For rule 1 to be safe, the server must make the old log durable up to the
// snapshot's offset before the snapshot is renamed into place
// (Rewrite.WaitPoint), and must commit the log reset only after the
// snapshot is durable.
func Plan(snap *SnapInfo, log *Marker) (LoadPlan, error) {
	switch {
	case log == nil && snap == nil:
		return LoadPlan{Base: SelfContained, Reason: "no snapshot and no log: empty dataset"}, nil
	case log == nil:
		return LoadPlan{LoadSnapshot: true, Base: snapBase(snap),
			Reason: fmt.Sprintf("no log: loading snapshot %s alone", snap.Path)}, nil
	case snap != nil && log.ID != "" && snap.AOFID == log.ID:
		return LoadPlan{LoadSnapshot: true, ReplayLog: true, ReplayFrom: snap.AOFOffset, Base: log.Base,
			Reason: fmt.Sprintf("snapshot %s was taken at byte %d of log %s: replaying the log from there", snap.Path, snap.AOFOffset, log.Path)}, nil
	case snap != nil && snap.SnapID != "" && log.Base == snap.SnapID:
		return LoadPlan{LoadSnapshot: true, ReplayLog: true, Base: log.Base,
			Reason: fmt.Sprintf("log %s continues snapshot %s: loading both", log.Path, snap.Path)}, nil
	case log.SelfContained():
		reason := fmt.Sprintf("log %s is self-contained: replaying it alone", log.Path)
		if snap != nil {
			reason += fmt.Sprintf(" (snapshot %s is older and ignored)", snap.Path)
		}
		return LoadPlan{ReplayLog: true, Base: SelfContained, Reason: reason}, nil
	case snap == nil:
		return LoadPlan{}, fmt.Errorf("%w: log %s (id %s) continues snapshot %s, but there is no snapshot",
			ErrMismatch, log.Path, log.ID, log.Base)
	}
	return LoadPlan{}, fmt.Errorf("%w: log %s (id %s) continues snapshot %s, but snapshot %s has id %q and was taken with log %q",
		ErrMismatch, log.Path, log.ID, log.Base, snap.Path, snap.SnapID, snap.AOFID)
}

func snapBase(snap *SnapInfo) string {
	if snap.SnapID == "" {
		return SelfContained
	}
	return snap.SnapID
}

// ReadMarker reads the marker of the log at path. It returns nil, nil if the
// file is missing or holds no records (empty, or only a header and perhaps
// a marker-less torn frame), and a Marker with ID "" and base
// SelfContained for a file with records but no marker (a legacy or Redis
// log). Only the start of the file is read.
func ReadMarker(fsys vfs.FS, path string) (*Marker, error) {
	d, err := openDecoder(fsys, path, resp.Limits{})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer d.close()
	_, err = d.next()
	switch {
	case d.marker != nil:
		return d.marker, nil
	case err == io.EOF:
		return nil, nil
	}
	var rerr *RecordError
	if errors.As(err, &rerr) && rerr.Kind == ErrTornTail && rerr.Offset == d.base {
		return nil, nil // nothing complete in the file
	}
	if err != nil && !errors.As(err, &rerr) {
		return nil, err
	}
	// Records without a marker, or a corrupt first record that Replay will
	// report in detail.
	return &Marker{Path: path, Base: SelfContained}, nil
}
