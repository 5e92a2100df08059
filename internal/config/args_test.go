package config

import (
	"slices"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line    string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{"port 6379", []string{"port", "6379"}, false},
		{"  save   900 1\t300 10 ", []string{"save", "900", "1", "300", "10"}, false},
		{`requirepass "a b"`, []string{"requirepass", "a b"}, false},
		{`x "\x41\x4a\n\r\t\b\a\"\\\q"`, []string{"x", "AJ\n\r\t\b\a\"\\q"}, false},
		{`x "\x4"`, []string{"x", "x4"}, false},
		{`x 'it\'s "raw" \n'`, []string{"x", `it's "raw" \n`}, false},
		{`x ""`, []string{"x", ""}, false},
		{`x ''`, []string{"x", ""}, false},
		{`x foo"bar baz"`, []string{"x", "foobar baz"}, false},
		{`x "a"b`, nil, true},
		{`x 'a'b`, nil, true},
		{`x "abc`, nil, true},
		{`x 'abc`, nil, true},
		{"x a\x00b c", []string{"x", "a"}, false},
	}
	for _, tt := range tests {
		got, err := splitArgs(tt.line)
		if (err != nil) != tt.wantErr {
			t.Errorf("splitArgs(%q) error = %v, want error %v", tt.line, err, tt.wantErr)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := map[string]string{
		"":             `""`,
		"abc":          `"abc"`,
		"a b":          `"a b"`,
		`"\`:           `"\"\\"`,
		"\n\r\t\a\b":   `"\n\r\t\a\b"`,
		"\x00\x7f\xff": `"\x00\x7f\xff"`,
	}
	for in, want := range tests {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// FuzzQuoteRoundTrip checks that every string survives quote then
// splitArgs, which CONFIG REWRITE and the command-line options rely on.
func FuzzQuoteRoundTrip(f *testing.F) {
	for _, s := range []string{"", "plain", "with space", `"'\`, "\x00\xff\n", "\\x41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := splitArgs("name " + quote(s))
		if err != nil {
			t.Fatalf("splitArgs(quote(%q)): %v", s, err)
		}
		if len(got) != 2 || got[1] != s {
			t.Fatalf("quote(%q) read back as %q", s, got)
		}
	})
}

func TestParseMemory(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"", 0, true},
		{"kb", 0, true},
		{"100", 100, true},
		{"010", 10, true},
		{"1b", 1, true},
		{"1k", 1000, true},
		{"1K", 1000, true},
		{"1kb", 1024, true},
		{"2mb", 2 << 20, true},
		{"3m", 3000000, true},
		{"1GB", 1 << 30, true},
		{"1g", 1000000000, true},
		{"18446744073709551616", 1<<64 - 1, true}, // saturates
		{"17179869184gb", 0, true},                // wraps
		{"1.5gb", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1x", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseMemory(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("parseMemory(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for v, want := range map[uint64]string{0: "0", 1: "1", 1024: "1kb", 1536: "1536", 64 << 20: "64mb", 1 << 30: "1gb", 3 << 30: "3gb"} {
		if got := formatMemory(v); got != want {
			t.Errorf("formatMemory(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestParseStrictInt(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63}
	for in, want := range good {
		if got, ok := parseStrictInt(in); !ok || got != want {
			t.Errorf("parseStrictInt(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "1k", "9223372036854775808"} {
		if got, ok := parseStrictInt(in); ok {
			t.Errorf("parseStrictInt(%q) = %d, want failure", in, got)
		}
	}
}
