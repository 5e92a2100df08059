package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Start-up error reasons, Redis 7.0's texts.
const (
	reasonBadDirective = "Bad directive or wrong number of arguments"
	reasonArity        = "wrong number of arguments"
	reasonDaemonize    = "kevy does not daemonize: run it in the foreground under a supervisor (daemonize must be no)"
)

// Parse builds the configuration from the server's arguments (os.Args[1:])
// as redis-server does: an optional config file path first, then
// "--directive arg ..." options, which are applied after the file as if
// appended to it. A directive's arguments run until the next argument
// starting with "--", except that the first argument after a directive is
// always its value (so "--requirepass --x" sets the password "--x"), and a
// bare "--save" means save "". Reading the configuration from standard
// input ("-") is not supported.
//
// The dir directive is made absolute against the current directory.
func Parse(args []string) (*Config, error) {
	c := newConfig()
	var content string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, err := filepath.Abs(args[0])
		if err != nil {
			return nil, fmt.Errorf("config file %q: %w", args[0], err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading the configuration file: %w", err)
		}
		c.file, content = path, string(data)
		args = args[1:]
	}
	for i, a := range args {
		if a == "-" && (i == 0 || i == len(args)-1) {
			return nil, errors.New("reading the configuration from standard input is not supported")
		}
	}
	// As in Redis, the options follow the file contents after a newline,
	// which fixes the line numbers error reports give for them.
	fileLines := strings.Count(content, "\n") + 1
	text := content + "\n" + optionsText(args)
	if err := c.load(text, fileLines); err != nil {
		return nil, err
	}
	dirIdx, _ := lookup(c.table, "dir")
	dir, err := filepath.Abs(c.vals[dirIdx])
	if err != nil {
		return nil, fmt.Errorf("config dir %q: %w", c.vals[dirIdx], err)
	}
	c.vals[dirIdx] = dir
	if err := c.publish(); err != nil {
		return nil, err
	}
	return c, nil
}

// optionsText turns command-line options into config-file lines the way
// redis-server does: the directive name verbatim, each argument quoted.
func optionsText(args []string) string {
	var b strings.Builder
	valueDue := false // the previous argument was a directive name alone
	for i, a := range args {
		if !valueDue && strings.HasPrefix(a, "--") {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(a[2:])
			b.WriteByte(' ')
			// "--port 6380" as one argument carries its own value.
			if words, _ := splitArgs(a); len(words) == 1 {
				valueDue = true
				if strings.EqualFold(a, "--save") &&
					(i == len(args)-1 || strings.HasPrefix(args[i+1], "--")) {
					b.WriteString(`""`)
					valueDue = i == len(args)-1
				}
			}
			continue
		}
		b.WriteString(quote(a))
		b.WriteByte(' ')
		valueDue = false
	}
	return b.String()
}

// load applies configuration text line by line. Lines numbered above
// fileLines came from the command line.
func (c *Config) load(text string, fileLines int) error {
	saveSeen := false
	for n, raw := range strings.Split(text, "\n") {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(reason string) error {
			e := &ParseError{Line: n + 1, Text: line, Reason: reason}
			if n+1 <= fileLines {
				e.File = c.file
			}
			return e
		}
		args, err := splitArgs(line)
		if err != nil {
			return fail(err.Error())
		}
		if len(args) == 0 {
			continue
		}
		i, _ := lookup(c.table, args[0])
		if i < 0 {
			return fail(reasonBadDirective)
		}
		d := &c.table[i]
		values := args[1:]
		if d.flags&multiArg == 0 && len(values) != 1 {
			return fail(reasonArity)
		}
		v, err := d.kind.set(c.vals[i], values, d.name == "save" && saveSeen)
		if err != nil {
			return fail(err.Error())
		}
		if d.name == "daemonize" && v == "yes" {
			return fail(reasonDaemonize)
		}
		if d.name == "save" {
			saveSeen = true
		}
		c.vals[i] = v
	}
	return nil
}
