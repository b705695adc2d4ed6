package geo

import (
	"math"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// The border search keeps, for cells of a lon/lat grid around the border,
// where in the search tree to start. A cell's entry is computed on the
// first query that falls in it (nothing at load time) and shared by later
// ones: the few tree nodes that hold every segment a point of the cell can
// need, and the segment nearest to the cell's centre, measured first to
// bound the search. Points outside the grid search from the root.
const (
	gridStep     = 0.05 // degrees
	gridMargin   = 3    // degrees around the border's bounding box
	gridFrontier = 8    // most start nodes kept for a cell
)

type cellGrid struct {
	lon0, lat0 float64
	nx, ny     int
	cells      []atomic.Pointer[cellEntry]
}

type cellEntry struct {
	start []int32 // tree nodes holding every segment the cell's points can need
	seed  int32   // segment nearest to the cell's centre
}

func newCellGrid(line orb.LineString) *cellGrid {
	bd := line.Bound()
	g := &cellGrid{
		lon0: math.Floor(bd.Min[0]) - gridMargin,
		lat0: math.Floor(bd.Min[1]) - gridMargin,
	}
	g.nx = int(math.Ceil((bd.Max[0]+gridMargin-g.lon0)/gridStep)) + 1
	g.ny = int(math.Ceil((bd.Max[1]+gridMargin-g.lat0)/gridStep)) + 1
	if g.lat0 < -90 || g.lat0+float64(g.ny)*gridStep > 90 {
		return nil // near a pole: no grid
	}
	g.cells = make([]atomic.Pointer[cellEntry], g.nx*g.ny)
	return g
}

// cell returns the column and row of the cell containing p, false when p is
// outside the grid.
func (g *cellGrid) cell(p orb.Point) (int, int, bool) {
	fx := (p[0] - g.lon0) / gridStep
	fy := (p[1] - g.lat0) / gridStep
	if !(fx >= 0 && fy >= 0 && fx < float64(g.nx) && fy < float64(g.ny)) {
		return 0, 0, false
	}
	return int(fx), int(fy), true
}

// entry returns the entry of p's cell, computing it on first use; nil when
// p is outside the grid.
func (b *Border) entry(p orb.Point) *cellEntry {
	g := b.grid
	if g == nil {
		return nil
	}
	i, j, ok := g.cell(p)
	if !ok {
		return nil
	}
	slot := &g.cells[j*g.nx+i]
	if e := slot.Load(); e != nil {
		return e
	}
	e := b.newCellEntry(g, i, j)
	slot.CompareAndSwap(nil, e) // a racing query computed the same entry
	return slot.Load()
}

// newCellEntry computes the entry of cell (i, j). A point q of the cell is
// within h (radians on the conformal sphere) of the centre c, so its
// nearest segment is within best(c)+h of it, and the segments its search
// keeps (within its band of that) are within
// limit = band.limit(best(c)+h) + h of c. Tree nodes whose capsule
// is farther than limit from c are left out; the others are split, largest
// first, while at most gridFrontier remain.
func (b *Border) newCellEntry(g *cellGrid, i, j int) *cellEntry {
	x0, y0 := g.lon0+float64(i)*gridStep, g.lat0+float64(j)*gridStep
	c := toConfVec(orb.Point{x0 + gridStep/2, y0 + gridStep/2})
	h := 0.0
	for _, dx := range [3]float64{0, 0.5, 1} {
		for _, dy := range [3]float64{0, 0.5, 1} {
			q := toConfVec(orb.Point{x0 + dx*gridStep, y0 + dy*gridStep})
			h = math.Max(h, angle(c, q))
		}
	}
	// The cell's sides are not great circles: their bulge beyond the
	// points measured is far below 1 %.
	h = h*1.01 + 1e-12
	var buf [64]arcCand
	cands, best := b.segs.nearest(c, b.cvec, band{tie: 1, farTie: 1}, buf[:0])
	e := &cellEntry{seed: -1}
	for _, cd := range cands {
		if cd.ang == best {
			e.seed = cd.seg
			break
		}
	}
	limit := chordOf(b.band.limit(best+h) + h)
	t := b.segs
	start := []int32{0}
	for {
		// The largest internal node.
		k, size := -1, int32(1)
		for x, ni := range start {
			n := &t.nodes[ni]
			if n.left >= 0 && n.hi-n.lo > size {
				k, size = x, n.hi-n.lo
			}
		}
		if k < 0 {
			break
		}
		n := &t.nodes[start[k]]
		var kids [2]int32
		nk := 0
		for _, ci := range [2]int32{n.left, n.right} {
			if t.nodes[ci].lowerBound(c) <= limit {
				kids[nk] = ci
				nk++
			}
		}
		if len(start)-1+nk > gridFrontier {
			break
		}
		start = append(start[:k], append(kids[:nk:nk], start[k+1:]...)...)
	}
	e.start = start
	return e
}
