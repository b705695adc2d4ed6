package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// Resource attacks against the built `durand serve` (see
// resource_harness_test.go): while each runs, a canary client asks for a
// cached tile and /locate, and its p99 must stay under canaryP99Limit and
// the server's resident set under rssLimit. Each fails on the server
// before the resource controls (issue 12): there the attack took the CPU,
// the memory, the file descriptors or the shutdown.

// sliderDays are the days of the map's day slider: from the first event
// of /timeline to its last dated day (as map.js computes them).
func sliderDays(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/timeline")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tl struct {
		Entries []struct {
			Date    string `json:"date"`
			EndDate string `json:"end_date"`
			Type    string `json:"type"`
		} `json:"entries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tl); err != nil {
		t.Fatal(err)
	}
	var first, last string
	for _, e := range tl.Entries {
		if e.Type == "event" && (first == "" || e.Date < first) {
			first = e.Date
		}
		last = max(last, e.Date, e.EndDate)
	}
	lo, err1 := time.Parse(time.DateOnly, first)
	hi, err2 := time.Parse(time.DateOnly, last)
	if err1 != nil || err2 != nil {
		t.Fatalf("timeline from %q to %q", first, last)
	}
	var out []string
	for d := lo; !d.After(hi); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// tileOf is the XYZ tile of a point at zoom z.
func tileOf(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return x, y
}

// statusCounts counts answers by status, safe for concurrent use.
type statusCounts struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *statusCounts) add(k string) {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[string]int{}
	}
	s.m[k]++
	s.mu.Unlock()
}

func (s *statusCounts) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.m)
}

// TestAttackDayTiles: 16 clients ask as fast as they can for tiles of
// random days of the crisis at random places and zooms 5 to 8 (before:
// 0.3-1.5 s of CPU for each new day, 4.8 answers a second, both cores
// taken). The canary keeps its p99; the attackers get answers (or 503
// with Retry-After when the work budget is full), never a time-out.
func TestAttackDayTiles(t *testing.T) {
	geotest.Long(t, "the built server under 16 clients asking for tiles of random days for 8 s")
	p := startDurand(t, 0)
	waitWarm(t, p)
	days := sliderDays(t, p.base)
	c := startCanary(p, false)
	var counts statusCounts
	var n atomic.Int64
	stop := time.Now().Add(8 * time.Second)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 12))
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for time.Now().Before(stop) {
				z := 5 + rng.IntN(4)
				x, y := tileOf(61+rng.Float64()*14, 24+rng.Float64()*13, z)
				url := fmt.Sprintf("%s/tiles/durand/%d/%d/%d.mvt?datetime=%s", p.base, z, x, y, days[rng.IntN(len(days))])
				resp, err := client.Get(url)
				if err != nil {
					counts.add("error: " + err.Error())
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				k := strconv.Itoa(resp.StatusCode)
				if resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "" {
					k += " without Retry-After"
				}
				counts.add(k)
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	r := c.end()
	t.Logf("attackers: %d answers (%.0f/s) by status %s; %d days on the slider", n.Load(), float64(n.Load())/8, &counts, len(days))
	checkCanary(t, r)
	counts.mu.Lock()
	for k, v := range counts.m {
		if k != "200" && k != "204" && k != "503" {
			t.Errorf("%d attacker answers %s", v, k)
		}
	}
	counts.mu.Unlock()
	if n.Load() < 100 {
		t.Errorf("only %d tiles of days answered in 8 s", n.Load())
	}
}

// biggestPage is the URL of the largest page of items the server has
// (limit=10000 of its largest collection) and its size.
func biggestPage(t *testing.T, base string) (string, int) {
	t.Helper()
	best, size := "", 0
	for _, id := range []string{"border", "countries", "provinces", "crossings", "events", "zones"} {
		u := base + "/collections/" + id + "/items?limit=10000"
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && len(b) > size {
			best, size = u, len(b)
		}
	}
	return best, size
}

// slowConn dials addr with a small receive buffer, so that the kernel
// holds little of what the server sends and the server's writes block.
func slowConn(addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return serr
	}}
	return d.Dial("tcp", addr)
}

// TestAttackSlowReaders: 400 clients ask for the largest page of items,
// gzip-coded, and read it at 1 KiB/s (before: each answer compressed
// whole into memory and held until read; 800 such clients took 3.1 GB).
// The resident set stays under the limit and the canary keeps its p99.
func TestAttackSlowReaders(t *testing.T) {
	geotest.Long(t, "the built server under 400 clients reading a large page at 1 KiB/s for 12 s")
	p := startDurand(t, 0)
	waitWarm(t, p)
	page, size := biggestPage(t, p.base)
	t.Logf("page %s: %d bytes", page, size)
	addr := strings.TrimPrefix(p.base, "http://")
	target := strings.TrimPrefix(page, p.base)
	c := startCanary(p, false)
	const clients = 400
	var started, failed atomic.Int64
	var read atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := slowConn(addr)
			if err != nil {
				failed.Add(1)
				return
			}
			defer conn.Close()
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n", target)
			started.Add(1)
			buf := make([]byte, 1024)
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				conn.SetReadDeadline(time.Now().Add(2 * time.Second))
				n, err := io.ReadFull(conn, buf)
				read.Add(int64(n))
				if err != nil {
					return
				}
			}
		}()
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(10 * time.Second)
	r := c.end()
	close(stop)
	wg.Wait()
	t.Logf("slow readers: %d started, %d failed to connect, %d KiB read in all", started.Load(), failed.Load(), read.Load()>>10)
	checkCanary(t, r)
	if started.Load() < clients*9/10 {
		t.Errorf("only %d of %d slow readers connected", started.Load(), clients)
	}
}

// TestAttackHEAD: 16 clients send HEAD for the largest page with
// Accept-Encoding: gzip (before: each compressed the whole body to set
// Content-Length, 195 % CPU for 0.36 MB sent). A HEAD costs little CPU:
// the server uses under a tenth of the CPU time the attack lasts.
func TestAttackHEAD(t *testing.T) {
	geotest.Long(t, "the built server under 16 clients sending HEAD for 6 s")
	p := startDurand(t, 0)
	waitWarm(t, p)
	page, _ := biggestPage(t, p.base)
	c := startCanary(p, false)
	cpu0 := p.cpu()
	var n atomic.Int64
	var counts statusCounts
	const d = 6 * time.Second
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
			for time.Now().Before(stop) {
				req, _ := http.NewRequest("HEAD", page, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := client.Do(req)
				if err != nil {
					counts.add("error")
					continue
				}
				resp.Body.Close()
				counts.add(strconv.Itoa(resp.StatusCode) + " " + resp.Header.Get("Content-Encoding"))
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	cpu := p.cpu() - cpu0
	r := c.end()
	t.Logf("HEAD: %d answers (%.0f/s) %s; server CPU %v over %v", n.Load(), float64(n.Load())/d.Seconds(), &counts, cpu, d)
	checkCanary(t, r)
	if n.Load() == 0 {
		t.Fatal("no HEAD answered")
	}
	if perHead := cpu / time.Duration(n.Load()); perHead > 2*time.Millisecond {
		t.Errorf("a HEAD of the largest page costs %v of CPU: it compresses the body", perHead)
	}
}

// TestAttackShutdownStalledClient: a client asks for the largest page and
// never reads it, so the server's write blocks; at SIGTERM the process
// must exit within --shutdown-timeout (3 s) plus a margin (before: 118 s,
// the coalescing connection's Close waiting for the blocked write).
func TestAttackShutdownStalledClient(t *testing.T) {
	geotest.Long(t, "the built server shut down with a stalled client")
	const timeout = 3 * time.Second
	p := startDurand(t, 0, "--no-warmup", "--shutdown-timeout", timeout.String())
	waitReady(t, p.base)
	page, _ := biggestPage(t, p.base)
	target := strings.TrimPrefix(page, p.base)
	for range 4 {
		conn, err := slowConn(strings.TrimPrefix(p.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// Identity coding: the whole page in one write.
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target)
	}
	time.Sleep(time.Second) // the writes block
	took := p.signal(t, syscall.SIGTERM, timeout+5*time.Second)
	t.Logf("exited %v after SIGTERM (--shutdown-timeout %v): %v", took.Round(time.Millisecond), timeout, p.err)
	if took > timeout+2*time.Second {
		t.Errorf("exit took %v, want within %v plus 2 s", took, timeout)
	}
}

// rawClient is an HTTP/1.1 client that does not retry: it sends requests
// one after another on one keep-alive connection and reports a request
// it wrote that got no complete answer.
type rawClient struct {
	conn net.Conn
	br   *bufio.Reader
}

// do sends one GET and reads its answer: closed reports that the answer
// said Connection: close; lost that the request was written but the
// connection ended without an answer.
func (c *rawClient) do(target string) (closed bool, err error) {
	c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(c.conn, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target); err != nil {
		return false, fmt.Errorf("write: %w", err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return false, fmt.Errorf("request sent, no answer: %w", err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || (resp.ContentLength >= 0 && n != resp.ContentLength) {
		return false, fmt.Errorf("answer cut after %d of %d bytes: %v", n, resp.ContentLength, err)
	}
	return resp.Close, nil
}

// TestAttackSIGTERMKeepAlive: 32 clients that never retry send requests
// back to back on keep-alive connections; SIGTERM comes mid-way. Every
// request written is answered in full: the server ends each connection
// with an answer that says Connection: close, never under a request it
// has been sent (before: 32 of 32 such clients lost their request).
func TestAttackSIGTERMKeepAlive(t *testing.T) {
	geotest.Long(t, "the built server gets SIGTERM under 32 keep-alive clients")
	p := startDurand(t, 0, "--no-warmup", "--shutdown-timeout", "10s")
	waitReady(t, p.base)
	addr := strings.TrimPrefix(p.base, "http://")
	paths := []string{"/healthz", "/collections/crossings/items?limit=5", "/tiles/durand/3/5/3.mvt", "/locate?lon=71.1&lat=34.1"}
	var answered, closedNicely atomic.Int64
	var mu sync.Mutex
	var lost []string
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				mu.Lock()
				lost = append(lost, "dial: "+err.Error())
				mu.Unlock()
				return
			}
			defer conn.Close()
			c := &rawClient{conn: conn, br: bufio.NewReader(conn)}
			<-ready
			for i := w; ; i++ {
				closed, err := c.do(paths[i%len(paths)])
				if err != nil {
					mu.Lock()
					lost = append(lost, err.Error())
					mu.Unlock()
					return
				}
				answered.Add(1)
				if closed {
					closedNicely.Add(1)
					return
				}
			}
		}()
	}
	close(ready)
	time.Sleep(1500 * time.Millisecond)
	before := answered.Load()
	took := p.signal(t, syscall.SIGTERM, 15*time.Second)
	wg.Wait()
	t.Logf("SIGTERM after %d answers: exited after %v (%v); %d answers in all, %d connections ended by Connection: close, %d requests lost",
		before, took.Round(time.Millisecond), p.err, answered.Load(), closedNicely.Load(), len(lost))
	for i, l := range lost {
		if i == 5 {
			t.Errorf("… %d lost in all", len(lost))
			break
		}
		t.Errorf("lost: %s", l)
	}
	if p.err != nil {
		t.Errorf("exit status: %v", p.err)
	}
	if before == 0 {
		t.Error("no answers before the signal")
	}
}

// TestAttackIdleConnections: with the file descriptor limit at 1024 (so
// --max-conns defaults to 768), 3,000 connections are opened and left
// idle, half after one request (keep-alive) and half silent; a client
// arriving meanwhile on a new connection is answered within the canary's
// p99 (before: the descriptors ran out and new clients waited in the
// listen backlog until timeouts).
func TestAttackIdleConnections(t *testing.T) {
	geotest.Long(t, "the built server under 3,000 idle connections")
	p := startDurand(t, 1024)
	waitWarm(t, p)
	addr := strings.TrimPrefix(p.base, "http://")
	c := startCanary(p, true)
	var opened, answered atomic.Int64
	var conns []net.Conn
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 / 8 {
				conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
				if err != nil {
					continue
				}
				opened.Add(1)
				mu.Lock()
				conns = append(conns, conn)
				mu.Unlock()
				if (g+i)%2 == 0 {
					conn.SetDeadline(time.Now().Add(2 * time.Second))
					if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"); err == nil {
						if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							answered.Add(1)
						}
					}
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	time.Sleep(3 * time.Second) // the canary arrives on fresh connections while they sit idle
	r := c.end()
	mu.Lock()
	for _, conn := range conns {
		conn.Close()
	}
	mu.Unlock()
	t.Logf("idle connections: %d opened, %d answered before going idle", opened.Load(), answered.Load())
	checkCanary(t, r)
}

// TestReplicasAgree: two `durand serve` processes on the same data and
// base URL, started a second apart, answer every URL with the same bytes and ETag
// once their tiles are complete: every download of every collection
// (before: the GeoPackage's last_change was the build time), pages of
// items, tiles and the documents that describe them.
func TestReplicasAgree(t *testing.T) {
	geotest.Long(t, "two built servers compared URL by URL")
	// One public URL, as behind a load balancer: links are the same.
	a := startDurand(t, 0, "--base-url", "http://durand.test")
	time.Sleep(1100 * time.Millisecond) // a build-time stamp differs by the second
	b := startDurand(t, 0, "--base-url", "http://durand.test")
	waitWarm(t, a)
	waitWarm(t, b)
	var paths []string
	for _, id := range []string{"border", "countries", "provinces", "crossings", "events", "zones"} {
		for _, ext := range []string{"geojson", "gpkg", "kml", "csv"} {
			paths = append(paths, "/downloads/"+id+"."+ext)
		}
		paths = append(paths, "/collections/"+id+"/items?limit=10000", "/collections/"+id+"/items?f=html", "/tiles/"+id+".json")
	}
	paths = append(paths, "/downloads/durand.pmtiles", "/tiles/durand.json", "/styles/durand.json", "/timeline", "/collections",
		"/tiles/durand/0/0/0.mvt", "/tiles/durand/5/22/13.mvt", "/tiles/durand/6/43/26.mvt", "/tiles/durand/6/43/26.mvt?datetime=2025-10-20")
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	fetchAll := func(base, p, enc string) (int, string, string, []byte) {
		req, _ := http.NewRequest("GET", base+p, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"), body
	}
	for _, p := range paths {
		for _, enc := range []string{"", "gzip"} {
			sa, ea, ca, ba := fetchAll(a.base, p, enc)
			sb, eb, _, bb := fetchAll(b.base, p, enc)
			switch {
			case sa != 200 && sa != 204:
				t.Errorf("%s (%s): %d", p, enc, sa)
			case sa != sb || ea != eb || string(ba) != string(bb):
				t.Errorf("%s (Accept-Encoding %q): replica 1 %d %s, %d bytes; replica 2 %d %s, %d bytes", p, enc, sa, ea, len(ba), sb, eb, len(bb))
			case ca == "no-store" && strings.Contains(p, "tiles"):
				t.Errorf("%s: still not cacheable after the warm-up", p)
			}
		}
	}
	t.Logf("%d URLs, identity and gzip, compared", len(paths))
}
