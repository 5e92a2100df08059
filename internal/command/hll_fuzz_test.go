package command

import (
	"strings"
	"testing"
)

// hllSeeds are valid values of every shape: empty, sparse of a few sizes
// (with VAL runs), dense, with stale and valid caches.
func hllSeeds(t testing.TB) [][]byte {
	te := newTestEnv(t)
	var out [][]byte
	for _, n := range []int{0, 3, 100, 1000, 5000} {
		te.cmd("DEL h")
		te.cmd("PFADD h")
		te.pfaddRange("h", "e", 0, n)
		out = append(out, []byte(te.st.DB(0).Peek([]byte("h")).Str()))
		te.cmd("PFCOUNT h")
		out = append(out, []byte(te.st.DB(0).Peek([]byte("h")).Str()))
	}
	return out
}

// checkHLLValue runs every HLL command on v stored as a string: each must
// answer a value or an error, never panic or hang, and whatever a command
// accepted and wrote must be a value the others accept.
func checkHLLValue(t *testing.T, v, elem []byte) {
	te := newTestEnv(t)
	te.do("PFADD", "ok", "a", "b", "c")
	set := func() { te.do("SET", "h", string(v)) }
	replied := func(cmd string, r string) {
		if r == "" || !strings.Contains(":+*-$", r[:1]) {
			t.Fatalf("%s answered %q", cmd, r)
		}
	}
	set()
	replied("PFCOUNT", te.do("PFCOUNT", "h"))
	set()
	replied("PFCOUNT many", te.do("PFCOUNT", "h", "ok"))
	set()
	if r := te.do("PFADD", "h", string(elem), "x", "y"); r[0] == ':' && isHLL(v) && validHLL(v) {
		// A valid value stays valid.
		if c := te.do("PFCOUNT", "h"); c[0] != ':' {
			t.Fatalf("PFADD on a valid value left one PFCOUNT refuses: %q", c)
		}
	} else {
		replied("PFADD", r)
	}
	set()
	if r := te.do("PFMERGE", "d", "h", "ok"); r == "+OK\r\n" {
		if c := te.do("PFCOUNT", "d"); c[0] != ':' {
			t.Fatalf("PFMERGE wrote a value PFCOUNT refuses: %q", c)
		}
	} else {
		replied("PFMERGE", r)
	}
	set()
	replied("PFMERGE into", te.do("PFMERGE", "h", "ok"))
	set()
	replied("PFDEBUG DECODE", te.do("PFDEBUG", "DECODE", "h"))
	set()
	replied("PFDEBUG GETREG", te.do("PFDEBUG", "GETREG", "h"))
}

// validHLL reports whether v passes the whole-value validation.
func validHLL(v []byte) bool {
	_, err := hllCount(v)
	return err == nil
}

// FuzzHLLValue feeds arbitrary strings to the HLL commands. A body that does
// not start with the magic gets a sparse header, so that the fuzzer spends
// its time in the opcode parser.
func FuzzHLLValue(f *testing.F) {
	for _, s := range hllSeeds(f) {
		f.Add(s, []byte("a"))
	}
	f.Add([]byte("\x7f"), []byte("z"))             // XZERO cut off
	f.Add([]byte{}, []byte("z"))                   // header only
	f.Add([]byte("\x7f\xfe"), []byte("q"))         // 16383 registers
	f.Add([]byte("\x7f\xff\x7f\xff"), []byte("q")) // 32768 registers
	f.Add([]byte("\xfc\xfc\xfc"), []byte("q"))
	f.Fuzz(func(t *testing.T, body, elem []byte) {
		v := body
		if !strings.HasPrefix(string(body), "HYLL") {
			v = append([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), body...)
		}
		checkHLLValue(t, v, elem)
	})
}

// TestHLLCorruptValues is a bounded, deterministic run of the same checks on
// valid values with bytes flipped, truncated or appended, so the default
// go test exercises the parser beyond the fuzz seeds.
func TestHLLCorruptValues(t *testing.T) {
	seeds := hllSeeds(t)
	seed := uint64(7)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for i := 0; i < rounds; i++ {
		v := append([]byte(nil), seeds[next(len(seeds))]...)
		switch next(3) {
		case 0:
			for k := 0; k < 1+next(4); k++ {
				p := hllHdrSize + next(len(v)-hllHdrSize+1)
				if p < len(v) {
					v[p] = byte(next(256))
				}
			}
		case 1:
			v = v[:hllHdrSize+next(len(v)-hllHdrSize+1)]
		default:
			v = append(v, byte(next(256)), byte(next(256)))
		}
		checkHLLValue(t, v, []byte{byte(next(256))})
	}
}
