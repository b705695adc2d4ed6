package main

import (
	"github.com/paulmach/orb"
	"github.com/tidwall/geodesic"
)

// distance returns the geodesic distance in metres between a and b on the
// WGS84 ellipsoid (Karney's algorithm, as geo.Distance; used directly so
// the pipeline does not depend on the library it feeds).
func distance(a, b orb.Point) float64 {
	var s float64
	geodesic.WGS84.Inverse(a[1], a[0], b[1], b[0], &s, nil, nil)
	return s
}

// lineLength returns the geodesic length in metres of ls.
func lineLength(ls orb.LineString) float64 {
	var total float64
	for i := 1; i < len(ls); i++ {
		total += distance(ls[i-1], ls[i])
	}
	return total
}
