package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// garbage is a bad value for a parameter; anyType marks values that are bad
// for every parameter, text parameters included.
type garbage struct {
	name, raw string // raw is put into the query string as it is
	anyType   bool
}

func garbageValues() []garbage {
	return []garbage{
		{"empty", "", true},
		{"very long", strings.Repeat("9", 300), true},
		{"malformed escape", "%zz", true},
		{"letters", "abc", false},
		{"NaN", "NaN", false},
		{"infinity", "Infinity", false},
		{"negative infinity", "-Inf", false},
		{"overflowing float", "1e400", false},
		{"huge integer", "99999999999999999999999", false},
		{"minus", "-", false},
		{"hex", "0x10", false},
		{"two numbers", "1,2", false},
		{"arabic-indic digits", url.QueryEscape("١٢٣"), false},
		{"nul byte", "%00", false},
		{"signs", "+-1", false},
		{"leading space", "%205", false},
		{"script", url.QueryEscape("<script>alert(1)</script>"), false},
	}
}

// badInputRoute is a route with a valid query and the parameters to spoil.
type badInputRoute struct {
	path   string
	valid  [][2]string       // a valid query, in order
	params map[string]string // parameter -> its type: typed or text
}

func badInputRoutes() []badInputRoute {
	f := map[string]string{"f": "typed"}
	items := map[string]string{"f": "typed", "limit": "typed", "offset": "typed", "bbox": "typed", "datetime": "typed",
		"chainage_km": "typed", "name": "text", "method": "text"}
	return []badInputRoute{
		{"/", nil, f},
		{"/conformance", nil, f},
		{"/api", nil, f},
		{"/collections", nil, f},
		{"/collections/crossings", nil, f},
		{"/collections/crossings/queryables", nil, f},
		{"/collections/crossings/items", nil, items},
		{"/collections/crossings/items/torkham", nil, f},
		{"/locate", [][2]string{{"lon", "67"}, {"lat", "34"}}, map[string]string{"lon": "typed", "lat": "typed", "f": "typed"}},
		{"/border", nil, f},
		{"/border/point", [][2]string{{"km", "10"}}, map[string]string{"km": "typed", "f": "typed"}},
		{"/border/segment", [][2]string{{"from_km", "1"}, {"to_km", "2"}}, map[string]string{"from_km": "typed", "to_km": "typed", "f": "typed"}},
		{"/downloads", nil, f},
		{"/downloads/crossings.csv", nil, nil},
		{"/healthz", nil, nil},
		{"/metrics", nil, nil},
	}
}

// buildQuery returns the valid query with param set to raw (appended when
// absent); repeat sends the parameter twice with valid values.
func buildQuery(valid [][2]string, param, raw string, repeat bool) string {
	var parts []string
	found := false
	for _, kv := range valid {
		if kv[0] == param {
			found = true
			if repeat {
				parts = append(parts, kv[0]+"="+kv[1], kv[0]+"="+kv[1])
				continue
			}
			parts = append(parts, kv[0]+"="+raw)
			continue
		}
		parts = append(parts, kv[0]+"="+kv[1])
	}
	if !found {
		if repeat {
			parts = append(parts, param+"=json", param+"=json")
		} else {
			parts = append(parts, param+"="+raw)
		}
	}
	return strings.Join(parts, "&")
}

// TestBadInput gives every parameter of every route garbage and expects a
// 4xx JSON error each time, and a server that goes on serving.
func TestBadInput(t *testing.T) {
	h := newTest(t, Config{})
	check := func(t *testing.T, target string) {
		t.Helper()
		req := httptest.NewRequest("GET", "http://example.com/", nil)
		req.URL.Path, req.URL.RawQuery, _ = strings.Cut(target, "?")
		if p, err := url.PathUnescape(req.URL.Path); err == nil {
			req.URL.RawPath, req.URL.Path = req.URL.Path, p
		}
		req.RequestURI = target
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code < 400 || w.Code > 499 {
			t.Fatalf("%s: status %d, want 4xx: %.200s", target, w.Code, w.Body.String())
		}
		if w.Header().Get("Content-Type") != mediaJSON {
			t.Errorf("%s: Content-Type %q", target, w.Header().Get("Content-Type"))
		}
		m := decode(t, w)
		if m["code"] == nil || m["description"] == nil || strings.Contains(w.Body.String(), "<script>") {
			t.Errorf("%s: body %s", target, w.Body.String())
		}
	}
	n := 0
	for _, rt := range badInputRoutes() {
		params := map[string]string{"unknown_param": "typed", "LIMIT": "typed"}
		for k, v := range rt.params {
			params[k] = v
		}
		for p, typ := range params {
			for _, g := range garbageValues() {
				if typ == "text" && !g.anyType {
					continue
				}
				target := rt.path + "?" + buildQuery(rt.valid, p, g.raw, false)
				t.Run(rt.path+"/"+p+"/"+g.name, func(t *testing.T) { check(t, target) })
				n++
			}
			target := rt.path + "?" + buildQuery(rt.valid, p, "", true)
			t.Run(rt.path+"/"+p+"/repeated", func(t *testing.T) { check(t, target) })
			n++
		}
		// Required parameters left out.
		for i := range rt.valid {
			rest := append(append([][2]string(nil), rt.valid[:i]...), rt.valid[i+1:]...)
			target := rt.path + "?" + buildQuery(rest, "f", "json", false)
			t.Run(rt.path+"/missing "+rt.valid[i][0], func(t *testing.T) { check(t, target) })
			n++
		}
	}
	// Garbage in path segments and in the values the handlers check
	// beyond the syntax.
	for _, target := range []string{
		"/collections/%00", "/collections/" + strings.Repeat("x", 2000), "/collections/crossings/items/%20",
		"/collections/crossings/items/" + strings.Repeat("x", 2000), "/downloads/crossings.", "/downloads/.csv",
		"/downloads/crossings.csv.csv", "/downloads/crossings.GPKG", "/collections/crossings/items?limit=0",
		"/collections/crossings/items?limit=-1", "/collections/crossings/items?offset=-1", "/collections/crossings/items?bbox=10,10,5,5",
		"/collections/crossings/items?bbox=0,10,5,5", "/collections/crossings/items?bbox=-181,0,0,1", "/collections/crossings/items?bbox=0,-91,1,0",
		"/collections/crossings/items?bbox=1,2,3", "/collections/crossings/items?bbox=1,2,3,4,5", "/collections/crossings/items?bbox=1,2,3,4,,",
		"/collections/crossings/items?bbox=1,2,9,3,4,1", "/collections/crossings/items?datetime=2020-13-01",
		"/collections/crossings/items?datetime=2021-01-01/2020-01-01", "/collections/crossings/items?datetime=../..",
		"/collections/crossings/items?datetime=/", "/collections/crossings/items?datetime=2020-01-01/2021-01-01/2022-01-01",
		"/border/point?km=-0.001", "/border/point?km=1e9", "/border/segment?from_km=-1&to_km=1",
		"/locate?lon=180.0001&lat=0", "/locate?lon=0&lat=90.5", "/locate?lon=1e308&lat=1e308",
		"/collections/districts/items?province=", "/collections/crossings/items?f=JSON",
	} {
		t.Run(target, func(t *testing.T) { check(t, target) })
		n++
	}
	if n < 300 {
		t.Errorf("only %d bad requests", n)
	}
	if w := get(t, h, "GET", "/healthz"); w.Code != 200 {
		t.Fatalf("healthz after %d bad requests: %d", n, w.Code)
	}
}

// TestBadInputOverTheWire sends garbage through a real listener and checks
// the server keeps answering on the same connection pool.
func TestBadInputOverTheWire(t *testing.T) {
	srv := httptest.NewServer(newTest(t, Config{}))
	defer srv.Close()
	for _, target := range []string{"/locate?lon=NaN&lat=1", "/collections/crossings/items?limit=1e400", "/border/point?km=%zz",
		"/collections/crossings/items?bbox=" + strings.Repeat("1,", 1000), "/downloads/x.y"} {
		resp, err := http.Get(srv.URL + target)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode > 499 {
			t.Errorf("%s: %d", target, resp.StatusCode)
		}
	}
	resp, err := http.Get(srv.URL + "/collections/crossings/items?limit=1")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("valid request after garbage: %v %v", resp, err)
	}
	resp.Body.Close()
}
