package server

import (
	"os"
	"os/exec"
	"testing"
)

// TestPrepareHugePagesTouchesNothing: the memory prepared for a load is
// mapped, advised and freed without being touched, so it costs no RSS.
//
// prepareHugePages relies on what Load has at start-up, a fresh and tiny
// heap: memory the heap freed earlier would be reused and zeroed, which
// touches it. Other tests in this binary load datasets first, so the check
// runs in a fresh process of the test binary.
func TestPrepareHugePagesTouchesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory counts in RSS; this runs in the plain go test ./... of .ci/run")
	}
	if os.Getenv("KEVY_THP_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPrepareHugePagesTouchesNothing$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KEVY_THP_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("fresh process: %v\n%s", err, out)
		}
		return
	}
	before := int64(rssBytes())
	prepareHugePages(256 << 20)
	if grown := int64(rssBytes()) - before; grown > 64<<20 {
		t.Fatalf("RSS grew by %d MB", grown>>20)
	}
	prepareHugePages(1 << 20) // too small to bother: a no-op
}
