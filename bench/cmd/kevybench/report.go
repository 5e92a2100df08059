package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// metric collects the per-round samples of one measurement for both
// servers. idx 0 is kevy, 1 is Redis.
type metric struct {
	samples [2][]float64
	errs    [2]string
}

func (m *metric) add(i int, v float64) { m.samples[i] = append(m.samples[i], v) }

// fail records an error; the first one is kept.
func (m *metric) fail(i int, err error) {
	if m.errs[i] == "" {
		m.errs[i] = err.Error()
	}
}

// cell renders one side: the median of its samples, or its error. A side
// that has both samples and an error (e.g. one round failed) shows the
// median with a mark.
func (m *metric) cell(i int, format func(float64) string) string {
	if len(m.samples[i]) == 0 {
		if m.errs[i] == "" {
			return "—"
		}
		return "error: " + shorten(m.errs[i])
	}
	s := format(median(m.samples[i]))
	if m.errs[i] != "" {
		s += " (some rounds: error: " + shorten(m.errs[i]) + ")"
	}
	return s
}

// ratio compares kevy with Redis. Every workload runs kevy then Redis
// back to back in each round, so noise that lasts longer than a pair of
// runs (on the shared reference VM, redis-benchmark's own CPU per request
// for one workload varied from 15.7 to 29.6 µs between runs, in bursts of
// tens of seconds) falls on both sides of a round's ratio and
// cancels there, while it does not cancel between the medians of each
// side taken apart. So with a sample for each side in every round the
// ratio is the median of the per-round ratios, followed by their range
// when there are three rounds or more; otherwise (a round failed) it is
// the ratio of the medians.
func (m *metric) ratio() string {
	a, b := m.samples[0], m.samples[1]
	if len(a) == 0 || len(b) == 0 {
		return "—"
	}
	if len(a) != len(b) || m.errs[0] != "" || m.errs[1] != "" {
		if median(b) == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f", median(a)/median(b))
	}
	rs := make([]float64, 0, len(a))
	for i := range a {
		if b[i] == 0 {
			return "—"
		}
		rs = append(rs, a[i]/b[i])
	}
	r := fmt.Sprintf("%.2f", median(rs))
	if len(rs) >= 3 {
		r += fmt.Sprintf(" (%.2f–%.2f)", slices.Min(rs), slices.Max(rs))
	}
	return r
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 90 {
		s = s[:87] + "..."
	}
	return s
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// column is one measured quantity of a table: every row has a metric for
// each column, shown as kevy | Redis | kevy/Redis.
type column struct {
	name   string
	format func(float64) string
}

type row struct {
	label   string
	metrics []*metric
}

// table is one Markdown table of the report.
type table struct {
	title string
	notes []string
	cols  []column
	rows  []*row
}

func newTable(title string, cols ...column) *table { return &table{title: title, cols: cols} }

// row returns the row with this label, creating it.
func (t *table) row(label string) *row {
	for _, r := range t.rows {
		if r.label == label {
			return r
		}
	}
	r := &row{label: label, metrics: make([]*metric, len(t.cols))}
	for i := range r.metrics {
		r.metrics[i] = &metric{}
	}
	t.rows = append(t.rows, r)
	return r
}

func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

func (t *table) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", t.title)
	for _, n := range t.notes {
		fmt.Fprintf(&b, "%s\n\n", n)
	}
	if len(t.rows) == 0 {
		b.WriteString("(no results)\n\n")
		return b.String()
	}
	b.WriteString("| |")
	for _, c := range t.cols {
		fmt.Fprintf(&b, " %s kevy | %s Redis | kevy/Redis |", c.name, c.name)
	}
	b.WriteString("\n|---|")
	for range t.cols {
		b.WriteString("---:|---:|---:|")
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		fmt.Fprintf(&b, "| %s |", r.label)
		for i, c := range t.cols {
			m := r.metrics[i]
			fmt.Fprintf(&b, " %s | %s | %s |", m.cell(0, c.format), m.cell(1, c.format), m.ratio())
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

// Formats.
func fmtOps(v float64) string { return fmt.Sprintf("%.0f", v) }
func fmtMs(v float64) string  { return fmt.Sprintf("%.3f", v) }
func fmtSec(v float64) string { return fmt.Sprintf("%.3f", v) }
func fmtMB(v float64) string  { return fmt.Sprintf("%.1f", v/(1<<20)) }
func fmtF1(v float64) string  { return fmt.Sprintf("%.1f", v) }
func fmtPct(v float64) string { return fmt.Sprintf("%.0f %%", v) }
