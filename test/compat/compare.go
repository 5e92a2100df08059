package compat

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
)

// equivalent reports whether two replies match under the step's comparison.
// Error replies are always compared byte for byte, whatever the mode: an
// error's text is part of the compatibility contract, and no mode exists to
// paper over a different one.
func equivalent(s step, a, b reply) bool {
	if a.kind == '-' || b.kind == '-' || a.kind == '!' || b.kind == '!' {
		return bytes.Equal(a.raw, b.raw)
	}
	switch s.cmp {
	case cmpIgnore:
		return true
	case cmpShape:
		return sameShape(a, b)
	case cmpApprox:
		return within(a, b, s.n)
	case cmpSort:
		return sameMultiset(a, b, int(s.n))
	case cmpExcept:
		return masked(a, s.fields) == masked(b, s.fields)
	}
	// cmpExact, and cmpScanAll whose replies are already normalized unions.
	return bytes.Equal(a.raw, b.raw)
}

// sameShape compares types, nullness and aggregate lengths, recursively, but
// no scalar contents.
func sameShape(a, b reply) bool {
	if a.kind != b.kind || a.null != b.null || len(a.elems) != len(b.elems) {
		return false
	}
	for i := range a.elems {
		if !sameShape(a.elems[i], b.elems[i]) {
			return false
		}
	}
	return true
}

// within reports whether a and b are integers at most n apart. Anything
// other than two integer replies must match exactly.
func within(a, b reply, n int64) bool {
	if a.kind != ':' || b.kind != ':' {
		return bytes.Equal(a.raw, b.raw)
	}
	x, errA := strconv.ParseInt(string(a.data), 10, 64)
	y, errB := strconv.ParseInt(string(b.data), 10, 64)
	if errA != nil || errB != nil {
		return false
	}
	d := x - y
	return d <= n && d >= -n
}

// sameMultiset compares two aggregates of the same kind and length whose
// elements, taken in consecutive groups of n, may come in any order. Maps
// are always grouped in key/value pairs. Non-aggregates compare exactly.
func sameMultiset(a, b reply, n int) bool {
	if !a.isAggregate() || !b.isAggregate() {
		return bytes.Equal(a.raw, b.raw)
	}
	if a.kind != b.kind || len(a.elems) != len(b.elems) {
		return false
	}
	if a.kind == '%' {
		n = 2
	}
	if len(a.elems)%n != 0 {
		return false
	}
	return slices.Equal(groupKeys(a.elems, n), groupKeys(b.elems, n))
}

// groupKeys returns the raw bytes of each group of n elements, sorted.
func groupKeys(elems []reply, n int) []string {
	keys := make([]string, 0, len(elems)/n)
	for i := 0; i < len(elems); i += n {
		var b bytes.Buffer
		for _, e := range elems[i : i+n] {
			b.Write(e.raw)
		}
		keys = append(keys, b.String())
	}
	slices.Sort(keys)
	return keys
}

// masked renders r with the values of the named fields replaced by a marker
// of their shape. Two layouts have fields: an aggregate of alternating keys
// and values (HELLO's map, or its flat RESP2 array), and a text of lines of
// space-separated key=value pairs (CLIENT INFO, CLIENT LIST). Field order and
// every other value still take part in the comparison.
func masked(r reply, fields []string) string {
	if r.isAggregate() && len(r.elems)%2 == 0 {
		var b strings.Builder
		b.WriteString(string(r.kind) + strconv.Itoa(len(r.elems)) + "|")
		for i := 0; i < len(r.elems); i += 2 {
			key, val := r.elems[i], r.elems[i+1]
			b.Write(key.raw)
			if slices.Contains(fields, string(key.data)) {
				b.WriteString("<" + shape(val) + ">")
			} else {
				b.Write(val.raw)
			}
		}
		return b.String()
	}
	if (r.kind == '$' || r.kind == '=') && !r.null {
		text, format := string(r.data), ""
		if r.kind == '=' && len(text) >= 4 && text[3] == ':' {
			// A verbatim string starts with its format ("txt:"), which
			// must not glue itself to the first field's name.
			format, text = text[:4], text[4:]
		}
		lines := strings.Split(text, "\n")
		for i, line := range lines {
			pairs := strings.Split(line, " ")
			for j, p := range pairs {
				k, _, ok := strings.Cut(p, "=")
				if ok && slices.Contains(fields, k) {
					pairs[j] = k + "=<masked>"
				}
			}
			lines[i] = strings.Join(pairs, " ")
		}
		return string(r.kind) + format + strings.Join(lines, "\n")
	}
	return string(r.raw)
}

// shape renders the type structure of r, for masked values.
func shape(r reply) string {
	if r.null {
		return string(r.kind) + "null"
	}
	if !r.isAggregate() {
		return string(r.kind)
	}
	parts := make([]string, len(r.elems))
	for i, e := range r.elems {
		parts[i] = shape(e)
	}
	return string(r.kind) + "[" + strings.Join(parts, ",") + "]"
}

// describe names the comparison for failure messages.
func (s step) describe() string {
	switch s.cmp {
	case cmpSort:
		return "as a multiset of groups of " + strconv.FormatInt(s.n, 10)
	case cmpShape:
		return "by shape"
	case cmpApprox:
		return "within ±" + strconv.FormatInt(s.n, 10)
	case cmpExcept:
		return "except fields " + strings.Join(s.fields, ",")
	case cmpScanAll:
		return "as the union of a full scan"
	}
	return "byte for byte"
}
