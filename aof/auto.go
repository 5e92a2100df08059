package aof

// AutoRewrite holds the auto-aof-rewrite-percentage and
// auto-aof-rewrite-min-size settings.
type AutoRewrite struct {
	// Percentage is how much the log must have grown over its base size
	// (its size after the last rewrite) to trigger a rewrite; 0 disables.
	Percentage int
	// MinSize is the smallest log size that triggers a rewrite.
	MinSize int64
}

// DefaultAutoRewrite returns Redis's defaults: 100 % and 64 MiB.
func DefaultAutoRewrite() AutoRewrite { return AutoRewrite{Percentage: 100, MinSize: 64 << 20} }

// Due reports whether a log of the given size, whose size after its last
// rewrite was base, should be rewritten. The sizes come from Stats, which
// tracks them without a stat per append.
func (a AutoRewrite) Due(size, base int64) bool {
	if a.Percentage <= 0 || size < a.MinSize {
		return false
	}
	if base <= 0 {
		base = 1
	}
	growth := (size - base) * 100 / base
	return growth >= int64(a.Percentage)
}

// RewriteDue applies a to the log's current sizes; false while a rewrite is
// in progress.
func (l *Log) RewriteDue(a AutoRewrite) bool {
	s := l.Stats()
	return !s.RewriteInProgress && a.Due(s.Size, s.BaseSize)
}
