package config

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kevy-db/kevy/internal/glob"
)

// Config is the server's live configuration. It is safe for concurrent
// use: Get, Set and Rewrite serialize on a mutex, and Snapshot is a single
// atomic load for the hot paths.
type Config struct {
	file  string      // absolute path of the config file; "" when none
	table []directive // fixed after construction

	mu    sync.Mutex
	vals  []string // canonical value per directive, guarded by mu
	hooks [][]Hook // per directive, guarded by mu

	snap atomic.Pointer[Values]
}

// Hook applies a changed directive to the running server. It receives the
// old and new values in canonical form (as CONFIG GET shows them, except
// that notify-keyspace-events lists every flag). A hook that returns an
// error makes the whole CONFIG SET fail and be rolled back; its error text
// becomes the reason in the reply.
type Hook func(old, new string) error

func newConfig() *Config {
	c := &Config{table: directives()}
	c.vals = make([]string, len(c.table))
	c.hooks = make([][]Hook, len(c.table))
	for i, d := range c.table {
		c.vals[i] = d.def
	}
	return c
}

// File returns the absolute path of the configuration file the server was
// started with, or "" when there was none.
func (c *Config) File() string { return c.file }

// Snapshot returns the current typed values. The result is immutable and
// replaced as a whole by each successful Set; it costs one atomic load.
func (c *Config) Snapshot() *Values { return c.snap.Load() }

// publish rebuilds the snapshot from the canonical values; callers hold mu
// or own c exclusively.
func (c *Config) publish() error {
	v, err := buildValues(c.table, c.vals)
	if err != nil {
		return err
	}
	c.snap.Store(v)
	return nil
}

// OnChange registers fn to run when CONFIG SET changes the directive name
// (or its alias). Hooks of one directive run in registration order. Hooks
// run with the configuration locked, so they must not call Get, Set,
// OnChange or Rewrite; Snapshot still returns the old values while they
// run. OnChange panics on an unknown directive name, which is a
// programming error.
func (c *Config) OnChange(name string, fn Hook) {
	i, _ := lookup(c.table, name)
	if i < 0 {
		panic(fmt.Sprintf("config: OnChange for unknown directive %q", name))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks[i] = append(c.hooks[i], fn)
}

// Get implements CONFIG GET: it returns a flat name, value list of the
// directives matching any of the patterns. A pattern without glob
// characters is an exact, case-insensitive name and is answered with the
// name as given; a glob pattern matches names and aliases
// case-insensitively. Each name appears once; the list is sorted by name
// (Redis's order is its hash table's, i.e. unspecified).
func (c *Config) Get(patterns ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	type pair struct{ name, value string }
	var found []pair
	seen := make(map[string]bool)
	add := func(name string, i int) {
		key := strings.ToLower(name)
		if seen[key] {
			return
		}
		seen[key] = true
		found = append(found, pair{name, c.table[i].kind.show(c.vals[i])})
	}
	for _, p := range patterns {
		if !strings.ContainsAny(p, "[*?") {
			if i, _ := lookup(c.table, p); i >= 0 {
				add(p, i)
			}
			continue
		}
		for i, d := range c.table {
			for _, name := range []string{d.name, d.alias} {
				if name != "" && glob.MatchString(p, name, true) {
					add(name, i)
				}
			}
		}
	}
	slices.SortFunc(found, func(a, b pair) int {
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	})
	out := make([]string, 0, 2*len(found))
	for _, f := range found {
		out = append(out, f.name, f.value)
	}
	return out
}

// Value returns the CONFIG GET value of one directive by name or alias.
func (c *Config) Value(name string) (string, bool) {
	i, _ := lookup(c.table, name)
	if i < 0 {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.table[i].kind.show(c.vals[i]), true
}
