package server

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// FuzzQuery sends arbitrary query strings to the routes with parameters:
// the answer is 200 or a 4xx JSON error, never a 5xx or a panic.
func FuzzQuery(f *testing.F) {
	h := newTest(f, Config{Atlas: fixtureAtlas(f, 3)})
	for _, s := range []string{"limit=10&offset=5", "bbox=60,29,70,35", "datetime=2020-01-01/..", "country=AFG&province=Kandahar",
		"chainage_km=700", "f=html", "limit=%zz", "bbox=1,2,3,4,5,6", "lon=67&lat=34", "km=100", "from_km=1&to_km=2"} {
		f.Add(s)
	}
	paths := []string{"/collections/districts/items", "/collections/crossings/items", "/locate", "/border/point", "/border/segment", "/collections"}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, p := range paths {
			req := httptest.NewRequest("GET", "http://example.com"+p, nil)
			req.URL.RawQuery = raw
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			switch {
			case w.Code == 200:
			case w.Code >= 400 && w.Code < 500:
				var e struct{ Code, Description string }
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" {
					t.Fatalf("%s?%s: %d with body %q", p, raw, w.Code, w.Body.String())
				}
			default:
				t.Fatalf("%s?%s: status %d: %s", p, raw, w.Code, w.Body.String())
			}
		}
	})
}

// FuzzAccept negotiates arbitrary Accept headers: JSON, HTML or 406.
func FuzzAccept(f *testing.F) {
	h := newTest(f, Config{Atlas: fixtureAtlas(f, 0)})
	for _, s := range []string{"", "*/*", "text/html;q=0.9, application/json", "image/png", "application/geo+json;q=abc", ";;;,,,", "text/*;q=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		req := httptest.NewRequest("GET", "/collections/crossings/items", nil)
		req.Header["Accept"] = []string{accept}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		ct := w.Header().Get("Content-Type")
		if !(w.Code == 200 && (ct == mediaGeoJSON || ct == mediaHTML)) && !(w.Code == 406 && ct == mediaJSON) {
			t.Fatalf("Accept %q: %d %s", accept, w.Code, ct)
		}
	})
}
