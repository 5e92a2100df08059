package command

import (
	"github.com/kevy-db/kevy/internal/redistest"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-db/kevy/resp"
)

// Differential test of the list and sorted-set commands against a real
// redis-server (skipped when none is on PATH): every command runs on both
// and the raw replies must be identical.

func startRedisForDiff(t *testing.T) net.Conn { return redistest.Dial(t) }

// diffArgs splits a command line on spaces; ” is an empty argument and
// \s a space inside an argument.
func diffArgs(line string) []string {
	f := strings.Fields(line)
	for i, a := range f {
		if a == "''" {
			a = ""
		}
		f[i] = strings.ReplaceAll(a, `\s`, " ")
	}
	return f
}

var diffScript = []string{
	// ---- lists ----
	"RPUSH l a b c d e f", "LPUSH l z y", "LRANGE l 0 -1", "LRANGE l -3 -1", "LRANGE l 5 2",
	"LRANGE l -100 100", "LRANGE l 1 x", "LRANGE nokey 0 -1", "LLEN l", "LLEN nokey",
	"LINDEX l 0", "LINDEX l -1", "LINDEX l 100", "LINDEX l x", "LINDEX nokey x", "LINDEX nokey 0",
	"LSET l 0 Z", "LSET l -1 F", "LSET l 100 x", "LSET l x y", "LSET nokey 0 x", "LRANGE l 0 -1",
	"LINSERT l BEFORE c C", "LINSERT l AFTER c CC", "LINSERT l AFTER nothere x", "LINSERT l middle c x",
	"LINSERT nokey BEFORE a b", "LRANGE l 0 -1",
	"RPUSH r a b a c a d a", "LREM r 2 a", "LRANGE r 0 -1", "LREM r -1 a", "LRANGE r 0 -1",
	"LREM r 0 a", "LRANGE r 0 -1", "LREM r 0 zz", "LREM r x a", "LREM nokey 0 a",
	"RPUSH t 1 2 3 4 5 6 7 8 9", "LTRIM t 2 -3", "LRANGE t 0 -1", "LTRIM t 0 100", "LTRIM t x 1",
	"LTRIM t 5 1", "EXISTS t", "LTRIM nokey 0 1",
	"RPUSH p a b c a b c a", "LPOS p a", "LPOS p a RANK 2", "LPOS p a RANK -1", "LPOS p a RANK -2 COUNT 2",
	"LPOS p a COUNT 0", "LPOS p a COUNT 2 MAXLEN 4", "LPOS p a MAXLEN 1", "LPOS p a RANK 0",
	"LPOS p a COUNT -1", "LPOS p a MAXLEN -1", "LPOS p a RANK x", "LPOS p a COUNT x", "LPOS p a FOO",
	"LPOS p a RANK", "LPOS p zz", "LPOS p zz COUNT 1", "LPOS nokey a", "LPOS nokey a COUNT 1",
	"LPOS p a RANK 10 COUNT 0",
	"LPOP p", "RPOP p", "LPOP p 2", "RPOP p 0", "LPOP p -1", "LPOP p x", "LPOP p 1 2", "LPOP nokey",
	"LPOP nokey 1", "RPOP p 100", "EXISTS p",
	"LPUSHX nokey a", "RPUSHX nokey a", "LPUSHX l q", "RPUSHX l q r", "LRANGE l 0 -1",
	"RPUSH m1 a b c", "LMOVE m1 m2 LEFT RIGHT", "LMOVE m1 m2 RIGHT LEFT", "LRANGE m2 0 -1",
	"LMOVE m1 m1 LEFT RIGHT", "LRANGE m1 0 -1", "LMOVE m1 m2 UP DOWN", "LMOVE nokey m2 LEFT LEFT",
	"RPOPLPUSH m1 m2", "EXISTS m1", "RPOPLPUSH m2 m2", "LRANGE m2 0 -1",
	"SET str x", "LPUSH str a", "LRANGE str 0 1", "LMOVE str m2 LEFT LEFT", "LMOVE m2 str LEFT LEFT",
	"LLEN str", "LPOS str a", "LINDEX str 0",
	"RPUSH mp1 a b c d", "LMPOP 2 nokey mp1 LEFT", "LMPOP 2 nokey mp1 RIGHT COUNT 2",
	"LMPOP 1 mp1 LEFT COUNT 10", "LMPOP 1 mp1 LEFT", "LMPOP 0 mp1 LEFT", "LMPOP -1 mp1 LEFT",
	"LMPOP x mp1 LEFT", "LMPOP 1 mp1 MIDDLE", "LMPOP 2 mp1 LEFT", "LMPOP 1 mp1 LEFT COUNT 0",
	"LMPOP 1 mp1 LEFT COUNT x", "LMPOP 1 mp1 LEFT COUNT 1 COUNT 1", "LMPOP 1 mp1 LEFT FOO",
	"LMPOP 2 str mp1 LEFT", "LPUSH", "LRANGE l 0", "OBJECT ENCODING l",
	// ---- sorted sets: ZADD ----
	"ZADD z 1 a 2 b 3 c", "ZADD z 1.5 a", "ZADD z CH 2.5 a 9 new", "ZADD z NX 100 a 4 d", "ZADD z XX 5 d 7 nope",
	"ZADD z GT 1 d", "ZADD z GT CH 6 d", "ZADD z LT CH 10 d", "ZADD z LT CH 3 d", "ZADD z XX GT CH 20 c",
	"ZADD z INCR 1 a", "ZADD z INCR NX 1 a", "ZADD z INCR XX 1 nope", "ZADD z INCR GT -100 a",
	"ZADD z NX XX 1 a", "ZADD z NX GT 1 a", "ZADD z GT LT 1 a", "ZADD z INCR 1 a 2 b", "ZADD z 1",
	"ZADD z 1 a 2", "ZADD z x a", "ZADD z nan a", "ZADD z 1e400 a", "ZADD z 1e-400 a", "ZADD z \\s1 a",
	"ZADD z 0x10 hex", "ZADD z inf i1 -inf i2 +inf i3", "ZADD z INCR -inf i1", "ZADD z -0 negz",
	"ZADD z 1e-320 den", "ZADD z 1.1 f1 0.1 f2 1e20 f3 123456789012345678 f4", "ZADD zz XX 1 a",
	"EXISTS zz", "ZADD str 1 a", "ZRANGE z 0 -1 WITHSCORES", "OBJECT ENCODING z",
	"ZINCRBY z 1 a", "ZINCRBY z x a", "ZINCRBY z 1 brandnew", "ZINCRBY z incr 5", "ZINCRBY z 5 incr",
	"ZINCRBY z -inf i1", "ZINCRBY newz 2.5 m", "ZINCRBY str 1 a",
	"ZSCORE z a", "ZSCORE z f1", "ZSCORE z f3", "ZSCORE z f4", "ZSCORE z i1", "ZSCORE z negz", "ZSCORE z nope",
	"ZSCORE nokey a", "ZSCORE str a", "ZMSCORE z a nope f1", "ZMSCORE nokey a b", "ZCARD z", "ZCARD nokey",
	"ZRANK z a", "ZRANK z nope", "ZREVRANK z a", "ZRANK nokey a", "ZRANK str a",
	// ---- ranges ----
	"DEL z", "ZADD z 1 a 2 b 3 c 4 d 5 e 6 f", "ZRANGE z 0 -1", "ZRANGE z 1 3 WITHSCORES", "ZRANGE z -2 -1",
	"ZRANGE z 5 1", "ZRANGE z 0 100 REV", "ZRANGE z 0 x", "ZRANGE z 0 -1 LIMIT 0 1", "ZRANGE z 0 -1 LIMIT 0 -1",
	"ZRANGE z (1 5 BYSCORE", "ZRANGE z 5 (1 BYSCORE REV WITHSCORES", "ZRANGE z -inf +inf BYSCORE LIMIT 1 2",
	"ZRANGE z -inf +inf BYSCORE LIMIT -1 2", "ZRANGE z -inf +inf BYSCORE LIMIT 10 2", "ZRANGE z -inf +inf BYSCORE LIMIT 2 -1",
	"ZRANGE z -inf +inf BYSCORE LIMIT 2 0", "ZRANGE z [b (e BYLEX", "ZRANGE z - + BYLEX WITHSCORES", "ZRANGE z 0 -1 FOO",
	"ZRANGE z 0 -1 BYSCORE BYLEX", "ZRANGE z 0 -1 REV REV", "ZRANGE nokey 0 -1", "ZRANGE str 0 -1",
	"ZRANGEBYSCORE z 2 4", "ZRANGEBYSCORE z (2 (4 WITHSCORES", "ZRANGEBYSCORE z -inf +inf LIMIT 2 2",
	"ZRANGEBYSCORE z x 4", "ZRANGEBYSCORE z 4 2", "ZRANGEBYSCORE z 2 2", "ZRANGEBYSCORE z (2 2", "ZRANGEBYSCORE z '' 5",
	"ZRANGEBYSCORE z ( 5", "ZRANGEBYSCORE z 1e400 inf", "ZRANGEBYSCORE z \\s2 4", "ZRANGEBYSCORE z nan 4",
	"ZRANGEBYSCORE z 1 4 LIMIT 1", "ZRANGEBYSCORE z 1 4 REV", "ZREVRANGEBYSCORE z 4 2", "ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 1 3",
	"ZREVRANGEBYSCORE z 2 4", "ZREVRANGE z 0 1", "ZREVRANGE z 0 -1 WITHSCORES", "ZREVRANGE z 0 1 BYSCORE",
	"DEL lex", "ZADD lex 0 a 0 b 0 c 0 d 0 e 0 ff", "ZRANGEBYLEX lex - +", "ZRANGEBYLEX lex [b (e", "ZRANGEBYLEX lex (b [e LIMIT 1 1",
	"ZRANGEBYLEX lex + -", "ZRANGEBYLEX lex - -", "ZRANGEBYLEX lex [a [a", "ZRANGEBYLEX lex (a (a", "ZRANGEBYLEX lex a b",
	"ZRANGEBYLEX lex [f +", "ZRANGEBYLEX lex -x +", "ZREVRANGEBYLEX lex + -", "ZREVRANGEBYLEX lex [e (b", "ZREVRANGEBYLEX lex + - LIMIT 1 2",
	"ZLEXCOUNT lex - +", "ZLEXCOUNT lex [b [d", "ZLEXCOUNT lex x y", "ZLEXCOUNT nokey - +",
	"ZCOUNT z -inf +inf", "ZCOUNT z (1 3", "ZCOUNT z 3 1", "ZCOUNT z x 1", "ZCOUNT nokey 0 1", "ZCOUNT str 0 1",
	"ZRANGESTORE dst z 1 3", "ZRANGE dst 0 -1 WITHSCORES", "ZRANGESTORE dst z 10 20", "EXISTS dst",
	"ZRANGESTORE dst z (1 5 BYSCORE LIMIT 1 2", "ZRANGE dst 0 -1", "ZRANGESTORE dst lex [b + BYLEX REV", "ZRANGE dst 0 -1",
	"ZRANGESTORE dst z 0 -1 WITHSCORES", "ZRANGESTORE dst nokey 0 -1", "EXISTS dst", "ZRANGESTORE dst str 0 -1",
	// ---- removals ----
	"ZREM z a nope b", "ZREM z nope", "ZREM nokey a", "ZREM str a",
	"ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYRANK z 5 1", "ZREMRANGEBYRANK z x 1", "ZRANGE z 0 -1",
	"ZREMRANGEBYSCORE z (4 5", "ZREMRANGEBYSCORE z x 1", "ZRANGE z 0 -1", "ZREMRANGEBYLEX lex [b (d",
	"ZREMRANGEBYLEX lex x y", "ZRANGE lex 0 -1", "ZREMRANGEBYSCORE z -inf +inf", "EXISTS z", "ZREMRANGEBYRANK nokey 0 1",
	// ---- pops ----
	"ZADD pz 1 a 2 b 3 c 4 d 5 e", "ZPOPMIN pz", "ZPOPMAX pz", "ZPOPMIN pz 2", "ZPOPMIN pz 0", "ZPOPMIN pz -1",
	"ZPOPMIN pz x", "ZPOPMIN pz 1 2", "ZPOPMAX pz 10", "EXISTS pz", "ZPOPMIN nokey", "ZPOPMIN nokey 0", "ZPOPMIN str",
	"ZADD mz 1 a 2 b 3 c", "ZMPOP 2 nokey mz MIN", "ZMPOP 1 mz MAX COUNT 5", "ZMPOP 1 mz MIN", "ZMPOP 0 mz MIN",
	"ZMPOP 1 mz LEFT", "ZMPOP 1 mz MIN COUNT 0", "ZMPOP 2 mz MIN", "ZMPOP 1 str MIN",
	// ---- set operations ----
	"ZADD s1 1 a 2 b 3 c", "ZADD s2 10 b 20 c 30 d", "SADD plain c d e",
	"ZUNION 2 s1 s2", "ZUNION 2 s1 s2 WITHSCORES", "ZUNION 2 s1 s2 WEIGHTS 2 0.5 WITHSCORES",
	"ZUNION 2 s1 s2 AGGREGATE MIN WITHSCORES", "ZUNION 2 s1 s2 AGGREGATE MAX WITHSCORES", "ZUNION 3 s1 s2 plain WITHSCORES",
	"ZUNION 2 s1 nokey WITHSCORES", "ZUNION 0 s1", "ZUNION 3 s1 s2", "ZUNION 2 s1 s2 WEIGHTS 1", "ZUNION 2 s1 s2 WEIGHTS 1 x",
	"ZUNION 2 s1 s2 AGGREGATE AVG", "ZUNION 2 s1 str", "ZUNION x s1", "ZUNION 1 s1 FOO",
	"ZINTER 2 s1 s2 WITHSCORES", "ZINTER 2 s1 s2 AGGREGATE MAX", "ZINTER 3 s1 s2 plain WITHSCORES", "ZINTER 2 s1 nokey",
	"ZINTERCARD 2 s1 s2", "ZINTERCARD 2 s1 s2 LIMIT 1", "ZINTERCARD 2 s1 s2 LIMIT -1", "ZINTERCARD 0 s1",
	"ZINTERCARD 2 s1 nokey", "ZINTERCARD 1 s1 WITHSCORES",
	"ZDIFF 2 s1 s2", "ZDIFF 2 s1 s2 WITHSCORES", "ZDIFF 1 s1 WITHSCORES", "ZDIFF 2 s1 s2 WEIGHTS 1 1", "ZDIFF 2 nokey s1",
	"ZUNIONSTORE out 2 s1 s2 WEIGHTS 1 2", "ZRANGE out 0 -1 WITHSCORES", "ZUNIONSTORE out 2 s1 s2 WITHSCORES",
	"ZINTERSTORE out 2 s1 s2", "ZRANGE out 0 -1 WITHSCORES", "ZINTERSTORE out 2 s1 nokey", "EXISTS out",
	"ZDIFFSTORE out 2 s1 s2", "ZRANGE out 0 -1 WITHSCORES", "OBJECT ENCODING out",
	"ZADD w 1 a", "ZUNION 2 w w WEIGHTS inf 0 WITHSCORES", "ZINTER 2 w w WEIGHTS 0 inf AGGREGATE MIN WITHSCORES",
	"ZINTER 2 w w WEIGHTS inf -inf WITHSCORES",
	// ---- random and scan (deterministic cases) ----
	"ZRANDMEMBER nokey", "ZRANDMEMBER nokey 3", "ZRANDMEMBER s1 0", "ZRANDMEMBER s1 10", "ZRANDMEMBER s1 10 WITHSCORES",
	"ZRANDMEMBER s1 x", "ZRANDMEMBER s1 1 2", "ZRANDMEMBER s1 -9223372036854775808", "ZRANDMEMBER s1 9223372036854775807 WITHSCORES",
	"ZRANDMEMBER str",
	"ZSCAN s1 0", "ZSCAN s1 0 MATCH a*", "ZSCAN s1 0 COUNT 1", "ZSCAN s1 x", "ZSCAN s1 0 COUNT 0", "ZSCAN s1 0 FOO",
	"ZSCAN nokey 0", "ZSCAN nokey 0 FOO", "ZSCAN str 0",
	// ---- encodings ----
	"CONFIG SET zset-max-listpack-entries 3", "ZADD enc 1 a 2 b 3 c", "OBJECT ENCODING enc", "ZADD enc 4 d",
	"OBJECT ENCODING enc", "ZREM enc a b c", "OBJECT ENCODING enc", "ZUNIONSTORE eo 1 s1", "OBJECT ENCODING eo",
	"ZUNIONSTORE eo 2 s1 s2", "OBJECT ENCODING eo", "ZRANGESTORE eo s2 0 1", "OBJECT ENCODING eo",
	"ZADD big 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"OBJECT ENCODING big", "CONFIG SET zset-max-listpack-entries 0", "ZADD e0 1 a", "OBJECT ENCODING e0",
	"ZADD e0 -0 negz", "ZSCORE e0 negz", "ZRANGE e0 0 -1 WITHSCORES", "ZRANDMEMBER e0 5 WITHSCORES",
	"CONFIG SET zset-max-listpack-entries 128",
	"ZADD lexmix 1 b 2 a 3 d 0 c", "ZRANGEBYLEX lexmix - +", "ZRANGEBYLEX lexmix [b +", "ZLEXCOUNT lexmix [b [c",
	"ZREVRANGEBYLEX lexmix [c -",
}

// diffScript3 runs after HELLO 3.
var diffScript3 = []string{
	"DEL z", "ZADD z 1 a 2 b -0 c 3.5 d inf e", "ZSCORE z d", "ZSCORE z nope", "ZMSCORE z a nope",
	"ZRANGE z 0 -1 WITHSCORES", "ZRANGE z 0 -1", "ZRANGEBYSCORE z 1 3 WITHSCORES", "ZREVRANGE z 0 1 WITHSCORES",
	"ZINCRBY z 1 a", "ZADD z INCR 1 a", "ZADD z INCR NX 1 a", "ZPOPMIN z", "ZPOPMIN z 1", "ZPOPMAX z 0",
	"ZMPOP 1 z MIN", "ZMPOP 1 nokey MIN", "ZUNION 1 z WITHSCORES", "ZRANDMEMBER z 10 WITHSCORES",
	"ZRANDMEMBER nokey", "ZRANK z nope", "ZSCAN z 0", "LPOP nokey", "LPOP nokey 1", "LPOS nokey a",
	"LINDEX nokey 0", "LMPOP 1 nokey LEFT", "RPUSH l a b", "LMPOP 1 l LEFT", "LMOVE nokey l LEFT LEFT",
	"ZADD one 5 x", "ZRANDMEMBER one -3 WITHSCORES", "ZRANDMEMBER one -2",
}

func TestListZSetDifferential(t *testing.T) {
	conn := startRedisForDiff(t)
	rr := resp.NewReplyReader(conn)
	te := newTestEnv(t)
	run := func(line string, compare bool) {
		t.Helper()
		args := diffArgs(line)
		if _, err := conn.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
			t.Fatal(err)
		}
		want, err := rr.ReadRaw()
		if err != nil {
			t.Fatalf("%s: reading redis: %v", line, err)
		}
		if len(args) == 4 && is([]byte(args[0]), "config") && args[2] == "zset-max-listpack-entries" {
			// testEnv has no server config: set the engine's limit directly
			te.e.Limits.ZSetMaxListpackEntries, _ = strconv.Atoi(args[3])
			return
		}
		got := te.do(args...)
		if compare && got != string(want) {
			t.Errorf("%s:\n kevy  %q\n redis %q", line, got, want)
		}
	}
	n := 0
	for _, line := range diffScript {
		run(line, true)
		n++
	}
	run("HELLO 3", false)
	for _, line := range diffScript3 {
		run(line, true)
		n++
	}
	if n < 200 {
		t.Fatalf("only %d commands compared", n)
	}
}
