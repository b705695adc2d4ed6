package tiles

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// decodeAll walks the given zooms and returns every tile's checked layers.
func decodeAll(t *testing.T, ts *Tileset, zooms []int) map[TileID]map[string]checkedLayer {
	t.Helper()
	out := map[TileID]map[string]checkedLayer{}
	_, err := ts.Walk(context.Background(), WalkOptions{Zooms: zooms}, func(id TileID, b []byte) error {
		ls, err := checkTile(b)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			return nil
		}
		out[id] = ls
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPointsOncePerZoom checks that every point lands inside the extent
// [0, extent) of exactly one tile per zoom (copies in neighbours' buffers
// lie outside their extent), including points exactly on tile edges and at
// the edges of the world.
func TestPointsOncePerZoom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var feats []Feature
	add := func(lon, lat float64) {
		feats = append(feats, Feature{ID: uint64(len(feats) + 1), Geometry: orb.Point{lon, lat}})
	}
	for range 40 {
		add(60+r.Float64()*15.5, 29+r.Float64()*8.5)
	}
	// tile corners and edge midpoints at several zooms
	grid, err := NewTileset(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range []uint32{3, 7, 11, 14} {
		n := float64(uint32(1) << z)
		c := grid.TileAt(66.4, 30.95, z)
		for _, d := range [][2]float64{{0, 0}, {0.5, 0}, {0, 0.5}, {1, 1}} {
			lon, lat := worldToLonLat((float64(c.X)+d[0])/n, (float64(c.Y)+d[1])/n)
			add(lon, lat)
		}
	}
	add(-180, 0)
	add(180, 0)
	add(0, 85.0511287798066)
	add(0, -89)
	if p := projectFile(t, "crossings.geojson"); p != "" {
		for _, f := range loadFeatures(t, p, "id", nil) {
			pt := f.Geometry.(orb.Point)
			add(pt[0], pt[1])
		}
	}
	ts, err := NewTileset([]Layer{{Name: "points", Features: feats}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for z := uint32(0); z <= 14; z++ {
		for _, f := range feats {
			pt := f.Geometry.(orb.Point)
			owner := ts.TileAt(pt[0], pt[1], z)
			count := 0
			n := int64(1) << z
			for dx := int64(-1); dx <= 1; dx++ {
				for dy := int64(-1); dy <= 1; dy++ {
					x, y := int64(owner.X)+dx, int64(owner.Y)+dy
					if x < 0 || y < 0 || x >= n || y >= n {
						continue
					}
					b, err := ts.Tile(z, uint32(x), uint32(y))
					if errors.Is(err, ErrEmpty) {
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					ls, err := checkTile(b)
					if err != nil {
						t.Fatal(err)
					}
					for _, cf := range ls["points"].features {
						if cf.id != f.ID {
							continue
						}
						p := cf.geom.points[0]
						if p[0] >= 0 && p[0] < 4096 && p[1] >= 0 && p[1] < 4096 {
							count++
							if dx != 0 || dy != 0 {
								t.Errorf("z%d: point %d in %d/%d/%d, TileAt says %s", z, f.ID, z, x, y, owner)
							}
						}
					}
				}
			}
			if count != 1 {
				t.Errorf("z%d: point %d %v inside %d tiles, want 1", z, f.ID, pt, count)
			}
		}
	}
}

// TestLabelsOncePerZoom checks that every province gets exactly one label
// per zoom, inside the province.
func TestLabelsOncePerZoom(t *testing.T) {
	feats := loadFeatures(t, projectFile(t, "provinces.geojson"), "id", nil)
	ts, err := NewTileset([]Layer{{Name: "provinces", Features: feats, Labels: true, LabelFields: []string{"name"}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ld := ts.layers[0]
	for fi, f := range ld.features {
		if d := signedBoundaryDist(f.label, f.zoom[ld.maxZoom]); d <= 0 {
			t.Errorf("label of province %d is not inside it (distance %g)", fi, d)
		}
	}
	tiles := decodeAll(t, ts, ZoomRange(0, 9))
	for z := 0; z <= 9; z++ {
		count := map[uint64]int{}
		for id, ls := range tiles {
			if int(id.Z) != z {
				continue
			}
			for _, cf := range ls["provinces_label"].features {
				count[cf.id]++
				if len(cf.props) != 1 || cf.props["name"] == nil {
					t.Errorf("label properties %v, want only name", cf.props)
				}
				p := cf.geom.points[0]
				if p[0] < 0 || p[0] >= 4096 || p[1] < 0 || p[1] >= 4096 {
					t.Errorf("%s: label outside the extent: %v", id, p)
				}
			}
		}
		for _, f := range feats {
			if count[f.ID] != 1 {
				t.Errorf("z%d: province %d has %d labels, want 1", z, f.ID, count[f.ID])
			}
		}
	}
}

// clippedArea is the area of decoded polygons inside the tile's extent
// [0, 4096]², in tile units².
func clippedArea(polys [][][]ipoint) float64 {
	var a float64
	var bufA, bufB []orb.Point
	for _, p := range polys {
		for _, r := range p {
			ring := make([]orb.Point, len(r))
			for i, q := range r {
				ring[i] = orb.Point{float64(q[0]), float64(q[1])}
			}
			var out []orb.Point
			out, bufB = clipRing(ring, 0, 4096, bufA, bufB)
			bufA = out
			a += ringArea2(out) / 2
		}
	}
	return a
}

// TestAreaCoverage checks that the parts of each province over the tile
// grid of a zoom add up to its area within 0.5 %: to the area of its shape
// simplified for that zoom (what clipping and quantisation must preserve)
// at every zoom, and to its full-resolution area from zoom 7, where the
// simplification tolerance (4 units, 300 m at z7) no longer matters.
func TestAreaCoverage(t *testing.T) {
	feats := loadFeatures(t, projectFile(t, "provinces.geojson"), "id", nil)
	ts, err := NewTileset([]Layer{{Name: "provinces", Features: feats}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ld := ts.layers[0]
	for _, z := range []int{3, 5, 7, 9, 11} {
		got := map[uint64]float64{}
		for _, ls := range decodeAll(t, ts, []int{z}) {
			for _, cf := range ls["provinces"].features {
				got[cf.id] += clippedArea(cf.geom.polys)
			}
		}
		s := worldScale(uint32(z), 4096)
		worstSimp, worstFull := 0.0, 0.0
		for _, f := range ld.features {
			simp, full := pathsArea(f.zoom[z])*s*s, f.area*s*s
			if full < 200*200 {
				// rounding to the grid moves boundaries by up to half a
				// unit: below 200 x 200 units that alone can reach 0.5 %
				continue
			}
			d := math.Abs(got[f.id]-simp) / simp
			worstSimp = max(worstSimp, d)
			if d > 0.005 {
				t.Errorf("z%d: province %d covers %.0f units², simplified shape %.0f (%.2f %%)", z, f.id, got[f.id], simp, 100*d)
			}
			d = math.Abs(got[f.id]-full) / full
			worstFull = max(worstFull, d)
			if z >= 7 && d > 0.005 {
				t.Errorf("z%d: province %d covers %.0f units², full resolution %.0f (%.2f %%)", z, f.id, got[f.id], full, 100*d)
			}
		}
		t.Logf("z%d: largest deviation %.4f %% from the simplified shape, %.4f %% from full resolution", z, 100*worstSimp, 100*worstFull)
	}
}

// TestProjectTilesValid checks every tile of z0–z8 of all project layers
// (and of the districts when available) against MVT 2.1 and OGC validity,
// and that the provinces in a tile do not overlap.
func TestProjectTilesValid(t *testing.T) {
	layers := projectLayers(t)
	ts, err := NewTileset(layers, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tiles := decodeAll(t, ts, ZoomRange(0, 8))
	if len(tiles) < 100 {
		t.Fatalf("only %d tiles", len(tiles))
	}
	for id, ls := range tiles {
		var rings [][]ipt
		sum := 0.0
		for _, cf := range ls["provinces"].features {
			for _, p := range cf.geom.polys {
				for _, r := range p {
					var q []ipt
					for _, v := range r {
						q = append(q, ipt{int32(v[0]), int32(v[1])})
					}
					rings = append(rings, q)
					sum += float64(area2(q)) / 2
				}
			}
		}
		if len(rings) == 0 {
			continue
		}
		u, ok := polygonize([][][]ipt{rings})
		if !ok {
			t.Fatal("noding failed")
		}
		if overlap := sum - polysArea(u[0]); overlap > 1+1e-6*sum {
			t.Errorf("%s: provinces overlap by %.1f tile units²", id, overlap)
		}
	}
}
