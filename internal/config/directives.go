package config

import (
	"errors"
	"math"
	"strings"
)

// flag describes how a directive may be changed.
type flag uint8

const (
	// immutable directives are set at start-up only; CONFIG SET refuses
	// them with Redis's "can't set immutable config".
	immutable flag = 1 << iota
	// protected directives are refused by CONFIG SET with "can't set
	// protected config", as Redis 7.0 does while enable-protected-configs
	// is at its default of no. kevy has no way to enable them.
	protected
	// multiArg directives take any number of arguments on a config line;
	// CONFIG SET splits their value on single spaces.
	multiArg
)

// directive is one configuration parameter.
type directive struct {
	name  string
	alias string // an older name accepted everywhere, e.g. hash-max-ziplist-entries
	flags flag
	def   string // the default, in canonical form
	kind  kind
}

// kevy's defaults that intentionally differ from Redis's.
const (
	DefaultBind       = "127.0.0.1 -::1" // Redis: "* -::*"
	DefaultDir        = "./data"         // Redis: the working directory
	DefaultAppendOnly = "yes"            // Redis: no
)

// directives returns the table of supported directives, in the order CONFIG
// REWRITE appends them. Defaults, ranges and flags follow Redis 7.0 except
// for the kevy defaults above. A fresh table per Config keeps the package
// free of mutable state.
func directives() []directive {
	const (
		intMax  = math.MaxInt32
		longMax = math.MaxInt64
	)
	yesNo := boolKind{}
	ints := func(lo, hi int64) kind { return intKind{lo: lo, hi: hi} }
	mem := func(lo int64) kind { return memKind{lo: lo, hi: longMax} }
	return []directive{
		{name: "port", def: "6379", kind: ints(0, 65535)},
		{name: "bind", flags: multiArg, def: DefaultBind, kind: bindKind{}},
		{name: "protected-mode", def: "yes", kind: yesNo},
		{name: "daemonize", flags: immutable, def: "no", kind: yesNo},
		{name: "pidfile", flags: immutable, def: "", kind: stringKind{}},
		{name: "timeout", def: "0", kind: ints(0, intMax)},
		{name: "tcp-keepalive", def: "300", kind: ints(0, intMax)},
		{name: "loglevel", def: "notice", kind: enumKind{names: []string{"debug", "verbose", "notice", "warning"}}},
		{name: "logfile", flags: immutable, def: "", kind: stringKind{}},
		{name: "databases", flags: immutable, def: "16", kind: ints(1, intMax)},
		{name: "save", flags: multiArg, def: "3600 1 300 100 60 10000", kind: saveKind{}},
		{name: "stop-writes-on-bgsave-error", def: "yes", kind: yesNo},
		{name: "rdbcompression", def: "yes", kind: yesNo},
		{name: "rdbchecksum", flags: immutable, def: "yes", kind: yesNo},
		{name: "dbfilename", flags: protected, def: "dump.rdb",
			kind: stringKind{validate: baseName("dbfilename can't be a path, just a filename")}},
		{name: "dir", flags: protected, def: DefaultDir, kind: stringKind{validate: nonEmpty}},
		{name: "requirepass", def: "", kind: stringKind{}},
		{name: "maxclients", def: "10000", kind: ints(1, math.MaxUint32)},
		{name: "maxmemory", def: "0", kind: memKind{unsigned: true}},
		{name: "maxmemory-policy", def: "noeviction", kind: enumKind{names: []string{
			"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
			"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}}},
		{name: "lazyfree-lazy-eviction", def: "no", kind: yesNo},
		{name: "lazyfree-lazy-expire", def: "no", kind: yesNo},
		{name: "lazyfree-lazy-server-del", def: "no", kind: yesNo},
		{name: "lazyfree-lazy-user-del", def: "no", kind: yesNo},
		{name: "lazyfree-lazy-user-flush", def: "no", kind: yesNo},
		{name: "replica-lazy-flush", def: "no", kind: yesNo},
		{name: "appendonly", def: DefaultAppendOnly, kind: yesNo},
		{name: "appendfilename", flags: immutable, def: "appendonly.aof",
			kind: stringKind{validate: baseName("appendfilename can't be a path, just a filename")}},
		{name: "appenddirname", flags: immutable, def: "appendonlydir",
			kind: stringKind{validate: baseName("appenddirname can't be a path, just a dirname")}},
		{name: "appendfsync", def: "everysec", kind: enumKind{names: []string{"everysec", "always", "no"}}},
		{name: "auto-aof-rewrite-percentage", def: "100", kind: ints(0, intMax)},
		{name: "auto-aof-rewrite-min-size", def: "67108864", kind: mem(0)},
		{name: "aof-load-truncated", def: "yes", kind: yesNo},
		{name: "aof-use-rdb-preamble", def: "yes", kind: yesNo},
		{name: "slowlog-log-slower-than", def: "10000", kind: ints(-1, longMax)},
		{name: "slowlog-max-len", def: "128", kind: ints(0, longMax)},
		{name: "latency-monitor-threshold", def: "0", kind: ints(0, longMax)},
		{name: "notify-keyspace-events", def: "", kind: nkeKind{}},
		{name: "hash-max-listpack-entries", alias: "hash-max-ziplist-entries", def: "512", kind: ints(0, longMax)},
		{name: "hash-max-listpack-value", alias: "hash-max-ziplist-value", def: "64", kind: ints(0, longMax)},
		{name: "list-max-listpack-size", alias: "list-max-ziplist-size", def: "-2", kind: ints(math.MinInt32, intMax)},
		{name: "set-max-intset-entries", def: "512", kind: ints(0, longMax)},
		{name: "zset-max-listpack-entries", alias: "zset-max-ziplist-entries", def: "128", kind: ints(0, longMax)},
		{name: "zset-max-listpack-value", alias: "zset-max-ziplist-value", def: "64", kind: ints(0, longMax)},
		{name: "hll-sparse-max-bytes", def: "3000", kind: mem(0)},
		{name: "hz", def: "10", kind: intKind{lo: 0, hi: intMax, clamp: true, clampLo: 1, clampHi: 500}},
		{name: "client-output-buffer-limit", flags: multiArg,
			def: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", kind: coblKind{}},
		{name: "client-query-buffer-limit", def: "1073741824", kind: mem(1 << 20)},
		{name: "proto-max-bulk-len", def: "536870912", kind: mem(1 << 20)},
	}
}

func nonEmpty(s string) error {
	if s == "" {
		return errors.New("directory name can't be empty")
	}
	return nil
}

// lookup finds a directive by name or alias, case-insensitively. It
// returns the directive's index and the registered name that matched
// (the alias when the alias was used), or -1.
func lookup(table []directive, name string) (int, string) {
	for i, d := range table {
		if strings.EqualFold(d.name, name) {
			return i, d.name
		}
		if d.alias != "" && strings.EqualFold(d.alias, name) {
			return i, d.alias
		}
	}
	return -1, ""
}
