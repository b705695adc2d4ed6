// Command startup measures how long a server takes to start: the time from
// starting the process to the first 200 answer on a health URL. bench/run
// uses it for `durand serve` with the districts installed.
//
// It picks a free port on 127.0.0.1, replaces {addr} in the command's
// arguments with 127.0.0.1:PORT, starts the process, polls
// http://127.0.0.1:PORT{-path} every -poll until it answers 200, then stops
// the process (SIGTERM, then SIGKILL after 5 s) and does it again, -runs
// times. It prints one line on standard output, in milliseconds:
//
//	runs=5 min_ms=212.4 median_ms=230.1 max_ms=281.9
//
// The process's standard error goes to -log (default: discarded).
//
// Usage:
//
//	go run ./bench/startup -runs 5 -- ./durand serve --addr {addr} --data-dir DIR
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("startup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runs := fs.Int("runs", 5, "how many times to start the server")
	path := fs.String("path", "/healthz", "URL path that answers 200 once the server serves")
	poll := fs.Duration("poll", time.Millisecond, "interval between connection attempts")
	timeout := fs.Duration("timeout", 60*time.Second, "give up on a start after this long")
	logPath := fs.String("log", "", "file to append the server's standard error to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmdArgs := fs.Args()
	if len(cmdArgs) == 0 || *runs < 1 {
		return errors.New("usage: startup [-runs N] [-path P] -- COMMAND ARGS... (with {addr} in ARGS)")
	}
	if !slices.ContainsFunc(cmdArgs, func(a string) bool { return strings.Contains(a, "{addr}") }) {
		return errors.New("no {addr} in the command's arguments: the server must listen where it is polled")
	}
	logw := io.Discard
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		logw = f
	}
	var ms []float64
	for i := range *runs {
		d, err := once(cmdArgs, *path, *poll, *timeout, logw)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		ms = append(ms, float64(d.Microseconds())/1000)
	}
	slices.Sort(ms)
	fmt.Fprintf(stdout, "runs=%d min_ms=%.1f median_ms=%.1f max_ms=%.1f\n", len(ms), ms[0], ms[len(ms)/2], ms[len(ms)-1])
	return nil
}

// once starts the command and returns the time until path answered 200.
func once(cmdArgs []string, path string, poll, timeout time.Duration, logw io.Writer) (time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	args := make([]string, len(cmdArgs))
	for i, a := range cmdArgs {
		args[i] = strings.ReplaceAll(a, "{addr}", addr)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = logw
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer stop(cmd, exited)
	url := "http://" + addr + path
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0), nil
			}
		}
		select {
		case err := <-exited:
			exited <- err // for stop
			return 0, fmt.Errorf("%s exited before answering: %v", args[0], err)
		case <-ctx.Done():
			return 0, fmt.Errorf("no 200 from %s within %v (last error: %v)", url, timeout, err)
		case <-time.After(poll):
		}
	}
}

// stop ends the process: SIGTERM, then SIGKILL if it is still running 5 s
// later.
func stop(cmd *exec.Cmd, exited chan error) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// freeAddr returns 127.0.0.1:PORT with a port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}
