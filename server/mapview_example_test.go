package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// TestExampleWebPage loads examples/web/index.html, served from another
// origin than the durand server (as a frontend developer would), in
// headless Chromium over the test atlas: the page must read the TileJSON
// and the crossings' GeoJSON across origins (CORS), draw the tile layers
// and list the crossings, with no console error.
func TestExampleWebPage(t *testing.T) {
	geotest.Long(t, "draws the map of examples/web in Chromium; TestMapInBrowser draws durand's")
	node, modules := requireNodeModules(t, "playwright-core", "maplibre-gl")
	ws := browser.Endpoint(t)
	t.Parallel()
	h, err := New(Config{Atlas: fixtureAtlas(t, 3), MapLibreDir: filepath.Join(modules, "maplibre-gl", "dist")})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(h)
	defer api.Close()
	page := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(geotest.RepoRoot(t), "examples", "web"))))
	defer page.Close()

	dir := os.Getenv("DURAND_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "example-web.png")
	target := page.URL + "/index.html?" + url.Values{"server": {api.URL}, "maplibre": {api.URL + "/vendor/maplibre"}}.Encode()
	out := runNode(t, node, 3*time.Minute, "browser.mjs", target, shot, ws, "crossings-point")
	var res struct {
		ConsoleErrors  []string       `json:"consoleErrors"`
		FailedRequests []string       `json:"failedRequests"`
		Layers         map[string]int `json:"layers"`
		Crossings      []string       `json:"crossings"`
		Text           string         `json:"text"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("browser output: %v\n%s", err, out)
	}
	t.Logf("screenshot: %s; drawn: %v", shot, res.Layers)
	for _, e := range res.ConsoleErrors {
		t.Errorf("console: %s", e)
	}
	for _, r := range res.FailedRequests {
		t.Errorf("failed request: %s", r)
	}
	for _, l := range []string{"border-line", "countries-fill", "crossings-point"} {
		if res.Layers[l] == 0 {
			t.Errorf("no feature drawn in layer %s", l)
		}
	}
	for _, c := range []string{"Torkham", "Chaman", "Angoor Adda"} {
		if !strings.Contains(res.Text, c) {
			t.Errorf("crossing %s not listed", c)
		}
	}
	if !strings.Contains(res.Text, "3 crossings") {
		t.Errorf("status line missing: %.300s", res.Text)
	}
}
