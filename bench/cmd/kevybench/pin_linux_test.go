package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestMain turns the test binary into the process TestPinProcess pins
// when started with KEVYBENCH_PIN_CHILD=1.
func TestMain(m *testing.M) {
	if os.Getenv("KEVYBENCH_PIN_CHILD") == "1" {
		pinChild()
	}
	os.Exit(m.Run())
}

// pinChild starts threads, says so, and on each line of input starts one
// more; it ends when its input does.
func pinChild() {
	thread := func() {
		go func() {
			runtime.LockOSThread()
			select {}
		}()
	}
	for range 4 {
		thread()
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		thread()
		fmt.Println("ready")
	}
	os.Exit(0)
}

// allowedCPUs is every thread's Cpus_allowed_list of process pid.
func allowedCPUs(t *testing.T, pid int) map[string]int {
	t.Helper()
	paths, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no threads of %d: %v", pid, err)
	}
	seen := map[string]int{}
	for _, p := range paths {
		seen[procField(p, "Cpus_allowed_list")]++
	}
	return seen
}

func TestPinProcess(t *testing.T) {
	server, client, err := pinCPUs()
	if err != nil {
		t.Skipf("nothing to pin on this machine: %v", err)
	}
	if len(server) != 1 || len(client) == 0 || server[0] == client[0] {
		t.Fatalf("pinCPUs = %v, %v", server, client)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "KEVYBENCH_PIN_CHILD=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	out := bufio.NewScanner(stdout)
	ready := func() {
		if !out.Scan() || out.Text() != "ready" {
			t.Fatalf("child: %q %v", out.Text(), out.Err())
		}
	}
	ready()
	want := cpuList(client[:1])
	if err := pinProcess(cmd.Process.Pid, client[:1]); err != nil {
		t.Fatal(err)
	}
	got := allowedCPUs(t, cmd.Process.Pid)
	if len(got) != 1 || got[want] == 0 {
		t.Fatalf("threads allowed on %v, want all on %s", got, want)
	}
	if got[want] < 5 {
		t.Fatalf("only %d threads seen; the child starts at least 5", got[want])
	}
	// A thread started after pinning inherits the mask.
	fmt.Fprintln(stdin)
	ready()
	if got := allowedCPUs(t, cmd.Process.Pid); len(got) != 1 || got[want] == 0 {
		t.Fatalf("after a new thread: allowed on %v, want all on %s", got, want)
	}
	if err := pinProcess(-1, client); err == nil || !strings.Contains(err.Error(), "pinning pid -1") {
		t.Fatalf("pinning a process that does not exist: %v", err)
	}
}
