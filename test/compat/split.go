package compat

import (
	"errors"
	"strconv"
	"strings"
)

// splitArgs splits one script line into arguments the way redis-cli does:
// whitespace separates arguments; double quotes allow the escapes \" \\ \n
// \r \t \b \a and \xHH (any other escaped character stands for itself);
// single quotes are literal except for \'. A closing quote must be followed
// by whitespace or the end of the line, so `"a"b` is an error rather than a
// silent concatenation.
func splitArgs(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, nil
		}
		var (
			arg string
			err error
		)
		switch line[i] {
		case '"':
			arg, i, err = doubleQuoted(line, i+1)
		case '\'':
			arg, i, err = singleQuoted(line, i+1)
		default:
			start := i
			for i < len(line) && !isSpace(line[i]) {
				i++
			}
			arg = line[start:i]
		}
		if err != nil {
			return nil, err
		}
		if i < len(line) && !isSpace(line[i]) {
			return nil, errors.New("closing quote must be followed by a space or the end of the line")
		}
		args = append(args, arg)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// doubleQuoted decodes a double-quoted argument whose body starts at i and
// returns the index just past the closing quote.
func doubleQuoted(line string, i int) (string, int, error) {
	var b strings.Builder
	for i < len(line) {
		c := line[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c != '\\':
			b.WriteByte(c)
			i++
		case i+1 == len(line):
			return "", 0, errors.New("unbalanced quotes")
		case line[i+1] == 'x':
			if i+4 > len(line) {
				return "", 0, errors.New(`truncated \x escape`)
			}
			v, err := strconv.ParseUint(line[i+2:i+4], 16, 8)
			if err != nil {
				return "", 0, errors.New(`bad \x escape ` + strconv.Quote(line[i:i+4]))
			}
			b.WriteByte(byte(v))
			i += 4
		default:
			b.WriteByte(unescape(line[i+1]))
			i += 2
		}
	}
	return "", 0, errors.New("unbalanced quotes")
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// singleQuoted decodes a single-quoted argument whose body starts at i.
func singleQuoted(line string, i int) (string, int, error) {
	var b strings.Builder
	for i < len(line) {
		switch {
		case line[i] == '\'':
			return b.String(), i + 1, nil
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
		default:
			b.WriteByte(line[i])
			i++
		}
	}
	return "", 0, errors.New("unbalanced quotes")
}
