package server

import "errors"

// Persistence entry points. They are filled in by the snapshot and log
// layers; until then they answer as a server without persistence would.

func (s *Server) writeErrorLocked() string { return "" }

func (s *Server) saveLocked() error {
	return errors.New("ERR snapshots are not available in this build")
}

func (s *Server) bgsaveLocked(schedule bool) (string, error) {
	return "", errors.New("ERR snapshots are not available in this build")
}

func (s *Server) bgrewriteLocked() (string, error) {
	return "", errors.New("ERR the append-only log is not available in this build")
}

func (s *Server) lastSave() int64 { return s.startTime.Unix() }

func (s *Server) debugReloadLocked() error {
	return errors.New("ERR snapshots are not available in this build")
}

// infoPersistence writes INFO's persistence section with Redis's fields.
func (s *Server) infoPersistence(w func(string, any)) {
	loading := 0
	if s.loading.Load() {
		loading = 1
	}
	w("loading", loading)
	w("async_loading", 0)
	w("current_cow_peak", 0)
	w("current_cow_size", 0)
	w("current_cow_size_age", 0)
	w("current_fork_perc", "0.00")
	w("current_save_keys_processed", 0)
	w("current_save_keys_total", 0)
	w("rdb_changes_since_last_save", s.eng.Dirty)
	w("rdb_bgsave_in_progress", 0)
	w("rdb_last_save_time", s.lastSave())
	w("rdb_last_bgsave_status", "ok")
	w("rdb_last_bgsave_time_sec", -1)
	w("rdb_current_bgsave_time_sec", -1)
	w("rdb_saves", 0)
	w("rdb_last_cow_size", 0)
	w("rdb_last_load_keys_expired", 0)
	w("rdb_last_load_keys_loaded", 0)
	w("aof_enabled", 0)
	w("aof_rewrite_in_progress", 0)
	w("aof_rewrite_scheduled", 0)
	w("aof_last_rewrite_time_sec", -1)
	w("aof_current_rewrite_time_sec", -1)
	w("aof_last_bgrewrite_status", "ok")
	w("aof_rewrites", 0)
	w("aof_rewrites_consecutive_failures", 0)
	w("aof_last_write_status", "ok")
	w("aof_last_cow_size", 0)
	w("module_fork_in_progress", 0)
	w("module_fork_last_cow_size", 0)
}
