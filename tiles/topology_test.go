package tiles

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// containsRun reports whether run (or its reverse) occurs as consecutive
// vertices of p (cyclically for rings).
func containsRun(p path, run []orb.Point) bool {
	n := len(p.pts)
	if len(run) == 0 || n == 0 {
		return false
	}
	rev := slices.Clone(run)
	slices.Reverse(rev)
	for _, r := range [][]orb.Point{run, rev} {
		for s := range n {
			if p.pts[s] != r[0] {
				continue
			}
			ok := true
			for k := 1; k < len(r); k++ {
				i := s + k
				if i >= n {
					if !p.ring {
						ok = false
						break
					}
					i %= n
				}
				if p.pts[i] != r[k] {
					ok = false
					break
				}
			}
			// a closed arc (ring without junction) repeats its first vertex
			if ok {
				return true
			}
		}
	}
	return false
}

// checkSharedArcs verifies that at every zoom each feature contains the
// simplified vertices of each arc of its rings and lines as a contiguous
// run (unless that ring collapsed at the zoom), and counts the arcs shared
// by several features: those are simplified once, so shared boundaries
// stay identical.
func checkSharedArcs(t *testing.T, ts *Tileset) {
	t.Helper()
	uses := make([]int, len(ts.topo.arcs))
	for _, ld := range ts.layers {
		for _, f := range ld.features {
			for _, part := range f.seqs {
				for _, r := range part {
					for _, a := range ts.topo.seqs[r.seq] {
						if a < 0 {
							a = ^a
						}
						uses[a]++
					}
				}
			}
		}
	}
	shared := 0
	for _, u := range uses {
		if u > 1 {
			shared++
		}
	}
	arcsAt := make([][][]orb.Point, ts.opt.MaxZoom+1)
	for z := range arcsAt {
		arcsAt[z], _ = ts.topo.simplifyArcs(ts.tolerance(z), nil, nil)
	}
	checked := 0
	for _, ld := range ts.layers {
		if ld.kind == kindPoint {
			continue
		}
		for fi, f := range ld.features {
			for z := 0; z <= ld.maxZoom; z++ {
				for _, part := range f.seqs {
					for ri, r := range part {
						ring := rebuild(arcsAt[z], ts.topo.seqs[r.seq], ld.kind == kindPolygon, nil)
						if ld.kind == kindPolygon && len(ring) < 3 {
							if ri == 0 {
								break // exterior collapsed, holes dropped with it
							}
							continue
						}
						for _, a := range ts.topo.seqs[r.seq] {
							if a < 0 {
								a = ^a
							}
							if uses[a] < 2 {
								continue
							}
							run := arcsAt[z][a]
							if len(run) > 1 && run[0] == run[len(run)-1] {
								run = run[:len(run)-1]
							}
							found := false
							for _, p := range f.zoom[z] {
								if containsRun(p, run) {
									found = true
									break
								}
							}
							if !found {
								t.Errorf("z%d: shared arc %d (%d points) not a run of %s feature %d", z, a, len(run), ld.name, fi)
							}
							checked++
						}
					}
				}
			}
		}
	}
	t.Logf("%d shared arcs, %d shared-arc/feature/zoom checks", shared, checked)
	if shared == 0 {
		t.Error("no shared arcs found")
	}
}

func TestSharedArcsNaturalEarth(t *testing.T) {
	ts, err := NewTileset([]Layer{{Name: "provinces", Features: neProvinces(t)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkSharedArcs(t, ts)
}

func TestSharedArcsProject(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ts, err := NewTileset(projectLayers(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkSharedArcs(t, ts)
}

// TestBorderFollowsCountries checks that at every zoom each vertex of the
// simplified border that is a vertex of a country at full resolution is
// also a vertex of that country's simplified boundary: the line and the
// polygon edges it coincides with are simplified together.
func TestBorderFollowsCountries(t *testing.T) {
	ts, err := NewTileset(projectLayers(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	layer := func(name string) *layerData {
		for _, ld := range ts.layers {
			if ld.name == name {
				return ld
			}
		}
		t.Fatalf("no layer %s", name)
		return nil
	}
	border, countries := layer("border"), layer("countries")
	vertexSet := func(ps []path) map[orb.Point]bool {
		m := map[orb.Point]bool{}
		for _, p := range ps {
			for _, q := range p.pts {
				m[q] = true
			}
		}
		return m
	}
	arcsAt := make([][][]orb.Point, ts.opt.MaxZoom+1)
	for z := range arcsAt {
		arcsAt[z], _ = ts.topo.simplifyArcs(ts.tolerance(z), nil, nil)
	}
	for ci, c := range countries.features {
		onBorder := 0
		all := vertexSet(c.zoom[ts.opt.MaxZoom])
		for _, q := range border.features[0].zoom[ts.opt.MaxZoom][0].pts {
			if all[q] {
				onBorder++
			}
		}
		if onBorder < 1000 {
			t.Fatalf("country %d shares only %d vertices with the border", ci, onBorder)
		}
		for z := 0; z <= ts.opt.MaxZoom; z++ {
			// full-resolution vertices of the rings that survive at z
			full := map[orb.Point]bool{}
			for _, part := range c.seqs {
				for ri, r := range part {
					if len(rebuild(arcsAt[z], ts.topo.seqs[r.seq], true, nil)) < 3 {
						if ri == 0 {
							break
						}
						continue
					}
					for _, q := range rebuild(arcsAt[ts.opt.MaxZoom], ts.topo.seqs[r.seq], true, nil) {
						full[q] = true
					}
				}
			}
			simp := vertexSet(c.zoom[z])
			kept, missing := 0, 0
			for _, q := range border.features[0].zoom[z][0].pts {
				if !full[q] {
					continue
				}
				kept++
				if !simp[q] {
					missing++
				}
			}
			if missing > 0 {
				t.Errorf("z%d: %d of %d shared border vertices missing from country %d", z, missing, kept, ci)
			}
		}
	}
}

// sfPolygon converts oriented rings (world coordinates) to a
// simplefeatures geometry: the positive-winding region, as the encoder
// interprets it.
func sfRings(ps []path) []sf.Geometry {
	var out []sf.Geometry
	for _, p := range ps {
		c := make([]float64, 0, 2*len(p.pts)+2)
		for _, q := range p.pts {
			c = append(c, q[0], q[1])
		}
		c = append(c, p.pts[0][0], p.pts[0][1])
		out = append(out, sf.NewPolygon([]sf.LineString{sf.NewLineString(sf.NewSequence(c, sf.DimXY))}).AsGeometry())
	}
	return out
}

// TestSimplificationOverlap checks that simplification opens no overlaps
// between neighbouring provinces (Natural Earth admin-1, an exact
// partition): at every zoom the areas of the simplified provinces add up
// to the area of their union, within a hundredth of a square tile unit.
func TestSimplificationOverlap(t *testing.T) {
	ts, err := NewTileset([]Layer{{Name: "provinces", Features: neProvinces(t)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ld := ts.layers[0]
	for z := 0; z <= 10; z += 2 {
		var all []sf.Geometry
		sum := 0.0
		for _, f := range ld.features {
			parts := sfRings(f.zoom[z])
			if len(parts) == 0 {
				continue
			}
			u, err := sf.UnionMany(parts)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, u)
			sum += u.Area()
		}
		u, err := sf.UnionMany(all)
		if err != nil {
			t.Fatal(err)
		}
		s := worldScale(uint32(z), 4096)
		if overlap := (sum - u.Area()) * s * s; overlap > 0.01 {
			t.Errorf("z%d: provinces overlap by %.3f tile units²", z, overlap)
		}
	}
}
