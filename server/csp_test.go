package server

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// TestPageCSP: every HTML page carries the strict policy of pageCSP and
// needs nothing it forbids: no script, no style but the layout's (allowed
// by hash), no style attribute, no frame, and a form (the landing page's)
// that submits to the server only.
func TestPageCSP(t *testing.T) {
	tests := []struct{ name, target, base string }{
		{"landing", "/?f=html", ""},
		{"conformance", "/conformance?f=html", ""},
		{"api", "/api?f=html", ""},
		{"collections", "/collections?f=html", ""},
		{"collection", "/collections/crossings?f=html", ""},
		{"queryables", "/collections/crossings/queryables?f=html", ""},
		{"items", "/collections/districts/items?f=html", ""},
		{"item", "/collections/crossings/items/torkham?f=html", ""},
		{"downloads", "/downloads?f=html", ""},
		{"landing behind a proxy", "/?f=html", "https://maps.example.org/durand"},
	}
	script := regexp.MustCompile(`(?i)<script|\son[a-z]+=|javascript:|<iframe|<object|<embed|\sstyle=`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newTest(t, Config{BaseURL: tc.base})
			w := get(t, h, "GET", tc.target)
			if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
			}
			csp := w.Header().Get("Content-Security-Policy")
			want := []string{"default-src 'none'", "style-src 'sha256-", "img-src 'self' data:",
				"base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"}
			if tc.base != "" {
				want = append(want, "form-action 'self' https://maps.example.org;")
			}
			for _, d := range want {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			for _, d := range []string{"script-src", "unsafe-", "connect-src", "*"} {
				if strings.Contains(csp, d) {
					t.Errorf("CSP %q allows %q", csp, d)
				}
			}
			if m := script.FindString(w.Body.String()); m != "" {
				t.Errorf("the page has %q, which its CSP forbids", m)
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff",
				"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
	// JSON answers carry no page policy (they are not documents), nor the
	// other headers that concern documents only; nosniff they do.
	h := newTest(t, Config{})
	w := get(t, h, "GET", "/collections?f=json")
	for _, k := range []string{"Content-Security-Policy", "Referrer-Policy", "X-Frame-Options"} {
		if v := w.Header().Get(k); v != "" {
			t.Errorf("JSON with %s: %s", k, v)
		}
	}
	if w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("JSON without nosniff")
	}
}

// TestMapCSP: the map page's policy lets MapLibre run (its module and
// worker from this server or its CDN, blob: workers, data:/blob: images,
// tiles and style from this server) and forbids inline script and eval.
func TestMapCSP(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg    Config
		origin string
	}{
		"CDN":        {Config{}, " https://unpkg.com"},
		"other CDN":  {Config{MapLibreURL: "https://cdn.example.org/maplibre/dist"}, " https://cdn.example.org"},
		"local copy": {Config{MapLibreDir: fakeMapLibre(t)}, ""},
		"path":       {Config{MapLibreURL: "/static/maplibre"}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, h := tileServer(t, tc.cfg)
			w := get(t, h, "GET", "/map")
			if w.Code != 200 {
				t.Fatalf("/map: %d", w.Code)
			}
			csp := w.Header().Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "script-src 'self'" + tc.origin + ";",
				"worker-src 'self' blob:" + tc.origin + ";", "connect-src 'self'" + tc.origin + ";",
				"img-src 'self' data: blob:", "style-src 'self'" + tc.origin + ";",
				"base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-") || strings.Contains(csp, " *") {
				t.Errorf("CSP %q is not strict", csp)
			}
		})
	}
}

// TestPagesInBrowser loads the HTML pages in headless Chromium: their CSP
// blocks nothing they use (no console error, no violation report, no
// failed request), and the landing page's form submits to /locate.
func TestPagesInBrowser(t *testing.T) {
	geotest.Long(t, "loads nine HTML pages in Chromium; TestPageCSP and TestMapCSP check their policies without it")
	node, _ := requireNodeModules(t, "playwright-core")
	ws := browser.Endpoint(t)
	t.Parallel()
	srv := httptest.NewServer(newTest(t, Config{}))
	defer srv.Close()
	var urls []string
	for _, p := range []string{"/?f=html", "/collections?f=html", "/collections/crossings?f=html", "/collections/districts/items?f=html",
		"/collections/crossings/items/torkham?f=html", "/collections/crossings/queryables?f=html", "/api?f=html",
		"/conformance?f=html", "/downloads?f=html"} {
		urls = append(urls, srv.URL+p)
	}
	out := runNode(t, node, 2*time.Minute, "pages.mjs", append([]string{ws}, urls...)...)
	var res struct {
		Pages map[string]struct {
			ConsoleErrors, Violations, FailedRequests []string
		}
		Form *struct {
			URL    string
			Status int
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("browser output: %v\n%s", err, out)
	}
	for _, u := range urls {
		p, ok := res.Pages[u]
		if !ok {
			t.Errorf("%s: not loaded", u)
			continue
		}
		for _, e := range append(append(p.ConsoleErrors, p.Violations...), p.FailedRequests...) {
			t.Errorf("%s: %s", u, e)
		}
	}
	if res.Form == nil || !strings.HasPrefix(res.Form.URL, srv.URL+"/locate?f=html&lon=") || res.Form.Status != 200 {
		t.Errorf("the landing page's form: %+v", res.Form)
	}
}
