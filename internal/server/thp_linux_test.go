package server

import "testing"

// TestPrepareHugePagesTouchesNothing: the memory prepared for a load is
// mapped, advised and freed without being touched, so it costs no RSS.
func TestPrepareHugePagesTouchesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory counts in RSS; this runs in the plain go test ./... of .ci/run")
	}
	before := int64(rssBytes())
	prepareHugePages(256 << 20)
	if grown := int64(rssBytes()) - before; grown > 64<<20 {
		t.Fatalf("RSS grew by %d MB", grown>>20)
	}
	prepareHugePages(1 << 20) // too small to bother: a no-op
}
