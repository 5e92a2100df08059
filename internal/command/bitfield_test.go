package command

import "testing"

var bitfieldCases = []bitsCase{
	{`BITFIELD bf SET i8 0 -100 GET i8 0`, "*2\r\n:0\r\n:-100\r\n"},
	{`BITFIELD bf INCRBY i8 0 -100`, "*1\r\n:56\r\n"},
	{`BITFIELD bf OVERFLOW SAT INCRBY i8 0 -200`, "*1\r\n:-128\r\n"},
	{`BITFIELD bf OVERFLOW FAIL INCRBY i8 0 -1 INCRBY i8 0 1`, "*2\r\n$-1\r\n:-127\r\n"},
	{`BITFIELD bf GET u8 0 GET u4 0 GET u4 4 GET i4 0 GET i1 0 GET u1 0`, "*6\r\n:129\r\n:8\r\n:1\r\n:-8\r\n:-1\r\n:1\r\n"},
	{`BITFIELD bf SET u8 #1 255 GET u8 8 GET u16 #0 GET i16 #0 GET u8 #2`, "*5\r\n:0\r\n:255\r\n:33279\r\n:-32257\r\n:0\r\n"},
	{`GET bf`, "$2\r\n\x81\xff\r\n"},
	{`BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 5 OVERFLOW FAIL INCRBY u2 104 4 OVERFLOW WRAP INCRBY u2 106 7`, "*4\r\n:1\r\n:3\r\n$-1\r\n:3\r\n"},
	{`BITFIELD bf INCRBY u2 100 -2 OVERFLOW SAT INCRBY u2 102 -9 OVERFLOW fail INCRBY u2 104 -1 overflow wrap incrby u2 106 -6`, "*4\r\n:3\r\n:0\r\n$-1\r\n:1\r\n"},
	{`BITFIELD bf GET i64 0 GET u63 0 GET u63 1 GET i64 3`, "*4\r\n:-9079538323755630592\r\n:4683602874976960512\r\n:143833713099145216\r\n:1150669704793161728\r\n"},
	{`BITFIELD bf GET i65 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET u64 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET x8 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET I8 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET i0 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET u0 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET i08 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET "" 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET i 0`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf GET "i8\x00zz" 0`, "*1\r\n:-127\r\n"},
	{`BITFIELD bf GET`, "-ERR syntax error\r\n"},
	{`BITFIELD bf GET i8`, "-ERR syntax error\r\n"},
	{`BITFIELD bf SET i8 0`, "-ERR syntax error\r\n"},
	{`BITFIELD bf INCRBY i8 0`, "-ERR syntax error\r\n"},
	{`BITFIELD bf FOO`, "-ERR syntax error\r\n"},
	{`BITFIELD bf GET i8 0 FOO`, "-ERR syntax error\r\n"},
	{`BITFIELD bf OVERFLOW`, "-ERR syntax error\r\n"},
	{`BITFIELD bf OVERFLOW BAD GET i8 0`, "-ERR Invalid OVERFLOW type specified\r\n"},
	{`BITFIELD bf GET i8 0 OVERFLOW BAD`, "-ERR Invalid OVERFLOW type specified\r\n"},
	{`BITFIELD bf SET i8 0 x`, "-ERR value is not an integer or out of range\r\n"},
	{`BITFIELD bf INCRBY i8 0 1.5`, "-ERR value is not an integer or out of range\r\n"},
	{`BITFIELD bf SET i8 0 99999999999999999999`, "-ERR value is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i8 -1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i8 #-1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i8 #`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i8 ##1`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i8 x`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf SET x8 x x`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD bf SET i8 x x`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i8 4294967295`, "*1\r\n:0\r\n"},
	{`BITFIELD bf GET i8 4294967296`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i8 #536870911`, "*1\r\n:0\r\n"},
	{`BITFIELD bf GET i8 #536870912`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i64 #144115188075855872`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD bf GET i64 #288230376151711744`, "*1\r\n:-9079538323755630592\r\n"},
	{`BITFIELD bf GET u3 #1152921504606846977`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD w SET i64 0 9223372036854775807 INCRBY i64 0 1`, "*2\r\n:0\r\n:-9223372036854775808\r\n"},
	{`BITFIELD w OVERFLOW SAT SET i64 0 9223372036854775807 INCRBY i64 0 1 INCRBY i64 0 -1`, "*3\r\n:-9223372036854775808\r\n:9223372036854775807\r\n:9223372036854775806\r\n"},
	{`BITFIELD w SET i64 0 -9223372036854775808 INCRBY i64 0 -1 OVERFLOW SAT INCRBY i64 0 -1 INCRBY i64 0 -9223372036854775808`, "*4\r\n:9223372036854775806\r\n:9223372036854775807\r\n:9223372036854775806\r\n:-2\r\n"},
	{`BITFIELD w OVERFLOW FAIL SET i64 0 -9223372036854775808 INCRBY i64 0 -1 INCRBY i64 0 9223372036854775807`, "*3\r\n:-2\r\n$-1\r\n:-1\r\n"},
	{`BITFIELD w SET u63 0 -1 GET u63 0`, "*2\r\n:9223372036854775807\r\n:9223372036854775807\r\n"},
	{`BITFIELD w OVERFLOW SAT SET u8 0 -1 GET u8 0`, "*2\r\n:255\r\n:255\r\n"},
	{`BITFIELD w OVERFLOW SAT SET u8 0 300 GET u8 0`, "*2\r\n:255\r\n:255\r\n"},
	{`BITFIELD w OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0`, "*2\r\n:-1\r\n:127\r\n"},
	{`BITFIELD w OVERFLOW SAT SET i8 0 9223372036854775807 GET i8 0`, "*2\r\n:127\r\n:127\r\n"},
	{`BITFIELD w OVERFLOW SAT SET i8 0 -200 GET i8 0`, "*2\r\n:127\r\n:-128\r\n"},
	{`BITFIELD w OVERFLOW FAIL SET i8 0 -9223372036854775808 GET i8 0`, "*2\r\n$-1\r\n:-128\r\n"},
	{`BITFIELD w SET i8 0 -9223372036854775807 GET i8 0`, "*2\r\n:-128\r\n:1\r\n"},
	{`BITFIELD w OVERFLOW FAIL SET u8 0 256 SET u8 0 255`, "*2\r\n$-1\r\n:1\r\n"},
	{`BITFIELD w SET u8 0 256 GET u8 0`, "*2\r\n:255\r\n:0\r\n"},
	{`BITFIELD w OVERFLOW SAT INCRBY u63 0 9223372036854775807 INCRBY u63 0 -9223372036854775808`, "*2\r\n:9223372036854775807\r\n:0\r\n"},
	{`BITFIELD w INCRBY u63 0 9223372036854775807 INCRBY u63 0 -9223372036854775808 INCRBY u63 0 -1`, "*3\r\n:9223372036854775807\r\n:9223372036854775807\r\n:9223372036854775806\r\n"},
	{`BITFIELD w OVERFLOW SAT INCRBY i7 3 100 INCRBY i7 3 -300 INCRBY i7 3 70`, "*3\r\n:63\r\n:-64\r\n:6\r\n"},
	{`BITFIELD w INCRBY i7 3 100 INCRBY i7 3 -300 INCRBY i7 3 70`, "*3\r\n:-22\r\n:62\r\n:4\r\n"},
	{`GET w`, "$8\r\n\xe1?\xff\xff\xff\xff\xff\xfd\r\n"},
	{`BITFIELD nf OVERFLOW FAIL INCRBY u8 0 300`, "*1\r\n$-1\r\n"},
	{`EXISTS nf`, ":1\r\n"},
	{`GET nf`, "$1\r\n\x00\r\n"},
	{`BITFIELD nf2 OVERFLOW FAIL SET u8 20 300`, "*1\r\n$-1\r\n"},
	{`STRLEN nf2`, ":4\r\n"},
	{`!list l`, ""},
	{`BITFIELD l GET u8 0`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`BITFIELD l SET u8 0 1`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`BITFIELD l GET u8 x`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD nokey GET u8 0 GET i64 100`, "*2\r\n:0\r\n:0\r\n"},
	{`EXISTS nokey`, ":0\r\n"},
	{`BITFIELD bf`, "*0\r\n"},
	{`BITFIELD bf OVERFLOW WRAP`, "*0\r\n"},
	{`BITFIELD nokey2 OVERFLOW WRAP`, "*0\r\n"},
	{`EXISTS nokey2`, ":0\r\n"},
	{`BITFIELD`, "-ERR wrong number of arguments for 'bitfield' command\r\n"},
	{`SET n 42`, "+OK\r\n"},
	{`BITFIELD n GET u8 0 GET u16 0 GET u24 0`, "*3\r\n:52\r\n:13362\r\n:3420672\r\n"},
	{`BITFIELD n SET u8 0 49`, "*1\r\n:52\r\n"},
	{`GET n`, "$2\r\n12\r\n"},
	{`BITFIELD_RO bf GET u8 0 GET i16 #1`, "*2\r\n:129\r\n:0\r\n"},
	{`BITFIELD_RO bf SET u8 0 1`, "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
	{`BITFIELD_RO bf GET u8 0 INCRBY u8 0 1`, "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
	{`BITFIELD_RO bf SET u8 0 x`, "-ERR value is not an integer or out of range\r\n"},
	{`BITFIELD_RO bf GET u8 0 FOO`, "-ERR syntax error\r\n"},
	{`BITFIELD_RO bf OVERFLOW SAT GET u8 0`, "*1\r\n:129\r\n"},
	{`BITFIELD_RO bf`, "*0\r\n"},
	{`BITFIELD_RO l GET u8 0`, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{`BITFIELD_RO l SET u8 0 1`, "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
	{`BITFIELD_RO nokey GET u8 0`, "*1\r\n:0\r\n"},
	{`BITFIELD_RO`, "-ERR wrong number of arguments for 'bitfield_ro' command\r\n"},
	{`!maxbulk 1048576`, ""},
	{`BITFIELD m SET u8 8388600 255 GET u8 8388600`, "*2\r\n:0\r\n:255\r\n"},
	{`STRLEN m`, ":1048576\r\n"},
	{`BITFIELD m SET u8 8388601 255`, "*1\r\n:254\r\n"},
	{`STRLEN m`, ":1048577\r\n"},
	{`BITFIELD m SET u8 8388608 255`, "-ERR bit offset is not an integer or out of range\r\n"},
	{`BITFIELD m SET u64 8388608 255`, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{`BITFIELD m GET i64 8388607`, "*1\r\n:-4611686018427387904\r\n"},
	{`!proto 3`, ""},
	{`BITFIELD r OVERFLOW FAIL INCRBY u8 0 1000 GET u8 0`, "*2\r\n_\r\n:0\r\n"},
	{`BITFIELD_RO r GET u8 0`, "*1\r\n:0\r\n"},
	{`!proto 2`, ""},
}

func TestBitField(t *testing.T) { runBits(t, bitfieldCases) }

// The overflow helpers against a plain model of the arithmetic for all small
// widths (the literal port of the reference's checks must agree with it
// wherever the reference has no quirk).
func TestBitfieldOverflowModel(t *testing.T) {
	for width := 1; width <= 8; width++ {
		umax := int64(1)<<width - 1
		smax, smin := int64(1)<<(width-1)-1, -(int64(1) << (width - 1))
		for v := int64(0); v <= umax; v++ {
			for incr := int64(-300); incr <= 300; incr++ {
				sum := v + incr
				over, lim := unsignedOverflow(uint64(v), incr, width, owSat)
				if over != (sum < 0 || sum > umax) {
					t.Fatalf("u%d %d%+d: overflow %v", width, v, incr, over)
				}
				if over && lim != uint64(min(max(sum, 0), umax)) {
					t.Fatalf("u%d %d%+d: sat %d", width, v, incr, lim)
				}
				if over, lim = unsignedOverflow(uint64(v), incr, width, owWrap); over && lim != uint64(sum)&uint64(umax) {
					t.Fatalf("u%d %d%+d: wrap %d", width, v, incr, lim)
				}
				sv := v + smin // every signed value of the width
				ssum := sv + incr
				sover, slim := signedOverflow(sv, incr, width, owSat)
				if sover != (ssum < smin || ssum > smax) {
					t.Fatalf("i%d %d%+d: overflow %v", width, sv, incr, sover)
				}
				if sover && slim != min(max(ssum, smin), smax) {
					t.Fatalf("i%d %d%+d: sat %d", width, sv, incr, slim)
				}
				if sover, slim = signedOverflow(sv, incr, width, owWrap); sover && slim != signExtend(uint64(ssum)&uint64(umax), width) {
					t.Fatalf("i%d %d%+d: wrap %d", width, sv, incr, slim)
				}
			}
		}
	}
}
