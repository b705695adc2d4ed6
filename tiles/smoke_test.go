package tiles

import (
	"testing"

	"github.com/paulmach/orb/encoding/mvt"
)

func TestSmoke(t *testing.T) {
	feats := neProvinces(t)
	ts, err := NewTileset([]Layer{{Name: "provinces", Features: feats, Labels: true}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []TileID{{0, 0, 0}, {4, 11, 6}, {6, 44, 26}, {8, 176, 105}} {
		b, err := ts.Tile(id.Z, id.X, id.Y)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		ls, err := mvt.Unmarshal(b)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		for _, l := range ls {
			t.Logf("%s: layer %s v%d: %d features, %d bytes", id, l.Name, l.Version, len(l.Features), len(b))
		}
	}
}
