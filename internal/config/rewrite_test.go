package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRewriteWithoutFile(t *testing.T) {
	c := mustParse(t)
	err := c.Rewrite()
	if !errors.Is(err, ErrNoConfigFile) || err.Error() != "ERR The server is running without a config file" {
		t.Errorf("Rewrite() = %v", err)
	}
}

func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	original := strings.Join([]string{
		"# kevy test config",
		"port 7000",
		"",
		"# persistence",
		"save 900 1",
		"save 300 10",
		"save 60 10000",
		"hash-max-ziplist-entries 100",
		"maxmemory 64MB",
		"dir " + quote(dir),
	}, "\n") + "\n"
	path := writeConf(t, original)
	c := mustParse(t, path)
	// A line unknown to kevy, as if edited in after start-up: Rewrite must
	// keep it verbatim.
	if err := os.WriteFile(path, []byte(original+"unknown-after-start trailing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set := []string{
		"port", "7001",
		"save", "100 1",
		"hash-max-listpack-entries", "200",
		"appendfsync", "always",
		"requirepass", "p w\"",
		"client-output-buffer-limit", "pubsub 1gb 0 5",
		"notify-keyspace-events", "KEA",
	}
	if err := c.Set(set); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"# kevy test config",
		"port 7001",
		"",
		"# persistence",
		"save 100 1",
		"hash-max-listpack-entries 200",
		"maxmemory 64mb",
		"dir " + quote(dir),
		"unknown-after-start trailing",
		rewriteSignature,
		"requirepass " + quote("p w\""),
		"appendfsync always",
		`notify-keyspace-events "AKE"`,
		"client-output-buffer-limit pubsub 1gb 0 5",
	}, "\n") + "\n"
	if string(data) != want {
		t.Errorf("rewritten file:\n%s\nwant:\n%s", data, want)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

// TestRewriteRoundTrip checks that a rewritten file, parsed again, gives
// the configuration that was running.
func TestRewriteRoundTrip(t *testing.T) {
	path := writeConf(t, "# only a comment\n")
	c := mustParse(t, path, "--dir", t.TempDir())
	if err := c.Set([]string{
		"save", "",
		"bind", "",
		"maxmemory", "1536",
		"requirepass", "\x00\n\xff'\"",
		"client-output-buffer-limit", "normal 1 2 3 replica 4kb 5mb 6",
		"notify-keyspace-events", "AKEn",
		"loglevel", "verbose",
		"list-max-listpack-size", "-3",
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	again := mustParse(t, path)
	if got, want := again.Get("*"), c.Get("*"); !slices.Equal(got, want) {
		t.Errorf("round trip differs:\n got %q\nwant %q", got, want)
	}
	if again.Snapshot().NotifyKeyspaceEvents != c.Snapshot().NotifyKeyspaceEvents {
		t.Error("notify-keyspace-events flags lost in the round trip")
	}
	// A second rewrite of an unchanged configuration is a fixed point.
	before, _ := os.ReadFile(path)
	if err := again.Rewrite(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Errorf("second rewrite changed the file:\n%s\n---\n%s", before, after)
	}
}

func TestRewriteKeepsPermissions(t *testing.T) {
	path := writeConf(t, "port 1\n")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, path)
	if err := c.Set([]string{"port", "2"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}
