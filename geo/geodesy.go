package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/geodesic"
)

// Geodesic returns the geodesic (shortest on the WGS84 ellipsoid) distance
// in metres between a and b, and the initial azimuth from a in degrees
// clockwise from north.
func Geodesic(a, b orb.Point) (metres, azimuth float64) {
	geodesic.WGS84.Inverse(a[1], a[0], b[1], b[0], &metres, &azimuth, nil)
	return metres, azimuth
}

// Distance returns the geodesic distance in metres between a and b on the
// WGS84 ellipsoid.
func Distance(a, b orb.Point) float64 {
	var s float64
	geodesic.WGS84.Inverse(a[1], a[0], b[1], b[0], &s, nil, nil)
	return s
}

// Destination returns the point reached by travelling metres along the
// geodesic that leaves p at azimuth degrees (clockwise from north).
func Destination(p orb.Point, azimuth, metres float64) orb.Point {
	var lat, lon float64
	geodesic.WGS84.Direct(p[1], p[0], azimuth, metres, &lat, &lon, nil)
	return orb.Point{lon, lat}
}

// LineLength returns the geodesic length in metres of ls, the sum of the
// geodesic lengths of its segments.
func LineLength(ls orb.LineString) float64 {
	var total float64
	for i := 1; i < len(ls); i++ {
		total += Distance(ls[i-1], ls[i])
	}
	return total
}

// checkPoint reports whether p is a usable WGS84 coordinate.
func checkPoint(p orb.Point) error {
	lon, lat := p[0], p[1]
	switch {
	case math.IsNaN(lon) || math.IsNaN(lat):
		return &CoordError{Point: p, Reason: "coordinate is NaN"}
	case math.IsInf(lon, 0) || math.IsInf(lat, 0):
		return &CoordError{Point: p, Reason: "coordinate is infinite"}
	case lat < -90 || lat > 90:
		return &CoordError{Point: p, Reason: "latitude outside [-90, 90]"}
	case lon < -180 || lon > 180:
		return &CoordError{Point: p, Reason: "longitude outside [-180, 180]"}
	}
	return nil
}
