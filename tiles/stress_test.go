package tiles

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func afgDistricts(t testing.TB) []Feature {
	return loadFeatures(t, sharedData(t, "geoboundaries-afg-adm2/geoBoundaries-AFG-ADM2.geojson"), "shapeID", []string{"shapeName", "shapeID"})
}

func pakDistricts(t testing.TB) []Feature {
	return loadFeatures(t, sharedData(t, "ocha-cod-ab-pak-adm2/districts_simplified_5p.geojson"), "ADM2_PCODE", []string{"ADM2_EN", "ADM2_PCODE"})
}

func TestPolygonValidityDistricts(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	feats := append(afgDistricts(t), pakDistricts(t)...)
	ts, err := NewTileset([]Layer{{Name: "districts", Features: feats, Labels: true}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for z := uint32(0); z <= 8; z++ {
		for _, id := range regionTiles(ts, z) {
			b, st := ts.build(id)
			if st.unnoded > 0 {
				t.Errorf("%s: %d features not noded", id, st.unnoded)
			}
			if b == nil {
				continue
			}
			if _, err := checkTile(b); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}
	}
}

// randomStar returns a star-shaped, often self-intersecting ring with
// jittered vertices around (cx, cy) in degrees.
func randomStar(r *rand.Rand, cx, cy, rad float64, n int) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * (float64(i) + r.Float64()*3) / float64(n)
		d := rad * (0.2 + r.Float64())
		ring = append(ring, orb.Point{cx + d*math.Cos(a), cy + d*math.Sin(a)})
	}
	return append(ring, ring[0])
}

func TestPolygonValidityRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var feats []Feature
	for i := range 300 {
		cx, cy := 60+r.Float64()*15, 29+r.Float64()*8
		rad := math.Pow(10, -4+r.Float64()*4) // 10 m to 100 km scale
		poly := orb.Polygon{randomStar(r, cx, cy, rad, 3+r.IntN(40))}
		if r.IntN(3) == 0 {
			poly = append(poly, randomStar(r, cx, cy, rad/3, 3+r.IntN(10)))
		}
		feats = append(feats, Feature{ID: uint64(i + 1), Geometry: poly})
	}
	ts, err := NewTileset([]Layer{{Name: "random", Features: feats}}, Options{MaxZoom: 14})
	if err != nil {
		t.Fatal(err)
	}
	for z := uint32(0); z <= 10; z++ {
		for _, id := range regionTiles(ts, z) {
			b, err := ts.Tile(id.Z, id.X, id.Y)
			if errors.Is(err, ErrEmpty) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := checkTile(b); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}
	}
}
