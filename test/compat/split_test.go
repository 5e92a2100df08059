package compat

import (
	"slices"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"GET k", []string{"GET", "k"}},
		{"  SET   k\tv  ", []string{"SET", "k", "v"}},
		{`SET "a b" ""`, []string{"SET", "a b", ""}},
		{`ECHO "\x00\xff\r\n\t\"\\"`, []string{"ECHO", "\x00\xff\r\n\t\"\\"}},
		{`ECHO "\q"`, []string{"ECHO", "q"}},
		{`KEYS 'a\*b' 'it\'s'`, []string{"KEYS", `a\*b`, "it's"}},
		{`ECHO "#not a comment"`, []string{"ECHO", "#not a comment"}},
	}
	for _, tc := range tests {
		got, err := splitArgs(tc.line)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
}

func TestSplitArgsErrors(t *testing.T) {
	for _, line := range []string{
		`GET "unterminated`,
		`GET 'unterminated`,
		`GET "a"b`,
		`GET "\x4"`,
		`GET "\xzz"`,
		`GET "trailing\`,
	} {
		if got, err := splitArgs(line); err == nil {
			t.Errorf("splitArgs(%q) = %q, want an error", line, got)
		}
	}
}
