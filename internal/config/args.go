package config

import (
	"errors"
	"strings"

	"github.com/kevy-db/kevy/resp"
)

// errUnbalancedQuotes is returned by splitArgs for a line whose quotes do
// not close (or close without a following blank).
var errUnbalancedQuotes = errors.New("Unbalanced quotes in configuration line")

// splitArgs splits a configuration line into arguments the way Redis's
// sdssplitargs does (resp.SplitArgs, shared with inline commands). A NUL
// byte ends the line, as it ends Redis's C string.
func splitArgs(line string) ([]string, error) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	words, ok := resp.SplitArgs([]byte(line))
	if !ok {
		return nil, errUnbalancedQuotes
	}
	args := make([]string, len(words))
	for i, w := range words {
		args[i] = string(w)
	}
	return args, nil
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// quote renders s as a double-quoted string that splitArgs reads back as
// s, the way Redis's sdscatrepr does: backslash and double quote escaped,
// \n \r \t \a \b by name, other non-printable bytes as \xHH.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < 0x20 || c >= 0x7f {
				const digits = "0123456789abcdef"
				b.WriteString(`\x`)
				b.WriteByte(digits[c>>4])
				b.WriteByte(digits[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
