package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// edge is one segment of a polygon ring in lon/lat degrees.
type edge struct{ x1, y1, x2, y2 float64 }

// polyIndex answers point-in-polygon for one (multi)polygon in time that
// does not grow with its vertex count: the edges are bucketed into
// horizontal bands and a ray cast only visits the band of the point.
// The even-odd rule over all rings of all parts handles holes.
type polyIndex struct {
	bound orb.Bound
	minY  float64
	inv   float64 // bands per degree
	bands [][]edge
	edges []edge // every edge once, for distance queries
}

func newPolyIndex(mp orb.MultiPolygon) *polyIndex {
	return newPolyIndexBound(mp, mp.Bound())
}

// newPolyIndexBound is newPolyIndex given the bounding box of mp.
func newPolyIndexBound(mp orb.MultiPolygon, bound orb.Bound) *polyIndex {
	ix := &polyIndex{bound: bound}
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				a, b := ring[i-1], ring[i]
				if a == b {
					continue
				}
				ix.edges = append(ix.edges, edge{a[0], a[1], b[0], b[1]})
			}
		}
	}
	n := len(ix.edges)/4 + 1
	h := ix.bound.Max[1] - ix.bound.Min[1]
	if h <= 0 {
		h = 1e-9
	}
	ix.minY = ix.bound.Min[1]
	ix.inv = float64(n) / h
	ix.bands = make([][]edge, n)
	counts := make([]int, n)
	for _, e := range ix.edges {
		lo, hi := ix.band(math.Min(e.y1, e.y2)), ix.band(math.Max(e.y1, e.y2))
		for b := lo; b <= hi; b++ {
			counts[b]++
		}
	}
	for b := range ix.bands {
		ix.bands[b] = make([]edge, 0, counts[b])
	}
	for _, e := range ix.edges {
		lo, hi := ix.band(math.Min(e.y1, e.y2)), ix.band(math.Max(e.y1, e.y2))
		for b := lo; b <= hi; b++ {
			ix.bands[b] = append(ix.bands[b], e)
		}
	}
	return ix
}

func (ix *polyIndex) band(y float64) int {
	b := int((y - ix.minY) * ix.inv)
	if b < 0 {
		return 0
	}
	if b >= len(ix.bands) {
		return len(ix.bands) - 1
	}
	return b
}

// contains reports whether p lies inside (even-odd rule).
func (ix *polyIndex) contains(p orb.Point) bool {
	if !ix.bound.Contains(p) {
		return false
	}
	x, y := p[0], p[1]
	in := false
	for _, e := range ix.bands[ix.band(y)] {
		if (e.y1 > y) != (e.y2 > y) {
			if xi := e.x1 + (y-e.y1)*(e.x2-e.x1)/(e.y2-e.y1); xi > x {
				in = !in
			}
		}
	}
	return in
}

// approxDistance returns an approximate distance in metres from p to the
// polygon's boundary (equirectangular at p's latitude; used only to pick the
// nearest polygon when none contains p). It visits the bands outwards from
// p's until a band's latitude gap alone exceeds the best distance found; an
// edge spanning several bands is measured in each, with the same result.
func (ix *polyIndex) approxDistance(p orb.Point) float64 {
	k := math.Cos(p[1] * math.Pi / 180)
	best := math.Inf(1) // squared, in degrees of latitude
	// gap returns the latitude gap from p to band j, +Inf outside.
	gap := func(j int) float64 {
		if j < 0 || j >= len(ix.bands) {
			return math.Inf(1)
		}
		lo := ix.minY + float64(j)/ix.inv
		hi := ix.minY + float64(j+1)/ix.inv
		switch {
		case p[1] < lo:
			return lo - p[1]
		case p[1] > hi:
			return p[1] - hi
		}
		return 0
	}
	measure := func(j int) {
		if j < 0 || j >= len(ix.bands) {
			return
		}
		for _, e := range ix.bands[j] {
			ax, ay := (e.x1-p[0])*k, e.y1-p[1]
			bx, by := (e.x2-p[0])*k, e.y2-p[1]
			dx, dy := bx-ax, by-ay
			t := 0.0
			if l := dx*dx + dy*dy; l > 0 {
				t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
			}
			cx, cy := ax+t*dx, ay+t*dy
			if d := cx*cx + cy*cy; d < best {
				best = d
			}
		}
	}
	b0 := ix.band(p[1])
	for off := 0; ; off++ {
		g := math.Min(gap(b0-off), gap(b0+off))
		if math.IsInf(g, 1) || g*g > best {
			break
		}
		measure(b0 - off)
		if off > 0 {
			measure(b0 + off)
		}
	}
	return math.Sqrt(best) * math.Pi / 180 * meanRadius
}
