package config

import (
	"errors"
	"fmt"
	"strings"
)

// Set implements CONFIG SET name value [name value ...] atomically, with
// Redis 7.0's checks and error texts (see SetError):
//
//  1. Every name is looked up first; an unknown name wins over every other
//     error unless an immutable, protected or duplicate name came before it.
//  2. All values are parsed in order against a working copy, so a bad
//     value changes nothing.
//  3. Hooks run for each directive whose value changed, in argument order.
//     If one fails, the hooks already run are called again with old and
//     new swapped, in reverse order, and nothing is committed.
//  4. Only then are the values committed and a new Snapshot published.
//
// An alias and its directive count as different names, as in Redis, so
// both may appear; the later one wins.
func (c *Config) Set(pairs []string) error {
	if len(pairs) == 0 {
		return &SetError{Text: msgSetArity}
	}
	if len(pairs)%2 != 0 {
		return &SetError{Text: msgSyntax}
	}
	idx := make([]int, 0, len(pairs)/2)
	names := make([]string, 0, len(pairs)/2)
	var firstErr *SetError
	for p := 0; p < len(pairs); p += 2 {
		i, name := lookup(c.table, pairs[p])
		if i < 0 {
			if firstErr == nil {
				return &SetError{Text: fmt.Sprintf(msgUnknownOption, pairs[p])}
			}
			continue
		}
		if firstErr != nil {
			continue
		}
		d := &c.table[i]
		switch {
		case d.flags&immutable != 0:
			firstErr = setFailed(pairs[p], reasonImmutable)
		case d.flags&protected != 0:
			firstErr = setFailed(pairs[p], reasonProtected)
		}
		for _, prev := range names {
			if prev == name {
				firstErr = setFailed(pairs[p], reasonDuplicate)
			}
		}
		idx = append(idx, i)
		names = append(names, name)
	}
	if firstErr != nil {
		return firstErr
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	next := append([]string(nil), c.vals...)
	for k, i := range idx {
		d := &c.table[i]
		args := []string{pairs[2*k+1]}
		if d.flags&multiArg != 0 {
			args = splitSpaces(pairs[2*k+1])
		}
		v, err := d.kind.set(next[i], args, false)
		if err != nil {
			return setFailed(names[k], err.Error())
		}
		next[i] = v
	}
	snap, err := buildValues(c.table, next)
	if err != nil {
		return setFailed(names[0], err.Error())
	}

	// Run the hooks of changed directives once each, in argument order.
	type applied struct {
		dir  int
		hook Hook
	}
	var done []applied
	ran := make(map[int]bool)
	for k, i := range idx {
		if ran[i] || next[i] == c.vals[i] {
			continue
		}
		ran[i] = true
		for _, h := range c.hooks[i] {
			if err := h(c.vals[i], next[i]); err != nil {
				se := setFailed(names[k], err.Error())
				se.cause = err
				var undo []error
				for j := len(done) - 1; j >= 0; j-- {
					a := done[j]
					if rerr := a.hook(next[a.dir], c.vals[a.dir]); rerr != nil {
						undo = append(undo, fmt.Errorf("rolling back %s: %w", c.table[a.dir].name, rerr))
					}
				}
				se.Rollback = errors.Join(undo...)
				return se
			}
			done = append(done, applied{i, h})
		}
	}
	c.vals = next
	c.snap.Store(snap)
	return nil
}

// splitSpaces splits a multi-argument CONFIG SET value on single spaces,
// as Redis does (sdssplitlen): "" yields no arguments and doubled spaces
// yield empty ones.
func splitSpaces(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}
