package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/durandline/durand/geo/geotest"
)

// benchServe serves req b.N times through h and fails on another status.
func benchServe(b *testing.B, h http.Handler, req *http.Request, status int) {
	b.Helper()
	w := geotest.NewDiscardResponse()
	h.ServeHTTP(w, req)
	if w.Code != status {
		b.Fatalf("%s: status %d, want %d", req.URL, w.Code, status)
	}
	b.SetBytes(int64(w.Bytes))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.Reset()
		h.ServeHTTP(w, req)
	}
	if w.Code != status {
		b.Fatalf("status %d", w.Code)
	}
}

// benchTile is a tile of zoom 8 over Torkham in the real atlas (districts
// installed): 40 to 60 KiB with every layer.
func benchTile(b *testing.B, cfg Config) (*server, http.Handler, string) {
	b.Helper()
	cfg.Atlas = realAtlas(b)
	s, err := newServer(cfg)
	if err != nil {
		b.Fatal(err)
	}
	id := tileAt(b, s, 71.09, 34.11, 8)
	// The deferred layers (zones) change the data version when they
	// arrive: wait for them, so that the timed requests are cache hits.
	<-s.tiles.deferredDone
	return s, s.handler(), "/tiles/durand/" + id.String() + ".mvt"
}

// discardAccess is an AccessLogger that formats nothing: what the
// middleware costs beside the log line.
type discardAccess struct{ slog.Handler }

func (discardAccess) Enabled(context.Context, slog.Level) bool { return true }
func (discardAccess) LogAccess(AccessEntry)                    {}

// BenchmarkTileCachedNoLog serves a cached, gzip-coded tile through the
// whole handler with an access logger that writes nothing (the cost of
// the line itself: BenchmarkAccessLog in cmd/durand).
func BenchmarkTileCachedNoLog(b *testing.B) {
	_, h, target := benchTile(b, Config{Logger: slog.New(discardAccess{slog.DiscardHandler})})
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	benchServe(b, h, req, 200)
}

// BenchmarkTileCached serves a cached tile through the whole handler
// (middleware, router, cache lookup, write).
func BenchmarkTileCached(b *testing.B) {
	_, h, target := benchTile(b, Config{})
	benchServe(b, h, httptest.NewRequest("GET", target, nil), 200)
}

// BenchmarkTileCachedGzip is the same tile, gzip-coded for the client.
func BenchmarkTileCachedGzip(b *testing.B) {
	_, h, target := benchTile(b, Config{})
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	benchServe(b, h, req, 200)
}

// BenchmarkTileCachedNotModified answers a conditional request with 304.
func BenchmarkTileCachedNotModified(b *testing.B) {
	s, h, target := benchTile(b, Config{})
	req := httptest.NewRequest("GET", target, nil)
	w := geotest.NewDiscardResponse()
	h.ServeHTTP(w, req)
	req.Header.Set("If-None-Match", w.Header().Get("ETag"))
	_ = s
	benchServe(b, h, req, 304)
}

// BenchmarkTileCachedWrite is the cache lookup and write alone, without
// the middleware and the router: the cost the tile code adds.
func BenchmarkTileCachedWrite(b *testing.B) {
	s, _, target := benchTile(b, Config{})
	req := httptest.NewRequest("GET", target, nil)
	id := tileAt(b, s, 71.09, 34.11, 8)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := s.tiles.entry(0, 0, id.Z, id.X, id.Y)
		if err != nil {
			b.Fatal(err)
		}
		s.tiles.write(w, r, e, true)
	})
	benchServe(b, h, req, 200)
}

// BenchmarkTileCold generates the tile on every request (no cache): the
// tileset lookup, clipping, simplification, encoding and gzip.
func BenchmarkTileCold(b *testing.B) {
	_, h, target := benchTile(b, Config{TileCacheBytes: -1})
	benchServe(b, h, httptest.NewRequest("GET", target, nil), 200)
}

// BenchmarkTileStaticFile is the reference: the same tile as a file served
// by net/http's FileServer through the same kind of writer.
func BenchmarkTileStaticFile(b *testing.B) {
	_, h, target := benchTile(b, Config{})
	w := geotest.NewDiscardResponse()
	req := httptest.NewRequest("GET", target, nil)
	var body []byte
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body = rec.Body.Bytes()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tile.mvt"), body, 0o644); err != nil {
		b.Fatal(err)
	}
	_ = w
	benchServe(b, http.FileServer(http.Dir(dir)), httptest.NewRequest("GET", "/tile.mvt", nil), 200)
}
