package main

import (
	"fmt"
	"math"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/peterstace/simplefeatures/geom"
)

// repairStats says what repairMultiPolygon changed.
type repairStats struct {
	SplitRings int // rings that touched themselves and were split
	NewRings   int // rings created by the splits
}

// splitLoops splits a closed ring that passes through the same vertex more
// than once into loops that do not; every loop is returned closed. No
// coordinate is moved or created.
func splitLoops(ring orb.Ring) []orb.Ring {
	pts := ring
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	var loops []orb.Ring
	var stack []orb.Point
	index := map[orb.Point]int{}
	for _, p := range pts {
		if j, ok := index[p]; ok {
			loop := append(orb.Ring(nil), stack[j:]...)
			loop = append(loop, p)
			for _, q := range stack[j+1:] {
				delete(index, q)
			}
			stack = stack[:j+1]
			if len(loop) >= 4 {
				loops = append(loops, loop)
			}
			continue
		}
		index[p] = len(stack)
		stack = append(stack, p)
	}
	if len(stack) >= 3 {
		loop := append(orb.Ring(nil), stack...)
		loop = append(loop, stack[0])
		loops = append(loops, loop)
	}
	return loops
}

// interiorProbe returns a point just inside loop r, next to the midpoint of
// its longest edge.
func interiorProbe(r orb.Ring) orb.Point {
	bi, bl := 1, -1.0
	for i := 1; i < len(r); i++ {
		dx, dy := r[i][0]-r[i-1][0], r[i][1]-r[i-1][1]
		if l := dx*dx + dy*dy; l > bl {
			bi, bl = i, l
		}
	}
	a, b := r[bi-1], r[bi]
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := math.Hypot(dx, dy)
	s := 1e-9 / l
	if r.Orientation() == orb.CW {
		s = -s
	}
	return orb.Point{(a[0]+b[0])/2 - dy*s, (a[1]+b[1])/2 + dx*s}
}

// shell is an exterior ring of repairMultiPolygon's result with its holes.
type shell struct {
	ring  orb.Ring
	holes []orb.Ring
}

// shellContaining returns the first of shells that contains loop l (tested
// at a point inside l), or nil.
func shellContaining(shells []*shell, l orb.Ring) *shell {
	probe := interiorProbe(l)
	for _, s := range shells {
		if planar.RingContains(s.ring, probe) {
			return s
		}
	}
	return nil
}

// repairMultiPolygon splits every ring that touches itself at a vertex
// (invalid in OGC terms) into simple loops and reassembles polygons from
// them: a loop split off an exterior ring is a hole of the loop that
// contains it or else a polygon of its own; a loop split off a hole is a
// hole, or an island polygon when it lies inside another loop of the same
// hole. Shells are oriented counter-clockwise, holes clockwise. No vertex
// is moved, added or removed.
func repairMultiPolygon(mp orb.MultiPolygon) (orb.MultiPolygon, repairStats, error) {
	var st repairStats
	var out orb.MultiPolygon
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		var shells []*shell
		shellLoops := splitLoops(poly[0])
		if len(shellLoops) > 1 {
			st.SplitRings++
			st.NewRings += len(shellLoops) - 1
		}
		// Largest loop first; a loop inside an earlier shell is its hole.
		sortLoopsByArea(shellLoops)
		for _, l := range shellLoops {
			if parent := shellContaining(shells, l); parent != nil {
				parent.holes = append(parent.holes, geojsonio.Oriented(l, false))
				continue
			}
			shells = append(shells, &shell{ring: geojsonio.Oriented(l, true)})
		}
		var islands []orb.Ring
		for _, h := range poly[1:] {
			loops := splitLoops(h)
			if len(loops) > 1 {
				st.SplitRings++
				st.NewRings += len(loops) - 1
			}
			sortLoopsByArea(loops)
			var holeLoops []orb.Ring
			for _, l := range loops {
				probe := interiorProbe(l)
				inHole := false
				for _, hl := range holeLoops {
					if planar.RingContains(hl, probe) {
						inHole = true
						break
					}
				}
				if inHole {
					islands = append(islands, geojsonio.Oriented(l, true))
					continue
				}
				holeLoops = append(holeLoops, l)
			}
			for _, l := range holeLoops {
				parent := shellContaining(shells, l)
				if parent == nil {
					return nil, st, fmt.Errorf("repair: hole loop at %v lies in no shell", l[0])
				}
				parent.holes = append(parent.holes, geojsonio.Oriented(l, false))
			}
		}
		for _, s := range shells {
			p := orb.Polygon{s.ring}
			p = append(p, s.holes...)
			out = append(out, p)
		}
		for _, r := range islands {
			out = append(out, orb.Polygon{r})
		}
	}
	return out, st, nil
}

func sortLoopsByArea(loops []orb.Ring) {
	area := make([]float64, len(loops))
	for i, l := range loops {
		area[i] = planar.Area(l)
	}
	// Insertion sort keeps equal areas in input order (stable).
	for i := 1; i < len(loops); i++ {
		for j := i; j > 0 && area[j] > area[j-1]; j-- {
			area[j], area[j-1] = area[j-1], area[j]
			loops[j], loops[j-1] = loops[j-1], loops[j]
		}
	}
}

// toSF converts an orb MultiPolygon to a simplefeatures one (unvalidated).
func toSF(mp orb.MultiPolygon) geom.MultiPolygon {
	polys := make([]geom.Polygon, 0, len(mp))
	for _, p := range mp {
		rings := make([]geom.LineString, 0, len(p))
		for _, r := range p {
			flat := make([]float64, 0, 2*len(r))
			for _, q := range r {
				flat = append(flat, q[0], q[1])
			}
			rings = append(rings, geom.NewLineString(geom.NewSequence(flat, geom.DimXY)))
		}
		polys = append(polys, geom.NewPolygon(rings))
	}
	return geom.NewMultiPolygon(polys)
}

// fromSF converts a simplefeatures areal geometry (Polygon, MultiPolygon
// or a collection holding them) to an orb MultiPolygon; other parts
// (points, lines from degenerate overlay output) are dropped.
func fromSF(g geom.Geometry) orb.MultiPolygon {
	var out orb.MultiPolygon
	addPoly := func(p geom.Polygon) {
		var op orb.Polygon
		for i := 0; i < p.NumRings(); i++ {
			var r geom.LineString
			if i == 0 {
				r = p.ExteriorRing()
			} else {
				r = p.InteriorRingN(i - 1)
			}
			seq := r.Coordinates()
			ring := make(orb.Ring, seq.Length())
			for j := range ring {
				xy := seq.GetXY(j)
				ring[j] = orb.Point{xy.X, xy.Y}
			}
			op = append(op, ring)
		}
		out = append(out, op)
	}
	switch g.Type() {
	case geom.TypePolygon:
		addPoly(g.MustAsPolygon())
	case geom.TypeMultiPolygon:
		m := g.MustAsMultiPolygon()
		for i := 0; i < m.NumPolygons(); i++ {
			addPoly(m.PolygonN(i))
		}
	case geom.TypeGeometryCollection:
		c := g.MustAsGeometryCollection()
		for i := 0; i < c.NumGeometries(); i++ {
			out = append(out, fromSF(c.GeometryN(i))...)
		}
	}
	return out
}

// validate reports whether mp is valid by OGC rules.
func validate(mp orb.MultiPolygon) error {
	return toSF(mp).Validate()
}
