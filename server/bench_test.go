package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// benchGet serves target b.N times and fails on a status other than 200.
func benchGet(b *testing.B, h http.Handler, target string, header ...string) {
	b.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("%s: %d %s", target, w.Code, w.Body.String())
	}
	b.SetBytes(int64(w.Body.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkItems100 serves a page of 100 real districts (the embedded atlas
// with the districts installed from the shared source files).
func BenchmarkItems100(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/collections/districts/items?limit=100&offset=100")
}

// BenchmarkItems100Gzip is the same page compressed for the client.
func BenchmarkItems100Gzip(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/collections/districts/items?limit=100&offset=100", "Accept-Encoding", "gzip")
}

// BenchmarkItems100Synthetic serves 100 small square districts of the test
// atlas (no shared data needed).
func BenchmarkItems100Synthetic(b *testing.B) {
	h := newTest(b, Config{Atlas: fixtureAtlas(b, 600)})
	benchGet(b, h, "/collections/districts/items?limit=100&offset=100")
}

// BenchmarkItemsFiltered selects by equality and bbox before paging.
func BenchmarkItemsFiltered(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/collections/districts/items?country=PAK&bbox=66,28,72,36&limit=100")
}

// BenchmarkItemsCQL2 selects the districts by a CQL2 text filter (the
// bench/run filter case's kind) before paging.
func BenchmarkItemsCQL2(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/collections/districts/items?limit=100&filter="+url.QueryEscape("country = 'AFG' AND name LIKE 'K%'"))
}

// BenchmarkItemsCQL2Spatial selects the districts meeting a point
// (S_INTERSECTS; the geometries are converted once, on the first).
func BenchmarkItemsCQL2Spatial(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/collections/districts/items?limit=100&filter="+url.QueryEscape("S_INTERSECTS(geometry, POINT(66.4 30.9))"))
}

// BenchmarkItemsUTM serves a page of districts in UTM zone 42N.
func BenchmarkItemsUTM(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/collections/districts/items?limit=100&crs="+url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/32642"))
}

// BenchmarkLocate answers /locate for a point near Spin Boldak with the
// districts installed.
func BenchmarkLocate(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/locate?lon=66.3932&lat=30.9906")
}

// BenchmarkItem serves one feature.
func BenchmarkItem(b *testing.B) {
	h := newTest(b, Config{Atlas: realAtlas(b)})
	benchGet(b, h, "/collections/crossings/items/torkham")
}
