package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// The overlay kernel: the intersection of two regions given by rings whose
// boundaries meet only transversally (Greiner–Hormann style): find the
// crossings with an R-tree, then walk forward along whichever ring runs
// inside the other. Zones are cut to a country this way: the country's
// rings are the sovereign outlines (holes filled), the other set a traced
// buffer; they cross only where the buffer reaches a frontier.

// vertex of a ring in the intersection walk.
type olVertex struct {
	p       orb.Point
	next    int // index of the next vertex of the same ring
	cross   int // for an intersection, index of its twin in the other set; -1 otherwise
	inside  bool
	visited bool
}

// olRing builds the vertex lists of a set of rings.
type olSet struct {
	v       []olVertex
	first   []int // first vertex of every ring
	rings   []orb.Ring
	bnds    []orb.Bound
	crossed []bool // rings with at least one crossing
}

type olHit struct {
	ring, edge int
	t          float64   // position along the edge
	p          orb.Point // the crossing point (the same in both sets)
	node       int       // index in the set's vertex list, once inserted
}

// intersectRegions returns the intersection of two regions, each given by
// rings (exterior counter-clockwise, holes clockwise) that do not cross one
// another within the same set. Boundaries of the two sets must meet only
// transversally, which holds for the independent surveys and computed
// curves intersected here; a touching or overlapping configuration is
// reported as an error.
func intersectRegions(a, b []orb.Ring) (orb.MultiPolygon, error) {
	if len(a) == 0 || len(b) == 0 {
		return nil, nil
	}
	ab := ringsBound(a)
	bb := ringsBound(b)
	if !ab.Intersects(bb) {
		return nil, nil
	}
	// Index the edges of b.
	var tree rtree.RTreeG[[2]int]
	for ri, r := range b {
		for k := 0; k+1 < len(r); k++ {
			e := orb.Bound{Min: r[k], Max: r[k]}.Extend(r[k+1])
			tree.Insert(e.Min, e.Max, [2]int{ri, k})
		}
	}
	var hitsA, hitsB []olHit
	for ri, r := range a {
		if !r.Bound().Intersects(bb) {
			continue
		}
		for k := 0; k+1 < len(r); k++ {
			p, q := r[k], r[k+1]
			e := orb.Bound{Min: p, Max: p}.Extend(q)
			if !e.Intersects(bb) {
				continue
			}
			var err error
			tree.Search(e.Min, e.Max, func(_, _ [2]float64, be [2]int) bool {
				s := b[be[0]]
				u, v := s[be[1]], s[be[1]+1]
				t, w, ok, bad := segmentCrossing(p, q, u, v)
				if bad {
					err = fmt.Errorf("%w: edges meet without crossing near (%.6f, %.6f)", ErrGeometry, p[0], p[1])
					return false
				}
				if ok {
					x := orb.Point{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])}
					hitsA = append(hitsA, olHit{ring: ri, edge: k, t: t, p: x})
					hitsB = append(hitsB, olHit{ring: be[0], edge: be[1], t: w, p: x})
				}
				return true
			})
			if err != nil {
				return nil, err
			}
		}
	}
	sa := buildOlSet(a, hitsA)
	sb := buildOlSet(b, hitsB)
	for i := range hitsA {
		sa.v[hitsA[i].node].cross = hitsB[i].node
		sb.v[hitsB[i].node].cross = hitsA[i].node
	}
	sa.markInside(sb)
	sb.markInside(sa)

	var out []orb.Ring
	// Rings without crossings lie wholly inside or outside the other set.
	for _, s := range [2]*olSet{sa, sb} {
		for ri, f := range s.first {
			if !s.crossed[ri] && s.v[f].inside {
				out = append(out, s.rings[ri])
			}
		}
	}
	// Walk from every unvisited crossing where a runs into b, always
	// forward, switching rings at a crossing when the current one leaves
	// the other region.
	limit := len(sa.v) + len(sb.v) + 4
	for i := range sa.v {
		if sa.v[i].cross < 0 || sa.v[i].visited || !sa.v[i].inside {
			continue
		}
		sa.v[i].visited = true
		sb.v[sa.v[i].cross].visited = true
		var r orb.Ring
		cur, k := sa, i
		for steps := 0; ; steps++ {
			if steps > limit {
				return nil, fmt.Errorf("%w: intersection walk does not close", ErrGeometry)
			}
			r = append(r, cur.v[k].p)
			k = cur.v[k].next
			if cur == sa && k == i {
				break
			}
			v := &cur.v[k]
			if v.cross < 0 {
				continue
			}
			other := sb
			if cur == sb {
				other = sa
			}
			if cur == sb && v.cross == i {
				break
			}
			v.visited = true
			other.v[v.cross].visited = true
			if !v.inside {
				cur, k = other, v.cross
				if !cur.v[k].inside {
					return nil, fmt.Errorf("%w: neither boundary continues inside the other near (%.6f, %.6f)", ErrGeometry, v.p[0], v.p[1])
				}
			}
		}
		r = geojsonio.CleanRing(r)
		if len(r) >= 4 {
			out = append(out, r)
		}
	}
	return assemble(out), nil
}

func ringsBound(rs []orb.Ring) orb.Bound {
	b := rs[0].Bound()
	for _, r := range rs[1:] {
		b = b.Union(r.Bound())
	}
	return b
}

// buildOlSet makes the vertex lists of rings with the crossings inserted in
// order along each edge; hits[i].node is set to the crossing's index.
func buildOlSet(rings []orb.Ring, hits []olHit) *olSet {
	s := &olSet{rings: rings}
	byEdge := map[[2]int][]int{}
	for i, h := range hits {
		byEdge[[2]int{h.ring, h.edge}] = append(byEdge[[2]int{h.ring, h.edge}], i)
	}
	for ri, r := range rings {
		s.bnds = append(s.bnds, r.Bound())
		f := len(s.v)
		s.first = append(s.first, f)
		for k := 0; k+1 < len(r); k++ {
			s.v = append(s.v, olVertex{p: r[k], cross: -1})
			hs := byEdge[[2]int{ri, k}]
			sort.Slice(hs, func(x, y int) bool { return hits[hs[x]].t < hits[hs[y]].t })
			for _, hi := range hs {
				hits[hi].node = len(s.v)
				s.v = append(s.v, olVertex{p: hits[hi].p, cross: -1})
			}
		}
		for k := f; k < len(s.v); k++ {
			s.v[k].next = k + 1
		}
		s.v[len(s.v)-1].next = f
	}
	return s
}

// markInside sets, for every vertex, whether the boundary leaving it (up to
// the next vertex) runs inside the other set's region: the first vertex of
// each ring is tested, and the state flips at every crossing (the crossings
// are transversal, see segmentCrossing).
func (s *olSet) markInside(o *olSet) {
	s.crossed = make([]bool, len(s.first))
	for ri, f := range s.first {
		state := ringsContain(o.rings, o.bnds, s.v[f].p)
		k := f
		for {
			if s.v[k].cross >= 0 {
				state = !state
				s.crossed[ri] = true
			}
			s.v[k].inside = state
			k = s.v[k].next
			if k == f {
				break
			}
		}
	}
}

// segmentCrossing intersects segments p–q and u–v. It returns the positions
// t along p–q and w along u–v of a proper crossing (both in (0,1), or at a
// start point), ok when they cross, and bad when they touch or overlap in a
// way that is not a crossing.
func segmentCrossing(p, q, u, v orb.Point) (t, w float64, ok, bad bool) {
	rx, ry := q[0]-p[0], q[1]-p[1]
	sx, sy := v[0]-u[0], v[1]-u[1]
	den := rx*sy - ry*sx
	qpx, qpy := u[0]-p[0], u[1]-p[1]
	if den == 0 {
		// Parallel: only collinear overlap matters.
		if qpx*ry-qpy*rx == 0 {
			rr := rx*rx + ry*ry
			if rr == 0 {
				return 0, 0, false, false
			}
			t0 := (qpx*rx + qpy*ry) / rr
			t1 := t0 + (sx*rx+sy*ry)/rr
			if math.Max(t0, t1) >= 0 && math.Min(t0, t1) <= 1 {
				return 0, 0, false, true
			}
		}
		return 0, 0, false, false
	}
	t = (qpx*sy - qpy*sx) / den
	w = (qpx*ry - qpy*rx) / den
	if t < 0 || t >= 1 || w < 0 || w >= 1 {
		return 0, 0, false, false
	}
	if t == 0 || w == 0 {
		// A vertex lies exactly on the other boundary.
		return 0, 0, false, true
	}
	return t, w, true, false
}
