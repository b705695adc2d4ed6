package server

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// TestMapInBrowser loads /map in headless Chromium (Debian's chromium,
// driven by npm playwright-core) with MapLibre served from the local npm
// copy, over the real atlas with the districts installed from the shared
// source files. Once the map is idle there must be no console error and
// no failed request, and the border, district and crossing layers (and
// labels) must have features drawn (map.queryRenderedFeatures); clicking
// a crossing must open its popup (the days, and the day slider, are
// TestMapDaysInBrowser's). The screenshots go to $DURAND_ARTIFACTS
// (CI keeps them) or a temporary directory.
func TestMapInBrowser(t *testing.T) {
	geotest.Long(t, "draws the map of the real atlas in Chromium with WebGL in software, about 25 s of CPU")
	node, modules := requireNodeModules(t, "playwright-core", "maplibre-gl")
	ws := browser.Endpoint(t)
	t.Parallel()
	a := realAtlas(t)
	h, err := New(Config{Atlas: a, MapLibreDir: filepath.Join(modules, "maplibre-gl", "dist")})
	if err != nil {
		t.Fatal(err)
	}
	// The zones take long to tile (see TestDeferredTiles); this view is
	// about the atlas's own layers.
	h.(*handler).s.tiles.noDeferred = true
	srv := httptest.NewServer(h)
	defer srv.Close()

	dir := os.Getenv("DURAND_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "map.png")
	// Zoom 6 over the middle of the border: districts are drawn from 6.
	out := runNode(t, node, 3*time.Minute, "browser.mjs", srv.URL+"/map#6/32.2/68.5", shot, ws)
	var res struct {
		ConsoleErrors  []string       `json:"consoleErrors"`
		FailedRequests []string       `json:"failedRequests"`
		Layers         map[string]int `json:"layers"`
		Crossings      []string       `json:"crossings"`
		Popup          *struct {
			Clicked, Text string
		} `json:"popup"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("browser output: %v\n%s", err, out)
	}
	t.Logf("screenshot: %s", shot)
	t.Logf("features drawn by layer: %v", res.Layers)
	for _, e := range res.ConsoleErrors {
		t.Errorf("console: %s", e)
	}
	for _, r := range res.FailedRequests {
		t.Errorf("failed request: %s", r)
	}
	for _, l := range []string{"border-line", "countries-fill", "provinces-line", "districts-fill", "districts-line",
		"crossings-circle", "countries-label", "provinces-label", "crossings-label"} {
		if res.Layers[l] == 0 {
			t.Errorf("no feature drawn in layer %s", l)
		}
	}
	for _, c := range []string{"Torkham", "Chaman", "Ghulam Khan", "Angoor Adda"} {
		if !strings.Contains(strings.Join(res.Crossings, ","), c) {
			t.Errorf("crossing %s not drawn (drawn: %v)", c, res.Crossings)
		}
	}
	if res.Popup == nil || !strings.Contains(res.Popup.Text, res.Popup.Clicked) || !strings.Contains(res.Popup.Text, "Chainage") {
		t.Errorf("clicking a crossing: popup %+v", res.Popup)
	}
}
