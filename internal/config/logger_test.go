package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewLogger(t *testing.T) {
	file := filepath.Join(t.TempDir(), "kevy.log")
	c := mustParse(t, "--logfile", file, "--loglevel", "verbose")
	log, closer, err := NewLogger(c.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden debug")
	log.Log(context.Background(), LevelVerbose, "shown verbose")
	log.Info("shown notice")
	log.Warn("shown warning")
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	for _, want := range []string{"level=verbose msg=\"shown verbose\"", "level=notice msg=\"shown notice\"", "level=warning msg=\"shown warning\""} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hidden") {
		t.Errorf("debug line logged at verbose:\n%s", out)
	}
}

func TestConfigLoggerFollowsLevel(t *testing.T) {
	file := filepath.Join(t.TempDir(), "kevy.log")
	c := mustParse(t, "--logfile", file)
	log, closer, err := c.NewLogger()
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	log.Debug("before")
	if err := c.Set([]string{"loglevel", "debug"}); err != nil {
		t.Fatal(err)
	}
	log.Debug("after")
	data, _ := os.ReadFile(file)
	if strings.Contains(string(data), "before") || !strings.Contains(string(data), "after") {
		t.Errorf("level did not follow CONFIG SET:\n%s", data)
	}
}

func TestNewLoggerBadFile(t *testing.T) {
	v := &Values{LogFile: filepath.Join(t.TempDir(), "missing", "x.log"), LogLevel: "notice"}
	if _, _, err := NewLogger(v); err == nil {
		t.Error("opening a log file in a missing directory succeeded")
	}
}
