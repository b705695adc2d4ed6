package main

// Cleaning the overlay's output: vertices the overlay added on straight
// edges are dropped and T-junctions between provinces closed.

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

func vertexSetOf(mp orb.MultiPolygon) map[orb.Point]bool {
	s := map[orb.Point]bool{}
	for _, p := range mp {
		for _, r := range p {
			for _, q := range r {
				s[q] = true
			}
		}
	}
	return s
}

// onSegment reports whether p lies on segment ab (within about 0.1 mm),
// strictly between its ends.
func onSegment(p, a, b orb.Point) bool {
	const eps = 1e-9
	if p == a || p == b {
		return false
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return false
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
	if t <= 0 || t >= 1 {
		return false
	}
	qx, qy := a[0]+t*dx, a[1]+t*dy
	return math.Hypot(p[0]-qx, p[1]-qy) < eps
}

// dropNodingVertices removes from every ring the vertices that are in
// none of the inputs (nodes the overlay added, for example where its
// internal "ghost" edges crossed an edge) and lie on the straight line
// between their neighbours, so they change no shape.
func dropNodingVertices(mps []orb.MultiPolygon, keep map[orb.Point]bool) ([]orb.MultiPolygon, int) {
	removed := 0
	out := mapRings(mps, func(_ int, r orb.Ring) orb.Ring {
		pts, n := dropCollinear(r[:len(r)-1], keep)
		removed += n
		return append(orb.Ring(pts), pts[0])
	})
	return out, removed
}

// mapRings returns mps with every ring r replaced by f(i, r), i the index
// of r's multipolygon in mps.
func mapRings(mps []orb.MultiPolygon, f func(i int, r orb.Ring) orb.Ring) []orb.MultiPolygon {
	out := make([]orb.MultiPolygon, len(mps))
	for i, mp := range mps {
		for _, p := range mp {
			var np orb.Polygon
			for _, r := range p {
				np = append(np, f(i, r))
			}
			out[i] = append(out[i], np)
		}
	}
	return out
}

// dropCollinear removes from the open ring pts the points not in keep that
// lie on the segment joining their neighbours, keeping at least three.
func dropCollinear(pts []orb.Point, keep map[orb.Point]bool) ([]orb.Point, int) {
	total := 0
	for {
		n := len(pts)
		var kept []orb.Point
		dropped := 0
		for j := 0; j < n; j++ {
			prev := pts[(j+n-1)%n]
			if len(kept) > 0 {
				prev = kept[len(kept)-1]
			}
			next := pts[(j+1)%n]
			if n-dropped > 3 && !keep[pts[j]] && onSegment(pts[j], prev, next) {
				dropped++
				continue
			}
			kept = append(kept, pts[j])
		}
		total += dropped
		pts = kept
		if dropped == 0 {
			return pts, total
		}
	}
}

// fixTJunctions inserts into every edge the vertices of the other
// multipolygons that lie on it, so that edges shared by two provinces have
// the same vertices on both sides.
func fixTJunctions(mps []orb.MultiPolygon) ([]orb.MultiPolygon, int) {
	const cell = 0.02
	key := func(v float64) int { return int(math.Floor(v / cell)) }
	type vref struct {
		p     orb.Point
		owner int
	}
	grid := map[[2]int][]vref{}
	for i, mp := range mps {
		for q := range vertexSetOf(mp) {
			k := [2]int{key(q[0]), key(q[1])}
			grid[k] = append(grid[k], vref{q, i})
		}
	}
	// Deterministic order within cells.
	for k, vs := range grid {
		sort.Slice(vs, func(a, b int) bool {
			if vs[a].p[0] != vs[b].p[0] {
				return vs[a].p[0] < vs[b].p[0]
			}
			if vs[a].p[1] != vs[b].p[1] {
				return vs[a].p[1] < vs[b].p[1]
			}
			return vs[a].owner < vs[b].owner
		})
		grid[k] = vs
	}
	inserted := 0
	out := mapRings(mps, func(i int, r orb.Ring) orb.Ring {
		ring := orb.Ring{r[0]}
		for j := 1; j < len(r); j++ {
			a, b := r[j-1], r[j]
			type hit struct {
				p orb.Point
				t float64
			}
			var hits []hit
			seen := map[orb.Point]bool{}
			for x := key(math.Min(a[0], b[0])); x <= key(math.Max(a[0], b[0])); x++ {
				for y := key(math.Min(a[1], b[1])); y <= key(math.Max(a[1], b[1])); y++ {
					for _, v := range grid[[2]int{x, y}] {
						if v.owner == i || seen[v.p] || !onSegment(v.p, a, b) {
							continue
						}
						seen[v.p] = true
						dx, dy := b[0]-a[0], b[1]-a[1]
						hits = append(hits, hit{v.p, ((v.p[0]-a[0])*dx + (v.p[1]-a[1])*dy) / (dx*dx + dy*dy)})
					}
				}
			}
			sort.Slice(hits, func(x, y int) bool { return hits[x].t < hits[y].t })
			for _, h := range hits {
				ring = append(ring, h.p)
				inserted++
			}
			ring = append(ring, b)
		}
		return ring
	})
	return out, inserted
}
