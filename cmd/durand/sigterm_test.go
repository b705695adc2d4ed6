package main

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// TestSIGTERMUnderWrk is graceful shutdown as an operator meets it: the
// built durand binary serves, wrk loads it with 32 connections, and the
// process gets a real SIGTERM half-way. The process must exit with status
// 0 within its drain timeout; every request it accepted must be answered
// in full (the Go clients check each body against Content-Length); wrk
// must see only 2xx/304 answers, no timeouts, and no more read errors
// than it has connections (the server closing each idle keep-alive
// connection once). After the listener closes, new connections are
// refused: wrk counts its refused reconnects as write errors, so those are
// only logged (TestLoad holds wrk to zero socket errors while the server
// runs).
func TestSIGTERMUnderWrk(t *testing.T) {
	geotest.Long(t, "builds the binary and sends SIGTERM under wrk")
	geotest.RequireTool(t, "wrk")
	if testing.Short() {
		t.Skip("builds the binary and runs wrk for seconds")
	}
	const (
		drain = 10 * time.Second
		conns = 32
	)
	bin := filepath.Join(t.TempDir(), "durand")
	build := exec.Command(goCommand(), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--no-warmup", "--shutdown-timeout", drain.String())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	re := regexp.MustCompile(`serving \d+ collections on (http://127\.0\.0\.1:\d+)/`)
	base := ""
	for base == "" && sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cmd.Process.Kill()
		t.Fatalf("durand serve printed no address: %v", sc.Err())
	}
	go io.Copy(io.Discard, stderr) // the access log, until the process exits
	waitReady(t, base)

	// Go clients beside wrk, counting what the server answered in full.
	paths := loadMix(7)
	cl := startShutdownClients(base, paths, 8)

	// SIGTERM two seconds into wrk's six.
	type exit struct {
		err  error
		took time.Duration
	}
	exited := make(chan exit, 1)
	var before int64
	go func() {
		time.Sleep(2 * time.Second)
		before = cl.completed.Load()
		t0 := time.Now()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			exited <- exit{err: err}
			return
		}
		err := cmd.Wait()
		exited <- exit{err: err, took: time.Since(t0)}
	}()
	r := runWrk(t, base, paths, 6*time.Second, conns)
	e := <-exited
	lost := cl.wait()
	t.Logf("wrk: %s", r)
	t.Logf("SIGTERM: process exited after %v (%v); Go clients: %d answered in full (%d before the signal), %d refused at connect afterwards",
		e.took.Round(time.Millisecond), e.err, cl.completed.Load(), before, cl.refused.Load())

	if e.err != nil {
		t.Errorf("durand serve after SIGTERM: %v, want exit status 0", e.err)
	}
	if e.took > drain {
		t.Errorf("durand serve took %v to exit, more than its drain timeout %v", e.took, drain)
	}
	for _, l := range lost {
		t.Errorf("request lost: %s", l)
	}
	if before == 0 || cl.refused.Load() == 0 {
		t.Errorf("%d requests answered before the signal, %d clients refused after it: the signal did not land mid-load", before, cl.refused.Load())
	}
	for s, n := range r.Statuses {
		if c, _ := strconv.Atoi(s); (c < 200 || c > 299) && c != 304 {
			t.Errorf("wrk: %d answers with status %s", n, s)
		}
	}
	if r.Errors.Timeout > 0 || r.Errors.Read > conns {
		t.Errorf("wrk: socket errors %+v: want no timeouts and at most %d read errors (one closed keep-alive connection each)", r.Errors, conns)
	}
	if r.Requests == 0 {
		t.Error("wrk: no requests")
	}
}
