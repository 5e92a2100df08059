package command

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var lcsCases = []bitsCase{
	{`SET a ohmytext`, "+OK\r\n"},
	{`SET b mynewtext`, "+OK\r\n"},
	{`LCS a b`, "$6\r\nmytext\r\n"},
	{`LCS a b LEN`, ":6\r\n"},
	{`LCS a b len`, ":6\r\n"},
	{`LCS a b IDX`, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b IDX MINMATCHLEN 4`, "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b idx minmatchlen 2 withmatchlen`, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b WITHMATCHLEN IDX MINMATCHLEN 0`, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b LEN IDX`, "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
	{`LCS a b IDX LEN`, "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
	{`LCS a b MINMATCHLEN`, "-ERR syntax error\r\n"},
	{`LCS a b MINMATCHLEN x`, "-ERR value is not an integer or out of range\r\n"},
	{`LCS a b MINMATCHLEN x LEN IDX`, "-ERR value is not an integer or out of range\r\n"},
	{`LCS a b MINMATCHLEN -5 IDX`, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b MINMATCHLEN 3 MINMATCHLEN 6 IDX`, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b FOO`, "-ERR syntax error\r\n"},
	{`LCS a b LEN FOO`, "-ERR syntax error\r\n"},
	{`LCS a b WITHMATCHLEN`, "$6\r\nmytext\r\n"},
	{`LCS a b MINMATCHLEN 10`, "$6\r\nmytext\r\n"},
	{`LCS a b LEN WITHMATCHLEN`, ":6\r\n"},
	{`LCS a nokey`, "$0\r\n\r\n"},
	{`LCS nokey a LEN`, ":0\r\n"},
	{`LCS nokey nokey2 IDX`, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{`LCS nokey nokey2 IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{`LCS a a`, "$8\r\nohmytext\r\n"},
	{`LCS a a IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n:8\r\n$3\r\nlen\r\n:8\r\n"},
	{`!list l`, ""},
	{`LCS a l`, "-ERR The specified keys must contain string values\r\n"},
	{`LCS l a`, "-ERR The specified keys must contain string values\r\n"},
	{`LCS l a FOO`, "-ERR The specified keys must contain string values\r\n"},
	{`LCS nokey l LEN IDX`, "-ERR The specified keys must contain string values\r\n"},
	{`LCS a`, "-ERR wrong number of arguments for 'lcs' command\r\n"},
	{`SET x GTTCCTAATA`, "+OK\r\n"},
	{`SET y CGATAATTGAGA`, "+OK\r\n"},
	{`LCS x y`, "$6\r\nCTAATA\r\n"},
	{`LCS y x`, "$6\r\nGTTTAA\r\n"},
	{`LCS x y IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*4\r\n*3\r\n*2\r\n:9\r\n:9\r\n*2\r\n:11\r\n:11\r\n:1\r\n*3\r\n*2\r\n:8\r\n:8\r\n*2\r\n:7\r\n:7\r\n:1\r\n*3\r\n*2\r\n:5\r\n:7\r\n*2\r\n:3\r\n:5\r\n:3\r\n*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS y x IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*6\r\n*3\r\n*2\r\n:11\r\n:11\r\n*2\r\n:9\r\n:9\r\n:1\r\n*3\r\n*2\r\n:9\r\n:9\r\n*2\r\n:6\r\n:6\r\n:1\r\n*3\r\n*2\r\n:7\r\n:7\r\n*2\r\n:5\r\n:5\r\n:1\r\n*3\r\n*2\r\n:6\r\n:6\r\n*2\r\n:2\r\n:2\r\n:1\r\n*3\r\n*2\r\n:3\r\n:3\r\n*2\r\n:1\r\n:1\r\n:1\r\n*3\r\n*2\r\n:1\r\n:1\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{`SET u "abc\x00def\xff"`, "+OK\r\n"},
	{`SET v "\x00d\xffabx"`, "+OK\r\n"},
	{`LCS u v`, "$3\r\n\x00d\xff\r\n"},
	{`LCS u v IDX`, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:7\r\n:7\r\n*2\r\n:2\r\n:2\r\n*2\r\n*2\r\n:3\r\n:4\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:3\r\n"},
	{`SET e ""`, "+OK\r\n"},
	{`LCS e a`, "$0\r\n\r\n"},
	{`LCS a e IDX`, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{`SET n1 12345`, "+OK\r\n"},
	{`SET n2 52341`, "+OK\r\n"},
	{`LCS n1 n2 IDX WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:1\r\n:3\r\n*2\r\n:1\r\n:3\r\n:3\r\n$3\r\nlen\r\n:3\r\n"},
	{`!proto 3`, ""},
	{`LCS a b IDX`, "%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN`, "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
	{`LCS a b`, "$6\r\nmytext\r\n"},
	{`LCS a b LEN`, ":6\r\n"},
	{`LCS nokey nokey2 IDX`, "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{`!proto 2`, ""},
	{`!maxbulk 1048576`, ""},
	{`SETRANGE big1 599 a`, ":600\r\n"},
	{`SETRANGE big2 510 a`, ":511\r\n"},
	{`LCS big2 big2 LEN`, ":511\r\n"},
	{`LCS big2 big2 IDX MINMATCHLEN 2 WITHMATCHLEN`, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:510\r\n*2\r\n:0\r\n:510\r\n:511\r\n$3\r\nlen\r\n:511\r\n"},
	{`LCS big1 big2 LEN`, "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n"},
	{`LCS big1 big2`, "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n"},
	{`LCS big1 big1 LEN IDX`, "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
	{`LCS big1 nokey`, "$0\r\n\r\n"},
}

func TestLCS(t *testing.T) { runBits(t, lcsCases) }

// The walk back uses one bit per cell instead of the reference's table of
// counters; check it against a direct implementation with the full table on
// random inputs.
func TestLCSMatchesFullTable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		a := make([]byte, r.IntN(40))
		b := make([]byte, r.IntN(40))
		for i := range a {
			a[i] = "abc"[r.IntN(3)]
		}
		for i := range b {
			b[i] = "abc"[r.IntN(3)]
		}
		want := lcsReference(a, b)
		te := newTestEnv(t)
		te.do("SET", "a", string(a))
		te.do("SET", "b", string(b))
		if got := te.do("LCS", "a", "b"); got != want {
			t.Fatalf("LCS %q %q: got %q, want %q", a, b, got, want)
		}
	}
}

// lcsReference computes the LCS string the way the reference does, with the
// full table of lengths, and returns it as a bulk reply.
func lcsReference(a, b []byte) string {
	w := len(b) + 1
	tab := make([]int, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				tab[i*w+j] = tab[(i-1)*w+j-1] + 1
			} else {
				tab[i*w+j] = max(tab[(i-1)*w+j], tab[i*w+j-1])
			}
		}
	}
	var out []byte
	for i, j := len(a), len(b); i > 0 && j > 0; {
		switch {
		case a[i-1] == b[j-1]:
			out = append([]byte{a[i-1]}, out...)
			i--
			j--
		case tab[(i-1)*w+j] > tab[i*w+j-1]:
			i--
		default:
			j--
		}
	}
	return fmt.Sprintf("$%d\r\n%s\r\n", len(out), out)
}

func BenchmarkLCS2000(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]byte, 2000)
	y := make([]byte, 2000)
	for i := range x {
		x[i] = "acgt"[r.IntN(4)]
		y[i] = "acgt"[r.IntN(4)]
	}
	te := newTestEnv(b)
	te.do("SET", "x", string(x))
	te.do("SET", "y", string(y))
	b.ResetTimer()
	for range b.N {
		te.do("LCS", "x", "y", "IDX")
	}
}
