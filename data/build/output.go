package main

import (
	"strconv"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
)

// The GeoJSON files are written by geojsonio.FeatureCollection with 7
// decimals of a degree.
type (
	feature = geojsonio.Feature
	prop    = geojsonio.Prop
)

// featureCollection encodes features as a GeoJSON FeatureCollection with
// one feature per line. Coordinates are rounded to 7 decimals and written
// with 7 decimals.
func featureCollection(features []feature) ([]byte, error) {
	return geojsonio.FeatureCollection(features, 7)
}

// fixed3 is a number written with exactly 3 decimals.
type fixed3 float64

// MarshalJSON implements json.Marshaler.
func (f fixed3) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'f', 3, 64), nil
}

// roundMultiPolygon rounds every coordinate to 7 decimals, drops repeated
// consecutive points the rounding creates and rings left with fewer than
// four points, and orients shells counter-clockwise and holes clockwise.
func roundMultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range mp {
		var op orb.Polygon
		for i, r := range p {
			or := geojsonio.RoundRing(r)
			if len(or) < 4 {
				if i == 0 {
					break
				}
				continue
			}
			op = append(op, geojsonio.Oriented(or, i == 0))
		}
		if len(op) > 0 {
			out = append(out, op)
		}
	}
	return out
}
