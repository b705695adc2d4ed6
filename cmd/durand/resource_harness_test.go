package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The harness of the resource attacks (resource_attack_test.go): the built
// durand binary serving on a free port, a canary client asking for what a
// normal user asks for while an attack runs, and the server's resident set.

// builtDurand is the durand binary, built once per test run (TestMain
// removes its directory).
var builtDurand struct {
	once      sync.Once
	dir, path string
	err       error
}

// attackBinEnv names another durand binary for the attack tests (to see
// them fail on an older build, as the notes of issue 12 report).
const attackBinEnv = "DURAND_ATTACK_BIN"

// durandBinary returns the path of the durand binary built from this
// package (or the one attackBinEnv names).
func durandBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv(attackBinEnv); bin != "" {
		return bin
	}
	builtDurand.once.Do(func() {
		builtDurand.dir, builtDurand.err = os.MkdirTemp("", "durand-bin-")
		if builtDurand.err != nil {
			return
		}
		builtDurand.path = filepath.Join(builtDurand.dir, "durand")
		out, err := exec.Command(goCommand(), "build", "-o", builtDurand.path, ".").CombinedOutput()
		if err != nil {
			builtDurand.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builtDurand.err != nil {
		t.Fatal(builtDurand.err)
	}
	return builtDurand.path
}

// durandProc is a running `durand serve`.
type durandProc struct {
	base   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, once exited is closed
	log    *logLines     // its stderr
}

// startDurand runs `durand serve` with args (plus a free port and an
// empty data directory), under `ulimit -n nofile` when nofile > 0, and
// returns once it listens. The process is killed at the end of the test.
func startDurand(t *testing.T, nofile int, args ...string) *durandProc {
	t.Helper()
	bin := durandBinary(t)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, args...)
	var cmd *exec.Cmd
	if nofile > 0 {
		// sh's ulimit sets the soft and hard limits, so Go cannot raise it.
		cmd = exec.Command("/bin/sh", append([]string{"-c", `ulimit -n ` + strconv.Itoa(nofile) + ` && exec "$0" "$@"`, bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &durandProc{cmd: cmd, exited: make(chan struct{}), log: &logLines{}}
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
	})
	// The banner: "serving N collections on URL/" (older builds: "layers").
	re := regexp.MustCompile(`serving \d+ \w+ on (http://127\.0\.0\.1:\d+)/`)
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			p.log.add(sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil && len(found) == 0 && p.base == "" {
				found <- m[1]
			}
		}
		p.err = cmd.Wait()
		close(p.exited)
	}()
	select {
	case p.base = <-found:
	case <-p.exited:
		t.Fatalf("durand serve exited (%v) before printing its address:\n%s", p.err, strings.Join(p.log.lines, "\n"))
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("durand serve printed no address within 2 minutes:\n%s", strings.Join(p.log.lines, "\n"))
	}
	return p
}

// rss is the process's resident set in bytes (0 once it has exited).
func (p *durandProc) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpu is the CPU time the process has used (user and system).
func (p *durandProc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in ")".
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// signal sends sig and returns how long the process took to exit (at
// most limit; longer is a failure and the process is killed).
func (p *durandProc) signal(t *testing.T, sig syscall.Signal, limit time.Duration) time.Duration {
	t.Helper()
	t0 := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		return time.Since(t0)
	case <-time.After(limit):
		t.Errorf("durand serve still running %v after %v", limit, sig)
		p.cmd.Process.Kill()
		<-p.exited
		return time.Since(t0)
	}
}

// canary is a normal client during an attack: every interval it asks for
// a cached tile and for /locate, each on a new connection when fresh is
// set (a client arriving), else on one kept alive; it records each
// answer's latency and every failure. Meanwhile it samples the server's
// resident set.
type canary struct {
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	lat     []time.Duration
	fails   []string
	peakRSS int64
}

// canaryPaths are what the canary asks for: a tile warmed at start-up
// (zoom 6 over Torkham) and a point query.
var canaryPaths = []string{"/tiles/durand/6/43/26.mvt", "/locate?lon=71.1&lat=34.1"}

func startCanary(p *durandProc, fresh bool) *canary {
	c := &canary{stop: make(chan struct{}), done: make(chan struct{})}
	tr := &http.Transport{DisableKeepAlives: fresh, MaxIdleConnsPerHost: 1}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	go func() {
		defer close(c.done)
		defer tr.CloseIdleConnections()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			if r := p.rss(); r > 0 {
				c.mu.Lock()
				c.peakRSS = max(c.peakRSS, r)
				c.mu.Unlock()
			}
			path := canaryPaths[i%len(canaryPaths)]
			t0 := time.Now()
			resp, err := client.Get(p.base + path)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != 200 {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			d := time.Since(t0)
			c.mu.Lock()
			if err != nil {
				c.fails = append(c.fails, path+": "+err.Error())
			} else {
				c.lat = append(c.lat, d)
			}
			c.mu.Unlock()
		}
	}()
	return c
}

// canaryResult is what a canary saw.
type canaryResult struct {
	n         int
	p50, p99  time.Duration
	max       time.Duration
	fails     []string
	peakRSSMB int64
}

func (r canaryResult) String() string {
	return fmt.Sprintf("canary: %d answers, p50 %v, p99 %v, max %v, %d failures; server peak RSS %d MiB",
		r.n, r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond), r.max.Round(100*time.Microsecond), len(r.fails), r.peakRSSMB)
}

// end stops the canary and returns its figures.
func (c *canary) end() canaryResult {
	close(c.stop)
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	lat := slices.Clone(c.lat)
	slices.Sort(lat)
	r := canaryResult{n: len(lat), fails: c.fails, peakRSSMB: c.peakRSS >> 20}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
		r.max = lat[len(lat)-1]
	}
	return r
}

// Limits every attack test holds the server to.
const (
	canaryP99Limit = 100 * time.Millisecond
	rssLimit       = 512 << 20
)

// checkCanary applies the limits to what the canary saw.
func checkCanary(t *testing.T, r canaryResult) {
	t.Helper()
	t.Log(r)
	if r.n < 20 {
		t.Errorf("the canary got only %d answers", r.n)
	}
	if r.p99 > canaryP99Limit {
		t.Errorf("canary p99 %v, want under %v", r.p99, canaryP99Limit)
	}
	for i, f := range r.fails {
		if i == 5 {
			t.Errorf("… %d canary failures in all", len(r.fails))
			break
		}
		t.Errorf("canary failed: %s", f)
	}
	if r.peakRSSMB<<20 > rssLimit {
		t.Errorf("server RSS peaked at %d MiB, want under %d MiB", r.peakRSSMB, rssLimit>>20)
	}
}

// waitWarm waits until the server has its zones and warm tiles: the
// canary's tile is cached and the zones are computed.
func waitWarm(t *testing.T, p *durandProc) {
	t.Helper()
	waitReady(t, p.base)
	if !p.log.logs("tile warm-up done") {
		t.Fatalf("no warm-up logged:\n%s", strings.Join(p.log.lines, "\n"))
	}
	// The zones join the tiles in the background: wait for their warm-up too.
	_, ok := waitFor(60*time.Second, func() bool {
		p.log.mu.Lock()
		defer p.log.mu.Unlock()
		n := 0
		for _, l := range p.log.lines {
			if strings.Contains(l, "tile warm-up done") {
				n++
			}
		}
		return n >= 2
	})
	if !ok {
		t.Logf("the second warm-up (with the zones) was not logged within 60 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, path := range canaryPaths {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
}
