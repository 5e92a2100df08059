package server

import (
	"github.com/kevy-db/kevy/internal/redistest"
	"strings"
	"testing"
	"time"
)

// startRedisServer runs the reference redis-server on a free port, or skips
// the test when it is not installed.
func startRedisServer(t *testing.T) string { return redistest.Start(t) }

// Each session runs on fresh connections against an empty dataset. A step
// is "[@n ]COMMAND args…" (n picks connection n, default 1), "@n READ" reads
// one more reply without sending, a leading "!" sends without comparing
// (HELLO, whose reply carries the client id; PUBSUB HELP, worded by kevy
// itself and shape-checked in test/compat). Arguments are split on
// spaces; "_" stands for a single space.
var blockingPubSubSessions = [][]string{
	// Timeout parsing.
	{"BLPOP k abc", "BLPOP k -1", "BLPOP k inf", "BLPOP k -inf", "BLPOP k 1e300", "BLPOP k nan",
		"BLPOP k _1", "BLPOP k 1e20", "BLPOP k 9.3e15", "BLPOP k 0.01",
		"BRPOP a b 0.01", "BLMOVE a b LEFT RIGHT x", "BLMOVE a b UP RIGHT x", "BLMOVE a b LEFT DOWN 0",
		"BRPOPLPUSH a b -5", "BZPOPMIN z abc", "BZPOPMAX z -0.5", "BLMPOP x 1 a LEFT", "BZMPOP -1 1 a MIN"},
	// Arity and option errors.
	{"BLPOP k", "BRPOP", "BLMOVE a b LEFT RIGHT", "BRPOPLPUSH a b", "BLMPOP 0 1 a", "BZPOPMIN z",
		"BZMPOP 0 1 z", "BLMPOP 1 0 a LEFT", "BLMPOP 1 2 a LEFT", "BLMPOP 1 1 a UP",
		"BLMPOP 1 1 a LEFT COUNT 0", "BLMPOP 1 1 a LEFT COUNT x", "BZMPOP 1 1 a MAX COUNT -1",
		"BZMPOP 1 1 a MAX COUNT 1 COUNT 2", "BZMPOP 1 1 a MAX COUNT", "BLMPOP 1 -3 a LEFT"},
	// Served at once.
	{"RPUSH l a b c d e", "BLPOP none l 0", "BRPOP l 0", "BLMOVE l l2 LEFT LEFT 0", "BRPOPLPUSH l l2 0",
		"BLMPOP 0 2 none l RIGHT COUNT 5", "LRANGE l2 0 -1", "EXISTS l",
		"ZADD z 1 a 2 b 3 c 4 d", "BZPOPMIN z 0", "BZPOPMAX none z 0", "BZMPOP 0 1 z MIN COUNT 10", "EXISTS z",
		"SET s x", "BLPOP s 0", "BLPOP none s 0", "BZPOPMIN s 0", "BLMPOP 0 1 s LEFT", "BZMPOP 0 1 s MAX",
		"RPUSH l x", "BLMOVE l s LEFT LEFT 0", "LRANGE l 0 -1", "BLMOVE s l LEFT LEFT 0"},
	// RESP3 forms.
	{"!HELLO 3", "RPUSH l a b", "ZADD z 1.5 a 2 b", "BLPOP l 0", "BZPOPMIN z 0", "BZMPOP 0 1 z MAX",
		"BLMPOP 0 1 l LEFT", "BLPOP l 0.01", "BZPOPMAX z 0.01", "BLMOVE l x LEFT LEFT 0.01"},
	// Inside MULTI nothing blocks.
	{"MULTI", "BLPOP k 0", "BLMOVE a b LEFT RIGHT 0", "BRPOPLPUSH a b 0", "BZPOPMAX z 0",
		"BLMPOP 0 1 a LEFT", "BZMPOP 0 1 a MIN COUNT 3", "BLPOP k -1", "EXEC",
		"MULTI", "BLPOP k 0", "RPUSH k v", "BLPOP k 0", "EXEC"},
	{"!HELLO 3", "MULTI", "BLPOP k 0", "BLMOVE a b LEFT RIGHT 0", "BZPOPMAX z 0", "BLMPOP 0 1 a LEFT", "EXEC"},
	// Pub/Sub in RESP2: subscribed mode.
	{"SUBSCRIBE c1 c2 c1", "READ", "READ", "PSUBSCRIBE p*", "PING", "PING hello", "PING a b", "GET x", "SET x y",
		"SELECT 1", "PUBLISH c1 x", "MULTI", "CLIENT ID", "CONFIG GET maxclients", "NOSUCH",
		"@2 PUBLISH c1 hello", "@1 READ", "@2 PUBLISH pq hi", "@1 READ", "@2 PUBLISH c2 both",
		"@1 READ", "@2 PUBSUB CHANNELS c1", "@2 PUBSUB NUMSUB c1 c2 zz", "@2 PUBSUB NUMSUB",
		"@2 PUBSUB NUMPAT", "!@2 PUBSUB HELP", "@2 PUBSUB FOO", "@2 PUBSUB CHANNELS a b",
		"@2 PUBSUB NUMPAT x", "@2 PUBSUB", "@2 PUBSUB SHARDCHANNELS", "@2 PUBSUB SHARDNUMSUB a",
		"UNSUBSCRIBE c1", "UNSUBSCRIBE", "PUNSUBSCRIBE", "PUNSUBSCRIBE", "UNSUBSCRIBE", "PING"},
	{"UNSUBSCRIBE x", "PUNSUBSCRIBE", "UNSUBSCRIBE", "SUBSCRIBE", "PSUBSCRIBE", "PUBLISH c",
		"PUBLISH c m", "SUBSCRIBE a", "RESET", "PING", "SUBSCRIBE a", "QUIT"},
	// Pub/Sub in RESP3: no restrictions, push frames.
	{"!HELLO 3", "SUBSCRIBE c1", "PING", "PING x", "GET x", "PUBLISH c1 self", "READ",
		"PSUBSCRIBE c*", "@2 PUBLISH c1 m", "@1 READ", "@1 READ", "PUBSUB NUMSUB c1", "PUBSUB NUMPAT",
		"UNSUBSCRIBE", "PUNSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE x"},
	// Subscribing inside a transaction.
	{"MULTI", "SUBSCRIBE a", "GET x", "EXEC", "PING", "UNSUBSCRIBE a", "GET x"},
}

func TestBlockingAndPubSubRepliesMatchRedis(t *testing.T) {
	redisAddr := startRedisServer(t)
	s := startServer(t, nil)
	kevyAddr := s.Addr().String()
	for i, session := range blockingPubSubSessions {
		want := runSession(t, redisAddr, session)
		got := runSession(t, kevyAddr, session)
		for j := range session {
			if strings.HasPrefix(session[j], "!") {
				continue
			}
			if got[j] != want[j] {
				t.Errorf("session %d step %q:\n kevy  %q\n redis %q", i, session[j], got[j], want[j])
			}
		}
	}
}

func runSession(t *testing.T, addr string, session []string) []string {
	t.Helper()
	conns := map[string]*rawConn{}
	get := func(n string) *rawConn {
		if c, ok := conns[n]; ok {
			return c
		}
		c := dialRaw(t, addr)
		conns[n] = c
		return c
	}
	get("1").do("FLUSHALL")
	out := make([]string, len(session))
	for i, step := range session {
		step = strings.TrimPrefix(step, "!")
		conn := "1"
		if strings.HasPrefix(step, "@") {
			conn, step, _ = strings.Cut(step[1:], " ")
		}
		c := get(conn)
		if step != "READ" {
			args := strings.Fields(step)
			for k, a := range args {
				if a == "_1" {
					args[k] = " 1"
				}
			}
			c.send(args...)
		}
		r, err := c.readWithin(2 * time.Second)
		if err != nil {
			r = "<no reply>"
		}
		out[i] = r
	}
	for _, c := range conns {
		c.nc.Close()
	}
	return out
}
