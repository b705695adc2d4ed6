package tiles

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestNewTilesetErrors(t *testing.T) {
	pt := Feature{Geometry: orb.Point{70, 33}}
	sq := Feature{Geometry: orb.Bound{Min: orb.Point{70, 33}, Max: orb.Point{71, 34}}}
	ln := Feature{Geometry: orb.LineString{{70, 33}, {71, 34}}}
	tests := []struct {
		name   string
		layers []Layer
		opt    Options
		want   error
	}{
		{"empty layer name", []Layer{{Features: []Feature{pt}}}, Options{}, ErrLayer},
		{"duplicate layer", []Layer{{Name: "a"}, {Name: "a"}}, Options{}, ErrLayer},
		{"label name clash", []Layer{{Name: "p", Features: []Feature{sq}, Labels: true}, {Name: "p_label"}}, Options{}, ErrLayer},
		{"mixed kinds", []Layer{{Name: "a", Features: []Feature{pt, ln}}}, Options{}, ErrLayer},
		{"labels on lines", []Layer{{Name: "a", Features: []Feature{ln}, Labels: true}}, Options{}, ErrLayer},
		{"zoom range", []Layer{{Name: "a", MinZoom: 10, MaxZoom: 5}}, Options{}, ErrLayer},
		{"zoom above max", []Layer{{Name: "a", MaxZoom: 15}}, Options{}, ErrLayer},
		{"nil geometry", []Layer{{Name: "a", Features: []Feature{{}}}}, Options{}, ErrGeometry},
		{"collection", []Layer{{Name: "a", Features: []Feature{{Geometry: orb.Collection{orb.Point{1, 1}}}}}}, Options{}, ErrGeometry},
		{"NaN", []Layer{{Name: "a", Features: []Feature{{Geometry: orb.Point{math.NaN(), 1}}}}}, Options{}, ErrGeometry},
		{"longitude", []Layer{{Name: "a", Features: []Feature{{Geometry: orb.LineString{{0, 0}, {181, 0}}}}}}, Options{}, ErrGeometry},
		{"latitude", []Layer{{Name: "a", Features: []Feature{{Geometry: orb.Polygon{{{0, 0}, {1, 91}, {1, 0}, {0, 0}}}}}}}, Options{}, ErrGeometry},
		{"empty key", []Layer{{Name: "a", Features: []Feature{{Geometry: orb.Point{1, 1}, Properties: map[string]any{"": 1}}}}}, Options{}, ErrProperty},
		{"extent", nil, Options{Extent: 8}, ErrOptions},
		{"buffer", nil, Options{Extent: 256, Buffer: 300}, ErrOptions},
		{"max zoom", nil, Options{MaxZoom: 25}, ErrOptions},
		{"tolerance", nil, Options{Tolerance: math.Inf(1)}, ErrOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTileset(tt.layers, tt.opt)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestTileErrors(t *testing.T) {
	ts, err := NewTileset([]Layer{{Name: "p", Features: []Feature{{Geometry: orb.Point{71.09, 34.11}}}}}, Options{MaxZoom: 10})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		z, x, y uint32
		want    error
	}{
		{"zoom above max", 11, 0, 0, ErrTileAddress},
		{"x out of range", 2, 4, 0, ErrTileAddress},
		{"y out of range", 2, 0, 4, ErrTileAddress},
		{"huge zoom", 40, 0, 0, ErrTileAddress},
		{"empty", 2, 0, 0, ErrEmpty},
		{"ok", 2, 2, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ts.Tile(tt.z, tt.x, tt.y)
			if !errors.Is(err, tt.want) || (err != nil) != (b == nil) {
				t.Errorf("Tile = %d bytes, %v; want %v", len(b), err, tt.want)
			}
		})
	}
}

// TestDegenerateInput feeds geometries that vanish or are odd: they must
// produce valid tiles (or none), never errors or panics.
func TestDegenerateInput(t *testing.T) {
	feats := []Feature{
		{Geometry: orb.Polygon{}},
		{Geometry: orb.Polygon{{}}},
		{Geometry: orb.Polygon{{{70, 33}, {70, 33}, {70, 33}}}},
		{Geometry: orb.Polygon{{{70, 33}, {71, 33}, {72, 33}, {70, 33}}}},                  // zero area
		{Geometry: orb.MultiPolygon{{{{70, 33}, {71, 34}, {71, 33}, {70, 34}, {70, 33}}}}}, // bow-tie
		{Geometry: orb.Ring{{70, 33}, {70.5, 33.5}, {71, 33}}},
		{Geometry: orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}}, // whole world
	}
	lines := []Feature{
		{Geometry: orb.LineString{}},
		{Geometry: orb.LineString{{70, 33}}},
		{Geometry: orb.LineString{{70, 33}, {70, 33}}},
		{Geometry: orb.MultiLineString{{{70, 33}, {71, 34}}, {}}},
	}
	ts, err := NewTileset([]Layer{{Name: "p", Features: feats, Labels: true}, {Name: "l", Features: lines}, {Name: "pts", Features: []Feature{{Geometry: orb.MultiPoint{}}}}}, Options{MaxZoom: 6})
	if err != nil {
		t.Fatal(err)
	}
	for z := uint32(0); z <= 6; z++ {
		for _, id := range []TileID{ts.TileAt(70.5, 33.5, z), {z, 0, 0}} {
			b, err := ts.Tile(id.Z, id.X, id.Y)
			if errors.Is(err, ErrEmpty) {
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if _, err := checkTile(b); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}
	}
}
