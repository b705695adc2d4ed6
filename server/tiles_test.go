package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/tiles"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// tileServer returns the server over the test atlas with districts.
func tileServer(t testing.TB, cfg Config) (*server, http.Handler) {
	t.Helper()
	if cfg.Atlas == nil {
		cfg.Atlas = fixtureAtlas(t, 3)
	}
	s, err := newServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.handler()
}

// zonedTileServer returns a tile server over the embedded atlas (events,
// zones, crossing status) once its deferred layers, the zones, are tiled.
func zonedTileServer(t testing.TB) (*server, http.Handler) {
	t.Helper()
	a := embeddedAtlas(t)
	s, h := tileServer(t, Config{Atlas: a})
	if _, err := s.tiles.current(); err != nil {
		t.Fatal(err)
	}
	<-s.tiles.deferredDone
	return s, h
}

// tileAt returns the tile address of a point at zoom z as "z/x/y".
func tileAt(t testing.TB, s *server, lon, lat float64, z uint32) tiles.TileID {
	t.Helper()
	ts, err := s.tiles.tileset()
	if err != nil {
		t.Fatal(err)
	}
	return ts.TileAt(lon, lat, z)
}

// decodeTile decodes an MVT body with orb and returns its layers by name.
func decodeTile(t testing.TB, body []byte) map[string]*mvt.Layer {
	t.Helper()
	ls, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("the tile does not decode: %v", err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range ls {
		out[l.Name] = l
	}
	return out
}

func TestTileResponses(t *testing.T) {
	s, h := tileServer(t, Config{})
	id := tileAt(t, s, 66, 31, 5) // on the border, in every layer but districts (zoom 6+)
	tile := "/tiles/durand/" + id.String() + ".mvt"

	w := get(t, h, "GET", tile)
	if w.Code != 200 {
		t.Fatalf("%s: %d %s", tile, w.Code, w.Body.String())
	}
	hd := w.Header()
	for k, want := range map[string]string{
		"Content-Type": mediaMVT, "Cache-Control": cacheData, "Vary": "Accept-Encoding",
		"X-Content-Type-Options": "nosniff", "Content-Encoding": "",
		// Headers of HTML pages only (see secure).
		"Referrer-Policy": "", "X-Frame-Options": "", "Content-Security-Policy": "",
	} {
		if got := hd.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	// Date: set by the tile code (formatted once a second), as net/http would.
	if d, err := http.ParseTime(hd.Get("Date")); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date %q: %v", hd.Get("Date"), err)
	}
	etag := hd.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") || etag != etagOf(w.Body.Bytes()) {
		t.Errorf("ETag %s is not the strong tag of the body", etag)
	}
	layers := decodeTile(t, w.Body.Bytes())
	for _, name := range []string{"border", "countries", "provinces", "crossings"} {
		if layers[name] == nil {
			t.Errorf("layer %s missing from %s (have %v)", name, tile, keys(layers))
		}
	}
	if layers["districts"] != nil {
		t.Errorf("districts at zoom 5 (they start at 6)")
	}
	raw := w.Body.Bytes()

	t.Run("pbf", func(t *testing.T) {
		w := get(t, h, "GET", "/tiles/durand/"+id.String()+".pbf")
		if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), raw) {
			t.Errorf(".pbf: %d, same body %v", w.Code, bytes.Equal(w.Body.Bytes(), raw))
		}
	})
	t.Run("gzip", func(t *testing.T) {
		w := get(t, h, "GET", tile, "Accept-Encoding", "br, gzip;q=0.8")
		if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("ETag") != gzipETag(etag) {
			t.Fatalf("Content-Encoding %q, ETag %q", w.Header().Get("Content-Encoding"), w.Header().Get("ETag"))
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if !bytes.Equal(b, raw) {
			t.Error("gunzipped body differs from the plain tile")
		}
		if w := get(t, h, "GET", tile, "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
			t.Error("gzip;q=0 still got gzip")
		}
	})
	t.Run("conditional", func(t *testing.T) {
		for _, inm := range []string{etag, gzipETag(etag), "W/" + etag, `"other", ` + etag, "*"} {
			w := get(t, h, "GET", tile, "If-None-Match", inm)
			if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") == "" {
				t.Errorf("If-None-Match %s: %d, %d bytes", inm, w.Code, w.Body.Len())
			}
		}
		if w := get(t, h, "GET", tile, "If-None-Match", `"other"`); w.Code != 200 {
			t.Errorf("non-matching If-None-Match: %d", w.Code)
		}
	})
	t.Run("head", func(t *testing.T) {
		w := get(t, h, "HEAD", tile)
		if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != hd.Get("Content-Length") {
			t.Errorf("HEAD: %d, %d bytes, Content-Length %s", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
		}
	})
	t.Run("cors", func(t *testing.T) {
		w := get(t, h, "GET", tile, "Origin", "https://example.org")
		if w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("no CORS header on a tile")
		}
		w = get(t, h, "OPTIONS", tile, "Origin", "https://example.org", "Access-Control-Request-Method", "GET")
		if w.Code != http.StatusNoContent {
			t.Errorf("preflight: %d", w.Code)
		}
	})
	t.Run("collection", func(t *testing.T) {
		w := get(t, h, "GET", "/tiles/provinces/"+id.String()+".mvt")
		if w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body.String())
		}
		got := decodeTile(t, w.Body.Bytes())
		if !slices.Equal(keys(got), []string{"provinces", "provinces_label"}) && !slices.Equal(keys(got), []string{"provinces"}) {
			t.Errorf("layers of the provinces tile: %v", keys(got))
		}
		if len(got["provinces"].Features) != len(layers["provinces"].Features) {
			t.Errorf("provinces: %d features, %d in the tile of every layer", len(got["provinces"].Features), len(layers["provinces"].Features))
		}
		// OGC API – Tiles: row (y) before column (x).
		ogc := get(t, h, "GET", "/collections/provinces/tiles/WebMercatorQuad/"+itoa(id.Z)+"/"+itoa(id.Y)+"/"+itoa(id.X))
		if ogc.Code != 200 || !bytes.Equal(ogc.Body.Bytes(), w.Body.Bytes()) {
			t.Errorf("OGC tile: %d, same as XYZ %v", ogc.Code, bytes.Equal(ogc.Body.Bytes(), w.Body.Bytes()))
		}
		if id.X != id.Y {
			swapped := get(t, h, "GET", "/collections/provinces/tiles/WebMercatorQuad/"+itoa(id.Z)+"/"+itoa(id.X)+"/"+itoa(id.Y))
			if swapped.Code == 200 && bytes.Equal(swapped.Body.Bytes(), w.Body.Bytes()) {
				t.Error("the OGC tile URL takes column before row")
			}
		}
	})
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestTileErrors(t *testing.T) {
	_, h := tileServer(t, Config{})
	for _, tc := range []struct {
		name, target string
		status       int
	}{
		{"empty tile", "/tiles/durand/5/0/0.mvt", 204},
		{"empty collection tile", "/tiles/crossings/5/0/0.mvt", 204},
		{"empty OGC tile", "/collections/crossings/tiles/WebMercatorQuad/5/0/0", 204},
		{"zoom above 14", "/tiles/durand/15/0/0.mvt", 404},
		{"huge zoom", "/tiles/durand/99999999999/0/0.mvt", 400},
		{"x out of range", "/tiles/durand/2/4/0.mvt", 404},
		{"y out of range", "/tiles/durand/2/0/4.mvt", 404},
		{"negative", "/tiles/durand/2/-1/0.mvt", 400},
		{"letters", "/tiles/durand/z/0/0.mvt", 400},
		{"plus sign", "/tiles/durand/+2/0/0.mvt", 400},
		{"decimal", "/tiles/durand/2/0.5/0.mvt", 400},
		{"bad extension", "/tiles/durand/2/0/0.png", 404},
		{"no extension", "/tiles/durand/2/0/0", 404},
		{"unknown collection", "/tiles/nowhere/2/0/0.mvt", 404},
		{"unknown TileJSON", "/tiles/nowhere.json", 404},
		{"query parameter", "/tiles/durand/2/0/0.mvt?x=1", 400},
		{"OGC unknown TMS", "/collections/crossings/tiles/WorldCRS84Quad/0/0/0", 404},
		{"OGC row out of range", "/collections/crossings/tiles/WebMercatorQuad/1/2/0", 404},
		{"OGC malformed", "/collections/crossings/tiles/WebMercatorQuad/a/0/0", 400},
		{"OGC unknown collection", "/collections/nowhere/tiles", 404},
		{"unknown TMS", "/tileMatrixSets/nowhere", 404},
		{"unknown map asset", "/map/other.js", 404},
		{"no vendor copy", "/vendor/maplibre/maplibre-gl.mjs", 404},
		{"style format", "/styles/durand.json?f=html", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, h, "GET", tc.target)
			if w.Code != tc.status {
				t.Fatalf("%s: %d, want %d: %s", tc.target, w.Code, tc.status, w.Body.String())
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			switch {
			case tc.status == 204:
				if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
					t.Errorf("204 with a body (%d bytes) or a type", w.Body.Len())
				}
			case tc.status >= 400:
				m := decode(t, w)
				if m["code"] == "" || m["description"] == "" || w.Header().Get("Content-Type") != mediaJSON {
					t.Errorf("error body %v", m)
				}
			}
		})
	}
}

// TestTileJSONGolden compares the TileJSON documents of the test atlas
// with testdata/tilejson_*.golden.json (go test -run TileJSONGolden -update
// rewrites them).
func TestTileJSONGolden(t *testing.T) {
	_, h := tileServer(t, Config{})
	for _, id := range []string{"durand", "crossings", "districts"} {
		t.Run(id, func(t *testing.T) {
			w := get(t, h, "GET", "/tiles/"+id+".json")
			if w.Code != 200 || w.Header().Get("Content-Type") != mediaJSON {
				t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
			}
			var doc tiles.TileJSON
			if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.TileJSON != "3.0.0" || doc.MinZoom > doc.MaxZoom || doc.MaxZoom != 14 || len(doc.VectorLayers) == 0 ||
				doc.Tiles[0] != "http://example.com/tiles/"+id+"/{z}/{x}/{y}.mvt" {
				t.Errorf("document: %+v", doc)
			}
			for _, v := range doc.VectorLayers {
				if v.Fields == nil || (id != "durand" && v.ID != id && v.ID != id+"_label") {
					t.Errorf("vector layer %+v", v)
				}
			}
			golden := filepath.Join("testdata", "tilejson_"+id+".golden.json")
			if *update {
				if err := os.WriteFile(golden, w.Body.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestTileJSONGolden -update)", err)
			}
			if !bytes.Equal(w.Body.Bytes(), want) {
				t.Errorf("TileJSON differs from %s:\n%s", golden, w.Body.String())
			}
		})
	}
	// The base URL comes from the request, or BaseURL.
	_, h2 := tileServer(t, Config{BaseURL: "https://maps.example.org/durand/"})
	w := get(t, h2, "GET", "/tiles/durand.json")
	if !strings.Contains(w.Body.String(), `"https://maps.example.org/durand/tiles/durand/{z}/{x}/{y}.mvt"`) {
		t.Errorf("tiles URL not built from BaseURL: %.300s", w.Body.String())
	}
}

func TestOGCTilesDocuments(t *testing.T) {
	_, h := tileServer(t, Config{})
	conf := get(t, h, "GET", "/conformance")
	for _, c := range tileConformanceClasses() {
		if !strings.Contains(conf.Body.String(), `"`+c+`"`) {
			t.Errorf("/conformance lacks %s", c)
		}
	}
	if href := linkHref(decode(t, get(t, h, "GET", "/")), relTilingSchemes); href != "http://example.com/tileMatrixSets" {
		t.Errorf("landing page tiling-schemes link %q", href)
	}
	coll := decode(t, get(t, h, "GET", "/collections/districts"))
	if href := linkHref(coll, relTilesetsVector); href != "http://example.com/collections/districts/tiles" {
		t.Errorf("collection tilesets-vector link %q", href)
	}

	list := decode(t, get(t, h, "GET", "/collections/districts/tiles"))
	ts := list["tilesets"].([]any)[0].(map[string]any)
	if ts["dataType"] != "vector" || ts["crs"] != crsWebMercator || ts["tileMatrixSetURI"] != tmsURI ||
		linkHref(ts, "self") != "http://example.com/collections/districts/tiles/WebMercatorQuad" ||
		linkHref(ts, relTilingScheme) != "http://example.com/tileMatrixSets/WebMercatorQuad" {
		t.Errorf("tileset list entry %v", ts)
	}

	meta := decode(t, get(t, h, "GET", "/collections/districts/tiles/WebMercatorQuad"))
	var item map[string]any
	for _, l := range meta["links"].([]any) {
		if lm := l.(map[string]any); lm["rel"] == "item" {
			item = lm
		}
	}
	if item["href"] != "http://example.com/collections/districts/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}" ||
		item["templated"] != true || item["type"] != mediaMVT {
		t.Errorf("item link %v", item)
	}
	layers := meta["layers"].([]any)
	if len(layers) != 2 {
		t.Fatalf("layers %v", layers)
	}
	d := layers[0].(map[string]any)
	if d["id"] != "districts" || d["geometryDimension"] != 2.0 || d["minTileMatrix"] != "6" || d["maxTileMatrix"] != "14" ||
		d["propertiesSchema"].(map[string]any)["properties"].(map[string]any)["name"].(map[string]any)["type"] != "string" {
		t.Errorf("layer %v", d)
	}
	if lim := meta["tileMatrixSetLimits"].([]any); len(lim) != 15 {
		t.Errorf("%d tile matrix limits", len(lim))
	}

	tms := decode(t, get(t, h, "GET", "/tileMatrixSets/WebMercatorQuad"))
	ms := tms["tileMatrices"].([]any)
	m5 := ms[5].(map[string]any)
	if tms["uri"] != tmsURI || tms["crs"] != crsWebMercator || m5["id"] != "5" || m5["matrixWidth"] != 32.0 ||
		!near(m5["scaleDenominator"].(float64), 17471320.7508974, 1e-3) {
		t.Errorf("WebMercatorQuad: %v", m5)
	}
	if l := decode(t, get(t, h, "GET", "/tileMatrixSets"))["tileMatrixSets"].([]any); len(l) != 1 {
		t.Errorf("tile matrix sets %v", l)
	}
}

func near(a, b, tol float64) bool { return a-b < tol && b-a < tol }

// TestTileCache checks the byte bound, LRU order, the data version in the
// key and that concurrent misses compute a tile once.
func TestTileCache(t *testing.T) {
	entry := func(x uint32, n int) *tileEntry {
		return newTileEntry(tileKey{x: x}, bytes.Repeat([]byte{byte(x)}, n), nil)
	}
	one := entry(0, 1000).size
	c := newTileCache(3 * one)
	for x := uint32(0); x < 3; x++ {
		c.put(entry(x, 1000))
	}
	if c.lookup(tileKey{x: 0}) == nil { // 0 becomes the most recent
		t.Fatal("entry 0 missing")
	}
	c.put(entry(3, 1000)) // evicts 1, the least recently used
	if c.lookup(tileKey{x: 1}) != nil || c.lookup(tileKey{x: 0}) == nil || c.lookup(tileKey{x: 3}) == nil {
		t.Errorf("LRU order not kept")
	}
	if st := c.stats(); st.Bytes > st.MaxBytes || st.Entries != 3 || st.Evictions != 1 {
		t.Errorf("stats %+v", st)
	}
	c.put(entry(9, 10*1000)) // larger than the cache: not stored
	if c.lookup(tileKey{x: 9}) != nil {
		t.Error("an entry larger than the cache was stored")
	}
	if c.lookup(tileKey{x: 0, version: 1}) != nil {
		t.Error("another data version hit the cache")
	}

	var mu sync.Mutex
	calls := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			e, err := c.get(tileKey{x: 42}, func() (*tileEntry, error) {
				mu.Lock()
				calls++
				mu.Unlock()
				return entry(42, 10), nil
			})
			if err != nil || e == nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if calls != 1 {
		t.Errorf("computed %d times", calls)
	}
	boom := errors.New("boom")
	if _, err := c.get(tileKey{x: 43}, func() (*tileEntry, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v", err)
	}
	if _, err := c.get(tileKey{x: 44}, func() (*tileEntry, error) { panic("bad") }); err == nil {
		t.Error("a panic in compute was not returned")
	}
	// A cache of zero bytes stores nothing.
	z := newTileCache(0)
	z.put(entry(1, 10))
	if z.lookup(tileKey{x: 1}) != nil {
		t.Error("zero-byte cache stored an entry")
	}
}

// TestTileCacheDisabled serves tiles with no cache at all.
func TestTileCacheDisabled(t *testing.T) {
	s, h := tileServer(t, Config{TileCacheBytes: -1})
	id := tileAt(t, s, 66, 31, 4)
	for range 2 {
		if w := get(t, h, "GET", "/tiles/provinces/"+id.String()+".mvt"); w.Code != 200 {
			t.Fatalf("%d", w.Code)
		}
	}
	if st := s.tiles.cache.stats(); st.Entries != 0 {
		t.Errorf("disabled cache holds %d entries", st.Entries)
	}
}

func TestWarmTiles(t *testing.T) {
	var logs bytes.Buffer
	h, err := New(Config{Atlas: fixtureAtlas(t, 3), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := WarmTiles(context.Background(), h, 4); err != nil {
		t.Fatal(err)
	}
	s := h.(*handler).s
	st := s.tiles.cache.stats()
	if st.Entries == 0 || st.Misses != 0 {
		t.Errorf("after warm-up: %+v", st)
	}
	for z := 0; z <= 4; z++ {
		if !strings.Contains(logs.String(), "msg=\"tile warm-up\" zoom="+strconv.Itoa(z)) {
			t.Errorf("no progress line for zoom %d:\n%s", z, logs.String())
		}
	}
	id := tileAt(t, s, 66, 31, 3)
	if w := get(t, h, "GET", "/tiles/crossings/"+id.String()+".mvt"); w.Code != 200 {
		t.Fatalf("%d", w.Code)
	}
	if st2 := s.tiles.cache.stats(); st2.Misses != 0 || st2.Hits == 0 {
		t.Errorf("a warm tile was not served from the cache: %+v", st2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WarmTiles(ctx, h, 8); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled warm-up: %v", err)
	}
	if err := WarmTiles(context.Background(), http.NotFoundHandler(), 1); !errors.Is(err, ErrConfig) {
		t.Errorf("foreign handler: %v", err)
	}
}

func TestReservedCollectionID(t *testing.T) {
	_, err := newServer(Config{Atlas: fixtureAtlas(t, 0), ExtraLayers: []layers.Layer{{Name: allTiles}}})
	if !errors.Is(err, ErrConfig) {
		t.Errorf("a collection named %q: %v", allTiles, err)
	}
}

// TestFastTilesPath checks that tiles served without the router are
// counted under their route and answer as the routes do.
func TestFastTilesPath(t *testing.T) {
	s, h := tileServer(t, Config{})
	id := tileAt(t, s, 66, 31, 5).String()
	for _, target := range []string{"/tiles/durand/" + id + ".mvt", "/tiles/provinces/" + id + ".pbf", "/tiles/durand/5/0/0.mvt"} {
		req := httptest.NewRequest("GET", target, nil)
		if _, _, _, _, ok := s.fastTilePath(req); !ok {
			t.Errorf("%s does not take the fast path", target)
		}
		fast := get(t, h, "GET", target)
		slow := httptest.NewRecorder()
		s.router.ServeHTTP(slow, req) // the route, without the fast path
		if fast.Code != slow.Code || !bytes.Equal(fast.Body.Bytes(), slow.Body.Bytes()) || fast.Header().Get("ETag") != slow.Header().Get("ETag") {
			t.Errorf("%s: fast %d, router %d", target, fast.Code, slow.Code)
		}
	}
	for _, target := range []string{"/tiles/durand/5/1/1.png", "/tiles/durand/5/1/1.mvt?x=1", "/tiles/durand/5/a/1.mvt", "/tiles/durand.json",
		"/tiles/nowhere/5/1/1.mvt", "/tiles/durand/5/1/1.2.mvt", "/tiles/durand/5/1/1/1.mvt"} {
		if _, _, _, _, ok := s.fastTilePath(httptest.NewRequest("GET", target, nil)); ok {
			t.Errorf("%s takes the fast path", target)
		}
	}
	metrics := get(t, h, "GET", "/metrics").Body.String()
	for _, want := range []string{`route="/tiles/durand/{z}/{x}/{y}.{tileFormat}"`, `route="/tiles/{collectionId}/{z}/{x}/{y}.{tileFormat}"`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDeferredTiles checks the collections computed on first use (the
// zones): tiles are served at once without them, then with them under a
// new data version once they are tiled; their TileJSON waits for them.
func TestDeferredTiles(t *testing.T) {
	s, _ := tileServer(t, Config{})
	release := make(chan struct{})
	zone := &geojson.Feature{ID: "zone-1", Geometry: orb.Polygon{{{65.5, 30.5}, {66.5, 30.5}, {66.5, 31.5}, {65.5, 31.5}, {65.5, 30.5}}},
		Properties: geojson.Properties{"id": "zone-1", "name": "Band 1"}}
	nowhere := &geojson.Feature{ID: "zone-2", Properties: geojson.Properties{"id": "zone-2"}} // no geometry: not tiled
	c := &collection{id: "zones", title: "Zones", load: func() (layers.Layer, error) {
		<-release
		return layers.Layer{Name: "zones", Title: "Zones", Features: []*geojson.Feature{zone, nowhere}}, nil
	}}
	s.colls.list = append(s.colls.list, c)
	s.colls.byID["zones"] = c
	var err error
	if s.tiles, err = newTileService(s.colls, 0, s.log); err != nil {
		t.Fatal(err)
	}
	s.routes = s.routeTable()
	s.router = s.newRouter()
	h := s.handler()

	id := tileAt(t, s, 66, 31, 6)
	tile := "/tiles/durand/" + id.String() + ".mvt"
	before := get(t, h, "GET", tile)
	if before.Code != 200 || decodeTile(t, before.Body.Bytes())["zones"] != nil {
		t.Fatalf("before the zones: %d", before.Code)
	}
	v1 := s.tiles.state.Load().version
	close(release)
	if tj := decode(t, get(t, h, "GET", "/tiles/zones.json")); len(tj["vector_layers"].([]any)) != 2 {
		t.Errorf("zones TileJSON: %v", tj["vector_layers"])
	}
	<-s.tiles.deferredDone
	if s.tiles.state.Load().version == v1 {
		t.Error("the data version did not change with the zones")
	}
	after := get(t, h, "GET", tile)
	layers := decodeTile(t, after.Body.Bytes())
	if layers["zones"] == nil || len(layers["zones"].Features) != 1 || layers["border"] == nil || after.Header().Get("ETag") == before.Header().Get("ETag") {
		t.Errorf("after the zones: layers %v", keys(layers))
	}
	zt := get(t, h, "GET", "/tiles/zones/"+id.String()+".mvt")
	if got := keys(decodeTile(t, zt.Body.Bytes())); !slices.Contains(got, "zones") || slices.Contains(got, "border") {
		t.Errorf("zones tile layers %v", got)
	}
	st := decode(t, get(t, h, "GET", "/styles/durand.json"))
	found := false
	for _, l := range st["layers"].([]any) {
		found = found || l.(map[string]any)["id"] == "zones-fill"
	}
	if !found {
		t.Error("the style does not draw the zones")
	}
}
