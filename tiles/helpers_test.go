package tiles

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// repoRoot walks up from the package directory to the directory holding
// go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// sharedData returns the path of a file in the shared third-party data
// directory next to the repository (read at test time only, never
// committed). The test is skipped when the file is absent, unless CI is
// set, in which case it fails.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), "..", "shared", "data", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared test data missing under CI: %v", err)
		}
		t.Skipf("shared test data not available: %v", err)
	}
	return p
}

const neAdmin1 = "naturalearth-admin1-afg-pak/ne_10m_admin_1_states_provinces_AFG_PAK.geojson"

// geojsonFC is a minimal GeoJSON FeatureCollection reader for tests
// (Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon).
type geojsonFC struct {
	Features []struct {
		ID         any             `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	} `json:"features"`
}

func parseGeometry(raw json.RawMessage) (orb.Geometry, error) {
	var g geojson.Geometry
	if err := g.UnmarshalJSON(raw); err != nil {
		return nil, err
	}
	return g.Coordinates, nil
}

// countVertices counts the points of g, the closing point of every ring
// included; ringCount says how many of them close a ring.
func countVertices(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.Ring:
		return len(g)
	}
	n := 0
	switch g := g.(type) {
	case orb.MultiLineString:
		for _, l := range g {
			n += len(l)
		}
	case orb.Polygon:
		for _, r := range g {
			n += len(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			n += countVertices(p)
		}
	}
	return n
}

func ringCount(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Polygon:
		return len(g)
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += len(p)
		}
		return n
	}
	return 0
}

// loadFeatures reads a GeoJSON file as tiles features, keeping only the
// listed properties (all if keep is nil). Feature ids come from idProp (or
// the GeoJSON id) through StringID.
func loadFeatures(t testing.TB, path string, idProp string, keep []string) []Feature {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc geojsonFC
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []Feature
	for i, f := range fc.Features {
		g, err := parseGeometry(f.Geometry)
		if err != nil {
			t.Fatalf("%s feature %d: %v", path, i, err)
		}
		props := map[string]any{}
		for k, v := range f.Properties {
			if keep != nil && !contains(keep, k) {
				continue
			}
			props[k] = v
		}
		id := fmt.Sprint(f.ID)
		if idProp != "" {
			id = fmt.Sprint(f.Properties[idProp])
		}
		out = append(out, Feature{ID: StringID(id), Geometry: g, Properties: props})
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// neProvinces loads the Natural Earth admin-1 provinces of Afghanistan and
// Pakistan.
func neProvinces(t testing.TB) []Feature {
	return loadFeatures(t, sharedData(t, neAdmin1), "adm1_code", []string{"adm1_code", "name", "iso_3166_2", "adm0_a3", "area_sqkm"})
}

// projectFile returns the path of one of the project's own committed data
// files (data/*.geojson), skipping the test if it is absent (unless CI is
// set).
func projectFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), "data", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("project data missing under CI: %v", err)
		}
		t.Skipf("project data not available: %v", err)
	}
	return p
}

// projectLayers loads the project's atlas layers as tiles layers:
// countries, provinces (with labels), districts when installed, the border
// line and the crossings.
func projectLayers(t testing.TB) []Layer {
	t.Helper()
	ls := []Layer{
		{Name: "countries", Features: loadFeatures(t, projectFile(t, "countries.geojson"), "id", nil)},
		{Name: "provinces", Features: loadFeatures(t, projectFile(t, "provinces.geojson"), "id", nil), Labels: true},
	}
	if p := filepath.Join(repoRoot(t), "data", "districts.geojson"); fileExists(p) {
		ls = append(ls, Layer{Name: "districts", Features: loadFeatures(t, p, "id", nil), Labels: true, MinZoom: 6})
	}
	ls = append(ls,
		Layer{Name: "border", Features: loadFeatures(t, projectFile(t, "border.geojson"), "id", nil)},
		Layer{Name: "crossings", Features: loadFeatures(t, projectFile(t, "crossings.geojson"), "id", nil)},
	)
	return ls
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
