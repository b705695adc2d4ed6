package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/durandline/durand/geo"
)

// TestRoutes requests every route and checks the status, the content type
// and something of the body.
func TestRoutes(t *testing.T) {
	h := newTest(t, Config{})
	tests := []struct {
		name, target string
		accept       string
		status       int
		ctype        string
		contains     string
	}{
		{"landing", "/", "", 200, mediaJSON, `"rel":"service-desc"`},
		{"landing html", "/?f=html", "", 200, mediaHTML, "<h1>Durand Line atlas</h1>"},
		{"conformance", "/conformance", "", 200, mediaJSON, "conf/geojson"},
		{"conformance html", "/conformance?f=html", "", 200, mediaHTML, "conf/oas30"},
		{"api", "/api", "", 200, mediaJSON, `"openapi":"3.0.3"`},
		{"api openapi type", "/api", "application/vnd.oai.openapi+json;version=3.0", 200, mediaOpenAPI, `"openapi":"3.0.3"`},
		{"api html", "/api?f=html", "", 200, mediaHTML, "/collections/{collectionId}/items"},
		{"collections", "/collections", "", 200, mediaJSON, `"id":"districts"`},
		{"collections html", "/collections?f=html", "", 200, mediaHTML, "Border crossings"},
		{"collection", "/collections/crossings", "", 200, mediaJSON, `"bbox":[[64.5,30.25,70,34.5]]`},
		{"collection html", "/collections/provinces?f=html", "", 200, mediaHTML, "<svg"},
		{"queryables", "/collections/districts/queryables", "", 200, mediaJSON, `"province":{"title":"province","type":"string"}`},
		{"queryables html", "/collections/districts/queryables?f=html", "", 200, mediaHTML, "<code>province</code>"},
		{"items", "/collections/crossings/items", "", 200, mediaGeoJSON, `"numberMatched":3,"numberReturned":3`},
		{"items geo+json accept", "/collections/crossings/items", "application/geo+json", 200, mediaGeoJSON, `"type":"FeatureCollection"`},
		{"items html", "/collections/provinces/items?f=html", "", 200, mediaHTML, "Kandahar"},
		{"items html by accept", "/collections/provinces/items", "text/html,application/xhtml+xml,*/*;q=0.8", 200, mediaHTML, "<svg"},
		{"item crossing", "/collections/crossings/items/torkham", "", 200, mediaGeoJSON, `"id":"torkham"`},
		{"item province", "/collections/provinces/items/AFG-1741", "", 200, mediaGeoJSON, `"name":"Kandahar"`},
		{"item html", "/collections/crossings/items/torkham?f=html", "", 200, mediaHTML, "Torkham"},
		{"locate", "/locate?lon=67&lat=34", "", 200, mediaJSON, `"province":"Kandahar"`},
		{"border", "/border", "", 200, mediaJSON, `"cited_length_km":2611`},
		{"border point", "/border/point?km=100", "", 200, mediaGeoJSON, `"type":"Point"`},
		{"border segment", "/border/segment?from_km=10&to_km=200", "", 200, mediaGeoJSON, `"type":"LineString"`},
		{"downloads", "/downloads", "", 200, mediaJSON, `/downloads/provinces.gpkg`},
		{"downloads html", "/downloads?f=html", "", 200, mediaHTML, "/downloads/provinces.gpkg"},
		{"download geojson", "/downloads/crossings.geojson", "", 200, mediaGeoJSON, `"attribution":"Crossings: test data"`},
		{"download gpkg", "/downloads/provinces.gpkg", "", 200, "application/geopackage+sqlite3", "SQLite format 3"},
		{"download kml", "/downloads/border.kml", "", 200, "application/vnd.google-earth.kml+xml", "<kml"},
		{"download csv", "/downloads/districts.csv", "", 200, "text/csv; charset=utf-8", "WKT,id,"},
		{"healthz", "/healthz", "", 200, mediaJSON, `"status":"ok"`},
		{"metrics", "/metrics", "", 200, "text/plain", "durand_http_requests_total"},
		{"unknown path", "/nope", "", 404, mediaJSON, `"code":"NotFound"`},
		{"unknown collection", "/collections/events", "", 404, mediaJSON, `"code":"NotFound"`},
		{"unknown collection items", "/collections/zones/items", "", 404, mediaJSON, `"code":"NotFound"`},
		{"unknown feature", "/collections/crossings/items/nowhere", "", 404, mediaJSON, `"code":"NotFound"`},
		{"unknown download format", "/downloads/crossings.shp", "", 404, mediaJSON, `"code":"NotFound"`},
		{"unknown download collection", "/downloads/events.gpkg", "", 404, mediaJSON, `"code":"NotFound"`},
		{"trailing slash", "/collections/", "", 404, mediaJSON, `"code":"NotFound"`},
		{"not acceptable", "/collections", "image/png", 406, mediaJSON, `"code":"NotAcceptable"`},
		{"html not offered", "/border", "text/html", 406, mediaJSON, `"code":"NotAcceptable"`},
		{"unknown parameter", "/collections?foo=1", "", 400, mediaJSON, `"code":"InvalidParameterValue"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, h, http.MethodGet, tc.target, "Accept", tc.accept)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %.300s", w.Code, tc.status, w.Body.String())
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("Content-Type %q, want %q", ct, tc.ctype)
			}
			if !strings.Contains(w.Body.String(), tc.contains) {
				t.Errorf("body lacks %q: %.500s", tc.contains, w.Body.String())
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
			if cc := w.Header().Get("Cache-Control"); cc == "" {
				t.Error("no Cache-Control")
			}
			if tc.status == 200 && tc.name != "metrics" {
				if et := w.Header().Get("ETag"); !strings.HasPrefix(et, `"`) || len(et) < 10 {
					t.Errorf("ETag %q is not a strong entity tag", et)
				}
				if cl, _ := strconv.Atoi(w.Header().Get("Content-Length")); cl != w.Body.Len() {
					t.Errorf("Content-Length %d, body %d bytes", cl, w.Body.Len())
				}
			}
			if tc.status >= 400 {
				m := decode(t, w)
				if len(m) != 2 || m["code"] == "" || m["description"] == "" {
					t.Errorf("error body %v, want exactly code and description", m)
				}
				if w.Header().Get("Cache-Control") != cacheNone {
					t.Errorf("error Cache-Control %q", w.Header().Get("Cache-Control"))
				}
			}
		})
	}
}

func TestCaching(t *testing.T) {
	h := newTest(t, Config{})
	for _, target := range []string{"/collections/provinces/items", "/downloads/provinces.gpkg", "/api", "/?f=html"} {
		t.Run(target, func(t *testing.T) {
			w1 := get(t, h, "GET", target)
			w2 := get(t, h, "GET", target)
			et := w1.Header().Get("ETag")
			if et == "" || et != w2.Header().Get("ETag") || strings.HasPrefix(et, "W/") {
				t.Fatalf("ETags %q, %q: want the same strong tag", et, w2.Header().Get("ETag"))
			}
			if w1.Header().Get("Cache-Control") == cacheNone {
				t.Errorf("Cache-Control %q for data", w1.Header().Get("Cache-Control"))
			}
			for _, inm := range []string{et, "W/" + et, `"other", ` + et, "*"} {
				w := get(t, h, "GET", target, "If-None-Match", inm)
				if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") != et {
					t.Errorf("If-None-Match %s: status %d, %d bytes, ETag %q; want 304, empty, same tag", inm, w.Code, w.Body.Len(), w.Header().Get("ETag"))
				}
			}
			if w := get(t, h, "GET", target, "If-None-Match", `"other"`); w.Code != 200 {
				t.Errorf("non-matching If-None-Match: status %d", w.Code)
			}
			// gzip: another tag, same content, and either tag revalidates.
			wz := get(t, h, "GET", target, "Accept-Encoding", "gzip, deflate")
			if wz.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("no gzip for %d bytes", w1.Body.Len())
			}
			zr, err := gzip.NewReader(wz.Body)
			if err != nil {
				t.Fatal(err)
			}
			if plain := readAll(t, zr); plain != w1.Body.String() {
				t.Errorf("gunzipped body differs from the plain one")
			}
			etz := wz.Header().Get("ETag")
			if etz == et || !strings.HasSuffix(etz, `-gzip"`) {
				t.Errorf("gzip ETag %q, plain %q", etz, et)
			}
			if !strings.Contains(wz.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q", wz.Header().Get("Vary"))
			}
			for _, inm := range []string{et, etz} {
				if w := get(t, h, "GET", target, "If-None-Match", inm, "Accept-Encoding", "gzip"); w.Code != 304 {
					t.Errorf("gzip request, If-None-Match %s: status %d", inm, w.Code)
				}
			}
			if w := get(t, h, "GET", target, "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
				t.Error("gzip sent although q=0")
			}
		})
	}
	if w := get(t, h, "GET", "/healthz"); w.Header().Get("Cache-Control") != cacheNone {
		t.Errorf("/healthz Cache-Control %q", w.Header().Get("Cache-Control"))
	}
}

// TestHEAD uses a real server, where HEAD bodies are dropped as on the wire.
func TestHEAD(t *testing.T) {
	srv := httptest.NewServer(newTest(t, Config{}))
	defer srv.Close()
	for _, path := range []string{"/", "/collections", "/collections/districts/items?limit=2", "/collections/crossings/items/torkham",
		"/locate?lon=67&lat=34", "/border", "/downloads/crossings.kml", "/healthz", "/metrics", "/api", "/nope"} {
		t.Run(path, func(t *testing.T) {
			greq, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			greq.Header.Set("Accept-Encoding", "gzip")
			g, err := http.DefaultClient.Do(greq)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, g.Body)
			g.Body.Close()
			req, _ := http.NewRequest(http.MethodHead, srv.URL+path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			hd, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			hb := readAll(t, hd.Body)
			hd.Body.Close()
			if hd.StatusCode != g.StatusCode || hb != "" {
				t.Errorf("HEAD: status %d with %d bytes; GET %d", hd.StatusCode, len(hb), g.StatusCode)
			}
			for _, k := range []string{"Content-Type", "ETag", "Cache-Control", "X-Content-Type-Options", "Content-Encoding"} {
				if hd.Header.Get(k) != g.Header.Get(k) {
					t.Errorf("%s: HEAD %q, GET %q", k, hd.Header.Get(k), g.Header.Get(k))
				}
			}
			// HEAD does not compress, so a gzip-coded answer has no
			// Content-Length (RFC 9110 9.3.2 lets HEAD omit it); an
			// identity one has the GET's.
			if hd.Header.Get("Content-Encoding") == "gzip" && g.Header.Get("Content-Encoding") == "gzip" {
				if hd.ContentLength != -1 && hd.ContentLength != int64(len(body)) {
					t.Errorf("HEAD Content-Length %d, GET body %d bytes", hd.ContentLength, len(body))
				}
			} else if path != "/metrics" && hd.ContentLength != int64(len(body)) {
				t.Errorf("HEAD Content-Length %d, GET body %d bytes", hd.ContentLength, len(body))
			}
		})
	}
}

func TestMethods(t *testing.T) {
	h := newTest(t, Config{})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		for _, path := range []string{"/", "/collections/crossings/items", "/downloads/crossings.csv", "/metrics"} {
			w := get(t, h, m, path)
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") == "" {
				t.Errorf("%s %s: %d, Allow %q; want 405 with Allow", m, path, w.Code, w.Header().Get("Allow"))
			}
			if m := decode(t, w); m["code"] != "MethodNotAllowed" {
				t.Errorf("body %v", m)
			}
		}
	}
	if w := get(t, h, "POST", "/nope"); w.Code != 404 {
		t.Errorf("POST to an unknown path: %d, want 404", w.Code)
	}
	// OPTIONS without CORS: the methods allowed.
	w := get(t, h, "OPTIONS", "/collections")
	if w.Code != http.StatusNoContent || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

func TestCORS(t *testing.T) {
	open := newTest(t, Config{})
	w := get(t, open, "GET", "/collections", "Origin", "https://app.example")
	if w.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "ETag") || !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "Content-Crs") {
		t.Errorf("GET with Origin: headers %v", w.Header())
	}
	if w := get(t, open, "GET", "/collections"); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS headers without an Origin")
	}
	pre := func(h http.Handler, path, origin, method string) *httptest.ResponseRecorder {
		return get(t, h, "OPTIONS", path, "Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", "If-None-Match")
	}
	w = pre(open, "/collections/crossings/items", "https://app.example", "GET")
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "*" ||
		w.Header().Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" || w.Header().Get("Access-Control-Allow-Headers") != "If-None-Match" ||
		w.Header().Get("Access-Control-Max-Age") == "" {
		t.Errorf("preflight: %d %v", w.Code, w.Header())
	}
	if w := pre(open, "/collections", "https://app.example", "POST"); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("preflight for POST: %d", w.Code)
	}
	if w := pre(open, "/nope", "https://app.example", "GET"); w.Code != http.StatusNotFound {
		t.Errorf("preflight for an unknown path: %d", w.Code)
	}

	strict := newTest(t, Config{CORSOrigins: []string{"https://ok.example"}})
	w = get(t, strict, "GET", "/collections", "Origin", "https://ok.example")
	if w.Header().Get("Access-Control-Allow-Origin") != "https://ok.example" || !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Origin") {
		t.Errorf("allowed origin: %v", w.Header())
	}
	w = get(t, strict, "GET", "/collections", "Origin", "https://evil.example")
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: %d %v", w.Code, w.Header())
	}
	if w := pre(strict, "/collections", "https://evil.example", "GET"); w.Code != http.StatusForbidden {
		t.Errorf("preflight from another origin: %d", w.Code)
	}
	if w := pre(strict, "/collections", "https://ok.example", "GET"); w.Code != http.StatusNoContent {
		t.Errorf("preflight from the allowed origin: %d", w.Code)
	}
}

func TestNegotiation(t *testing.T) {
	h := newTest(t, Config{})
	tests := []struct {
		name, target, accept string
		status               int
		ctype                string
	}{
		{"no accept", "/collections", "", 200, mediaJSON},
		{"any", "/collections", "*/*", 200, mediaJSON},
		{"browser", "/collections", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200, mediaHTML},
		{"json preferred", "/collections", "text/html;q=0.5, application/json", 200, mediaJSON},
		{"html refused", "/collections", "text/html;q=0, */*", 200, mediaJSON},
		{"gdal", "/collections/crossings/items", "application/geo+json, application/json", 200, mediaGeoJSON},
		{"json suffix", "/collections/crossings", "application/vnd.custom+json", 200, mediaJSON},
		{"text wildcard", "/collections", "text/*", 200, mediaHTML},
		{"f wins over accept", "/collections?f=json", "text/html", 200, mediaJSON},
		{"f html wins", "/collections?f=html", "application/json", 200, mediaHTML},
		{"only images", "/collections", "image/png, image/*", 406, mediaJSON},
		{"json refused", "/locate?lon=67&lat=34", "application/json;q=0", 406, mediaJSON},
		{"bad f", "/collections?f=xml", "", 400, mediaJSON},
		{"html f on json-only", "/border?f=html", "", 400, mediaJSON},
		{"malformed q ignored", "/collections", "text/html;q=abc, application/json", 200, mediaJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, h, "GET", tc.target, "Accept", tc.accept)
			if w.Code != tc.status || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.ctype) {
				t.Errorf("%d %s, want %d %s", w.Code, w.Header().Get("Content-Type"), tc.status, tc.ctype)
			}
		})
	}
}

// itemIDs returns the feature ids of an items response.
func itemIDs(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	for _, f := range m["features"].([]any) {
		out = append(out, f.(map[string]any)["id"].(string))
	}
	return out
}

func TestItemsPaging(t *testing.T) {
	h := newTest(t, Config{Atlas: fixtureAtlas(t, 25), BaseURL: "http://api.test"})
	// Walk the next links with a page size of 7.
	target := "/collections/districts/items?limit=7"
	var ids []string
	pages := 0
	for target != "" {
		w := get(t, h, "GET", target)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body.String())
		}
		m := decode(t, w)
		if m["numberMatched"].(float64) != 25 {
			t.Fatalf("numberMatched %v, want 25", m["numberMatched"])
		}
		page := itemIDs(t, m)
		if int(m["numberReturned"].(float64)) != len(page) {
			t.Errorf("numberReturned %v, %d features", m["numberReturned"], len(page))
		}
		if pages > 0 && linkHref(m, "prev") == "" {
			t.Errorf("page %d has no prev link", pages)
		}
		if linkHref(m, "self") == "" || linkHref(m, "alternate", "text/html") == "" || linkHref(m, "collection") == "" {
			t.Errorf("page %d links: %v", pages, m["links"])
		}
		ids = append(ids, page...)
		pages++
		next := linkHref(m, "next")
		if next == "" {
			break
		}
		if !strings.HasPrefix(next, "http://api.test/collections/districts/items?") {
			t.Fatalf("next link %q does not use the base URL", next)
		}
		target = strings.TrimPrefix(next, "http://api.test")
	}
	if pages != 4 || len(ids) != 25 {
		t.Fatalf("%d pages, %d ids; want 4 pages, 25", pages, len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s seen twice", id)
		}
		seen[id] = true
	}

	tests := []struct {
		name, query       string
		returned, matched int
		first             string
		next, prev        bool
	}{
		{"default limit", "", 25, 25, "AFG-D1", false, false},
		{"limit 1", "limit=1", 1, 25, "AFG-D1", true, false},
		{"offset", "limit=2&offset=2", 2, 25, "PAK-D1", true, true},
		{"last page", "limit=10&offset=20", 5, 25, "PAK-G0020", false, true},
		{"past the end", "offset=100", 0, 25, "", false, true},
		{"clamped limit", "limit=1000000", 25, 25, "AFG-D1", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := decode(t, get(t, h, "GET", "/collections/districts/items?"+tc.query))
			ids := itemIDs(t, m)
			if len(ids) != tc.returned || int(m["numberMatched"].(float64)) != tc.matched {
				t.Fatalf("%d returned of %v, want %d of %d", len(ids), m["numberMatched"], tc.returned, tc.matched)
			}
			if tc.first != "" && ids[0] != tc.first {
				t.Errorf("first id %s, want %s", ids[0], tc.first)
			}
			if (linkHref(m, "next") != "") != tc.next || (linkHref(m, "prev") != "") != tc.prev {
				t.Errorf("next %q prev %q", linkHref(m, "next"), linkHref(m, "prev"))
			}
		})
	}
	m := decode(t, get(t, h, "GET", "/collections/districts/items?limit=20000&offset=1"))
	if p := linkHref(m, "prev"); !strings.Contains(p, "limit=10000") || !strings.Contains(p, "offset=0") {
		t.Errorf("prev link after clamping: %q", p)
	}
}

func TestItemsFilters(t *testing.T) {
	h := newTest(t, Config{Atlas: fixtureAtlas(t, 25)})
	tests := []struct {
		name, target string
		want         []string // nil: only check the count
		matched      int
	}{
		{"country and province", "/collections/districts/items?country=AFG&province=Kandahar", []string{"AFG-D1", "AFG-D2"}, 2},
		{"case and diacritics", "/collections/districts/items?province=kandahār", []string{"AFG-D1", "AFG-D2"}, 2},
		{"no match", "/collections/districts/items?country=IRN", []string{}, 0},
		{"name", "/collections/crossings/items?name=Torkham", []string{"torkham"}, 1},
		{"number", "/collections/crossings/items?chainage_km=700", []string{"angoor_adda"}, 1},
		{"number spelled differently", "/collections/crossings/items?chainage_km=7e2", []string{"angoor_adda"}, 1},
		{"bbox point layer", "/collections/crossings/items?bbox=64,30,68,33", []string{"chaman", "angoor_adda"}, 2},
		{"bbox polygons", "/collections/provinces/items?bbox=66.5,33,67,34", []string{"AFG-1741"}, 1},
		{"bbox inside a polygon", "/collections/countries/items?bbox=62,35,62.1,35.1", []string{"AFG"}, 1},
		{"bbox crossing the border", "/collections/countries/items?bbox=67,31,68,32.5", []string{"AFG", "PAK"}, 2},
		{"bbox with heights", "/collections/crossings/items?bbox=64,30,0,68,33,100", []string{"chaman", "angoor_adda"}, 2},
		{"bbox empty area", "/collections/crossings/items?bbox=0,0,1,1", []string{}, 0},
		{"bbox and filter", "/collections/districts/items?bbox=66,33,70,36&province=Kandahar", []string{"AFG-D1", "AFG-D2"}, 2},
		{"bbox line", "/collections/border/items?bbox=69.1,33,69.3,33.5", []string{"durand_line"}, 1},
		{"bbox off the line", "/collections/border/items?bbox=61,31,62,32", []string{}, 0},
		{"datetime on undated collection", "/collections/crossings/items?datetime=2020-01-01", []string{}, 0},
		{"filter and paging", "/collections/districts/items?province=Khyber%20Pakhtunkhwa&limit=5", nil, 22},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, h, "GET", tc.target)
			if w.Code != 200 {
				t.Fatalf("%d %s", w.Code, w.Body.String())
			}
			m := decode(t, w)
			if int(m["numberMatched"].(float64)) != tc.matched {
				t.Errorf("numberMatched %v, want %d", m["numberMatched"], tc.matched)
			}
			if tc.want != nil {
				got := itemIDs(t, m)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
					t.Errorf("ids %v, want %v", got, tc.want)
				}
			}
			if next := linkHref(m, "next"); next != "" {
				u, _ := url.Parse(next)
				if u.Query().Get("province") == "" {
					t.Errorf("next link %q loses the filter", next)
				}
			}
		})
	}
}

func TestItemAndLinks(t *testing.T) {
	h := newTest(t, Config{BaseURL: "https://maps.example.org/durand/"})
	m := decode(t, get(t, h, "GET", "/collections/provinces/items/AFG-1741"))
	if m["id"] != "AFG-1741" || m["type"] != "Feature" {
		t.Fatalf("feature %v", m)
	}
	if self := linkHref(m, "self"); self != "https://maps.example.org/durand/collections/provinces/items/AFG-1741?f=json" {
		t.Errorf("self %q", self)
	}
	if c := linkHref(m, "collection"); c != "https://maps.example.org/durand/collections/provinces" {
		t.Errorf("collection link %q", c)
	}
	c := decode(t, get(t, h, "GET", "/collections/crossings"))
	if c["itemType"] != "feature" || c["attribution"] != "Crossings: test data" || c["title"] != "Border crossings" {
		t.Errorf("collection %v", c)
	}
	ext := c["extent"].(map[string]any)["spatial"].(map[string]any)
	if ext["crs"] != crs84 {
		t.Errorf("extent crs %v", ext["crs"])
	}
	if _, ok := c["extent"].(map[string]any)["temporal"]; ok {
		t.Error("temporal extent for an undated collection")
	}
	enclosures := 0
	for _, l := range c["links"].([]any) {
		if l.(map[string]any)["rel"] == "enclosure" {
			enclosures++
		}
	}
	if enclosures != 4 {
		t.Errorf("%d enclosure links, want one per download format", enclosures)
	}
	land := decode(t, get(t, h, "GET", "/"))
	for _, rel := range []string{"self", "alternate", "service-desc", "service-doc", "conformance", "data"} {
		if linkHref(land, rel) == "" {
			t.Errorf("landing page has no %s link", rel)
		}
	}
}

func TestNoDistricts(t *testing.T) {
	h := newTest(t, Config{Atlas: fixtureAtlas(t, 0)})
	m := decode(t, get(t, h, "GET", "/collections"))
	var ids []string
	for _, c := range m["collections"].([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	if fmt.Sprint(ids) != "[border countries provinces crossings]" {
		t.Errorf("collections %v", ids)
	}
	if w := get(t, h, "GET", "/collections/districts/items"); w.Code != 404 {
		t.Errorf("districts without districts: %d", w.Code)
	}
	if w := get(t, h, "GET", "/locate?lon=67&lat=34"); !strings.Contains(w.Body.String(), `"province":"Kandahar"`) || strings.Contains(w.Body.String(), "district") {
		t.Errorf("locate without districts: %s", w.Body.String())
	}
}

func TestBorderQueries(t *testing.T) {
	a := fixtureAtlas(t, 3)
	h := newTest(t, Config{Atlas: a})
	b := decode(t, get(t, h, "GET", "/border"))
	wantLen := a.Border().Length() / 1000
	if got := b["length_km"].(float64); got < wantLen-0.001 || got > wantLen+0.001 {
		t.Errorf("length_km %v, want %v", got, wantLen)
	}
	if b["vertices"].(float64) != 5 || b["cited_length_km"].(float64) != geo.CitedBorderLengthKm || b["length_note"] != geo.BorderLengthNote {
		t.Errorf("border %v", b)
	}
	tps := b["tripoints"].([]any)
	if len(tps) != 2 || tps[0].(map[string]any)["name"] != "Iran–Afghanistan–Pakistan tripoint" || tps[1].(map[string]any)["lon"].(float64) != 71 {
		t.Errorf("tripoints %v", tps)
	}
	p := decode(t, get(t, h, "GET", "/border/point?km=0"))
	if c := p["geometry"].(map[string]any)["coordinates"].([]any); c[0].(float64) != 61 || c[1].(float64) != 29.5 {
		t.Errorf("point at 0 km: %v", c)
	}
	s := decode(t, get(t, h, "GET", "/border/segment?from_km=300&to_km=100"))
	props := s["properties"].(map[string]any)
	if props["from_km"].(float64) != 100 || props["to_km"].(float64) != 300 || props["length_km"].(float64) < 199.9 || props["length_km"].(float64) > 200.1 {
		t.Errorf("segment %v", props)
	}
	loc := decode(t, get(t, h, "GET", "/locate?lon=64&lat=28"))
	if loc["country"] != "PAK" || loc["province"] != "Balochistan" || loc["nearest_crossing"].(map[string]any)["id"] != "chaman" {
		t.Errorf("locate %v", loc)
	}
	if d := loc["border"].(map[string]any)["distance_m"].(float64); d < 100000 || d > 300000 {
		t.Errorf("distance to the border %v m", d)
	}
	for _, target := range []string{"/border/point?km=-1", "/border/point?km=99999", "/border/segment?from_km=0&to_km=5000",
		"/locate?lon=200&lat=0", "/locate?lon=0&lat=-91", "/locate?lon=1", "/border/segment?from_km=1"} {
		if w := get(t, h, "GET", target); w.Code != 400 {
			t.Errorf("%s: %d, want 400", target, w.Code)
		}
	}
}

func TestDownloads(t *testing.T) {
	h := newTest(t, Config{})
	for _, c := range []string{"border", "countries", "provinces", "districts", "crossings"} {
		for ext, ctype := range map[string]string{"geojson": mediaGeoJSON, "gpkg": "application/geopackage+sqlite3",
			"kml": "application/vnd.google-earth.kml+xml", "csv": "text/csv"} {
			w := get(t, h, "GET", "/downloads/"+c+"."+ext)
			if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), ctype) {
				t.Errorf("%s.%s: %d %s", c, ext, w.Code, w.Header().Get("Content-Type"))
			}
			want := `attachment; filename="durand-` + c + "." + ext + `"`
			if got := w.Header().Get("Content-Disposition"); got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
		}
	}
}

func TestMetricsAndLogs(t *testing.T) {
	var logs bytes.Buffer
	h := newTest(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	get(t, h, "GET", "/collections/crossings/items")
	get(t, h, "GET", "/collections/crossings/items/torkham")
	get(t, h, "GET", "/nope")
	get(t, h, "POST", "/collections")
	m := get(t, h, "GET", "/metrics").Body.String()
	for _, want := range []string{
		`durand_http_requests_total{code="200",method="GET",route="/collections/{collectionId}/items"} 1`,
		`durand_http_requests_total{code="200",method="GET",route="/collections/{collectionId}/items/{featureId}"} 1`,
		`durand_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`durand_http_requests_total{code="405",method="POST",route="unmatched"} 1`,
		`durand_http_request_duration_seconds_count{method="GET",route="/collections/{collectionId}/items"} 1`,
		"go_goroutines", "process_cpu_seconds_total",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d log lines, want one a request:\n%s", len(lines), logs.String())
	}
	if !strings.Contains(lines[0], `"route":"/collections/{collectionId}/items"`) || !strings.Contains(lines[0], `"status":200`) ||
		!strings.Contains(lines[2], `"status":404`) {
		t.Errorf("log lines:\n%s", logs.String())
	}
}

func TestPanicRecovery(t *testing.T) {
	var logs bytes.Buffer
	s, err := newServer(Config{Atlas: fixtureAtlas(t, 0), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom in handler") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "boom") || strings.Contains(w.Body.String(), "goroutine") {
		t.Errorf("panic answered %d %s", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "boom in handler") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	// An internal error from a handler is a 500 without details.
	w = httptest.NewRecorder()
	s.writeError(w, httptest.NewRequest("GET", "/", nil), errors.New("secret detail"))
	if w.Code != 500 || strings.Contains(w.Body.String(), "secret") {
		t.Errorf("internal error answered %d %s", w.Code, w.Body.String())
	}
}

func TestConfig(t *testing.T) {
	a := fixtureAtlas(t, 0)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no atlas", Config{}},
		{"relative base URL", Config{Atlas: a, BaseURL: "/durand"}},
		{"base URL with query", Config{Atlas: a, BaseURL: "http://x.org/?a=1"}},
		{"ftp base URL", Config{Atlas: a, BaseURL: "ftp://x.org"}},
		{"CORS origin with path", Config{Atlas: a, CORSOrigins: []string{"https://x.org/app"}}},
		{"CORS origin without scheme", Config{Atlas: a, CORSOrigins: []string{"x.org"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("New: %v, want ErrConfig", err)
			}
		})
	}
	// Two servers in one process have their own registries.
	if _, err := New(Config{Atlas: a}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Atlas: a}); err != nil {
		t.Fatalf("second server: %v", err)
	}
}

func TestHTMLEscaping(t *testing.T) {
	h := newTest(t, Config{})
	for _, target := range []string{"/collections/%3Cscript%3E?f=html", "/collections/crossings/items/%3Cscript%3E?f=html", "/%3Cscript%3E"} {
		w := get(t, h, "GET", target)
		if strings.Contains(w.Body.String(), "<script>") {
			t.Errorf("%s echoes markup: %s", target, w.Body.String())
		}
	}
	body := get(t, h, "GET", "/collections/crossings/items?f=html&name=Torkham").Body.String()
	for _, want := range []string{`<svg class="map"`, `href="http://example.com/collections/crossings/items/torkham?f=html"`, "Features 1–1 of 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("items page lacks %q", want)
		}
	}
}

func TestQueryables(t *testing.T) {
	h := newTest(t, Config{})
	m := decode(t, get(t, h, "GET", "/collections/crossings/queryables"))
	props := m["properties"].(map[string]any)
	// source_lon is declared (a number) though no crossing of the fixture
	// has one; arrays are no queryables.
	for name, typ := range map[string]string{"afg_province": "string", "chainage_km": "number", "method": "string", "name": "string",
		"source_lon": "number", "uncertainty_m": "integer"} {
		p, ok := props[name].(map[string]any)
		if !ok || p["type"] != typ {
			t.Errorf("queryable %s: %v, want type %s", name, props[name], typ)
		}
	}
	for _, no := range []string{"alt_names", "sources"} {
		if _, ok := props[no]; ok {
			t.Errorf("%s offered as a queryable", no)
		}
	}
	if m["type"] != "object" || m["$schema"] == nil {
		t.Errorf("not a JSON Schema: %v", m)
	}
}

func TestHealthAfterGarbage(t *testing.T) {
	srv := httptest.NewServer(newTest(t, Config{}))
	defer srv.Close()
	// A request line and headers over the limits of net/http itself are
	// refused before the handler; the server goes on serving.
	req, _ := http.NewRequest("GET", srv.URL+"/collections?"+strings.Repeat("a=b&", 2000), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("8 KB query: %d", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after garbage: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestConcurrent serves many requests at once, first downloads included
// (run with -race).
func TestConcurrent(t *testing.T) {
	h := newTest(t, Config{Atlas: fixtureAtlas(t, 25)})
	targets := []string{"/downloads/districts.gpkg", "/downloads/provinces.kml", "/collections/districts/items?limit=5&offset=3",
		"/collections/provinces/items?f=html", "/locate?lon=67&lat=34", "/api", "/metrics", "/border/segment?from_km=1&to_km=50"}
	errs := make(chan string, 64)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 16; i++ {
				target := targets[(g+i)%len(targets)]
				w := get(t, h, "GET", target, "Accept-Encoding", []string{"gzip", ""}[i%2])
				if w.Code != 200 {
					errs <- fmt.Sprintf("%s: %d", target, w.Code)
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	// Every client got the same download.
	a, b := get(t, h, "GET", "/downloads/districts.gpkg"), get(t, h, "GET", "/downloads/districts.gpkg")
	if a.Header().Get("ETag") != b.Header().Get("ETag") || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Error("the download changed between requests")
	}
}
