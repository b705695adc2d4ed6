package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/data"
)

// bigPage returns a server over the embedded atlas and the URL of its
// largest page of items (limit=10000), which must exceed gzipInMemory.
func bigPage(t *testing.T, cfg Config) (*server, http.Handler, string) {
	t.Helper()
	a := embeddedAtlas(t)
	cfg.Atlas = a
	s, h := tileServer(t, cfg)
	best, size := "", 0
	for _, c := range s.colls.list {
		if c.load != nil {
			continue // computed on first use (the zones): slow
		}
		p := "/collections/" + c.id + "/items?limit=10000"
		if n := get(t, h, "GET", p).Body.Len(); n > size {
			best, size = p, n
		}
	}
	if size <= 2*gzipInMemory {
		t.Fatalf("largest page %s has %d bytes, want more than %d", best, size, 2*gzipInMemory)
	}
	return s, h, best
}

// TestLargeBodiesStreamed: a page larger than gzipInMemory is sent
// gzip-coded as it is compressed (no Content-Length), decodes to the
// identity body, and has the gzip form of the identity ETag; HEAD sends
// the same headers without compressing anything (it allocates far less
// than the body), and a conditional GET still gets 304.
func TestLargeBodiesStreamed(t *testing.T) {
	_, h, page := bigPage(t, Config{})
	plain := get(t, h, "GET", page)
	gz := get(t, h, "GET", page, "Accept-Encoding", "gzip")
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip GET: %d, Content-Encoding %q", gz.Code, gz.Header().Get("Content-Encoding"))
	}
	if cl := gz.Header().Get("Content-Length"); cl != "" {
		t.Errorf("streamed gzip body with Content-Length %s", cl)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, plain.Body.Bytes()) {
		t.Errorf("the gzip body decodes to %d bytes, not the %d of the identity body", len(body), plain.Body.Len())
	}
	if want := gzipETag(plain.Header().Get("ETag")); gz.Header().Get("ETag") != want {
		t.Errorf("gzip ETag %s, want %s", gz.Header().Get("ETag"), want)
	}
	if again := get(t, h, "GET", page, "Accept-Encoding", "gzip"); !bytes.Equal(again.Body.Bytes(), gz.Body.Bytes()) {
		t.Error("two gzip answers of one page differ (replicas would disagree)")
	}
	if w := get(t, h, "GET", page, "Accept-Encoding", "gzip", "If-None-Match", gz.Header().Get("ETag")); w.Code != 304 {
		t.Errorf("conditional GET: %d, want 304", w.Code)
	}

	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	const heads = 10
	for range heads {
		w := get(t, h, "HEAD", page, "Accept-Encoding", "gzip")
		if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Encoding") != "gzip" ||
			w.Header().Get("ETag") != gz.Header().Get("ETag") || w.Header().Get("Content-Length") != "" {
			t.Fatalf("HEAD: %d, %d body bytes, headers %v", w.Code, w.Body.Len(), w.Header())
		}
	}
	runtime.ReadMemStats(&m1)
	if per := (m1.TotalAlloc - m0.TotalAlloc) / heads; per > uint64(plain.Body.Len()/8) {
		t.Errorf("a HEAD allocates %d bytes for a body of %d: it compresses", per, plain.Body.Len())
	}
}

// TestWorkBudget: with the budget full, expensive work (the tiles of a
// day not yet served, a large HTML page, a download not yet built) is
// refused with 503, Retry-After and a JSON error once BusyWait has
// passed, while cached tiles and cheap answers go on; freed, the same
// requests succeed; a request whose client has gone stops waiting.
func TestWorkBudget(t *testing.T) {
	s, h := tileServer(t, Config{Atlas: fixtureAtlas(t, htmlItemsCheap+10), MaxBusy: 1, BusyWait: 50 * time.Millisecond})
	get(t, h, "GET", "/tiles/durand/0/0/0.mvt")
	release, err := s.budget.acquire(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	expensive := []string{
		"/tiles/durand/0/0/0.mvt?datetime=2025-10-20",
		"/collections/districts/items?f=html&limit=1000",
		"/downloads/crossings.gpkg",
	}
	for _, p := range expensive {
		w := get(t, h, "GET", p)
		if w.Code != 503 || w.Header().Get("Retry-After") == "" || decode(t, w)["code"] != "ServiceUnavailable" {
			t.Errorf("%s with the budget full: %d, Retry-After %q: %s", p, w.Code, w.Header().Get("Retry-After"), w.Body.String())
		}
	}
	for _, p := range []string{"/tiles/durand/0/0/0.mvt", "/collections/crossings/items", "/healthz"} {
		if w := get(t, h, "GET", p); w.Code != 200 {
			t.Errorf("%s with the budget full: %d", p, w.Code)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", expensive[0], nil).WithContext(ctx))
	if w.Code == 503 || w.Code >= 500 && w.Code != 503 && w.Code < 600 {
		t.Errorf("a request whose client has gone: %d, want it abandoned (499) without waiting", w.Code)
	}
	release()
	for _, p := range expensive {
		if w := get(t, h, "GET", p); w.Code != 200 && w.Code != 204 {
			t.Errorf("%s with the budget free: %d %s", p, w.Code, w.Body.String())
		}
	}
	if n := s.budget.inUse(); n != 0 {
		t.Errorf("%d budget slots still taken after every request ended", n)
	}
}

// TestDatetimeYears: a datetime names a year from minYear to maxYear, on
// the items, the tiles and TileJSON alike; year 0000 no longer wraps.
func TestDatetimeYears(t *testing.T) {
	_, h := tileServer(t, Config{})
	for _, tc := range []struct {
		v    string
		want int
	}{
		{"0000-01-01", 400}, {"0000-01-01T00:00:00Z", 400}, {"1799-12-31", 400}, {"1800-01-01", 200},
		{"2025-10-20", 200}, {"2200-12-31", 200}, {"2201-01-01", 400}, {"9999-12-31", 400},
		{"0000-01-01/2025-10-01", 400}, {"../2201-01-01", 400}, {"1893-11-12/..", 200},
	} {
		for _, p := range []string{"/collections/crossings/items?datetime=", "/tiles/durand.json?datetime=", "/tiles/durand/0/0/0.mvt?datetime="} {
			w := get(t, h, "GET", p+tc.v)
			got := w.Code
			if got == 204 {
				got = 200
			}
			if got != tc.want {
				t.Errorf("%s%s: %d, want %d", p, tc.v, w.Code, tc.want)
			}
			if strings.Contains(w.Body.String(), "datetime=1") && strings.HasPrefix(tc.v, "0000") {
				t.Errorf("%s%s: %s", p, tc.v, w.Body.String())
			}
		}
	}
}

// TestPartialTilesNotCacheable: from the start until the zones join the
// tiles, a tile (and TileJSON, the style) may lack the zones layer but is
// then never cacheable; every cacheable tile has every layer. Checked on
// the tile 0/0/0, asked for over and over while the zones are computed.
func TestPartialTilesNotCacheable(t *testing.T) {
	a, err := data.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, h := tileServer(t, Config{Atlas: a})
	partial, complete := 0, 0
	check := func() {
		w := get(t, h, "GET", "/tiles/durand/0/0/0.mvt")
		if w.Code != 200 {
			t.Fatalf("tile: %d", w.Code)
		}
		_, zones := decodeTile(t, w.Body.Bytes())["zones"]
		cc := w.Header().Get("Cache-Control")
		switch {
		case cc == cacheNone:
			partial++
		case zones:
			complete++
		default:
			t.Errorf("a tile without the zones layer served with Cache-Control %q", cc)
		}
		for _, p := range []string{"/tiles/durand.json", "/styles/durand.json"} {
			w := get(t, h, "GET", p)
			if cc := w.Header().Get("Cache-Control"); cc != cacheNone && !strings.Contains(w.Body.String(), `"zones"`) {
				t.Errorf("%s without the zones served with Cache-Control %q", p, cc)
			}
		}
	}
	for done := false; !done; {
		select {
		case <-s.tiles.deferredDone:
			done = true
		default:
		}
		check()
		time.Sleep(20 * time.Millisecond)
	}
	check()
	if partial == 0 || complete == 0 {
		t.Errorf("%d partial and %d complete answers: the test saw no start-up (or no end of it)", partial, complete)
	}
	if w := get(t, h, "GET", "/tiles/durand/0/0/0.mvt"); w.Header().Get("Cache-Control") != cacheData {
		t.Errorf("the complete tile: Cache-Control %q", w.Header().Get("Cache-Control"))
	}
}
