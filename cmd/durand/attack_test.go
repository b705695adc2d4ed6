package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/server"
)

// rawResult is what a raw HTTP exchange gave: a response, or a connection
// the server closed without one.
type rawResult struct {
	status int
	header http.Header
	body   string
	closed bool // no response: the server closed the connection
}

// rawRequest writes req byte for byte to addr and reads one response.
func rawRequest(t *testing.T, addr, req string) rawResult {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	// A server may refuse before the whole request is written: a failed
	// write is then not the test's failure, the response says what happened.
	go io.WriteString(c, req)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err) {
			return rawResult{closed: true}
		}
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return rawResult{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// isReset reports whether err is the server closing or resetting the
// connection (not a timeout: a server that never answers is a failure).
func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

// leaks are what an error body must never show: source positions, stack
// traces, directory listings, the contents of files outside what is served
// (the request's own path may be echoed back). machinePaths adds the
// directories of this machine.
var leaks = regexp.MustCompile(`\.go:\d+|goroutine \d+|runtime/debug|panic:|<pre>|(?i:index of /)|(?i:parent directory)|root:x:0:0|module github\.com/`)

// machinePaths are directories whose names must not appear in answers.
func machinePaths(t *testing.T) []string {
	var out []string
	if wd, err := os.Getwd(); err == nil {
		out = append(out, wd)
	}
	if home, err := os.UserHomeDir(); err == nil && len(home) > 1 {
		out = append(out, home)
	}
	return append(out, goRoot(), os.TempDir())
}

// attack is one hostile request and the statuses it may get (0: the
// server closes the connection without an answer).
type attack struct {
	name   string
	req    string // the raw request; "Host: h\r\n" is added unless noHost
	noHost bool
	want   []int
	// netHTTP: refused by net/http before the handler, with its own
	// plain-text body (not JSON).
	netHTTP bool
	// check looks at the answer further.
	check func(t *testing.T, r rawResult)
}

func rawGET(target string, headers ...string) string {
	return "GET " + target + " HTTP/1.1\r\n" + strings.Join(headers, "")
}

func attacks() []attack {
	bad := []int{400, 404}
	notFound := []int{404}
	var as []attack
	add := func(name, req string, want []int) { as = append(as, attack{name: name, req: req, want: want}) }

	// Path traversal on downloads, tiles, the map's files and styles.
	for _, p := range []string{
		"/downloads/../../../../etc/passwd",
		"/downloads/..%2f..%2f..%2fetc%2fpasswd",
		"/downloads/%2e%2e/%2e%2e/go.mod",
		"/downloads/%2e%2e%2f%2e%2e%2fgo.mod",
		"/downloads/%2E%2E%2F%2E%2E%2Fserve.go",
		"/downloads/crossings.geojson/../../../go.mod",
		"/downloads/..%5c..%5cgo.mod",
		"/downloads/..\\..\\go.mod",
		"/downloads//etc/passwd",
		"/downloads/%2fetc%2fpasswd",
		"/downloads/crossings%00.geojson",
		"/downloads/crossings.geojson%00.txt",
		"/downloads/..%c0%af..%c0%afgo.mod",
		"/downloads/%252e%252e%252fgo.mod",
		"/../../../../etc/passwd",
		"//etc/passwd",
		"/%2e%2e/%2e%2e/etc/passwd",
		"/tiles/../../etc/passwd",
		"/tiles/%2e%2e/0/0/0.mvt",
		"/tiles/..%2f..%2fgo.mod/0/0/0.mvt",
		"/tiles/crossings/0/0/..%2f..%2fgo.mod",
		"/tiles/crossings/0/0/0.mvt%00",
		"/tiles/crossings/0/0/0%00.mvt",
		"/tiles/crossings/0/0/..\\..\\0.mvt",
		"/tiles/%2fetc%2fpasswd/0/0/0.mvt",
		"/tiles/crossings/../../../etc/passwd",
		"/tiles/crossings.json/../../../go.mod",
		"/collections/crossings/tiles/WebMercatorQuad/0/..%2f..%2f/0",
		"/collections/..%2f..%2fetc/items",
		"/collections/crossings/items/..%2f..%2fgo.mod",
		"/map/..%2fmap.html",
		"/map/%2e%2e%2fserver.go",
		"/map/../../go.mod",
		"/vendor/maplibre/..%2f..%2fgo.mod",
		// The one folder served from disk (--maplibre): beside it lie
		// secret.txt and evil.js (see TestAttacks).
		"/vendor/maplibre/../secret.txt",
		"/vendor/maplibre/..%2fsecret.txt",
		"/vendor/maplibre/%2e%2e%2fsecret.txt",
		"/vendor/maplibre/%2e%2e/evil.js",
		"/vendor/maplibre/..%2fevil.js",
		"/vendor/maplibre/..%5cevil.js",
		"/vendor/maplibre/..\\evil.js",
		"/vendor/maplibre/%2fetc%2fpasswd",
		"/vendor/maplibre/maplibre-gl.mjs%00.txt",
		"/vendor/maplibre/.hidden.js",
		"/vendor/maplibre/maplibre-gl-dev.js",
		"/styles/..%2f..%2fgo.mod",
		"/tileMatrixSets/..%2f..%2fgo.mod",
	} {
		add("traversal "+p, rawGET(p), []int{400, 404})
	}
	// Absolute paths and absolute-form request targets.
	add("absolute-form target", rawGET("http://h/../../etc/passwd"), bad)
	add("absolute file path target", rawGET("/etc/passwd"), notFound)
	add("file scheme target", rawGET("file:///etc/passwd"), []int{400, 404})
	add("asterisk target", rawGET("*"), []int{400, 404})
	// No directory listings.
	for _, p := range []string{"/downloads/", "/map/", "/vendor/", "/vendor/maplibre/", "/tiles/", "/tiles/crossings/",
		"/templates/", "/testdata/", "/.git/", "/styles/"} {
		add("no listing "+p, rawGET(p), notFound)
	}

	// Oversized query strings and headers, repeated parameters.
	as = append(as,
		attack{name: "query over 1 MB", req: rawGET("/collections/crossings/items?x=" + strings.Repeat("a", 1<<20+10)),
			want: []int{431, 414, 0}, netHTTP: true},
		attack{name: "10000 repeated parameters", req: rawGET("/collections/crossings/items?" + strings.Repeat("limit=1&", 10000)),
			want: []int{431, 414, 0}, netHTTP: true},
		// net/http reads MaxHeaderBytes (12 KiB) plus 4096 bytes of slack
		// before it refuses: 16 KiB in all.
		attack{name: "header over 16 KiB", req: rawGET("/healthz", "X-Big: "+strings.Repeat("x", 16<<10)+"\r\n"),
			want: []int{431, 0}, netHTTP: true},
		attack{name: "header of 14 KiB", req: rawGET("/healthz", "X-Big: "+strings.Repeat("x", 14<<10)+"\r\n"),
			want: []int{200}},
		attack{name: "many headers over 16 KiB", req: rawGET("/healthz", strings.Repeat("X-A: aaaaaaaaaaaaaaaa\r\n", 1500)),
			want: []int{431, 0}, netHTTP: true},
		attack{name: "cookie over 16 KiB", req: rawGET("/collections", "Cookie: a="+strings.Repeat("b", 20<<10)+"\r\n"),
			want: []int{431, 0}, netHTTP: true},
	)
	add("query of 5000 bytes", rawGET("/collections/crossings/items?x="+strings.Repeat("a", 5000)), []int{414})
	add("query of 4000 bytes", rawGET("/collections/crossings/items?bbox="+strings.Repeat("1,", 2000)), []int{400})
	add("2000 repeated parameters", rawGET("/collections/crossings/items?"+strings.Repeat("f&", 2000)), []int{400})
	add("repeated limit", rawGET("/collections/crossings/items?limit=1&limit=2"), []int{400})
	add("huge limit", rawGET("/collections/crossings/items?limit=99999999999999999999999"), []int{400})
	add("negative offset", rawGET("/collections/crossings/items?offset=-1"), []int{400})
	add("huge offset", rawGET("/collections/crossings/items?offset=9223372036854775808"), []int{400})
	add("huge tile numbers", rawGET("/tiles/crossings/4294967295/4294967295/4294967295.mvt"), bad)
	add("tile zoom 99", rawGET("/tiles/crossings/99/0/0.mvt"), bad)
	add("bbox NaN", rawGET("/collections/crossings/items?bbox=NaN,NaN,NaN,NaN"), []int{400})
	add("bbox Inf", rawGET("/collections/crossings/items?bbox=-Inf,-90,Inf,90"), []int{400})
	add("locate NaN", rawGET("/locate?lon=NaN&lat=NaN"), []int{400})
	add("locate 1e309", rawGET("/locate?lon=1e309&lat=0"), []int{400})
	add("datetime garbage", rawGET("/collections/events/items?datetime=9999999999-99-99"), []int{400, 404})

	// Invalid UTF-8 in path and query.
	for _, p := range []string{
		"/collections/%ff%fe/items",
		"/collections/crossings/items/%ff",
		"/collections/crossings/items/%c3%28",
		"/downloads/%ff.geojson",
		"/tiles/%ff/0/0/0.mvt",
		"/collections/crossings/items?country=%ff",
		"/collections/crossings/items?%ff=1",
		"/collections/crossings/items?f=%c3%28",
		"/collections/crossings/items?bbox=%ff",
		"/locate?lon=%ed%a0%80&lat=1",
		"/border/point?km=%f0%28%8c%bc",
		"/collections/crossings/items?country=%",
		"/collections/crossings/items?country=%zz",
	} {
		add("invalid UTF-8 "+p, rawGET(p), []int{400, 404})
	}
	as = append(as, attack{name: "raw invalid UTF-8 bytes in path", req: rawGET("/collections/\xff\xfe/items"), want: []int{400, 404}})
	as = append(as, attack{name: "raw invalid UTF-8 bytes in query", req: rawGET("/collections/crossings/items?country=\xff\xfe"), want: []int{400}})
	as = append(as, attack{name: "raw NUL in path", req: rawGET("/downloads/crossings\x00.geojson"), want: []int{400, 0}, netHTTP: true})
	as = append(as, attack{name: "raw control bytes in header", req: rawGET("/healthz", "X-A: a\x00b\r\n"), want: []int{400, 0}, netHTTP: true})

	// Method abuse: 405 with Allow.
	allow := func(t *testing.T, r rawResult) {
		if got := r.header.Get("Allow"); got != "GET, HEAD, OPTIONS" {
			t.Errorf("Allow %q", got)
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO"} {
		for _, p := range []string{"/collections", "/collections/crossings/items", "/tiles/crossings/0/0/0.mvt",
			"/downloads/crossings.geojson", "/healthz", "/metrics"} {
			body := ""
			if m == "POST" || m == "PUT" || m == "PATCH" {
				body = "Content-Length: 2\r\n\r\n{}"
			}
			req := m + " " + p + " HTTP/1.1\r\nHost: h\r\n"
			if body != "" {
				req += body
			} else {
				req += "\r\n"
			}
			as = append(as, attack{name: m + " " + p, req: req, noHost: true, want: []int{405}, check: allow})
		}
	}
	as = append(as,
		attack{name: "CONNECT authority-form", req: "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", noHost: true, want: []int{400, 404, 405}},
		attack{name: "CONNECT path", req: "CONNECT /collections HTTP/1.1\r\nHost: h\r\n\r\n", noHost: true, want: []int{400, 405}},
	)

	// CORS: the server runs with --cors https://a.example.
	preflight := func(origin, method string) string {
		return "OPTIONS /collections HTTP/1.1\r\nHost: h\r\nOrigin: " + origin + "\r\nAccess-Control-Request-Method: " + method + "\r\n\r\n"
	}
	as = append(as,
		attack{name: "preflight allowed origin", req: preflight("https://a.example", "GET"), noHost: true, want: []int{204},
			check: func(t *testing.T, r rawResult) {
				if r.header.Get("Access-Control-Allow-Origin") != "https://a.example" ||
					r.header.Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" {
					t.Errorf("headers %v", r.header)
				}
			}},
		attack{name: "preflight other origin", req: preflight("https://evil.example", "GET"), noHost: true, want: []int{403},
			check: func(t *testing.T, r rawResult) {
				if r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("Access-Control-Allow-Methods") != "" {
					t.Errorf("CORS granted to another origin: %v", r.header)
				}
			}},
		attack{name: "preflight origin prefix", req: preflight("https://a.example.evil.example", "GET"), noHost: true, want: []int{403}},
		attack{name: "preflight origin null", req: preflight("null", "GET"), noHost: true, want: []int{403}},
		attack{name: "preflight for DELETE", req: preflight("https://a.example", "DELETE"), noHost: true, want: []int{405}, check: allow},
		attack{name: "preflight for POST", req: preflight("https://a.example", "POST"), noHost: true, want: []int{405}},
		attack{name: "OPTIONS unknown path", req: "OPTIONS /nothing HTTP/1.1\r\nHost: h\r\n\r\n", noHost: true, want: []int{404}},
		attack{name: "GET from other origin", req: rawGET("/collections", "Origin: https://evil.example\r\n"), want: []int{200},
			check: func(t *testing.T, r rawResult) {
				if r.header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("ACAO %q for another origin", r.header.Get("Access-Control-Allow-Origin"))
				}
			}},
	)

	// HTTP/1.0 without Host, HTTP/1.1 without Host, odd versions.
	as = append(as,
		attack{name: "HTTP/1.0 without Host", req: "GET /collections HTTP/1.0\r\n\r\n", noHost: true, want: []int{200}},
		attack{name: "HTTP/1.0 without Host, traversal", req: "GET /downloads/..%2fgo.mod HTTP/1.0\r\n\r\n", noHost: true, want: []int{404}},
		attack{name: "HTTP/1.1 without Host", req: "GET /collections HTTP/1.1\r\n\r\n", noHost: true, want: []int{400}, netHTTP: true},
		attack{name: "Host with path", req: "GET /collections HTTP/1.1\r\nHost: h/../../x\r\n\r\n", noHost: true, want: []int{400}, netHTTP: true},
		// net/http's own answer to a protocol it does not speak: the one
		// 5xx allowed.
		attack{name: "HTTP/9.9", req: "GET /collections HTTP/9.9\r\nHost: h\r\n\r\n", noHost: true, want: []int{400, 505}, netHTTP: true},
		attack{name: "HTTP/0.9 request line", req: "GET /collections\r\n\r\n", noHost: true, want: []int{400, 0}, netHTTP: true},
	)

	// Range headers: ignored or answered, never a 5xx.
	ranges := []int{200, 206, 416}
	add("huge Range", rawGET("/downloads/crossings.geojson", "Range: bytes=0-"+strings.Repeat("9", 40)+"\r\n"), ranges)
	add("Range beyond the end", rawGET("/downloads/crossings.geojson", "Range: bytes=99999999999999-\r\n"), ranges)
	add("many Range parts", rawGET("/downloads/crossings.geojson", "Range: bytes="+strings.Repeat("0-1,", 3000)+"0-1\r\n"), ranges)
	add("negative Range", rawGET("/downloads/crossings.geojson", "Range: bytes=-99999999999999999999\r\n"), ranges)
	// The PMTiles archive is served with ranges: many small ones are
	// refused before net/http parses them (GO-2026-6609).
	add("many Range parts on the PMTiles archive", rawGET("/downloads/durand.pmtiles", "Range: bytes="+strings.Repeat("0-1,", 3000)+"0-1\r\n"), []int{416})
	add("garbage Range", rawGET("/tiles/crossings/0/0/0.mvt", "Range: bytes=a-b\r\n"), ranges)
	add("If-None-Match garbage", rawGET("/collections", "If-None-Match: "+strings.Repeat("\"x\",", 2000)+"\r\n"), []int{200})
	add("Accept-Encoding garbage", rawGET("/tiles/crossings/0/0/0.mvt", "Accept-Encoding: "+strings.Repeat("gzip;q=x,", 1000)+"\r\n"), []int{200, 204})
	add("Accept garbage", rawGET("/collections", "Accept: "+strings.Repeat("*/*;q=0.", 1000)+"\r\n"), []int{200, 406})
	return as
}

// TestAttacks sends hostile requests to `durand serve` (the real command,
// its net/http limits included): each gets a 4xx JSON error (or a refusal
// by net/http, or a closed connection), never a 5xx, never a file path,
// stack trace or directory listing; the heap is no larger afterwards than
// a loose bound.
func TestAttacks(t *testing.T) {
	geotest.Long(t, "the attack suite against a real durand serve")
	// A MapLibre folder to serve from disk, with files beside and inside
	// it that must never be served.
	ml := t.TempDir()
	dist := filepath.Join(ml, "dist")
	for name, body := range map[string]string{
		filepath.Join(ml, "secret.txt"):           "TOPSECRET outside",
		filepath.Join(ml, "evil.js"):              "/* TOPSECRET outside */",
		filepath.Join(dist, "maplibre-gl.mjs"):    "export const version = '6.17.0';\n",
		filepath.Join(dist, ".hidden.js"):         "/* TOPSECRET hidden */",
		filepath.Join(dist, "maplibre-gl-dev.js"): "/* TOPSECRET dev build */",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, _, _ := startServe(t, "--cors", "https://a.example", "--no-warmup", "--maplibre", dist)
	if r := rawRequest(t, strings.TrimPrefix(base, "http://"), rawGET("/vendor/maplibre/maplibre-gl.mjs")+"Host: h\r\n\r\n"); r.status != 200 {
		t.Fatalf("the MapLibre copy is not served: %d", r.status)
	}
	addr := strings.TrimPrefix(base, "http://")
	waitReady(t, base)
	paths := machinePaths(t)
	// A first round fills the caches (tiles, downloads); the heap after
	// it is the baseline the checked round must stay near.
	for _, a := range attacks() {
		req := a.req
		if !a.noHost {
			req += "Host: h\r\n\r\n"
		}
		rawRequest(t, addr, req)
	}
	heap0 := settledHeap()
	for _, a := range attacks() {
		t.Run(a.name, func(t *testing.T) {
			req := a.req
			if !a.noHost {
				req += "Host: h\r\n\r\n"
			}
			r := rawRequest(t, addr, req)
			if r.closed {
				if !containsInt(a.want, 0) {
					t.Fatalf("connection closed without an answer, want %v", a.want)
				}
				return
			}
			if !containsInt(a.want, r.status) {
				t.Errorf("status %d, want %v; body %.300q", r.status, a.want, r.body)
			}
			if r.status >= 500 && !(a.netHTTP && r.status == http.StatusHTTPVersionNotSupported) {
				t.Errorf("server error %d: %.300q", r.status, r.body)
			}
			if strings.Contains(r.body, "TOPSECRET") {
				t.Errorf("a file that is not served was: %.300q", r.body)
			}
			if m := leaks.FindString(r.body); m != "" && r.status != 200 && r.status != 206 {
				t.Errorf("body shows %q: %.300q", m, r.body)
			}
			for _, p := range paths {
				if p != "" && p != "/" && strings.Contains(r.body, p) {
					t.Errorf("body shows the path %s: %.300q", p, r.body)
				}
			}
			if r.status >= 400 && !a.netHTTP {
				var e struct{ Code, Description string }
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("error as %q, want JSON: %.200q", ct, r.body)
				} else if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Code == "" || e.Description == "" {
					t.Errorf("error body %.200q: %v", r.body, err)
				}
			}
			if r.status != 0 && r.header.Get("X-Content-Type-Options") != "nosniff" && !a.netHTTP {
				t.Errorf("no nosniff")
			}
			if a.check != nil {
				a.check(t, r)
			}
		})
	}
	if heap1 := heapInUse(); heap1 > heap0+16<<20 {
		t.Errorf("heap grew from %d MiB to %d MiB over the attacks", heap0>>20, heap1>>20)
	} else {
		t.Logf("heap in use: %d MiB before the attacks, %d MiB after", heap0>>20, heap1>>20)
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// settledHeap waits (up to 20 s) for the live heap to stop changing, so
// that work the server finishes in the background (the zones, their
// tiles) is not taken for growth, and returns it.
func settledHeap() uint64 {
	h := heapInUse()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		h2 := heapInUse()
		if h2 <= h+1<<20 && h <= h2+1<<20 {
			return h2
		}
		h = h2
	}
	return h
}

// waitReady asks the server for what it computes once (a tile of every
// layer and the zones) and returns when it has answered.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for _, p := range []string{"/collections/zones/items?limit=1", "/tiles/durand/0/0/0.mvt", "/tiles/durand/6/43/26.mvt"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 204 {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

// hardenedServer serves the embedded atlas with the net/http limits of
// `durand serve`, but readHeader as the read-header timeout, and returns
// its address.
func hardenedServer(t *testing.T, readHeader time.Duration) string {
	t.Helper()
	a := defaultAtlas(t)
	h, err := server.New(server.Config{Atlas: a, TileCacheBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      serveWriteTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(slog.New(slog.NewTextHandler(io.Discard, nil)).Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveUntilDone(ctx, srv, ln, 5*time.Second, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serveUntilDone: %v", err)
		}
	})
	return ln.Addr().String()
}

// TestSlowloris: clients that trickle their headers are cut off by the
// read-header timeout (1 s here; `durand serve` uses
// serveReadHeaderTimeout), while a normal request meanwhile is answered.
func TestSlowloris(t *testing.T) {
	geotest.Long(t, "slow clients cut off by timeouts")
	const timeout = time.Second
	addr := hardenedServer(t, timeout)
	const clients = 20
	type outcome struct {
		sent    int
		elapsed time.Duration
		err     error
	}
	res := make(chan outcome, clients)
	start := time.Now()
	for i := 0; i < clients; i++ {
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				res <- outcome{err: err}
				return
			}
			defer c.Close()
			t0 := time.Now()
			if _, err := io.WriteString(c, "GET /collections HTTP/1.1\r\nHost: h\r\n"); err != nil {
				res <- outcome{err: err}
				return
			}
			// One header byte every 100 ms, for at most 20 s, until the
			// server hangs up.
			n := 0
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			closed := make(chan struct{})
			go func() {
				io.Copy(io.Discard, c) // returns when the server closes
				close(closed)
			}()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-closed:
					res <- outcome{sent: n, elapsed: time.Since(t0)}
					return
				case <-tick.C:
					if _, err := fmt.Fprintf(c, "X-%d: a\r\n", n); err != nil {
						<-closed
						res <- outcome{sent: n, elapsed: time.Since(t0)}
						return
					}
					n++
				}
			}
		}()
	}
	// Meanwhile a normal client is served.
	time.Sleep(200 * time.Millisecond)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("normal request during the slowloris: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("normal request during the slowloris: %d", resp.StatusCode)
	}
	for i := 0; i < clients; i++ {
		o := <-res
		if o.err != nil {
			t.Fatal(o.err)
		}
		// Cut off after the timeout; a loose upper bound for a busy machine.
		if o.elapsed < timeout-100*time.Millisecond || o.elapsed > 10*timeout {
			t.Errorf("slow client cut off after %v (%d header lines), want about %v", o.elapsed, o.sent, timeout)
		}
	}
	t.Logf("%d slow clients cut off within %v", clients, time.Since(start).Round(10*time.Millisecond))
}
