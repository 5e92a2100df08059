package server

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/rdb"
	"github.com/kevy-db/kevy/vfs"
)

var kevy1File = regexp.MustCompile(`^(dump|aof)-([A-Za-z0-9_]+)\.(rdb|aof)$`)

// ImportKevy1 loads a kevy 1.x data directory — one KEVYSNAP snapshot
// (dump-<id>.rdb) and one log (aof-<id>.aof) per shard — into this
// server's empty dataset, each shard's snapshot followed by its log, and
// then saves, so the data lives in kevy's own files. Source files are never
// modified: a log with a torn tail is replayed from a copy. It returns the
// number of keys imported.
func (s *Server) ImportKevy1(src string) (int, error) {
	if n := s.st.KeyCount(); n != 0 {
		return 0, fmt.Errorf("import: the target dataset is not empty (%d keys)", n)
	}
	names, err := s.opts.FS.List(src)
	if err != nil {
		return 0, fmt.Errorf("import: listing %s: %w", src, err)
	}
	shards := map[string][2]string{}
	for _, n := range names {
		m := kevy1File.FindStringSubmatch(n)
		if m == nil || (m[1] == "dump") != (m[3] == "rdb") {
			continue
		}
		f := shards[m[2]]
		if m[1] == "dump" {
			f[0] = filepath.Join(src, n)
		} else {
			f[1] = filepath.Join(src, n)
		}
		shards[m[2]] = f
	}
	if len(shards) == 0 {
		return 0, fmt.Errorf("import: no dump-<id>.rdb or aof-<id>.aof files in %s", src)
	}
	ids := make([]string, 0, len(shards))
	for id := range shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		f := shards[id]
		if f[0] != "" {
			if err := s.importKevySnap(f[0]); err != nil {
				return 0, err
			}
		}
		if f[1] != "" {
			if err := s.importKevy1Log(f[1]); err != nil {
				return 0, err
			}
		}
		s.log.Info("imported kevy 1.x shard", "shard", id, "snapshot", f[0], "log", f[1])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.saveLocked(); err != nil {
		return 0, fmt.Errorf("import: saving: %v", err)
	}
	return s.st.KeyCount(), nil
}

func (s *Server) importKevySnap(path string) error {
	f, err := s.opts.FS.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UnixMilli()
	err = rdb.ReadKevySnap(bufio.NewReader(f), now, func(e *rdb.Entry) error {
		if e.ExpireAt > 0 && e.ExpireAt <= now {
			return nil
		}
		db := s.st.DB(e.DB)
		if db.Peek(e.Key) != nil {
			return fmt.Errorf("key %q appears in two shards", e.Key)
		}
		kind, str, obj := command.FromRDB(e, s.eng.Limits)
		db.Insert(string(e.Key), kind, str, obj, e.ExpireAt)
		return nil
	})
	if err != nil {
		return fmt.Errorf("import: %s: %w", path, err)
	}
	return nil
}

// importKevy1Log replays a kevy 1.x log from a private copy, so that a torn
// tail can be cut without touching the user's file.
func (s *Server) importKevy1Log(path string) error {
	cp := filepath.Join(s.opts.Dir, "import-"+filepath.Base(path))
	if err := copyFile(s.opts.FS, path, cp); err != nil {
		return fmt.Errorf("import: copying %s: %w", path, err)
	}
	defer s.opts.FS.Remove(cp)
	cl := s.eng.NewReplayClient()
	opts := aof.DefaultReplayOptions()
	opts.Logger = s.log
	_, err := aof.Replay(s.opts.FS, cp, &opts, func(args [][]byte) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.st.SetTime(time.Now().UnixMilli())
		return s.eng.Replay(cl, args)
	})
	s.mu.Lock()
	s.eng.TakeLog() // imported records go into the snapshot, not the new log
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("import: replaying %s: %w", path, err)
	}
	return nil
}

func copyFile(fsys vfs.FS, from, to string) error {
	in, err := fsys.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	return vfs.WriteFileAtomic(fsys, to, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
