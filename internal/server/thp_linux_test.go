package server

import "testing"

// TestPrepareHugePagesTouchesNothing: the memory prepared for a load is
// mapped, advised and freed without being touched, so it costs no RSS.
func TestPrepareHugePagesTouchesNothing(t *testing.T) {
	before := int64(rssBytes())
	prepareHugePages(256 << 20)
	if grown := int64(rssBytes()) - before; grown > 64<<20 {
		t.Fatalf("RSS grew by %d MB", grown>>20)
	}
	prepareHugePages(1 << 20) // too small to bother: a no-op
}
