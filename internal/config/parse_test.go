package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeConf writes a config file into a temp dir and returns its path.
func writeConf(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kevy.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// get returns one directive's CONFIG GET value.
func get(t *testing.T, c *Config, name string) string {
	t.Helper()
	v, ok := c.Value(name)
	if !ok {
		t.Fatalf("no directive %q", name)
	}
	return v
}

func TestParseDefaults(t *testing.T) {
	c, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	v := c.Snapshot()
	wd, _ := os.Getwd()
	if v.Port != 6379 || v.Dir != filepath.Join(wd, "data") || !v.AppendOnly ||
		!slices.Equal(v.Bind, []string{"127.0.0.1", "-::1"}) ||
		!slices.Equal(v.Save, []SavePoint{{3600, 1}, {300, 100}, {60, 10000}}) ||
		v.PubsubOutputLimit != (OutputLimit{32 << 20, 8 << 20, 60}) ||
		v.ProtoMaxBulkLen != 512<<20 || v.Hz != 10 || v.Databases != 16 || c.File() != "" {
		t.Errorf("unexpected defaults: %+v", v)
	}
}

func TestParseFileAndOptions(t *testing.T) {
	path := writeConf(t, strings.Join([]string{
		"# a comment",
		"",
		"   PORT 7000  ",
		`requirepass "se cret\x21"`,
		"save 900 1",
		"save 300 10",
		"hash-max-ziplist-entries 99",
		"maxmemory 2GB",
		"client-output-buffer-limit replica 1mb 2mb 3 pubsub 0 0 0",
		"notify-keyspace-events Ex",
		"hz 0",
		"bind 0.0.0.0",
		"dir " + t.TempDir(),
	}, "\n")+"\n")
	c, err := Parse([]string{path, "--port", "7001", "--save", "60", "5", "--timeout 30", "--loglevel", "WARNING"})
	if err != nil {
		t.Fatal(err)
	}
	if c.File() != path {
		t.Errorf("File() = %q, want %q", c.File(), path)
	}
	v := c.Snapshot()
	checks := []struct{ name, got, want string }{
		{"port", get(t, c, "port"), "7001"},
		{"requirepass", v.RequirePass, "se cret!"},
		{"save", get(t, c, "save"), "900 1 300 10 60 5"},
		{"hash", get(t, c, "hash-max-listpack-entries"), "99"},
		{"maxmemory", get(t, c, "maxmemory"), "2147483648"},
		{"cobl", get(t, c, "client-output-buffer-limit"), "normal 0 0 0 slave 1048576 2097152 3 pubsub 0 0 0"},
		{"nke", get(t, c, "notify-keyspace-events"), "xE"},
		{"hz", get(t, c, "hz"), "1"},
		{"timeout", get(t, c, "timeout"), "30"},
		{"loglevel", v.LogLevel, "warning"},
		{"bind", strings.Join(v.Bind, ","), "0.0.0.0"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if !v.NotifyKeyspaceEvents.Has('x') || !v.NotifyKeyspaceEvents.Has('E') || v.NotifyKeyspaceEvents.Has('K') {
		t.Errorf("NotifyKeyspaceEvents = %v", v.NotifyKeyspaceEvents)
	}
	if v.Timeout.Seconds() != 30 || v.HashMaxListpackEntries != 99 || v.MaxMemory != 2<<30 {
		t.Errorf("typed values wrong: %+v", v)
	}
}

func TestParseSave(t *testing.T) {
	tests := []struct {
		name string
		file string
		args []string
		want string
	}{
		{"default", "", nil, "3600 1 300 100 60 10000"},
		{"empty disables", "", []string{"--save", ""}, ""},
		{"bare --save at end", "", []string{"--port", "1", "--save"}, ""},
		{"bare --save before option", "", []string{"--save", "--port", "1"}, ""},
		{"options accumulate", "", []string{"--save", "10", "1", "--save", "20", "2"}, "10 1 20 2"},
		{"file lines accumulate", "save 1 1\nsave 2 2\n", nil, "1 1 2 2"},
		{"empty resets then appends", "save 1 1\nsave \"\"\nsave 3 3\n", nil, "3 3"},
		{"file then option appends", "save 1 1\n", []string{"--save", "2", "2"}, "1 1 2 2"},
		{"strtoll forms", "", []string{"--save", "+10", "010"}, "10 10"},
		{"changes truncated to int", "", []string{"--save", "100", "4294967297"}, "100 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				args = append([]string{writeConf(t, tt.file)}, args...)
			}
			c, err := Parse(args)
			if err != nil {
				t.Fatal(err)
			}
			if got := get(t, c, "save"); got != tt.want {
				t.Errorf("save = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseRequirepassTakesDashValue(t *testing.T) {
	c, err := Parse([]string{"--requirepass", "--x", "--port", "5"})
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Snapshot(); v.RequirePass != "--x" || v.Port != 5 {
		t.Errorf("requirepass %q port %d", v.RequirePass, v.Port)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string // "" for no config file
		args     []string
		fromFile bool
		line     int
		text     string
		reason   string
	}{
		{"unknown option", "", []string{"--port", "1", "--foo", "bar", "baz"}, false, 3, `foo "bar" "baz"`, reasonBadDirective},
		{"bad integer", "", []string{"--port", "abc"}, false, 2, `port "abc"`, "argument couldn't be parsed into an integer"},
		{"arity", "", []string{"--port", "1", "2"}, false, 2, `port "1" "2"`, reasonArity},
		{"one-argument option", "", []string{"--port 1 2"}, false, 2, `port 1 2`, reasonArity},
		{"no value", "", []string{"--loglevel"}, false, 2, `loglevel`, reasonArity},
		{"quoted option", "", []string{"--port", "a\tb\"\x01"}, false, 2, `port "a\tb\"\x01"`, "argument couldn't be parsed into an integer"},
		{"odd save", "", []string{"--save", "900", "1", "300"}, false, 2, `save "900" "1" "300"`, reasonBadSave},
		{"enum", "", []string{"--appendfsync", "bad"}, false, 2, `appendfsync "bad"`, "argument(s) must be one of the following: everysec, always, no"},
		{"memory", "", []string{"--maxmemory", "12x"}, false, 2, `maxmemory "12x"`, reasonNotMemory},
		{"range", "", []string{"--databases", "0"}, false, 2, `databases "0"`, "argument must be between 1 and 2147483647 inclusive"},
		{"bool", "", []string{"--daemonize", "maybe"}, false, 2, `daemonize "maybe"`, reasonNotBool},
		{"daemonize refused", "", []string{"--daemonize", "yes"}, false, 2, `daemonize "yes"`, reasonDaemonize},
		{"dbfilename path", "", []string{"--dbfilename", "a/b"}, false, 2, `dbfilename "a/b"`, "dbfilename can't be a path, just a filename"},
		{"file line", "port 1234\n# comment\nfoo bar\n", nil, true, 3, "foo bar", reasonBadDirective},
		{"file unbalanced", "port \"12\n", nil, true, 1, `port "12`, "Unbalanced quotes in configuration line"},
		{"file arity", "  PORT   12  13 \n", nil, true, 1, "PORT   12  13", reasonArity},
		{"option after file with newline", "port 1\nbind 127.0.0.1\n", []string{"--foo"}, false, 4, "foo", reasonBadDirective},
		{"option after file without newline", "port 1\nbind 127.0.0.1", []string{"--foo"}, false, 3, "foo", reasonBadDirective},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			path := ""
			if tt.file != "" {
				path = writeConf(t, tt.file)
				args = append([]string{path}, args...)
			}
			_, err := Parse(args)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want *ParseError", err)
			}
			wantFile := ""
			if tt.fromFile {
				wantFile = path
			}
			if pe.File != wantFile || pe.Line != tt.line || pe.Text != tt.text || pe.Reason != tt.reason {
				t.Errorf("got %+v\nwant file %q line %d text %q reason %q", *pe, wantFile, tt.line, tt.text, tt.reason)
			}
			msg := pe.Error()
			if !strings.HasPrefix(msg, "*** FATAL CONFIG FILE ERROR") || !strings.Contains(msg, ">>> '"+tt.text+"'\n") {
				t.Errorf("report shape wrong:\n%s", msg)
			}
		})
	}
}

func TestParseMissingFile(t *testing.T) {
	_, err := Parse([]string{filepath.Join(t.TempDir(), "nope.conf")})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want a wrapped not-exist error", err)
	}
	if _, err := Parse([]string{"-"}); err == nil {
		t.Error("reading config from stdin should be refused")
	}
}
