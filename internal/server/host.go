package server

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/internal/config"
)

// host is the Server seen through command.Host. Its methods run under the
// execution lock (they are called from command handlers).
type host Server

var _ command.Host = (*host)(nil)

func (h *host) s() *Server { return (*Server)(h) }

func (h *host) RequirePass() string { return h.s().dyn.Load().requirePass }

func (h *host) WriteError() string { return h.s().writeErrorLocked() }

func (h *host) Loading() bool { return h.s().loading.Load() }

func (h *host) ConfigGet(pattern string) []string {
	if h.opts.Config == nil {
		return nil
	}
	return h.opts.Config.Get(pattern)
}

func (h *host) ConfigSet(pairs []string) error {
	if h.opts.Config == nil {
		return errors.New("ERR CONFIG SET is not available")
	}
	if err := h.opts.Config.Set(pairs); err != nil {
		return err
	}
	if c, ok := h.opts.Config.(*config.Config); ok {
		h.s().applyConfigLocked(c.Snapshot())
	}
	return nil
}

func (h *host) ConfigRewrite() error {
	if h.opts.Config == nil {
		return errors.New("ERR The server is running without a config file")
	}
	return h.opts.Config.Rewrite()
}

func (h *host) ResetStats() {
	s := h.s()
	s.st.ResetStats()
	s.stats.connectionsReceived.Store(0)
	s.stats.rejectedConns.Store(0)
	s.stats.netInput.Store(0)
	s.stats.netOutput.Store(0)
	s.eng.TotalCommands = 0
}

func (h *host) Info(sections []string) string { return h.s().info(sections) }

// ScriptLog writes a script's redis.log message at its level.
func (h *host) ScriptLog(level int, msg string) {
	lv := [...]slog.Level{config.LevelDebug, config.LevelVerbose, config.LevelNotice, config.LevelWarning}[level]
	h.s().log.Log(context.Background(), lv, msg, "from", "script")
}

func (h *host) ClientList(self *command.Client, typ string, ids []int64) string {
	return h.s().clientList(self, typ, ids)
}

func (h *host) ClientInfo(self *command.Client) string {
	return h.s().clientInfoLine(self, time.Now())
}

func (h *host) KillClients(f command.KillFilter, self *command.Client) int {
	return h.s().killClients(f, self)
}

func (h *host) Shutdown(save int) error {
	s := h.s()
	if err := s.shutdownLocked(save); err != nil {
		return err
	}
	// Close outside the lock: connections finishing their commands need it.
	go s.Close()
	return nil
}

func (h *host) Save() error { return h.s().saveLocked() }

func (h *host) BGSave(schedule bool) (string, error) { return h.s().bgsaveLocked(schedule) }

func (h *host) BGRewriteAOF() (string, error) { return h.s().bgrewriteLocked() }

func (h *host) LastSave() int64 { return h.s().lastSave() }

func (h *host) DebugReload() error { return h.s().debugReloadLocked() }
