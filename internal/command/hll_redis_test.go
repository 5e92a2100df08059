package command

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/kevy-db/kevy/internal/redistest"
)

// TestHLLRandomAgainstRedis runs random PFADD, PFMERGE and PFCOUNT calls on
// kevy's engine and on a real redis-server and compares every reply and
// the stored bytes after every call. Half the elements are chosen to land
// in a few neighbouring registers, so that sparse opcodes are split and
// merged in every way, not just appended; the thresholds include tiny ones
// so that promotions happen mid-command. Skips without redis-server.
func TestHLLRandomAgainstRedis(t *testing.T) {
	rc := redistest.Client(t)
	// Elements by register, for registers 0…63 and 8000…8063.
	byReg := map[int][]string{}
	for i := 0; len(byReg) < 128 || i < 400000; i++ {
		e := "x" + strconv.Itoa(i)
		if r, _ := hllPosition([]byte(e)); r < 64 || (r >= 8000 && r < 8064) {
			byReg[r] = append(byReg[r], e)
		}
	}
	var regs []int
	for r := range byReg {
		regs = append(regs, r)
	}
	steps := 3000
	if testing.Short() {
		steps = 500
	}
	for _, limit := range []int{3000, 200, 40} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(limit), 1))
			te := newTestEnv(t)
			te.e.Limits.HLLSparseMaxBytes = limit
			if _, err := rc.Do("FLUSHALL"); err != nil {
				t.Fatal(err)
			}
			if _, err := rc.Do("CONFIG", "SET", "hll-sparse-max-bytes", strconv.Itoa(limit)); err != nil {
				t.Fatal(err)
			}
			key := func() string { return "k" + strconv.Itoa(rng.IntN(4)) }
			for step := 0; step < steps; step++ {
				var args []string
				switch op := rng.IntN(10); {
				case op < 7:
					args = []string{"PFADD", key()}
					for n := rng.IntN(6); n > 0; n-- {
						if rng.IntN(2) == 0 {
							r := byReg[regs[rng.IntN(len(regs))]]
							args = append(args, r[rng.IntN(len(r))])
						} else {
							args = append(args, "r"+strconv.Itoa(rng.IntN(1000000)))
						}
					}
				case op < 9:
					args = []string{"PFCOUNT", key()}
					for n := rng.IntN(3); n > 0; n-- {
						args = append(args, key())
					}
				default:
					args = []string{"PFMERGE", key()}
					for n := rng.IntN(3); n > 0; n-- {
						args = append(args, key())
					}
				}
				got := te.do(args...)
				r, err := rc.Do(args...)
				var want string
				switch v := r.(type) {
				case int64:
					want = fmt.Sprintf(":%d\r\n", v)
				case string:
					want = "+" + v + "\r\n"
				default:
					want = fmt.Sprintf("-%v\r\n", err)
				}
				if got != want {
					t.Fatalf("step %d %q: kevy %q, redis %q", step, args, got, want)
				}
				k := args[1]
				rv, _ := rc.Do("GET", k)
				var kv string
				if e := te.st.DB(0).Peek([]byte(k)); e != nil {
					kv = string(e.Str())
				}
				if rs, _ := rv.(string); rs != kv {
					t.Fatalf("step %d %q: stored bytes differ (kevy %d bytes, redis %d)", step, args, len(kv), len(rs))
				}
			}
		})
	}
	rc.Do("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
}
