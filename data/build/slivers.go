package main

// The residual pieces of a country that no province covers (slivers):
// cut at the junctions of province boundaries and assigned to the province
// they share the longest boundary with.

import (
	"fmt"
	"math"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// segRef points to one segment of one province.
type segRef struct {
	owner int
	a, b  orb.Point
}

// segIndex is a uniform grid over the boundary segments of a set of
// multipolygons.
type segIndex struct {
	cell  float64
	cells map[[2]int][]segRef
	all   []segRef
	n     int
}

func newSegIndex(mps []orb.MultiPolygon, cell float64) *segIndex {
	idx := &segIndex{cell: cell, cells: map[[2]int][]segRef{}, n: len(mps)}
	for i, mp := range mps {
		ringEdges(mp, func(a, b orb.Point) {
			s := segRef{owner: i, a: a, b: b}
			idx.all = append(idx.all, s)
			x0, x1 := idx.key(math.Min(a[0], b[0])), idx.key(math.Max(a[0], b[0]))
			y0, y1 := idx.key(math.Min(a[1], b[1])), idx.key(math.Max(a[1], b[1]))
			for x := x0; x <= x1; x++ {
				for y := y0; y <= y1; y++ {
					idx.cells[[2]int{x, y}] = append(idx.cells[[2]int{x, y}], s)
				}
			}
		})
	}
	return idx
}

func (idx *segIndex) key(v float64) int { return int(math.Floor(v / idx.cell)) }

// planarDist is the distance in degrees (longitude scaled by the cosine
// of the latitude) from p to segment ab.
func planarDist(p, a, b orb.Point) float64 {
	q, _ := closestOnSegment(p, a, b)
	k := math.Cos(p[1] * math.Pi / 180)
	return math.Hypot((q[0]-p[0])*k, q[1]-p[1])
}

// assign returns the index of the multipolygon that shares the longest
// boundary with piece or, when none touches it, the nearest one. Ties go
// to the lower index.
func (idx *segIndex) assign(piece orb.Polygon) int {
	k, _ := idx.assignShares(piece)
	return k
}

// assignShares is assign, also returning the shared boundary length in
// metres with each multipolygon.
func (idx *segIndex) assignShares(piece orb.Polygon) (int, []float64) {
	const touch = 1e-7 // degrees, about 1 cm
	shared := make([]float64, idx.n)
	any := false
	for _, r := range piece {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			m := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
			best, bestOwner := math.Inf(1), -1
			for _, s := range idx.cells[[2]int{idx.key(m[0]), idx.key(m[1])}] {
				if d := planarDist(m, s.a, s.b); d < best || (d == best && s.owner < bestOwner) {
					best, bestOwner = d, s.owner
				}
			}
			if bestOwner >= 0 && best < touch {
				shared[bestOwner] += distance(a, b)
				any = true
			}
		}
	}
	if any {
		bi := 0
		for i, v := range shared {
			if v > shared[bi] {
				bi = i
			}
		}
		return bi, shared
	}
	best, bi := math.Inf(1), 0
	for _, r := range piece {
		for _, p := range r {
			for _, s := range idx.all {
				if d := planarDist(p, s.a, s.b); d < best || (d == best && s.owner < bi) {
					best, bi = d, s.owner
				}
			}
		}
	}
	return bi, shared
}

func splitMulti(mp orb.MultiPolygon) []orb.Polygon { return []orb.Polygon(mp) }

// junctions returns the points where the boundary between two provinces
// meets the outer outline of all of them, in a deterministic order.
func junctions(provs []geom.Geometry, outline geom.Geometry) []orb.Point {
	onOutline := map[orb.Point]bool{}
	for _, p := range fromSF(outline) {
		for _, r := range p {
			for _, q := range r {
				onOutline[q] = true
			}
		}
	}
	owners := map[orb.Point]int{}
	var order []orb.Point
	for _, g := range provs {
		seen := map[orb.Point]bool{}
		for _, p := range fromSF(g) {
			for _, r := range p {
				for _, q := range r {
					if seen[q] || !onOutline[q] {
						continue
					}
					seen[q] = true
					if owners[q] == 0 {
						order = append(order, q)
					}
					owners[q]++
				}
			}
		}
	}
	var out []orb.Point
	for _, q := range order {
		if owners[q] >= 2 {
			out = append(out, q)
		}
	}
	return out
}

// nearestOnBoundary returns the point of the rings of mp nearest p.
func nearestOnBoundary(p orb.Point, mp orb.MultiPolygon) orb.Point {
	best := math.Inf(1)
	var bq orb.Point
	ringEdges(mp, func(a, b orb.Point) {
		q, _ := closestOnSegment(p, a, b)
		k := math.Cos(p[1] * math.Pi / 180)
		if d := math.Hypot((q[0]-p[0])*k, q[1]-p[1]); d < best {
			best, bq = d, q
		}
	})
	return bq
}

// cutAtJunctions splits the uncovered pieces of a country where a boundary
// between two provinces, prolonged from the provinces' outline J to the
// nearest point K of the country outline, would cross them, so that each
// piece ends up beside one province. The cutter is a rectangle with one
// side on the line J–K, reaching a little past both ends.
func cutAtJunctions(pieces []orb.Polygon, provs []geom.Geometry, outline geom.Geometry, country orb.MultiPolygon) ([]orb.Polygon, int, error) {
	cuts := 0
	for _, j := range junctions(provs, outline) {
		k := nearestOnBoundary(j, country)
		dx, dy := k[0]-j[0], k[1]-j[1]
		l := math.Hypot(dx, dy)
		if l < 1e-6 {
			continue
		}
		ux, uy := dx/l, dy/l
		e := l
		w := math.Max(2*l, 0.01)
		a := orb.Point{j[0] - ux*e, j[1] - uy*e}
		b := orb.Point{k[0] + ux*e, k[1] + uy*e}
		c := orb.Point{b[0] - uy*w, b[1] + ux*w}
		d := orb.Point{a[0] - uy*w, a[1] + ux*w}
		rect := orb.Polygon{orb.Ring{a, b, c, d, a}}
		rect[0] = geojsonio.Oriented(rect[0], true)
		hb := rect.Bound()
		h := toSF(orb.MultiPolygon{rect}).AsGeometry()
		var next []orb.Polygon
		hit := false
		for _, p := range pieces {
			if !p.Bound().Intersects(hb) {
				next = append(next, p)
				continue
			}
			g := toSF(orb.MultiPolygon{p}).AsGeometry()
			in, err := geom.Intersection(g, h)
			if err != nil {
				return nil, cuts, fmt.Errorf("cutting at %v: %w", j, err)
			}
			out, err := geom.Difference(g, h)
			if err != nil {
				return nil, cuts, fmt.Errorf("cutting at %v: %w", j, err)
			}
			ip, op := fromSF(in), fromSF(out)
			if len(ip) > 0 && len(op) > 0 {
				hit = true
			}
			next = append(next, ip...)
			next = append(next, op...)
		}
		if hit {
			cuts++
		}
		pieces = next
	}
	return pieces, cuts, nil
}
