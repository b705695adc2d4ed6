package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// edge is one segment of a polygon ring in lon/lat degrees.
type edge struct{ x1, y1, x2, y2 float64 }

// dist2 is the squared distance from p to the edge in degrees of latitude,
// longitudes scaled by k (the cosine of p's latitude: equirectangular at p).
func (e edge) dist2(p orb.Point, k float64) float64 {
	ax, ay := (e.x1-p[0])*k, e.y1-p[1]
	bx, by := (e.x2-p[0])*k, e.y2-p[1]
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	cx, cy := ax+t*dx, ay+t*dy
	return cx*cx + cy*cy
}

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

	// A grid over the bound that answers for most points without a ray
	// cast: a cell that no edge touches lies wholly inside or wholly
	// outside, as its centre does (see classify).
	gx0, gy0   float64 // south-west corner
	gdx, gdy   float64 // cell size in degrees
	gnx, gny   int
	cellStatus []uint8 // cellOut, cellIn or cellEdge, row by row
}

// Cell states of polyIndex's grid.
const (
	cellOut  uint8 = 0
	cellIn   uint8 = 1
	cellEdge uint8 = 2 // an edge touches it: cast the ray
)

// pipGridMax is the most cells of polyIndex's grid along either axis, and
// pipGridEdges the edges per cell it aims at: two cells per edge, a byte
// each, so that few points (8 % of those within a degree of the border)
// fall in a cell an edge touches.
const (
	pipGridMax   = 512
	pipGridEdges = 0.5
)

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
	ix.classify()
	return ix
}

// classify builds the cell grid: cells whose closed rectangle (widened by
// a hair) meets an edge's bounding box are cellEdge; every other cell is
// crossed by no edge, so all its points share the inside status of its
// centre, which one ray cast per row of cells gives for the whole row.
func (ix *polyIndex) classify() {
	w, h := ix.bound.Max[0]-ix.bound.Min[0], ix.bound.Max[1]-ix.bound.Min[1]
	if w <= 0 || h <= 0 || len(ix.edges) == 0 {
		return
	}
	// About pipGridEdges edges per cell, in cells about as wide as tall
	// in degrees, at most pipGridMax a side.
	side := math.Sqrt(w * h * pipGridEdges / float64(len(ix.edges)))
	nx := min(pipGridMax, max(1, int(math.Ceil(w/side))))
	ny := min(pipGridMax, max(1, int(math.Ceil(h/side))))
	if nx*ny < 4 {
		return
	}
	ix.gx0, ix.gy0 = ix.bound.Min[0], ix.bound.Min[1]
	ix.gdx, ix.gdy = w/float64(nx), h/float64(ny)
	ix.gnx, ix.gny = nx, ny
	st := make([]uint8, nx*ny)
	const hair = 1e-9 // degrees
	for _, e := range ix.edges {
		i0, j0 := ix.gridCell(math.Min(e.x1, e.x2)-hair, math.Min(e.y1, e.y2)-hair)
		i1, j1 := ix.gridCell(math.Max(e.x1, e.x2)+hair, math.Max(e.y1, e.y2)+hair)
		for j := j0; j <= j1; j++ {
			for i := i0; i <= i1; i++ {
				st[j*nx+i] = cellEdge
			}
		}
	}
	// Each row: the crossings of the horizontal line through the cells'
	// centres, sorted, and then the parity to the right of each centre.
	var xs []float64
	for j := range ny {
		y := ix.gy0 + (float64(j)+0.5)*ix.gdy
		xs = xs[:0]
		for _, e := range ix.bands[ix.band(y)] {
			if (e.y1 > y) != (e.y2 > y) {
				xs = append(xs, e.x1+(y-e.y1)*(e.x2-e.x1)/(e.y2-e.y1))
			}
		}
		slices.Sort(xs)
		k := 0 // crossings at or left of the centre
		for i := range nx {
			x := ix.gx0 + (float64(i)+0.5)*ix.gdx
			for k < len(xs) && xs[k] <= x {
				k++
			}
			if c := &st[j*nx+i]; *c != cellEdge && (len(xs)-k)%2 == 1 {
				*c = cellIn
			}
		}
	}
	ix.cellStatus = st
}

// gridCell returns the cell of (x, y), clamped to the grid.
func (ix *polyIndex) gridCell(x, y float64) (int, int) {
	i := int((x - ix.gx0) / ix.gdx)
	j := int((y - ix.gy0) / ix.gdy)
	return min(max(i, 0), ix.gnx-1), min(max(j, 0), ix.gny-1)
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
	if ix.cellStatus != nil {
		i, j := ix.gridCell(p[0], p[1])
		if c := ix.cellStatus[j*ix.gnx+i]; c != cellEdge {
			return c == cellIn
		}
	}
	return ix.rayCast(p)
}

// rayCast is contains by casting a ray from p towards +x through p's band.
func (ix *polyIndex) rayCast(p orb.Point) bool {
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
			best = math.Min(best, e.dist2(p, k))
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
