package compat

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// peerEnv selects what the second server is: unset or "kevy" for kevy, or
// "redis" for a second redis-server, which validates the scripts themselves
// (two Redis instances must agree on every line).
const peerEnv = "KEVY_COMPAT_PEER"

// traceEnv, when set to 1, logs every script line with Redis's reply (use
// with -v), for reviewing what a script actually asserts.
const traceEnv = "KEVY_COMPAT_TRACE"

// kevyBinEnv names a prebuilt kevy binary to use instead of building one.
const kevyBinEnv = "KEVY_COMPAT_BIN"

// TestCompat runs every testdata/*.txt script against redis-server and the
// peer, one subtest per file named after it: -run TestCompat/strings runs
// testdata/strings.txt.
func TestCompat(t *testing.T) {
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH; the compatibility suite needs a Redis 7.0 to compare against")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata: %v", err)
	}
	scripts := make(map[string][]step, len(files))
	for _, f := range files {
		scripts[f] = loadScript(t, f)
	}

	// Resolve the peer first: it may skip, and then starting Redis is waste.
	peerName, peerBin, peerArgs := peerServer(t, redisBin)
	peers := [2]peer{
		{name: "redis", addr: start(t, "redis", redisBin, redisArgs)},
		{name: peerName, addr: start(t, peerName, peerBin, peerArgs)},
	}
	tracing := os.Getenv(traceEnv) == "1"
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			var trace func(string)
			if tracing {
				trace = func(line string) { t.Log(line) }
			}
			mismatches, err := runScript(scripts[f], peers, trace)
			for _, m := range mismatches {
				t.Errorf("%s %s", f, m)
			}
			if err != nil {
				t.Fatalf("%s %v", f, err)
			}
		})
	}
}

// loadScript parses one script file, failing the test on a syntax error so
// that a broken script is never silently skipped.
func loadScript(t *testing.T, path string) []step {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	steps, err := parseScript(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return steps
}

// argsFunc builds a server's command line from its directory and port.
type argsFunc func(dir string) func(port int) []string

// peerServer returns the name, binary and arguments of the server compared
// against Redis, as chosen by peerEnv.
func peerServer(t *testing.T, redisBin string) (string, string, argsFunc) {
	switch kind := os.Getenv(peerEnv); kind {
	case "redis":
		return "redis2", redisBin, redisArgs
	case "", "kevy":
		return "kevy", kevyBinary(t), kevyArgs
	default:
		t.Fatalf("%s=%q: want kevy or redis", peerEnv, kind)
		return "", "", nil
	}
}

// kevyBinary returns the kevy binary to test: the one named by kevyBinEnv,
// or one built from ./cmd/kevy. While cmd/kevy has no Go files yet the test
// skips; once it has, a build failure fails the test.
func kevyBinary(t *testing.T) string {
	if bin := os.Getenv(kevyBinEnv); bin != "" {
		return bin
	}
	src, err := filepath.Glob(filepath.Join("..", "..", "cmd", "kevy", "*.go"))
	if err != nil || len(src) == 0 {
		t.Skipf("cmd/kevy does not exist yet; run with %s=redis to validate the scripts against a second redis-server", peerEnv)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH, cannot build kevy: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "kevy")
	out, err := exec.Command(goBin, "build", "-o", bin, "github.com/kevy-db/kevy/cmd/kevy").CombinedOutput()
	if err != nil {
		t.Fatalf("building kevy: %v\n%s", err, out)
	}
	return bin
}

// start starts a server in its own temporary directory, stops it when the
// test ends, and returns its address. A server that exited on its own
// during the run fails the test with its output.
func start(t *testing.T, name, bin string, args argsFunc) string {
	t.Helper()
	dir := t.TempDir()
	p, err := startServer(name, bin, dir, args(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Error(err)
		}
	})
	return p.addr
}
