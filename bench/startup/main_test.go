package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play the server being timed: with
// STARTUP_TEST_SERVE set to an address it serves /healthz there (after
// STARTUP_TEST_DELAY) until killed.
func TestMain(m *testing.M) {
	if addr := os.Getenv("STARTUP_TEST_SERVE"); addr != "" {
		d, _ := time.ParseDuration(os.Getenv("STARTUP_TEST_DELAY"))
		time.Sleep(d)
		if os.Getenv("STARTUP_TEST_EXIT") != "" {
			os.Exit(3)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			os.Exit(2)
		}
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
			}
		}))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverCmd is a command line that runs the test binary as a server on
// {addr} (through env, which exec passes on).
func serverCmd(t *testing.T, delay string, exit bool) []string {
	t.Setenv("STARTUP_TEST_DELAY", delay)
	if exit {
		t.Setenv("STARTUP_TEST_EXIT", "1")
	}
	return []string{"/usr/bin/env", "STARTUP_TEST_SERVE={addr}", os.Args[0]}
}

func TestRun(t *testing.T) {
	if _, err := os.Stat("/usr/bin/env"); err != nil {
		t.Skip("needs /usr/bin/env")
	}
	var out bytes.Buffer
	args := append([]string{"-runs", "2", "--"}, serverCmd(t, "50ms", false)...)
	if err := run(args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^runs=2 min_ms=([0-9.]+) median_ms=[0-9.]+ max_ms=[0-9.]+\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output %q", out.String())
	}
	if ms, err := strconv.ParseFloat(m[1], 64); err != nil || ms < 50 { // at least the delay
		t.Errorf("min_ms=%s, want at least 50", m[1])
	}
}

func TestRunErrors(t *testing.T) {
	if _, err := os.Stat("/usr/bin/env"); err != nil {
		t.Skip("needs /usr/bin/env")
	}
	tests := []struct {
		name string
		args func(t *testing.T) []string
		want string
	}{
		{"no command", func(*testing.T) []string { return nil }, "usage"},
		{"no addr", func(*testing.T) []string { return []string{"--", "true"} }, "{addr}"},
		{"exits early", func(t *testing.T) []string {
			return append([]string{"-runs", "1", "--"}, serverCmd(t, "0s", true)...)
		}, "exited before answering"},
		{"too slow", func(t *testing.T) []string {
			return append([]string{"-runs", "1", "-timeout", "200ms", "--"}, serverCmd(t, "5s", false)...)
		}, "no 200"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := run(tc.args(t), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
