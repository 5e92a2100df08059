package server

import (
	"fmt"
	"github.com/kevy-db/kevy/vfs"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"strings"

	"github.com/kevy-db/kevy/aof"
	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/config"
)

// OptionsFromConfig turns the parsed configuration into server options.
func OptionsFromConfig(cfg *config.Config, logger *slog.Logger) Options {
	v := cfg.Snapshot()
	o := Options{
		Dir: v.Dir, DBFilename: v.DBFilename,
		AppendOnly: v.AppendOnly, AppendFilename: v.AppendFilename, AppendFsync: v.AppendFsync,
		RequirePass: v.RequirePass, ProtectedMode: v.ProtectedMode,
		Databases: v.Databases, MaxClients: v.MaxClients, IdleTimeout: v.Timeout, Hz: v.Hz,
		ProtoMaxBulkLen: v.ProtoMaxBulkLen, ClientQueryBufferLimit: v.ClientQueryBufferLimit,
		Logger: logger, Config: cfg,
		RDBCompression: v.RDBCompression, RDBChecksum: v.RDBChecksum,
		StopWritesOnBgsaveError: v.StopWritesOnBgsaveError, AOFLoadTruncated: v.AOFLoadTruncated,
		AutoAOFRewritePercentage: v.AutoAOFRewritePercentage, AutoAOFRewriteMinSize: v.AutoAOFRewriteMinSize,
		SavePoints: savePoints(v), Limits: limitsOf(v),
	}
	port := strconv.Itoa(v.Port)
	for _, b := range v.Bind {
		if strings.HasPrefix(b, "-") {
			o.OptionalAddrs = append(o.OptionalAddrs, net.JoinHostPort(b[1:], port))
		} else {
			o.Addrs = append(o.Addrs, net.JoinHostPort(b, port))
		}
	}
	if len(o.Addrs) == 0 && len(o.OptionalAddrs) > 0 {
		o.Addrs, o.OptionalAddrs = o.OptionalAddrs[:1], o.OptionalAddrs[1:]
	}
	return o
}

func savePoints(v *config.Values) []SavePoint {
	var sp []SavePoint
	for _, p := range v.Save {
		sp = append(sp, SavePoint{Seconds: int64(p.Seconds), Changes: int64(p.Changes)})
	}
	return sp
}

func limitsOf(v *config.Values) *command.EncodingLimits {
	return &command.EncodingLimits{
		HashMaxListpackEntries: v.HashMaxListpackEntries, HashMaxListpackValue: v.HashMaxListpackValue,
		ListMaxListpackSize: v.ListMaxListpackSize, SetMaxIntsetEntries: v.SetMaxIntsetEntries,
		ZSetMaxListpackEntries: v.ZSetMaxListpackEntries, ZSetMaxListpackValue: v.ZSetMaxListpackValue,
		HLLSparseMaxBytes: v.HLLSparseMaxBytes,
	}
}

// BindConfig registers the hooks through which CONFIG SET reaches the
// running server. Hooks that can fail (turning the log on, changing its
// policy) run before the new values are committed, so a failure rolls the
// whole CONFIG SET back; everything else is applied from the committed
// values (applyConfigLocked).
func (s *Server) BindConfig(cfg *config.Config) {
	cfg.OnChange("appendfsync", func(_, nv string) error {
		pol, err := aof.ParsePolicy(nv)
		if err != nil {
			return err
		}
		if s.p.log != nil {
			// Tightening to always first makes everything buffered durable.
			if err := s.p.log.SetPolicy(pol); err != nil {
				return err
			}
		}
		s.opts.AppendFsync = nv
		s.tuneProcs()
		return nil
	})
	cfg.OnChange("appendonly", func(_, nv string) error {
		switch {
		case nv == "yes" && s.p.log == nil:
			return s.enableLogLocked()
		case nv == "no" && s.p.log != nil:
			return s.disableLogLocked()
		}
		return nil
	})
	cfg.OnChange("port", func(_, _ string) error {
		return fmt.Errorf("changing the port at runtime is not supported; restart with --port")
	})
	cfg.OnChange("bind", func(_, _ string) error {
		return fmt.Errorf("changing bind at runtime is not supported; restart with --bind")
	})
}

// applyConfigLocked applies committed configuration values that cannot
// fail. Called under the execution lock after a successful CONFIG SET.
func (s *Server) applyConfigLocked(v *config.Values) {
	s.SetRequirePass(v.RequirePass)
	s.SetProtectedMode(v.ProtectedMode)
	s.SetMaxClients(v.MaxClients)
	s.SetIdleTimeout(v.Timeout)
	s.opts.SavePoints = savePoints(v)
	s.opts.RDBCompression, s.opts.RDBChecksum = v.RDBCompression, v.RDBChecksum
	s.opts.StopWritesOnBgsaveError = v.StopWritesOnBgsaveError
	s.opts.AOFLoadTruncated = v.AOFLoadTruncated
	s.opts.AutoAOFRewritePercentage, s.opts.AutoAOFRewriteMinSize = v.AutoAOFRewritePercentage, v.AutoAOFRewriteMinSize
	s.opts.ProtoMaxBulkLen = v.ProtoMaxBulkLen
	s.opts.ClientQueryBufferLimit = v.ClientQueryBufferLimit
	s.eng.ProtoMaxBulkLen = v.ProtoMaxBulkLen
	s.eng.Limits = *limitsOf(v)
	s.eng.SetSlowlog(v.SlowlogLogSlowerThan, v.SlowlogMaxLen)
	s.eng.SetLatencyThreshold(v.LatencyMonitorThreshold)
}

// enableLogLocked turns the append-only log on for a running server, as
// CONFIG SET appendonly yes does in Redis: the log is written from the
// current dataset before the command returns, so from then on it is
// self-contained. While it is being built the file is marked as continuing
// a snapshot that does not exist, so a crash in the middle makes start-up
// refuse loudly instead of loading a partial log.
func (s *Server) enableLogLocked() error {
	s.cancelJobLocked()
	if err := s.opts.FS.Remove(s.p.aofPath); err != nil && !isNotExist(err) {
		return fmt.Errorf("removing the stale log %s: %w", s.p.aofPath, err)
	}
	pol, err := aof.ParsePolicy(s.opts.AppendFsync)
	if err != nil {
		return err
	}
	l, err := aof.Open(s.opts.FS, s.p.aofPath, &aof.Options{Policy: pol, Base: "pending-" + newID(), Logger: s.log})
	if err != nil {
		return err
	}
	s.setLogLocked(l)
	j, err := s.startJobLocked("aof")
	if err == nil {
		err = s.runJob(j, true)
	}
	if err != nil {
		l.Close()
		s.setLogLocked(nil)
		s.opts.FS.Remove(s.p.aofPath)
		return fmt.Errorf("writing the dataset to the new log: %w", err)
	}
	s.opts.AppendOnly = true
	s.tuneProcs()
	return nil
}

func (s *Server) disableLogLocked() error {
	s.cancelJobLocked()
	l := s.p.log
	s.setLogLocked(nil)
	s.opts.AppendOnly = false
	s.tuneProcs()
	if err := l.Close(); err != nil {
		s.log.Error("closing the append-only log", "err", err)
	}
	return nil
}

// tuneProcs picks GOMAXPROCS for the fsync policy, when the operator has
// not set it. Execution is serial under one lock, so on a small machine
// extra Ps mostly add cross-core wake-ups, lock hand-offs and spinning that
// steal CPU from the network stack: on the 2-core reference machine one P
// measured 1.1-1.5x the throughput of two (docs/architecture.md). A
// blocking fsync would hold the only P, so one P under appendfsync always
// needs the asynchronous fsync of vfs.AsyncSync; without it the second P
// stays. The same holds while a background save or rewrite runs: its large
// writes would hold the only P (a p99 of 80 ms during BGSAVE with one P,
// 5 ms with two), so the second P is there for the duration of the job.
// So is loading dump.rdb at start-up: the loader decodes on one P while it
// inserts on the other, and holds the lock throughout, so clients (told
// -LOADING) wait parked. Not so the log replay, which takes the lock per
// batch: there a second P only lets pollers contend for it (restart from
// the log 2.20 s -> 3.02 s with two Ps, 5 rounds).
func (s *Server) tuneProcs() {
	if !s.opts.AutoProcs {
		return
	}
	n := runtime.NumCPU()
	if n <= 2 && (!s.opts.AppendOnly || s.opts.AppendFsync != "always" || vfs.AsyncSync()) && s.p.job == nil && !s.p.pipelinedLoad {
		n = 1
	}
	if runtime.GOMAXPROCS(0) != n {
		runtime.GOMAXPROCS(n)
		s.log.Debug("GOMAXPROCS set for this machine, fsync policy and background work", "procs", n, "appendfsync", s.opts.AppendFsync)
	}
}
