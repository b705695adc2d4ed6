package tiles

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestNewTilesetFrom checks the rule of NewTilesetFrom: whatever changed
// between two versions of the layers, the tileset built from the earlier
// one gives, for every tile of zooms 0 to 7, the bytes NewTileset gives
// for the new layers; and the line and polygon layers are reused exactly
// when none of their geometries changed (and the options are the same).
func TestNewTilesetFrom(t *testing.T) {
	base := projectLayers(t)
	opt := Options{MaxZoom: 7}
	prev, err := NewTileset(base, opt)
	if err != nil {
		t.Fatal(err)
	}
	// edit returns a copy of base with layer name's features changed by fn
	// (the features are copied, the input is not touched).
	edit := func(name string, fn func(fs []Feature) []Feature) []Layer {
		ls := slices.Clone(base)
		for i := range ls {
			if ls[i].Name == name {
				fs := slices.Clone(ls[i].Features)
				for j := range fs {
					fs[j].Properties = maps.Clone(fs[j].Properties)
				}
				ls[i].Features = fn(fs)
			}
		}
		return ls
	}
	tests := []struct {
		name   string
		layers []Layer
		opt    Options
		reused bool
	}{
		{"unchanged", base, opt, true},
		{"point renamed", edit("crossings", func(fs []Feature) []Feature {
			fs[0].Properties["name"] = "Renamed"
			return fs
		}), opt, true},
		{"point moved", edit("crossings", func(fs []Feature) []Feature {
			p := fs[0].Geometry.(orb.Point)
			fs[0].Geometry = orb.Point{p[0] + 0.2, p[1] - 0.1}
			return fs
		}), opt, true},
		{"point removed", edit("crossings", func(fs []Feature) []Feature { return fs[1:] }), opt, true},
		{"polygon property", edit("provinces", func(fs []Feature) []Feature {
			fs[3].Properties["name"] = "Renamed"
			delete(fs[4].Properties, "name")
			fs[5].Properties["new_field"] = 1.5
			return fs
		}), opt, true},
		{"polygon vertex", edit("countries", func(fs []Feature) []Feature {
			mp := clonePolygons(fs[0].Geometry)
			mp[0][0][1][0] += 0.01
			fs[0].Geometry = mp
			return fs
		}), opt, false},
		{"line id", edit("border", func(fs []Feature) []Feature {
			fs[0].ID++
			return fs
		}), opt, true},
		{"polygon removed", edit("provinces", func(fs []Feature) []Feature { return fs[1:] }), opt, false},
		{"label fields", func() []Layer {
			ls := slices.Clone(base)
			ls[1].LabelFields = []string{"name"}
			return ls
		}(), opt, true},
		{"labels off", func() []Layer {
			ls := slices.Clone(base)
			ls[1].Labels = false
			return ls
		}(), opt, false},
		{"layers reordered", func() []Layer {
			ls := slices.Clone(base)
			ls[0], ls[1] = ls[1], ls[0]
			return ls
		}(), opt, false},
		{"other options", base, Options{MaxZoom: 7, Tolerance: 2}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewTilesetFrom(prev, tc.layers, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got.Reused() != tc.reused {
				t.Errorf("Reused() = %v, want %v", got.Reused(), tc.reused)
			}
			want, err := NewTileset(tc.layers, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got.Bound() != want.Bound() || !slices.EqualFunc(got.Layers(), want.Layers(), func(a, b LayerInfo) bool {
				return a.Name == b.Name && a.Geometry == b.Geometry && maps.Equal(a.Fields, b.Fields)
			}) {
				t.Errorf("bound or layers differ: %v %v / %v %v", got.Bound(), got.Layers(), want.Bound(), want.Layers())
			}
			n := 0
			_, err = want.Walk(context.Background(), WalkOptions{}, func(id TileID, data []byte) error {
				n++
				g, err := got.Tile(id.Z, id.X, id.Y)
				if err != nil || !bytes.Equal(g, data) {
					t.Errorf("tile %v differs from NewTileset's (%d bytes, want %d, err %v)", id, len(g), len(data), err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("no tile walked")
			}
			st, err := got.Walk(context.Background(), WalkOptions{}, func(TileID, []byte) error { return nil })
			if err != nil || st.Tiles != n {
				t.Errorf("the tileset has %d tiles (err %v), NewTileset's %d", st.Tiles, err, n)
			}
		})
	}
}

// clonePolygons returns a deep copy of a polygonal geometry as a
// MultiPolygon.
func clonePolygons(g orb.Geometry) orb.MultiPolygon {
	var mp orb.MultiPolygon
	for _, p := range polygonsOf(g) {
		var q orb.Polygon
		for _, r := range p {
			q = append(q, slices.Clone(r))
		}
		mp = append(mp, q)
	}
	return mp
}
