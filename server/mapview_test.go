package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMapLibre writes a stand-in for MapLibre's dist folder.
func fakeMapLibre(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"maplibre-gl.mjs":        "export const version = 'test';\n" + strings.Repeat("// padding\n", 200),
		"maplibre-gl-worker.mjs": "self.worker = true;\n",
		"maplibre-gl.css":        ".maplibregl-map{}\n",
		"maplibre-gl-dev.mjs":    "dev\n",
		"maplibre-gl.mjs.map":    "{}",
		"maplibre-gl.d.ts":       "export {};\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMapPage(t *testing.T) {
	_, h := tileServer(t, Config{})
	w := get(t, h, "GET", "/map")
	if w.Code != 200 || w.Header().Get("Content-Type") != mediaHTML {
		t.Fatalf("/map: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.String()
	for _, want := range []string{
		DefaultMapLibreURL + "/maplibre-gl.css",
		`"maplibre":"` + DefaultMapLibreURL + `"`,
		`"style":"http://example.com/styles/durand.json"`,
		`src="http://example.com/map/map.js"`,
		"http://example.com/downloads/districts.gpkg",
		"http://example.com/downloads/crossings.geojson",
		"http://example.com/tiles/crossings.json",
		"Crossings by method",
		`data-colour="#1f5f8b"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/map lacks %s", want)
		}
	}
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' https://unpkg.com", "worker-src 'self' blob: https://unpkg.com",
		"connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline or eval: %s", csp)
	}
	for _, asset := range []string{"/map/map.js", "/map/map.css"} {
		w := get(t, h, "GET", asset, "Accept-Encoding", "gzip")
		if w.Code != 200 || w.Header().Get("ETag") == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d", asset, w.Code)
		}
	}
	if w := get(t, h, "GET", "/favicon.ico"); w.Code != 204 {
		t.Errorf("/favicon.ico: %d", w.Code)
	}
}

func TestMapLibreLocalCopy(t *testing.T) {
	dir := fakeMapLibre(t)
	_, h := tileServer(t, Config{MapLibreDir: dir})
	page := get(t, h, "GET", "/map")
	if !strings.Contains(page.Body.String(), `"maplibre":"http://example.com/vendor/maplibre"`) {
		t.Errorf("the page does not load the local copy")
	}
	if csp := page.Header().Get("Content-Security-Policy"); strings.Contains(csp, "https://") {
		t.Errorf("CSP names another origin with a local copy: %s", csp)
	}
	w := get(t, h, "GET", "/vendor/maplibre/maplibre-gl-worker.mjs?v=6.17.0")
	if w.Code != 200 || w.Header().Get("Content-Type") != mediaJS || w.Body.String() != "self.worker = true;\n" {
		t.Errorf("worker: %d %s %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	w = get(t, h, "GET", "/vendor/maplibre/maplibre-gl.mjs", "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatalf("module not gzipped: %v", err)
	}
	b, _ := io.ReadAll(zr)
	if !bytes.HasPrefix(b, []byte("export const version")) {
		t.Errorf("module body %q", b[:20])
	}
	for _, f := range []string{"maplibre-gl-dev.mjs", "maplibre-gl.mjs.map", "maplibre-gl.d.ts", "..%2fserver.go", "nothing.mjs"} {
		if w := get(t, h, "GET", "/vendor/maplibre/"+f); w.Code == 200 {
			t.Errorf("%s: served", f)
		}
	}
	if w := get(t, h, "GET", "/vendor/maplibre/maplibre-gl.css"); w.Header().Get("Content-Type") != mediaCSS {
		t.Errorf("css type %s", w.Header().Get("Content-Type"))
	}
}

func TestMapLibreConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"relative URL":  {MapLibreURL: "vendor/maplibre"},
		"ftp URL":       {MapLibreURL: "ftp://example.org/dist"},
		"URL query":     {MapLibreURL: "https://example.org/dist?x=1"},
		"missing dir":   {MapLibreDir: filepath.Join(t.TempDir(), "none")},
		"dir no module": {MapLibreDir: t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			if err := cfg.Validate(); err == nil {
				t.Errorf("%+v validated", cfg)
			}
		})
	}
	_, h := tileServer(t, Config{MapLibreURL: "https://cdn.example.org/maplibre/dist/"})
	w := get(t, h, "GET", "/map")
	if !strings.Contains(w.Body.String(), `href="https://cdn.example.org/maplibre/dist/maplibre-gl.css"`) ||
		!strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self' https://cdn.example.org;") {
		t.Errorf("configured MapLibre URL not used: %s", w.Header().Get("Content-Security-Policy"))
	}
}
