package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// pipProbes returns seeded points to test a polyIndex with: over its bound
// and a little beyond, on its vertices, on its edges, and on the lines and
// corners of its grid.
func pipProbes(r *rand.Rand, ix *polyIndex, n int) []orb.Point {
	bd := ix.bound
	w, h := bd.Max[0]-bd.Min[0], bd.Max[1]-bd.Min[1]
	var pts []orb.Point
	for range n {
		pts = append(pts, orb.Point{bd.Min[0] - w/10 + r.Float64()*w*1.2, bd.Min[1] - h/10 + r.Float64()*h*1.2})
		e := ix.edges[r.IntN(len(ix.edges))]
		pts = append(pts, orb.Point{e.x1, e.y1})
		t := r.Float64()
		pts = append(pts, orb.Point{e.x1 + t*(e.x2-e.x1), e.y1 + t*(e.y2-e.y1)})
		if ix.cellStatus != nil {
			i, j := r.IntN(ix.gnx+1), r.IntN(ix.gny+1)
			x, y := ix.gx0+float64(i)*ix.gdx, ix.gy0+float64(j)*ix.gdy
			pts = append(pts, orb.Point{x, y}, orb.Point{x, bd.Min[1] + r.Float64()*h}, orb.Point{bd.Min[0] + r.Float64()*w, y})
		}
	}
	return pts
}

// TestPolyIndexGrid compares contains (the cell grid, then the ray cast in
// edge cells) with the ray cast alone, for the countries, the provinces
// and synthetic polygons: holes, several parts, slivers, edges along the
// grid's lines.
func TestPolyIndexGrid(t *testing.T) {
	a := embeddedAtlas(t)
	polys := map[string]orb.MultiPolygon{}
	for _, c := range a.countries {
		polys["country "+c.ID] = c.Geometry
	}
	for _, p := range a.provinces {
		polys["province "+p.ID] = p.Geometry
	}
	square := func(x0, y0, s float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}}
	}
	polys["square with a hole"] = orb.MultiPolygon{{square(0, 0, 10), square(2, 2, 3)}}
	polys["two parts"] = orb.MultiPolygon{{square(0, 0, 1)}, {square(5, 5, 1)}}
	polys["sliver"] = orb.MultiPolygon{{{{0, 0}, {10, 1e-7}, {10, 2e-7}, {0, 0}}}}
	// A comb: teeth one grid cell wide, so edges run along cell lines.
	comb := orb.Ring{{0, 0}}
	for i := range 40 {
		x := float64(i) / 4
		comb = append(comb, orb.Point{x, 10}, orb.Point{x + 0.125, 10}, orb.Point{x + 0.125, 1}, orb.Point{x + 0.25, 1})
	}
	comb = append(comb, orb.Point{10, 0}, orb.Point{0, 0})
	polys["comb"] = orb.MultiPolygon{{comb}}
	// Many vertices on a circle: a fine grid.
	circle := orb.Ring{}
	for i := range 4000 {
		s, c := math.Sincos(2 * math.Pi * float64(i) / 4000)
		circle = append(circle, orb.Point{c, s})
	}
	polys["circle"] = orb.MultiPolygon{{append(circle, circle[0])}}

	r := rand.New(rand.NewPCG(31, 32))
	gridded := 0
	for name, mp := range polys {
		ix := newPolyIndex(mp)
		if ix.cellStatus != nil {
			gridded++
		}
		bad := 0
		for _, p := range pipProbes(r, ix, 300) {
			want := ix.bound.Contains(p) && ix.rayCast(p)
			if got := ix.contains(p); got != want {
				bad++
				if bad <= 3 {
					t.Errorf("%s: %v: contains %v, ray cast %v", name, p, got, want)
				}
			}
		}
	}
	if gridded < len(polys)/2 {
		t.Errorf("only %d of %d polygons have a grid", gridded, len(polys))
	}
}

// TestPolyIndexGridCells checks the grid's classes: an edge cell holds an
// edge's bounding box, and a cell inside or outside is answered so at
// random points of it by the ray cast.
func TestPolyIndexGridCells(t *testing.T) {
	a := embeddedAtlas(t)
	r := rand.New(rand.NewPCG(33, 34))
	for _, c := range a.countries {
		ix := newPolyIndex(c.Geometry)
		if ix.cellStatus == nil {
			t.Fatalf("%s: no grid", c.ID)
		}
		counts := map[uint8]int{}
		for j := range ix.gny {
			for i := range ix.gnx {
				st := ix.cellStatus[j*ix.gnx+i]
				counts[st]++
				if st == cellEdge || r.IntN(8) != 0 {
					continue
				}
				for range 4 {
					p := orb.Point{ix.gx0 + (float64(i)+r.Float64())*ix.gdx, ix.gy0 + (float64(j)+r.Float64())*ix.gdy}
					if got := ix.rayCast(p); got != (st == cellIn) {
						t.Errorf("%s: cell %d,%d is %d, but the ray cast at %v says %v", c.ID, i, j, st, p, got)
					}
				}
			}
		}
		t.Logf("%s: %d×%d cells: %s", c.ID, ix.gnx, ix.gny, fmt.Sprint(counts))
		if counts[cellIn] == 0 || counts[cellOut] == 0 || counts[cellEdge] == 0 {
			t.Errorf("%s: cells by class %v, want all three", c.ID, counts)
		}
	}
}
