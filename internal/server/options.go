package server

import (
	"errors"
	"log/slog"
	"time"

	"github.com/kevy-db/kevy/internal/command"
	"github.com/kevy-db/kevy/vfs"
)

// Options is what the server needs from its configuration at start-up.
// cmd/kevy fills it from internal/config; tests fill it directly.
type Options struct {
	// Addrs to listen on, "host:port". Empty means 127.0.0.1:6379.
	Addrs []string
	// OptionalAddrs are addresses whose bind failure is not fatal (Redis's
	// "-::1" syntax: IPv6 loopback where the machine has it).
	OptionalAddrs []string

	Dir            string
	DBFilename     string
	AppendOnly     bool
	AppendFilename string
	AppendFsync    string // always | everysec | no

	RequirePass   string
	ProtectedMode bool
	Databases     int
	MaxClients    int
	// IdleTimeout closes clients idle this long (0 = never), as "timeout".
	IdleTimeout time.Duration
	Hz          int

	ProtoMaxBulkLen        int64
	ClientQueryBufferLimit int64

	Logger *slog.Logger
	// Config serves CONFIG GET/SET/REWRITE; nil answers with errors.
	Config ConfigStore
	// Seed makes random choices reproducible (tests).
	Seed uint64

	// FS is the filesystem for every persistence file (nil = the OS);
	// tests inject crash and fault filesystems here.
	FS vfs.FS
	// SavePoints are the "save" directive's (seconds, changes) pairs;
	// empty disables automatic snapshots.
	SavePoints               []SavePoint
	RDBCompression           bool
	RDBChecksum              bool
	StopWritesOnBgsaveError  bool
	AOFLoadTruncated         bool
	AutoAOFRewritePercentage int
	AutoAOFRewriteMinSize    int64
	// Limits are the encoding thresholds (hash-max-listpack-entries …).
	Limits *command.EncodingLimits
	// BusyPoll keeps the server polling the network between requests
	// while it is busy (busypoll.go). cmd/kevy sets it unless
	// KEVY_NO_BUSY_POLL=1; tests leave it off.
	BusyPoll bool
	// IdleWalk makes a background save or rewrite start each chunk only
	// when its CPU is otherwise idle (walkprio.go). cmd/kevy sets it
	// unless KEVY_NO_IDLE_WALK=1, and the tests' servers have it.
	IdleWalk bool
	// BatchReplies sends the replies that waited for the same log turn
	// in one system call, through io_uring where the kernel allows it
	// (replybatch.go). cmd/kevy sets it unless KEVY_NO_URING=1.
	BatchReplies bool
	// AutoProcs lets the server choose GOMAXPROCS for its fsync policy
	// (see tuneProcs). cmd/kevy sets it unless GOMAXPROCS is in the
	// environment; tests leave it off.
	AutoProcs bool
	// AutoGC turns the garbage collector off while the dataset loads,
	// under a memory limit (see loadgc.go). cmd/kevy sets it unless GOGC
	// or GOMEMLIMIT is in the environment; tests leave it off.
	AutoGC bool
	// HugePages asks for transparent huge pages for the heap the load is
	// about to fill (see thp_linux.go). cmd/kevy sets it unless
	// KEVY_NO_HUGEPAGES=1; tests leave it off.
	HugePages bool
	// PubSubOutputLimit is client-output-buffer-limit pubsub; nil means
	// Redis's default, 32mb hard, 8mb soft for 60 s (pubsub.go).
	PubSubOutputLimit *OutputBufferLimit
}

// SavePoint is one "save <seconds> <changes>" rule.
type SavePoint struct {
	Seconds int64
	Changes int64
}

// DefaultSavePoints are Redis's: 3600 1 300 100 60 10000.
func DefaultSavePoints() []SavePoint {
	return []SavePoint{{3600, 1}, {300, 100}, {60, 10000}}
}

// ConfigStore is the live configuration behind CONFIG.
type ConfigStore interface {
	Get(patterns ...string) []string
	Set(pairs []string) error
	Rewrite() error
}

func (o *Options) setDefaults() {
	if len(o.Addrs) == 0 {
		o.Addrs = []string{"127.0.0.1:6379"}
	}
	if o.Dir == "" {
		o.Dir = "./data"
	}
	if o.DBFilename == "" {
		o.DBFilename = "dump.rdb"
	}
	if o.AppendFilename == "" {
		o.AppendFilename = "appendonly.aof"
	}
	if o.AppendFsync == "" {
		o.AppendFsync = "everysec"
	}
	if o.Databases <= 0 {
		o.Databases = 16
	}
	if o.MaxClients <= 0 {
		o.MaxClients = 10000
	}
	if o.Hz <= 0 {
		o.Hz = 10
	}
	if o.ProtoMaxBulkLen <= 0 {
		o.ProtoMaxBulkLen = 512 << 20
	}
	if o.ClientQueryBufferLimit <= 0 {
		o.ClientQueryBufferLimit = 1 << 30
	}
	if o.FS == nil {
		o.FS = vfs.Default()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("kevy: server closed")
