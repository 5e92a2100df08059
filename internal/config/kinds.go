package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A kind parses, displays and rewrites the values of one family of
// directives. Every directive's value is kept as a canonical string (what
// set returns), which makes "did it change", rollback and apply hooks
// simple string operations; typed views are derived from it in Values.
type kind interface {
	// set validates args and returns the new canonical value. cur is the
	// current canonical value, for directives whose lines merge into it
	// (client-output-buffer-limit) or accumulate (save while loading,
	// signalled by appending).
	set(cur string, args []string, appending bool) (string, error)
	// show formats a canonical value for CONFIG GET.
	show(val string) string
	// lines returns the argument part of each line CONFIG REWRITE writes
	// for val (def is the default, for directives spanning several lines
	// that write only their non-default parts).
	lines(val, def string) []string
}

// Reasons shared by several kinds; the texts are Redis 7.0's.
const (
	reasonNotInteger = "argument couldn't be parsed into an integer"
	reasonNotMemory  = "argument must be a memory value"
	reasonNotBool    = "argument must be 'yes' or 'no'"
)

// plain is embedded by kinds whose canonical value is shown and written
// unchanged.
type plain struct{}

func (plain) show(val string) string { return val }

func (plain) lines(val, _ string) []string { return []string{val} }

// boolKind is yes/no, accepted in any case.
type boolKind struct{ plain }

func (boolKind) set(_ string, args []string, _ bool) (string, error) {
	switch strings.ToLower(args[0]) {
	case "yes":
		return "yes", nil
	case "no":
		return "no", nil
	}
	return "", errors.New(reasonNotBool)
}

// intKind is a plain integer in [lo, hi], parsed strictly (no sign, no
// leading zeros, no blanks). When clamp is set, accepted values are then
// forced into [clampLo, clampHi], as Redis does for hz.
type intKind struct {
	plain
	lo, hi           int64
	clamp            bool
	clampLo, clampHi int64
}

func (k intKind) set(_ string, args []string, _ bool) (string, error) {
	v, ok := parseStrictInt(args[0])
	if !ok {
		return "", errors.New(reasonNotInteger)
	}
	if v < k.lo || v > k.hi {
		return "", rangeError(k.lo, k.hi)
	}
	if k.clamp {
		v = min(max(v, k.clampLo), k.clampHi)
	}
	return strconv.FormatInt(v, 10), nil
}

func rangeError(lo, hi int64) error {
	return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
}

// memKind is a byte count with optional unit (k, kb, m, mb, g, gb). With
// unsigned, the full uint64 range is allowed (maxmemory); otherwise the
// value is read as uint64, reinterpreted as int64 and range-checked, which
// is how Redis treats its signed memory directives.
type memKind struct {
	lo, hi   int64
	unsigned bool
}

func (k memKind) set(_ string, args []string, _ bool) (string, error) {
	u, ok := parseMemory(args[0])
	if !ok {
		return "", errors.New(reasonNotMemory)
	}
	if k.unsigned {
		return strconv.FormatUint(u, 10), nil
	}
	v := int64(u)
	if v < k.lo || v > k.hi {
		return "", rangeError(k.lo, k.hi)
	}
	return strconv.FormatInt(v, 10), nil
}

func (memKind) show(val string) string { return val }

func (memKind) lines(val, _ string) []string {
	// Canonical memory values are never negative: signed ranges start at 0.
	u, _ := strconv.ParseUint(val, 10, 64)
	return []string{formatMemory(u)}
}

// enumKind is one of a fixed list of lower-case names, accepted in any case.
type enumKind struct {
	plain
	names []string
}

func (k enumKind) set(_ string, args []string, _ bool) (string, error) {
	for _, n := range k.names {
		if strings.EqualFold(n, args[0]) {
			return n, nil
		}
	}
	return "", fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(k.names, ", "))
}

// stringKind is free text with an optional validator. It is written
// quoted, so any bytes survive a rewrite.
type stringKind struct {
	validate func(string) error
}

func (k stringKind) set(_ string, args []string, _ bool) (string, error) {
	if k.validate != nil {
		if err := k.validate(args[0]); err != nil {
			return "", err
		}
	}
	return args[0], nil
}

func (stringKind) show(val string) string { return val }

func (stringKind) lines(val, _ string) []string { return []string{quote(val)} }

// baseName returns a validator refusing values with a path separator, with
// Redis's message for the directive.
func baseName(msg string) func(string) error {
	return func(s string) error {
		if strings.ContainsAny(s, `/\`) {
			return errors.New(msg)
		}
		return nil
	}
}

// parseStrictInt parses a decimal int64 the way Redis's string2ll does:
// an optional '-', no '+', no leading zeros, no blanks, no overflow.
func parseStrictInt(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || digits[0] < '1' || digits[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// parseMemory parses a Redis memory value (memtoull): decimal digits then
// an optional case-insensitive unit b, k, kb, m, mb, g or gb. As in Redis,
// an empty number means 0, a too-large number saturates and the unit
// multiplication wraps.
func parseMemory(s string) (uint64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 { // Redis copies the digits into a 128-byte buffer
		return 0, false
	}
	var v uint64
	if i > 0 {
		var err error
		v, err = strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			v = math.MaxUint64
		}
	}
	return v * mul, true
}

// formatMemory writes a byte count with the largest exact binary unit, as
// CONFIG REWRITE does.
func formatMemory(v uint64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case v == 0:
		return "0"
	case v%gb == 0:
		return strconv.FormatUint(v/gb, 10) + "gb"
	case v%mb == 0:
		return strconv.FormatUint(v/mb, 10) + "mb"
	case v%kb == 0:
		return strconv.FormatUint(v/kb, 10) + "kb"
	}
	return strconv.FormatUint(v, 10)
}

// parseCLong parses like C's strtoll with base 10, as Redis uses for save
// points and soft-limit seconds: leading blanks and a sign are accepted,
// overflow saturates, and ok is false only when bytes remain after the
// number. An argument without digits parses as 0 when it is empty.
func parseCLong(s string) (int64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	overflow := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := int64(s[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			overflow = true
		} else {
			v = v*10 + d
		}
		i++
	}
	if i == start {
		// No conversion: strtoll leaves the end pointer at the start.
		return 0, s == ""
	}
	switch {
	case overflow && neg:
		v = math.MinInt64
	case overflow:
		v = math.MaxInt64
	case neg:
		v = -v
	}
	return v, i == len(s)
}
