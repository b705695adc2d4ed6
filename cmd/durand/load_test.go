package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// Load tests run the real `durand serve` and wrk (Debian's) on loopback.
// Their length is set by environment variables so that CI runs them short
// and a person can run the documented long form:
//
//	DURAND_LOAD_SECONDS=60 go test -run TestLoad -v ./cmd/durand
//	DURAND_SOAK_SECONDS=600 go test -run TestSoak -v -timeout 20m ./cmd/durand

// envSeconds returns the duration in the environment variable name (whole
// seconds), or def.
func envSeconds(t *testing.T, name string, def int) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return time.Duration(def) * time.Second
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a whole number of seconds", name, v)
	}
	return time.Duration(n) * time.Second
}

// tileXY returns the tile of a point at zoom z (Web Mercator).
func tileXY(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return x, y
}

// loadMix is the URL mix of the load tests: tiles over the border region
// (every tileset, zooms 0 to maxZoom), pages of items and /locate points,
// in a fixed interleaved order.
func loadMix(maxZoom int) []string {
	var tileURLs []string
	for z := 0; z <= maxZoom; z++ {
		x0, y0 := tileXY(60.5, 37.5, z)
		x1, y1 := tileXY(75.5, 24.5, z)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				for _, set := range []string{"durand", "crossings", "provinces", "border"} {
					tileURLs = append(tileURLs, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", set, z, x, y))
				}
			}
		}
	}
	items := []string{
		"/collections/crossings/items?limit=10",
		"/collections/crossings/items/torkham",
		"/collections/provinces/items?limit=5&country=AFG",
		"/collections/provinces/items?bbox=69,33,71,35&limit=3",
		"/collections/countries/items",
		"/collections/crossings/items?offset=5&limit=5",
		"/collections/events/items?limit=20",
	}
	var locate []string
	for i := 0; i < 40; i++ {
		lon := 61 + float64(i%10)*1.4
		lat := 25 + float64(i/10)*3.1
		locate = append(locate, fmt.Sprintf("/locate?lon=%.3f&lat=%.3f", lon, lat))
	}
	// Two tiles, then an item page, then a point, over and over.
	var out []string
	for i := 0; i < len(tileURLs) || i < 4*len(items) || i < 4*len(locate); i += 2 {
		out = append(out, tileURLs[i%len(tileURLs)], tileURLs[(i+1)%len(tileURLs)],
			items[(i/2)%len(items)], locate[(i/2)%len(locate)])
	}
	return out
}

// wrkScript counts the answers by status in every thread and prints one
// JSON line at the end with the counts, socket errors and latencies.
const wrkScript = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = math.random(#paths)
  statuses = {}
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})
end
function response(status, headers, body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  local e = summary.errors
  io.write(string.format('WRKRESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, table.concat(parts, ",")))
end
`

// wrkResult is the line wrkScript prints.
type wrkResult struct {
	Requests   int64 `json:"requests"`
	DurationUS int64 `json:"duration_us"`
	Bytes      int64 `json:"bytes"`
	Errors     struct {
		Connect, Read, Write, Status, Timeout int64
	} `json:"errors"`
	P50US    int64            `json:"p50_us"`
	P90US    int64            `json:"p90_us"`
	P99US    int64            `json:"p99_us"`
	MaxUS    int64            `json:"max_us"`
	Statuses map[string]int64 `json:"statuses"`
}

func (r wrkResult) perSecond() float64 {
	return float64(r.Requests) / (float64(r.DurationUS) / 1e6)
}

func (r wrkResult) String() string {
	return fmt.Sprintf("%d requests in %.1f s: %.0f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.1f ms, %.1f MB/s; statuses %v; socket errors %+v",
		r.Requests, float64(r.DurationUS)/1e6, r.perSecond(), float64(r.P50US)/1e3, float64(r.P90US)/1e3, float64(r.P99US)/1e3,
		float64(r.MaxUS)/1e3, float64(r.Bytes)/(float64(r.DurationUS)/1e6)/1e6, r.Statuses, r.Errors)
}

// runWrk runs wrk on base with the URL mix for d at conns connections.
func runWrk(t *testing.T, base string, paths []string, d time.Duration, conns int) wrkResult {
	t.Helper()
	wrk := geotest.RequireTool(t, "wrk")
	dir := t.TempDir()
	script, list := filepath.Join(dir, "mix.lua"), filepath.Join(dir, "paths.txt")
	if err := os.WriteFile(script, []byte(wrkScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(list, []byte(strings.Join(paths, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d+time.Minute)
	defer cancel()
	secs := int(d / time.Second)
	cmd := exec.CommandContext(ctx, wrk, "-t", "2", "-c", strconv.Itoa(conns), "-d", strconv.Itoa(secs)+"s",
		"--timeout", "10s", "--latency", "-s", script, base, "--", list)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wrk: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "WRKRESULT "); ok {
			var r wrkResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				t.Fatalf("wrk result %q: %v", rest, err)
			}
			return r
		}
	}
	t.Fatalf("no result line from wrk:\n%s", out)
	return wrkResult{}
}

// checkClean fails the test on socket errors or answers other than 2xx
// and 304.
func checkClean(t *testing.T, r wrkResult) {
	t.Helper()
	if e := r.Errors; e.Connect+e.Read+e.Write+e.Timeout > 0 {
		t.Errorf("socket errors: %+v", e)
	}
	var answered int64
	for s, n := range r.Statuses {
		answered += n
		if c, _ := strconv.Atoi(s); (c < 200 || c > 299) && c != 304 {
			t.Errorf("%d answers with status %s", n, s)
		}
	}
	if r.Requests == 0 || answered != r.Requests {
		t.Errorf("%d requests, %d answers counted", r.Requests, answered)
	}
}

// TestLoad: 64 connections on a mix of tiles, items and /locate for
// DURAND_LOAD_SECONDS (default 5): no socket error, only 2xx/304 answers.
func TestLoad(t *testing.T) {
	geotest.Long(t, "wrk against durand serve for seconds")
	d := envSeconds(t, "DURAND_LOAD_SECONDS", 5)
	geotest.RequireTool(t, "wrk")
	base, _, _ := startServe(t, "--no-warmup")
	waitReady(t, base)
	r := runWrk(t, base, loadMix(8), d, 64)
	t.Logf("load: %s", r)
	checkClean(t, r)
}

// rssBytes is the resident set of this process (Linux), or 0.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
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

// soakMargin is what RSS may grow by under load beyond the tile cache
// budget and the GC headroom (Go's heap target at GOGC=100 is twice the
// live heap, so the heap may grow by the idle live heap before a
// collection): buffers of the connections and requests in flight.
const soakMargin = 96 << 20

// TestSoak: mixed load for DURAND_SOAK_SECONDS (default 20) over many
// more distinct tiles than the 16 MiB tile cache holds; the resident set
// stays within the idle server's plus the cache budget, the GC headroom
// and soakMargin, and the goroutine count returns to its baseline once
// the load stops.
func TestSoak(t *testing.T) {
	geotest.Long(t, "a 20 s soak under wrk")
	d := envSeconds(t, "DURAND_SOAK_SECONDS", 20)
	geotest.RequireTool(t, "wrk")
	// The server runs in this process: measure it with Go's default
	// collector setting, which the limit below assumes, not the tests'
	// (geotest.Main sets GOGC=400).
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const cacheMB = 16
	base, _, _ := startServe(t, "--no-warmup", "--tile-cache-mb", strconv.Itoa(cacheMB))
	// What the server computes once (the zones, the tilesets, the zones'
	// tiles in the background) is part of the idle server: a short first
	// run brings it about before the baseline is taken.
	waitReady(t, base)
	mix := loadMix(10)
	checkClean(t, runWrk(t, base, mix, 3*time.Second, 16))
	time.Sleep(500 * time.Millisecond)
	// Memory freed earlier (by other tests in this process, too) goes
	// back to the system, so that the baseline is the idle server's.
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live0 := int64(ms.HeapAlloc)
	rss0, g0 := rssBytes(), runtime.NumGoroutine()

	var peak atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if r := rssBytes(); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()
	r := runWrk(t, base, mix, d, 64)
	close(stop)
	wg.Wait()
	t.Logf("soak: %s", r)
	checkClean(t, r)

	limit := rss0 + cacheMB<<20 + live0 + soakMargin
	t.Logf("RSS: %d MiB idle (live heap %d MiB), %d MiB at most under load (limit %d MiB: idle + cache %d MiB + GC headroom %d MiB + margin %d MiB)",
		rss0>>20, live0>>20, peak.Load()>>20, limit>>20, cacheMB, live0>>20, soakMargin>>20)
	if rss0 > 0 && peak.Load() > limit {
		t.Errorf("RSS reached %d MiB, over %d MiB", peak.Load()>>20, limit>>20)
	}
	// Goroutines: back to the baseline once wrk's connections are gone
	// (a little slack for the log flusher and timers).
	deadline := time.Now().Add(15 * time.Second)
	g := runtime.NumGoroutine()
	for g > g0+2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		g = runtime.NumGoroutine()
	}
	t.Logf("goroutines: %d before the load, %d after", g0, g)
	if g > g0+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before the load, %d after\n%s", g0, g, buf[:runtime.Stack(buf, true)])
	}
}

// TestShutdownUnderLoad: the serve context is cancelled (what SIGTERM
// does) while 32 clients send requests; every request the server accepted
// is answered in full, the others are refused at connect, and serve
// returns within its drain timeout.
func TestShutdownUnderLoad(t *testing.T) {
	geotest.Long(t, "a shutdown under load with a drain")
	const drain = 10 * time.Second
	base, cancel, done := startServe(t, "--no-warmup", "--shutdown-timeout", drain.String())
	waitReady(t, base)
	paths := loadMix(7)
	cl := startShutdownClients(base, paths, 32)
	time.Sleep(1500 * time.Millisecond)
	before := cl.completed.Load()
	t0 := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after cancel: %v", err)
		}
	case <-time.After(drain + 5*time.Second):
		t.Fatalf("serve did not return within the drain timeout %v", drain)
	}
	took := time.Since(t0)
	lost := cl.wait()
	t.Logf("shutdown under load: %d requests answered (%d before the cancel), %d clients refused at connect afterwards, serve returned after %v",
		cl.completed.Load(), before, cl.refused.Load(), took.Round(time.Millisecond))
	for _, l := range lost {
		t.Errorf("request lost: %s", l)
	}
	if before == 0 {
		t.Error("no request answered before the cancel")
	}
}

// shutdownClients are Go clients sending requests until the server stops
// listening: they count the answers received in full (body checked against
// Content-Length, status 2xx or 304) and the clients refused at connect,
// and keep anything else as lost.
type shutdownClients struct {
	completed, refused atomic.Int64
	tr                 *http.Transport
	wg                 sync.WaitGroup
	mu                 sync.Mutex
	lost               []string
}

// startShutdownClients starts n clients on base, each going through paths
// from its own offset.
func startShutdownClients(base string, paths []string, n int) *shutdownClients {
	c := &shutdownClients{tr: &http.Transport{MaxIdleConnsPerHost: n}}
	client := &http.Client{Transport: c.tr, Timeout: 30 * time.Second}
	for w := range n {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for i := w * 97; ; i++ {
				p := paths[i%len(paths)]
				if err := c.get(client, base, p); err != nil {
					if isRefused(err) {
						c.refused.Add(1)
						return
					}
					c.mu.Lock()
					c.lost = append(c.lost, p+": "+err.Error())
					c.mu.Unlock()
					return
				}
				c.completed.Add(1)
			}
		}()
	}
	return c
}

// get fetches base+p and reports anything but a complete 2xx/304 answer.
func (c *shutdownClients) get(client *http.Client, base, p string) error {
	resp, err := client.Get(base + p)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || (resp.ContentLength >= 0 && n != resp.ContentLength) || (resp.StatusCode >= 300 && resp.StatusCode != 304) {
		return fmt.Errorf("status %d, %d of %d bytes, %v", resp.StatusCode, n, resp.ContentLength, err)
	}
	return nil
}

// wait waits for every client to stop and returns the lost requests.
func (c *shutdownClients) wait() []string {
	c.wg.Wait()
	c.tr.CloseIdleConnections()
	return c.lost
}

// isRefused reports whether err is a refused connection (the listener is
// closed): the request never reached the server.
func isRefused(err error) bool {
	var op *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial")
}
