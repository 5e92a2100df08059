package server

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/kevy-db/kevy/internal/command"
)

var defaultInfoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "keyspace"}

// info renders INFO. It runs under the execution lock.
func (s *Server) info(req []string) string {
	want := map[string]bool{}
	if len(req) == 0 {
		req = []string{"default"}
	}
	for _, r := range req {
		switch r {
		case "default":
			for _, d := range defaultInfoSections {
				want[d] = true
			}
		case "all", "everything":
			for _, d := range defaultInfoSections {
				want[d] = true
			}
		default:
			want[r] = true
		}
	}
	var b strings.Builder
	section := func(name string, fn func(w func(k string, v any))) {
		if !want[name] {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + strings.ToUpper(name[:1]) + name[1:] + "\r\n")
		fn(func(k string, v any) { fmt.Fprintf(&b, "%s:%v\r\n", k, v) })
	}
	now := time.Now()
	section("server", func(w func(string, any)) {
		w("redis_version", command.ServerVersion)
		w("redis_git_sha1", "00000000")
		w("redis_git_dirty", 0)
		w("redis_build_id", "kevy")
		w("redis_mode", "standalone")
		w("os", runtime.GOOS+" "+runtime.GOARCH)
		w("arch_bits", 64)
		w("multiplexing_api", "go-netpoll")
		w("gcc_version", "0.0.0")
		w("go_version", runtime.Version())
		w("process_id", os.Getpid())
		w("run_id", s.runID())
		w("tcp_port", s.port())
		w("server_time_usec", now.UnixMicro())
		w("uptime_in_seconds", int64(now.Sub(s.startTime)/time.Second))
		w("uptime_in_days", int64(now.Sub(s.startTime)/(24*time.Hour)))
		w("hz", s.opts.Hz)
		w("configured_hz", s.opts.Hz)
		w("executable", executable())
		w("config_file", "")
		w("kevy", 1)
	})
	section("clients", func(w func(string, any)) {
		s.clientsMu.Lock()
		n := len(s.clients)
		s.clientsMu.Unlock()
		w("connected_clients", n)
		w("cluster_connections", 0)
		w("maxclients", s.dyn.Load().maxClients)
		w("client_recent_max_input_buffer", 0)
		w("client_recent_max_output_buffer", 0)
		w("blocked_clients", s.eng.BlockedClients())
		w("tracking_clients", s.eng.TrackingClients())
		w("clients_in_timeout_table", 0)
	})
	section("memory", func(w func(string, any)) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		used := ms.HeapAlloc
		rss := rssBytes()
		w("used_memory", used)
		w("used_memory_human", humanBytes(used))
		w("used_memory_rss", rss)
		w("used_memory_rss_human", humanBytes(rss))
		w("used_memory_peak", ms.HeapSys)
		w("used_memory_peak_human", humanBytes(ms.HeapSys))
		w("total_system_memory", totalMemory())
		w("maxmemory", 0)
		w("maxmemory_human", "0B")
		w("maxmemory_policy", "noeviction")
		scripts, scriptBytes := s.eng.ScriptCache()
		w("used_memory_scripts_eval", scriptBytes)
		w("number_of_cached_scripts", scripts)
		if used > 0 {
			w("mem_fragmentation_ratio", fmt.Sprintf("%.2f", float64(rss)/float64(used)))
		}
		w("mem_allocator", "go")
		w("go_heap_objects", ms.HeapObjects)
		w("go_gc_cycles", ms.NumGC)
	})
	section("persistence", func(w func(string, any)) { s.infoPersistence(w) })
	section("stats", func(w func(string, any)) {
		st := s.st.Stats()
		w("total_connections_received", s.stats.connectionsReceived.Load())
		w("total_commands_processed", s.eng.TotalCommands)
		w("instantaneous_ops_per_sec", 0)
		w("total_net_input_bytes", s.stats.netInput.Load())
		w("total_net_output_bytes", s.stats.netOutput.Load())
		w("rejected_connections", s.stats.rejectedConns.Load())
		w("expired_keys", st.ExpiredKeys)
		w("expired_stale_perc", "0.00")
		w("expired_time_cap_reached_count", st.ExpiredStale)
		w("expire_cycle_cpu_milliseconds", st.ExpireCycleCPU.Milliseconds())
		w("evicted_keys", 0)
		w("keyspace_hits", st.Hits)
		w("keyspace_misses", st.Misses)
		w("pubsub_channels", s.eng.PubSubChannels())
		w("pubsub_patterns", s.eng.PubSubPatterns())
		w("pubsubshard_channels", s.eng.PubSubShardChannels())
		w("total_forks", 0)
	})
	section("replication", func(w func(string, any)) {
		w("role", "master")
		w("connected_slaves", 0)
		w("master_failover_state", "no-failover")
		w("master_replid", s.runID())
		w("master_repl_offset", 0)
	})
	section("cpu", func(w func(string, any)) {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		w("used_cpu_sys", fmt.Sprintf("%.6f", tv(ru.Stime)))
		w("used_cpu_user", fmt.Sprintf("%.6f", tv(ru.Utime)))
	})
	section("modules", func(w func(string, any)) {})
	section("errorstats", func(w func(string, any)) {})
	section("keyspace", func(w func(string, any)) {
		for i := 0; i < s.st.NumDB(); i++ {
			db := s.st.DB(i)
			if db.Len() == 0 {
				continue
			}
			w(fmt.Sprintf("db%d", i), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", db.Len(), db.ExpiresLen()))
		}
	})
	return b.String()
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func (s *Server) runID() string {
	return fmt.Sprintf("%040x", s.startTime.UnixNano())
}

func (s *Server) port() int {
	if a, ok := s.Addr().(interface{ String() string }); ok && a != nil {
		str := a.String()
		if i := strings.LastIndexByte(str, ':'); i >= 0 {
			var p int
			fmt.Sscanf(str[i+1:], "%d", &p)
			return p
		}
	}
	return 0
}

func executable() string {
	p, _ := os.Executable()
	return p
}

func humanBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2fK", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
}
