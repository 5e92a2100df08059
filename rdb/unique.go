package rdb

import "bytes"

// dupFinder finds repeated members, fields or set elements. It keeps its
// map between calls so that checking many small collections does not
// allocate, but not after a large one: clearing a map costs its capacity.
type dupFinder struct {
	seen map[string]struct{}
}

// find returns the first element that item (called with 0..n-1) repeats.
func (d *dupFinder) find(n int, item func(int) []byte) ([]byte, bool) {
	if n <= 8 {
		for i := 1; i < n; i++ {
			b := item(i)
			for j := 0; j < i; j++ {
				if bytes.Equal(item(j), b) {
					return b, true
				}
			}
		}
		return nil, false
	}
	seen := d.seen
	switch {
	case n > 4096:
		seen = make(map[string]struct{}, min(n, 1<<16))
	case seen == nil:
		d.seen = make(map[string]struct{}, 64)
		seen = d.seen
	default:
		clear(seen)
	}
	for i := 0; i < n; i++ {
		b := item(i)
		if _, dup := seen[string(b)]; dup {
			return b, true
		}
		seen[string(b)] = struct{}{}
	}
	return nil, false
}
