package tiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

func TestTileJSON(t *testing.T) {
	ts, err := NewTileset(goldenLayers(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ts.TileJSON(TileJSONOptions{
		Tiles:             []string{"https://tiles.example.org/durand/{z}/{x}/{y}.mvt"},
		Name:              "Durand Line atlas",
		Version:           "1.0.0",
		Attribution:       "Natural Earth; geoBoundaries",
		LayerDescriptions: map[string]string{"border": "The Durand Line"},
		FieldDescriptions: map[string]map[string]string{"crossings": {"name": "Name of the crossing"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden", "tilejson.json")
	if *update {
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(path); err != nil || !bytes.Equal(append(b, '\n'), want) {
		t.Errorf("TileJSON differs from %s (run go test ./tiles -update if intended): %v\n%s", path, err, b)
	}

	// Structural checks against the specification.
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"tilejson", "tiles", "vector_layers"} {
		if _, ok := m[k]; !ok {
			t.Errorf("required key %q missing", k)
		}
	}
	if m["tilejson"] != "3.0.0" || m["scheme"] != "xyz" {
		t.Errorf("tilejson %v scheme %v", m["tilejson"], m["scheme"])
	}
	min, max := m["minzoom"].(float64), m["maxzoom"].(float64)
	if !(0 <= min && min <= max && max <= 30) {
		t.Errorf("zoom range %v–%v", min, max)
	}
	names := map[string]bool{}
	for _, v := range m["vector_layers"].([]any) {
		l := v.(map[string]any)
		id, _ := l["id"].(string)
		names[id] = true
		if _, ok := l["fields"].(map[string]any); !ok {
			t.Errorf("layer %s: fields is not an object", id)
		}
		if lz, hz := l["minzoom"].(float64), l["maxzoom"].(float64); lz < min || hz > max {
			t.Errorf("layer %s zooms %v–%v outside %v–%v", id, lz, hz, min, max)
		}
	}
	for _, li := range ts.Layers() {
		if !names[li.Name] {
			t.Errorf("layer %s missing from vector_layers", li.Name)
		}
	}
	bd := doc.Bounds
	if !(bd[0] <= doc.Center[0] && doc.Center[0] <= bd[2] && bd[1] <= doc.Center[1] && doc.Center[1] <= bd[3]) {
		t.Errorf("center %v outside bounds %v", doc.Center, bd)
	}
	if bd[0] < 60 || bd[2] > 78 || bd[1] < 23 || bd[3] > 38.5 {
		t.Errorf("bounds %v are not the region's", bd)
	}
	var crossings VectorLayer
	for _, l := range doc.VectorLayers {
		if l.ID == "crossings" {
			crossings = l
		}
	}
	if crossings.Fields["name"] != "Name of the crossing" || crossings.Fields["chainage_km"] != FieldNumber {
		t.Errorf("crossings fields %v", crossings.Fields)
	}
}

func TestTileJSONErrors(t *testing.T) {
	ts, err := NewTileset([]Layer{{Name: "empty"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tiles := range [][]string{nil, {"/tiles/{z}/{x}/{y}.mvt"}, {"tiles/{z}/{x}/{y}"}, {"ftp://x/{z}/{x}/{y}"}} {
		if _, err := ts.TileJSON(TileJSONOptions{Tiles: tiles}); !errors.Is(err, ErrOptions) {
			t.Errorf("tiles %q: err %v", tiles, err)
		}
	}
	doc, err := ts.TileJSON(TileJSONOptions{Tiles: []string{"http://localhost:8080/{z}/{x}/{y}.mvt"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	if !bytes.Contains(b, []byte(`"fields":{}`)) {
		t.Errorf("empty layer must have fields {}: %s", b)
	}
	if doc.Bounds != [4]float64{-180, -MaxLatitude, 180, MaxLatitude} {
		t.Errorf("empty tileset bounds %v", doc.Bounds)
	}
	// A single point: bounds collapse to it, center on it.
	one, err := NewTileset([]Layer{{Name: "p", Features: []Feature{{Geometry: orb.Point{71.09, 34.11}}}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err = one.TileJSON(TileJSONOptions{Tiles: []string{"http://localhost/{z}/{x}/{y}.mvt"}})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Bounds != [4]float64{71.09, 34.11, 71.09, 34.11} || doc.Center != [3]float64{71.09, 34.11, 14} {
		t.Errorf("point tileset: bounds %v center %v", doc.Bounds, doc.Center)
	}
}
