package command

import (
	"bytes"
	"strconv"

	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/resp"
)

// Engine executes commands against a store and collects what the log must
// record. It is not safe for concurrent use: the server calls it under its
// execution lock, which is what orders log records exactly as their effects
// became visible (see docs/architecture.md).
type Engine struct {
	St    *store.Store
	Host  Host
	Table *Table

	// Log records of the current call, encoded as RESP frames in execution
	// order, with the database each one applies to.
	recBuf []byte
	recs   []rec
	// out accumulates finished records (SELECT and MULTI/EXEC added) until
	// the server takes them for the log.
	out    []byte
	lastDB int // database of the last record handed to the log; -1 unknown
	// LogOff means nobody takes the records (the server has no log): calls
	// then encode none, which at -P 16 with persistence off was 2-3 % of
	// the server's CPU. Set under the execution lock with the log itself.
	LogOff bool

	// Dirty counts changes since the last successful save
	// (rdb_changes_since_last_save).
	Dirty int64
	// TotalCommands counts executed commands (INFO stats).
	TotalCommands int64

	scratch    [][]byte
	keyScratch [][]byte // prefetchKeys
	replayOut  bytes.Buffer
	// ProtoMaxBulkLen bounds strings built by APPEND and SETRANGE.
	ProtoMaxBulkLen int64
	// Encoding thresholds (hash-max-listpack-entries …), read by the
	// collection types to report OBJECT ENCODING as Redis would.
	Limits EncodingLimits
	// ActiveExpireOff is DEBUG SET-ACTIVE-EXPIRE 0.
	ActiveExpireOff bool
	depth           int // >0 while a client command runs
	// replaying is set while Replay runs a command from the log: its
	// records would only be thrown away, so none are encoded.
	replaying bool
	watchers  map[watchKey][]*Client
	lua       *scriptState // Lua interpreter and script cache (script_lua.go), created on first use

	// NowMicros is the clock of the slow log (unix µs); nil: the wall
	// clock. CallStart is its reading just before the server's Call, so
	// that the command's timing costs one reading more, not two (0: none).
	NowMicros func() int64
	CallStart int64
	// CallEnd is the slow log's reading after the last Call's command (0
	// when commands are not timed): the server may take it as the next
	// command's clock instead of reading again (conn.exec).
	CallEnd  int64
	slow     slowlogState  // slowlog.go
	lat      latencyState  // latency.go
	trk      trackingState // tracking.go
	timed    bool          // slow log or latency monitor on: commands are timed
	timedMin int64         // µs: shorter commands interest neither (setTimed)

	blk blockState  // clients blocked on keys (blocking.go)
	ps  pubsubState // channel and pattern subscriptions (pubsub.go)
}

type rec struct {
	db         int
	start, end int
}

// NewEngine creates an engine over st. host provides the server-level
// features (config, clients, persistence); it may be nil in tests.
func NewEngine(st *store.Store, host Host) *Engine {
	e := &Engine{St: st, Host: host, Table: NewTable(), lastDB: -1, Limits: DefaultEncodingLimits()}
	e.SetSlowlog(10000, 128)
	st.SetOnExpire(func(db int, key string) {
		if len(e.trk.clients) > 0 {
			e.invalidate(key, false) // CLIENT TRACKING (tracking.go)
		}
		e.propagate(db, []byte("DEL"), []byte(key))
		if e.depth == 0 {
			e.finishCall(false)
		}
	})
	return e
}

// TakeLog returns the log records produced since the last call and resets
// the buffer. The slice is valid until the next engine call.
func (e *Engine) TakeLog() []byte {
	out := e.out
	e.out = e.out[:0]
	return out
}

// ForgetLogDB makes the next record start with a SELECT (after the log file
// changed under us, e.g. a rewrite).
func (e *Engine) ForgetLogDB() { e.lastDB = -1 }

// SetLogDB tells the engine which database the log's last record applies to.
func (e *Engine) SetLogDB(db int) { e.lastDB = db }

func (e *Engine) propagate(db int, args ...[]byte) {
	if e.replaying || e.LogOff {
		return
	}
	start := len(e.recBuf)
	e.recBuf = resp.AppendCommand(e.recBuf, args...)
	e.recs = append(e.recs, rec{db: db, start: start, end: len(e.recBuf)})
}

var (
	multiFrame = resp.AppendCommandStrings(nil, "MULTI")
	execFrame  = resp.AppendCommandStrings(nil, "EXEC")
)

// finishCall moves the current call's records to out. Several records from
// one call (a transaction, or a command plus the DEL of a key it found
// expired) are wrapped in MULTI/EXEC so that replay applies all or none.
func (e *Engine) finishCall(forceWrap bool) {
	if len(e.recs) == 0 {
		return
	}
	wrap := len(e.recs) > 1 || (forceWrap && len(e.recs) > 0)
	if wrap {
		e.selectDB(e.recs[0].db)
		e.out = append(e.out, multiFrame...)
	}
	for _, r := range e.recs {
		e.selectDB(r.db)
		e.out = append(e.out, e.recBuf[r.start:r.end]...)
	}
	if wrap {
		e.out = append(e.out, execFrame...)
	}
	e.recs = e.recs[:0]
	e.recBuf = e.recBuf[:0]
}

func (e *Engine) selectDB(db int) {
	if db == e.lastDB {
		return
	}
	e.out = resp.AppendCommand(e.out, []byte("SELECT"), strconv.AppendInt(nil, int64(db), 10))
	e.lastDB = db
}

// EncodingLimits are Redis's thresholds for compact encodings.
type EncodingLimits struct {
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	ListMaxListpackSize    int // negative: -1..-5 = 4..64 KiB per node, positive: entries per node
	SetMaxIntsetEntries    int
	SetMaxListpackEntries  int // Redis 7.2+; 7.0 has no set listpack (kept 0 = unused)
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
	HLLSparseMaxBytes      int // hll-sparse-max-bytes (hll.go)
}

// DefaultEncodingLimits are Redis 7.0's defaults.
func DefaultEncodingLimits() EncodingLimits {
	return EncodingLimits{
		HashMaxListpackEntries: 512, HashMaxListpackValue: 64,
		ListMaxListpackSize: -2, SetMaxIntsetEntries: 512,
		ZSetMaxListpackEntries: 128, ZSetMaxListpackValue: 64,
		HLLSparseMaxBytes: 3000,
	}
}
