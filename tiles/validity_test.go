package tiles

import (
	"errors"
	"testing"
)

// regionTiles lists the tiles at zoom z covering the border region
// (lon 60–75.5 E, lat 29–37.5 N).
func regionTiles(ts *Tileset, z uint32) []TileID {
	a := ts.TileAt(60, 37.5, z)
	b := ts.TileAt(75.5, 29, z)
	var out []TileID
	for x := a.X; x <= b.X; x++ {
		for y := a.Y; y <= b.Y; y++ {
			out = append(out, TileID{z, x, y})
		}
	}
	return out
}

func TestPolygonValidityNaturalEarth(t *testing.T) {
	ts, err := NewTileset([]Layer{{Name: "provinces", Features: neProvinces(t), Labels: true}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	maxZ := uint32(8)
	for z := uint32(0); z <= maxZ; z++ {
		n := 0
		for _, id := range regionTiles(ts, z) {
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
			n++
		}
		t.Logf("z%d: %d tiles checked", z, n)
	}
}
