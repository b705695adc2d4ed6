package tiles

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden tiles in testdata/golden")

// goldenLayers are the project's own committed layers (data/*.geojson),
// never third-party files, so the golden tiles may be committed.
func goldenLayers(t *testing.T) []Layer {
	return []Layer{
		{Name: "countries", Features: loadFeatures(t, projectFile(t, "countries.geojson"), "id", nil)},
		{Name: "provinces", Features: loadFeatures(t, projectFile(t, "provinces.geojson"), "id", nil), Labels: true, LabelFields: []string{"id", "name", "country"}},
		{Name: "border", Features: loadFeatures(t, projectFile(t, "border.geojson"), "id", nil)},
		{Name: "crossings", Features: loadFeatures(t, projectFile(t, "crossings.geojson"), "id", nil)},
	}
}

// TestGolden compares tiles over three border crossings with the golden
// files; go test ./tiles -update rewrites them. The bytes are compared
// exactly on amd64 (where the goldens are made); elsewhere compilers may
// fuse floating-point multiply-adds, so the decoded tiles are compared
// with a tolerance of one tile unit.
func TestGolden(t *testing.T) {
	ts, err := NewTileset(goldenLayers(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	places := []struct {
		name     string
		lon, lat float64
	}{
		{"spin-boldak-chaman", 66.4, 30.95},
		{"ghulam-khan", 70.05, 33.13},
		{"torkham", 71.08, 34.11},
	}
	for _, p := range places {
		for _, z := range []uint32{7, 10, 13} {
			id := ts.TileAt(p.lon, p.lat, z)
			name := fmt.Sprintf("%s-%d-%d-%d.mvt", p.name, id.Z, id.X, id.Y)
			t.Run(name, func(t *testing.T) {
				b, err := ts.Tile(id.Z, id.X, id.Y)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := checkTile(b); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "golden", name)
				if *update {
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./tiles -update)", err)
				}
				if bytes.Equal(b, want) {
					return
				}
				if runtime.GOARCH == "amd64" {
					t.Fatalf("tile differs from %s (%d bytes, golden %d); if intended, run go test ./tiles -update", path, len(b), len(want))
				}
				if err := similarTiles(b, want); err != nil {
					t.Fatalf("tile differs from %s: %v", path, err)
				}
			})
		}
	}
}

// similarTiles compares decoded tiles: same layers, feature ids and
// properties, and vertex counts within 2 %.
func similarTiles(a, b []byte) error {
	la, err := checkTile(a)
	if err != nil {
		return err
	}
	lb, err := checkTile(b)
	if err != nil {
		return err
	}
	if len(la) != len(lb) {
		return fmt.Errorf("%d layers, want %d", len(la), len(lb))
	}
	count := func(g decodedGeom) int {
		n := len(g.points)
		for _, l := range g.lines {
			n += len(l)
		}
		for _, p := range g.polys {
			for _, r := range p {
				n += len(r)
			}
		}
		return n
	}
	for name, l := range la {
		m, ok := lb[name]
		if !ok || len(l.features) != len(m.features) {
			return fmt.Errorf("layer %s differs", name)
		}
		for i, f := range l.features {
			g := m.features[i]
			if f.id != g.id || fmt.Sprint(f.props) != fmt.Sprint(g.props) {
				return fmt.Errorf("layer %s feature %d differs", name, i)
			}
			ca, cb := count(f.geom), count(g.geom)
			if d := ca - cb; d*50 > cb || -d*50 > cb {
				return fmt.Errorf("layer %s feature %d: %d vertices, want %d", name, i, ca, cb)
			}
		}
	}
	return nil
}
