package geo

// Ring utilities of the zone geometry: orientation and grouping into
// polygons. Point-in-ring tests are orb/planar's, cleaning geojsonio's.

import (
	"sort"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// ringArea returns the signed area of a ring in square degrees
// (positive when counter-clockwise).
func ringArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// ringsContain reports whether p is inside the region bounded by rings
// (even-odd over all of them).
func ringsContain(rings []orb.Ring, bounds []orb.Bound, p orb.Point) bool {
	in := false
	for k, r := range rings {
		if bounds != nil && !bounds[k].Contains(p) {
			continue
		}
		if planar.RingContains(r, p) {
			in = !in
		}
	}
	return in
}

// assemble groups rings (exterior counter-clockwise, holes clockwise) into
// polygons: each hole goes to the smallest exterior ring containing it.
func assemble(rings []orb.Ring) orb.MultiPolygon {
	type outer struct {
		r    orb.Ring
		area float64
		b    orb.Bound
		hole []orb.Ring
	}
	var outers []*outer
	var holes []orb.Ring
	for _, r := range rings {
		if len(r) < 4 {
			continue
		}
		if a := ringArea(r); a > 0 {
			outers = append(outers, &outer{r: r, area: a, b: r.Bound()})
		} else if a < 0 {
			holes = append(holes, r)
		}
	}
	sort.SliceStable(outers, func(i, j int) bool { return outers[i].area < outers[j].area })
	for _, h := range holes {
		p := h[0]
		for _, o := range outers {
			if o.b.Contains(p) && planar.RingContains(o.r, p) {
				o.hole = append(o.hole, h)
				break
			}
		}
	}
	sort.SliceStable(outers, func(i, j int) bool { return outers[i].area > outers[j].area })
	mp := make(orb.MultiPolygon, 0, len(outers))
	for _, o := range outers {
		poly := orb.Polygon{o.r}
		poly = append(poly, o.hole...)
		mp = append(mp, poly)
	}
	return mp
}

// orientRings returns the rings of a polygon set oriented exterior
// counter-clockwise, holes clockwise, closed, without repeated points.
func orientRings(mp orb.MultiPolygon, fill bool) []orb.Ring {
	var out []orb.Ring
	for _, poly := range mp {
		for k, r := range poly {
			if k > 0 && fill {
				break
			}
			r = geojsonio.CleanRing(r)
			if len(r) < 4 {
				continue
			}
			a := ringArea(r)
			if (k == 0) != (a > 0) {
				r = reversed(r)
			}
			out = append(out, r)
		}
	}
	return out
}

func reversed(r orb.Ring) orb.Ring {
	out := r.Clone()
	out.Reverse()
	return out
}
