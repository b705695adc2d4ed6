package server

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// styleOf fetches and decodes /styles/durand.json.
func styleOf(t *testing.T, cfg Config) (map[string]any, []byte) {
	t.Helper()
	_, h := tileServer(t, cfg)
	w := get(t, h, "GET", "/styles/durand.json")
	if w.Code != 200 || w.Header().Get("Content-Type") != mediaJSON || w.Header().Get("ETag") == "" {
		t.Fatalf("style: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var st map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	return st, w.Body.Bytes()
}

// TestStyleLayers checks that every tile layer is drawn by some style
// layer, the source points at the TileJSON and crossings are coloured by
// method until they carry a status.
func TestStyleLayers(t *testing.T) {
	st, _ := styleOf(t, Config{})
	if st["version"] != 8.0 {
		t.Errorf("version %v", st["version"])
	}
	src := st["sources"].(map[string]any)["durand"].(map[string]any)
	if src["type"] != "vector" || src["url"] != "http://example.com/tiles/durand.json" {
		t.Errorf("source %v", src)
	}
	drawn := map[string]bool{}
	ids := map[string]bool{}
	for _, l := range st["layers"].([]any) {
		lm := l.(map[string]any)
		if ids[lm["id"].(string)] {
			t.Errorf("duplicate layer id %s", lm["id"])
		}
		ids[lm["id"].(string)] = true
		if sl, ok := lm["source-layer"].(string); ok {
			drawn[sl] = true
		}
	}
	for _, l := range knownTileLayers() {
		if !drawn[l] {
			t.Errorf("tile layer %s is not drawn by the style", l)
		}
	}
	for _, id := range []string{"border-line", "crossings-circle", "districts-fill", "districts-label", "provinces-label", "countries-label"} {
		if !ids[id] {
			t.Errorf("no style layer %s", id)
		}
	}
	if st["metadata"].(map[string]any)["durand:crossing-colour-property"] != crossingMethodField {
		t.Errorf("crossings not coloured by method: %v", st["metadata"])
	}
}

// TestStyleHooks adds a crossing layer with a status and a zones layer the
// style does not know, as the events data will: crossings are then
// coloured by status and the new layer gets a generic look.
func TestStyleHooks(t *testing.T) {
	zone := &geojson.Feature{ID: "zone1", Geometry: orb.Polygon{{{66, 31}, {67, 31}, {67, 32}, {66, 31}}},
		Properties: geojson.Properties{"id": "zone1", "name": "A zone", "start_date": "2025-10-11"}}
	status := &geojson.Feature{ID: "s1", Geometry: orb.Point{70, 34.5},
		Properties: geojson.Properties{"id": "s1", "name": "Torkham", "status": "closed"}}
	st, _ := styleOf(t, Config{ExtraLayers: []layers.Layer{
		{Name: "zones", Title: "Zones", Features: []*geojson.Feature{zone}, Updated: time.Unix(0, 0)},
		{Name: "crossing_states", Title: "States", Features: []*geojson.Feature{status}},
	}})
	var got []string
	for _, l := range st["layers"].([]any) {
		lm := l.(map[string]any)
		if sl, _ := lm["source-layer"].(string); strings.HasPrefix(sl, "zones") || strings.HasPrefix(sl, "crossing_states") {
			got = append(got, lm["id"].(string))
		}
	}
	for _, want := range []string{"zones-fill", "zones-line", "zones_label", "crossing_states-circle"} {
		if !slices.Contains(got, want) {
			t.Errorf("no style layer %s for the extra layers (have %v)", want, got)
		}
	}
	prop, _ := crossingColours(map[string]string{"status": "String", "method": "String"})
	if prop != crossingStatusField {
		t.Errorf("crossings with a status are coloured by %s", prop)
	}
}

// TestStyleValidates runs the official validator of the MapLibre style
// specification (npm @maplibre/maplibre-gl-style-spec, gl-style-validate)
// on the style of the test atlas and of one with an extra layer.
func TestStyleValidates(t *testing.T) {
	node, modules := requireNodeModules(t, "@maplibre/maplibre-gl-style-spec")
	t.Parallel() // waits on node; its own servers
	validator := filepath.Join(modules, "@maplibre", "maplibre-gl-style-spec", "dist", "gl-style-validate.mjs")
	if _, err := os.Stat(validator); err != nil {
		t.Fatalf("gl-style-validate not found: %v", err)
	}
	zone := &geojson.Feature{ID: "z", Geometry: orb.Polygon{{{66, 31}, {67, 31}, {67, 32}, {66, 31}}}, Properties: geojson.Properties{"id": "z"}}
	for name, cfg := range map[string]Config{
		"atlas":      {},
		"with zones": {ExtraLayers: []layers.Layer{{Name: "zones", Features: []*geojson.Feature{zone}}}},
		"crisis":     {}, // the embedded atlas: crossings by status, zones by severity, events by kind
	} {
		t.Run(name, func(t *testing.T) {
			_, body := styleOf(t, cfg)
			if name == "crisis" {
				_, body, _ = crisisStyle(t)
			}
			f := filepath.Join(t.TempDir(), "style.json")
			if err := os.WriteFile(f, body, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, node, validator, f).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "" {
				t.Errorf("gl-style-validate: %v\n%s", err, out)
			}
		})
	}
}
