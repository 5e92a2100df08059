package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Values is an immutable, typed view of the configuration for the server's
// hot paths, rebuilt on every successful Set. Never modify a Values
// obtained from Snapshot.
type Values struct {
	Port          int
	Bind          []string // listen addresses; a leading '-' marks an optional one
	ProtectedMode bool
	PidFile       string

	Timeout      time.Duration // idle client timeout; 0 disables
	TCPKeepAlive time.Duration // 0 disables
	MaxClients   int
	Databases    int
	RequirePass  string // "" means no password

	LogLevel string // debug, verbose, notice or warning
	LogFile  string // "" means standard error

	Dir                     string // absolute
	DBFilename              string
	Save                    []SavePoint // empty: no automatic snapshots
	StopWritesOnBgsaveError bool
	RDBCompression          bool
	RDBChecksum             bool

	AppendOnly               bool
	AppendFilename           string
	AppendDirName            string
	AppendFsync              string // always, everysec or no
	AutoAOFRewritePercentage int    // 0 disables automatic rewrites
	AutoAOFRewriteMinSize    int64
	AOFLoadTruncated         bool
	AOFUseRDBPreamble        bool

	MaxMemory       uint64 // bytes; 0 means no limit
	MaxMemoryPolicy string

	ProtoMaxBulkLen        int64
	ClientQueryBufferLimit int64
	NormalOutputLimit      OutputLimit
	ReplicaOutputLimit     OutputLimit
	PubsubOutputLimit      OutputLimit

	NotifyKeyspaceEvents KeyspaceEvents

	LazyfreeLazyEviction  bool
	LazyfreeLazyExpire    bool
	LazyfreeLazyServerDel bool
	LazyfreeLazyUserDel   bool
	LazyfreeLazyUserFlush bool
	ReplicaLazyFlush      bool

	SlowlogLogSlowerThan int64 // microseconds; negative disables, 0 logs everything
	SlowlogMaxLen        int64
	// LatencyMonitorThreshold is in milliseconds; 0 disables the monitor.
	LatencyMonitorThreshold int64

	HashMaxListpackEntries int
	HashMaxListpackValue   int
	ListMaxListpackSize    int
	SetMaxIntsetEntries    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
	HLLSparseMaxBytes      int

	Hz int // clamped to [1, 500]
}

// SavePoint triggers an RDB snapshot when at least Changes writes happened
// within Seconds.
type SavePoint struct {
	Seconds int
	Changes int
}

// OutputLimit is one client class's output buffer limit: a client is
// disconnected when its pending output exceeds Hard, or stays above Soft
// for SoftSeconds. Zero limits are disabled.
type OutputLimit struct {
	Hard, Soft  int64
	SoftSeconds int
}

// KeyspaceEvents holds the notify-keyspace-events classes, one bit per
// class character.
type KeyspaceEvents uint32

// Has reports whether class character c ('g', '$', 'l', 's', 'h', 'z',
// 'x', 'e', 't', 'd', 'n', 'K', 'E', 'm') is enabled.
func (k KeyspaceEvents) Has(c byte) bool {
	i := strings.IndexByte(keyspaceFlags, c)
	return i >= 0 && k&(1<<i) != 0
}

// String returns the classes as CONFIG GET shows them.
func (k KeyspaceEvents) String() string {
	var b strings.Builder
	for i := 0; i < len(keyspaceFlags); i++ {
		if k&(1<<i) != 0 {
			b.WriteByte(keyspaceFlags[i])
		}
	}
	return nkeKind{}.show(b.String())
}

// buildValues derives the typed view from canonical values.
func buildValues(table []directive, vals []string) (*Values, error) {
	b := valueBuilder{table: table, vals: vals}
	v := &Values{
		Port:          b.int("port"),
		Bind:          strings.Fields(b.str("bind")),
		ProtectedMode: b.bool("protected-mode"),
		PidFile:       b.str("pidfile"),

		Timeout:      time.Duration(b.int("timeout")) * time.Second,
		TCPKeepAlive: time.Duration(b.int("tcp-keepalive")) * time.Second,
		MaxClients:   b.int("maxclients"),
		Databases:    b.int("databases"),
		RequirePass:  b.str("requirepass"),

		LogLevel: b.str("loglevel"),
		LogFile:  b.str("logfile"),

		Dir:                     b.str("dir"),
		DBFilename:              b.str("dbfilename"),
		Save:                    b.save(),
		StopWritesOnBgsaveError: b.bool("stop-writes-on-bgsave-error"),
		RDBCompression:          b.bool("rdbcompression"),
		RDBChecksum:             b.bool("rdbchecksum"),

		AppendOnly:               b.bool("appendonly"),
		AppendFilename:           b.str("appendfilename"),
		AppendDirName:            b.str("appenddirname"),
		AppendFsync:              b.str("appendfsync"),
		AutoAOFRewritePercentage: b.int("auto-aof-rewrite-percentage"),
		AutoAOFRewriteMinSize:    b.int64("auto-aof-rewrite-min-size"),
		AOFLoadTruncated:         b.bool("aof-load-truncated"),
		AOFUseRDBPreamble:        b.bool("aof-use-rdb-preamble"),

		MaxMemory:       b.uint64("maxmemory"),
		MaxMemoryPolicy: b.str("maxmemory-policy"),

		ProtoMaxBulkLen:        b.int64("proto-max-bulk-len"),
		ClientQueryBufferLimit: b.int64("client-query-buffer-limit"),

		NotifyKeyspaceEvents: b.keyspace(),

		LazyfreeLazyEviction:  b.bool("lazyfree-lazy-eviction"),
		LazyfreeLazyExpire:    b.bool("lazyfree-lazy-expire"),
		LazyfreeLazyServerDel: b.bool("lazyfree-lazy-server-del"),
		LazyfreeLazyUserDel:   b.bool("lazyfree-lazy-user-del"),
		LazyfreeLazyUserFlush: b.bool("lazyfree-lazy-user-flush"),
		ReplicaLazyFlush:      b.bool("replica-lazy-flush"),

		SlowlogLogSlowerThan: b.int64("slowlog-log-slower-than"),
		SlowlogMaxLen:        b.int64("slowlog-max-len"),

		LatencyMonitorThreshold: b.int64("latency-monitor-threshold"),

		HashMaxListpackEntries: b.int("hash-max-listpack-entries"),
		HashMaxListpackValue:   b.int("hash-max-listpack-value"),
		ListMaxListpackSize:    b.int("list-max-listpack-size"),
		SetMaxIntsetEntries:    b.int("set-max-intset-entries"),
		ZSetMaxListpackEntries: b.int("zset-max-listpack-entries"),
		ZSetMaxListpackValue:   b.int("zset-max-listpack-value"),
		HLLSparseMaxBytes:      b.int("hll-sparse-max-bytes"),

		Hz: b.int("hz"),
	}
	limits := b.outputLimits()
	v.NormalOutputLimit, v.ReplicaOutputLimit, v.PubsubOutputLimit = limits[0], limits[1], limits[2]
	if b.err != nil {
		return nil, b.err
	}
	return v, nil
}

// valueBuilder reads canonical values by directive name, remembering the
// first failure. Canonical values were validated when set, so a failure
// means a bug in a kind.
type valueBuilder struct {
	table []directive
	vals  []string
	err   error
}

func (b *valueBuilder) str(name string) string {
	i, _ := lookup(b.table, name)
	if i < 0 {
		b.fail(fmt.Errorf("config: no directive %q", name))
		return ""
	}
	return b.vals[i]
}

func (b *valueBuilder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *valueBuilder) bool(name string) bool { return b.str(name) == "yes" }

func (b *valueBuilder) int64(name string) int64 {
	s := b.str(name)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		b.fail(fmt.Errorf("config: %s has non-integer value %q", name, s))
	}
	return v
}

func (b *valueBuilder) int(name string) int { return int(b.int64(name)) }

func (b *valueBuilder) uint64(name string) uint64 {
	s := b.str(name)
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		b.fail(fmt.Errorf("config: %s has non-integer value %q", name, s))
	}
	return v
}

func (b *valueBuilder) save() []SavePoint {
	f := strings.Fields(b.str("save"))
	points := make([]SavePoint, 0, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		s, err1 := strconv.ParseInt(f[i], 10, 64)
		ch, err2 := strconv.ParseInt(f[i+1], 10, 64)
		if err1 != nil || err2 != nil {
			b.fail(fmt.Errorf("config: bad save point %q %q", f[i], f[i+1]))
		}
		points = append(points, SavePoint{Seconds: int(s), Changes: int(ch)})
	}
	return points
}

func (b *valueBuilder) keyspace() KeyspaceEvents {
	s := b.str("notify-keyspace-events")
	var k KeyspaceEvents
	for i := 0; i < len(s); i++ {
		if j := strings.IndexByte(keyspaceFlags, s[i]); j >= 0 {
			k |= 1 << j
		}
	}
	return k
}

// outputLimits reads client-output-buffer-limit. Limits beyond int64 (a
// memory value may be up to 2^64-1) are capped, which is the same as
// unlimited in practice.
func (b *valueBuilder) outputLimits() [3]OutputLimit {
	var out [3]OutputLimit
	f := strings.Fields(b.str("client-output-buffer-limit"))
	if len(f) != 12 {
		b.fail(fmt.Errorf("config: bad client-output-buffer-limit %q", strings.Join(f, " ")))
		return out
	}
	for c := range out {
		hard, err1 := strconv.ParseUint(f[c*4+1], 10, 64)
		soft, err2 := strconv.ParseUint(f[c*4+2], 10, 64)
		secs, err3 := strconv.ParseInt(f[c*4+3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			b.fail(fmt.Errorf("config: bad client-output-buffer-limit class %q", f[c*4]))
		}
		out[c] = OutputLimit{
			Hard:        int64(min(hard, math.MaxInt64)),
			Soft:        int64(min(soft, math.MaxInt64)),
			SoftSeconds: int(min(secs, math.MaxInt32)),
		}
	}
	return out
}
