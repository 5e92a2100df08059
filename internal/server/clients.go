package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/kevy-db/kevy/internal/command"
)

// clientInfoLine formats one CLIENT LIST / CLIENT INFO line with Redis 7.0's
// fields (memory figures are approximations of ours).
func (s *Server) clientInfoLine(cl *command.Client, now time.Time) string {
	flags := ""
	if cl.InMulti() {
		flags += "x"
	}
	if c, ok := cl.Conn.(*conn); cl.Blocked() || ok && c.paused {
		flags += "b"
	}
	if cl.SubscriptionCount() > 0 {
		flags += "P"
	}
	if cl.Tracking() {
		flags += "t"
	}
	if cl.NoEvict {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	multi := -1
	if cl.InMulti() {
		multi = cl.Queued()
	}
	cmd := cl.LastCmd
	if cmd == "" {
		cmd = "NULL"
	}
	redir := -1 // CLIENT TRACKING without REDIRECT shows 0
	if cl.Tracking() {
		redir = 0
	}
	age := int64(now.Sub(cl.Created) / time.Second)
	idle := int64(now.Sub(cl.LastInteraction) / time.Second)
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=8 name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=%d resp=%d\n",
		cl.ID, cl.Addr, cl.LocalAddr, cl.Name, age, idle, flags, cl.DB, cl.Channels(), cl.Patterns(), cl.ShardChannels(), multi, cmd, redir, cl.W.Proto())
}

// snapshotClients returns the connected clients ordered by id.
func (s *Server) snapshotClients() []*conn {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	out := make([]*conn, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].cl.ID < out[j-1].cl.ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (s *Server) clientList(self *command.Client, typ string, ids []int64) string {
	now := time.Now()
	var b strings.Builder
	for _, c := range s.snapshotClients() {
		if typ != "" && clientType(c.cl) != strings.ToLower(typ) {
			continue
		}
		if len(ids) > 0 {
			found := false
			for _, id := range ids {
				if id == c.cl.ID {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		b.WriteString(s.clientInfoLine(c.cl, now))
	}
	return b.String()
}

func (s *Server) killClients(f command.KillFilter, self *command.Client) int {
	n := 0
	now := time.Now()
	for _, c := range s.snapshotClients() {
		if f.Old {
			if c.cl.Addr != f.Addr {
				continue
			}
		} else {
			if f.HasID && c.cl.ID != f.ID {
				continue
			}
			if f.Addr != "" && c.cl.Addr != f.Addr {
				continue
			}
			if f.LAddr != "" && c.cl.LocalAddr != f.LAddr {
				continue
			}
			if f.Type != "" && clientType(c.cl) != strings.ToLower(f.Type) {
				continue
			}
			if f.SkipMe && c.cl == self {
				continue
			}
			if f.MaxAgeMs > 0 && now.Sub(c.cl.Created).Milliseconds() < f.MaxAgeMs {
				continue
			}
		}
		n++
		if c.cl == self {
			self.CloseAfterReply = true
			continue
		}
		c.abort()
	}
	return n
}

// clientType is CLIENT LIST/KILL's TYPE of a client: kevy has no replicas,
// so a client is "pubsub" while subscribed and "normal" otherwise.
func clientType(cl *command.Client) string {
	if cl.SubscriptionCount() > 0 {
		return "pubsub"
	}
	return "normal"
}
