package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestServeUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"--nope"}},
		{"extra argument", []string{"x"}},
		{"bad CORS origin", []string{"--cors", "example.org"}},
		{"relative base URL", []string{"--base-url", "/durand"}},
		{"bad log format", []string{"--log-format", "xml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runServe(context.Background(), append(tc.args, "--data-dir", t.TempDir()), io.Discard, io.Discard)
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Errorf("runServe(%v) = %v, want a usage error", tc.args, err)
			}
		})
	}
	if err := runServe(context.Background(), []string{"--addr", "256.0.0.1:99999", "--data-dir", t.TempDir()}, io.Discard, io.Discard); err == nil {
		t.Error("no error for an address that cannot be listened on")
	}
}

// startServe runs `durand serve` on a free port and returns its base URL,
// the cancel function and the channel runServe's result arrives on.
func startServe(t *testing.T, args ...string) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, append([]string{"--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, args...), io.Discard, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		cancel()
		t.Fatalf("no output from durand serve: %v", <-done)
	}
	m := regexp.MustCompile(`serving \d+ collections on (http://127\.0\.0\.1:\d+)/`).FindStringSubmatch(sc.Text())
	if m == nil {
		cancel()
		t.Fatalf("first line %q does not give the address", sc.Text())
	}
	if !sc.Scan() || !strings.Contains(sc.Text(), "/?f=html in a browser") {
		t.Errorf("second line %q does not say what to open", sc.Text())
	}
	// Keep draining the log so the server never blocks on it.
	go func() {
		for sc.Scan() {
		}
	}()
	t.Cleanup(cancel)
	return m[1], cancel, done
}

func TestServe(t *testing.T) {
	base, cancel, done := startServe(t, "--cors", "https://a.example, https://b.example")
	for path, ctype := range map[string]string{
		"/healthz": "application/json", "/collections/crossings/items?limit=2": "application/geo+json",
		"/?f=html": "text/html; charset=utf-8", "/api": "application/json",
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ctype {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	req, _ := http.NewRequest("GET", base+"/collections", nil)
	req.Header.Set("Origin", "https://b.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://b.example" {
		t.Errorf("CORS origin from --cors: %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}

	// Headers over the limit are refused by net/http.
	req, _ = http.NewRequest("GET", base+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("x", 64<<10))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("64 KiB header: %d", resp.StatusCode)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("runServe after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runServe did not return after cancel")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

// TestServeUntilDoneGraceful: a request being handled when the context
// ends is answered in full before serveUntilDone returns.
func TestServeUntilDoneGraceful(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var log strings.Builder
	done := make(chan error, 1)
	go func() { done <- serveUntilDone(ctx, srv, ln, 10*time.Second, &log) }()

	type result struct {
		body string
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			resc <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resc <- result{string(b), err}
	}()
	<-started
	cancel()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("returned %v with a request in flight", err)
	default:
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("new connections accepted during shutdown")
	}
	close(release)
	if r := <-resc; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request: %q, %v", r.body, r.err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveUntilDone: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serveUntilDone did not return")
	}
	if !strings.Contains(log.String(), "shutting down") {
		t.Errorf("log %q", log.String())
	}
}

// TestServeUntilDoneTimeout: requests still running after the timeout are
// cut off and reported.
func TestServeUntilDoneTimeout(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveUntilDone(ctx, srv, ln, 100*time.Millisecond, io.Discard) }()
	go http.Get("http://" + ln.Addr().String() + "/")
	<-started
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "shutdown") {
		t.Errorf("serveUntilDone = %v, want a shutdown timeout", err)
	}
}

func TestBrowseURL(t *testing.T) {
	tests := []struct{ addr, base, want string }{
		{"127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"0.0.0.0:8080", "", "http://localhost:8080"},
		{"[::]:8080", "", "http://localhost:8080"},
		{"[::1]:8080", "", "http://[::1]:8080"},
		{"127.0.0.1:8080", "https://example.org/durand/", "https://example.org/durand"},
	}
	for _, tc := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := browseURL(addr, tc.base); got != tc.want {
			t.Errorf("browseURL(%s, %q) = %s, want %s", tc.addr, tc.base, got, tc.want)
		}
	}
}
