//go:build !linux

package server

import "runtime/metrics"

// rssBytes approximates the resident set size where there is no /proc:
// the memory the Go runtime has mapped and not returned to the OS.
func rssBytes() uint64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// totalMemory is unknown here; Redis too reports 0 where it cannot tell.
func totalMemory() uint64 { return 0 }
