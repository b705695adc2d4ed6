package geojsonio

import (
	"math"

	"github.com/paulmach/orb"
)

// Round7 rounds v to 7 decimals (about 1 cm of longitude or latitude). The
// result is never negative zero.
func Round7(v float64) float64 {
	r := math.Round(v*1e7) / 1e7
	if r == 0 {
		return 0 // no negative zero
	}
	return r
}

// RoundPoint rounds both coordinates of p with Round7.
func RoundPoint(p orb.Point) orb.Point { return orb.Point{Round7(p[0]), Round7(p[1])} }

// CleanRing returns a copy of r without repeated consecutive positions and
// closed (its last position equal to its first). It does not round: round
// the positions first (RoundRing) where the rounding may make new repeats.
func CleanRing(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}

// RoundRing returns r with every position rounded by RoundPoint, cleaned by
// CleanRing.
func RoundRing(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = RoundPoint(p)
	}
	return CleanRing(out)
}

// Oriented returns r counter-clockwise when ccw is set (an exterior ring in
// RFC 7946), clockwise otherwise (a hole): r itself when it is so already,
// else a reversed copy. A ring without area counts as clockwise.
func Oriented(r orb.Ring, ccw bool) orb.Ring {
	if (r.Orientation() == orb.CCW) != ccw {
		r = append(orb.Ring(nil), r...)
		r.Reverse()
	}
	return r
}

// OrientPolygon orients the rings of p in place with Oriented: ring 0 (the
// exterior) counter-clockwise, the others (holes) clockwise.
func OrientPolygon(p orb.Polygon) {
	for i, r := range p {
		p[i] = Oriented(r, i == 0)
	}
}
