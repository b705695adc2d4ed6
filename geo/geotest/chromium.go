package geotest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Chromium is one headless Chromium shared by the browser tests of a test
// binary: the first call to Endpoint starts it, later calls (from tests
// running in parallel too) get the same browser, and Close, called by the
// package's TestMain after the tests, stops it. Each test drives it over
// the Chrome DevTools Protocol (playwright-core's connectOverCDP) in a
// browser context of its own, so the tests share the start-up cost of
// Chromium, not cookies, cache or pages.
//
// The zero value is ready to use.
type Chromium struct {
	once     sync.Once
	endpoint string
	err      error
	cmd      *exec.Cmd
	dir      string
	stopped  bool
}

// chromiumFlags are the switches every browser test runs Chromium with:
// no sandbox (containers), no network of its own (loopback servers
// only), WebGL in software (SwiftShader, for MapLibre on machines without
// a GPU), and no throttling of pages that are not in front, since several
// tests draw maps at once.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-quic", "--no-first-run", "--no-default-browser-check",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-dev-shm-usage", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
	"--ignore-gpu-blocklist", "--disable-background-timer-throttling",
	"--disable-backgrounding-occluded-windows", "--disable-renderer-backgrounding",
	"--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
}

// Endpoint returns the DevTools WebSocket address of the shared browser
// (ws://127.0.0.1:PORT/devtools/browser/ID), starting it on first use.
// Without chromium on PATH the test is skipped, or failed under CI
// (RequireTool); a browser that does not start fails the test.
func (c *Chromium) Endpoint(t testing.TB) string {
	t.Helper()
	bin := RequireTool(t, "chromium")
	c.once.Do(func() { c.endpoint, c.err = c.start(bin) })
	if c.err != nil {
		t.Fatalf("starting the shared headless Chromium: %v", c.err)
	}
	return c.endpoint
}

// start runs chromium with a throwaway profile and reads the DevTools
// address it prints on stderr.
func (c *Chromium) start(bin string) (string, error) {
	dir, err := os.MkdirTemp("", "durand-chromium-")
	if err != nil {
		return "", err
	}
	c.dir = dir
	c.cmd = exec.Command(bin, append(chromiumFlags, "--user-data-dir="+dir, "about:blank")...)
	dieWithParent(c.cmd)
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	if err := c.cmd.Start(); err != nil {
		return "", err
	}
	found := make(chan string, 1)
	var head strings.Builder // what Chromium said before the address, for the error
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if !sent {
				if _, ws, ok := strings.Cut(line, "DevTools listening on "); ok {
					found <- strings.TrimSpace(ws)
					sent = true
					continue
				}
				if head.Len() < 4096 {
					head.WriteString(line + "\n")
				}
			}
		}
		if !sent {
			close(found)
		}
		_, _ = io.Copy(io.Discard, stderr) // keep the pipe drained until Chromium exits
	}()
	select {
	case ws, ok := <-found:
		if !ok {
			_ = c.cmd.Wait()
			return "", fmt.Errorf("chromium exited without a DevTools address:\n%s", head.String())
		}
		return ws, nil
	case <-time.After(60 * time.Second):
		return "", errors.New("chromium printed no DevTools address in 60 s")
	}
}

// Close stops the browser, if it was started, and removes its profile.
// It is meant for TestMain, after m.Run; later calls do nothing.
func (c *Chromium) Close() {
	if c.stopped || c.cmd == nil || c.cmd.Process == nil {
		return
	}
	c.stopped = true
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	_ = c.cmd.Process.Signal(syscall.SIGTERM) // Chromium closes its renderers and exits
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
	killGroup(c.cmd)
	// Chromium's helper processes may still write to the profile for a
	// moment after the browser has exited.
	for range 50 {
		if os.RemoveAll(c.dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
