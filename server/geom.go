package server

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// intersects reports whether geometry g intersects the box b, treating
// lon/lat as planar coordinates (the boxes of OGC API bbox queries are
// small and never cross the antimeridian here).
func intersects(g orb.Geometry, b orb.Bound) bool {
	if !g.Bound().Intersects(b) {
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		return b.Contains(g)
	case orb.MultiPoint:
		for _, p := range g {
			if b.Contains(p) {
				return true
			}
		}
		return false
	case orb.LineString:
		return lineIntersects(g, b)
	case orb.MultiLineString:
		for _, l := range g {
			if lineIntersects(l, b) {
				return true
			}
		}
		return false
	case orb.Ring:
		return polygonIntersects(orb.Polygon{g}, b)
	case orb.Polygon:
		return polygonIntersects(g, b)
	case orb.MultiPolygon:
		for _, p := range g {
			if polygonIntersects(p, b) {
				return true
			}
		}
		return false
	case orb.Collection:
		for _, x := range g {
			if intersects(x, b) {
				return true
			}
		}
		return false
	case orb.Bound:
		return true
	}
	return true
}

func lineIntersects(l orb.LineString, b orb.Bound) bool {
	if len(l) == 1 {
		return b.Contains(l[0])
	}
	for i := 0; i+1 < len(l); i++ {
		if segmentIntersects(l[i], l[i+1], b) {
			return true
		}
	}
	return false
}

// polygonIntersects: an edge meets the box, or the box lies inside.
func polygonIntersects(p orb.Polygon, b orb.Bound) bool {
	for _, r := range p {
		if lineIntersects(orb.LineString(r), b) {
			return true
		}
	}
	return planar.PolygonContains(p, b.Min)
}

// segmentIntersects clips the segment p–q to the box (Liang–Barsky).
func segmentIntersects(p, q orb.Point, b orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := q[0]-p[0], q[1]-p[1]
	clip := func(den, num float64) bool {
		if den == 0 {
			return num >= 0
		}
		t := num / den
		if den > 0 {
			if t < t0 {
				return false
			}
			if t < t1 {
				t1 = t
			}
		} else {
			if t > t1 {
				return false
			}
			if t > t0 {
				t0 = t
			}
		}
		return true
	}
	return clip(-dx, p[0]-b.Min[0]) && clip(dx, b.Max[0]-p[0]) &&
		clip(-dy, p[1]-b.Min[1]) && clip(dy, b.Max[1]-p[1])
}
