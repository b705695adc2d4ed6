// Coordinate and ring checks and normalisation of installed geometries.

package data

import (
	"errors"
	"fmt"
	"math"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
)

// checkPoint reports NaN, infinite and out-of-range coordinates.
func checkPoint(p orb.Point, region bool) error {
	x, y := p[0], p[1]
	switch {
	case math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0):
		return fmt.Errorf("coordinate (%v, %v) is not a finite number", x, y)
	case x < -180 || x > 180 || y < -90 || y > 90:
		return fmt.Errorf("coordinate (%v, %v) is outside WGS84 longitude/latitude ranges (projected data?)", x, y)
	case region && (x < regionMinLon || x > regionMaxLon || y < regionMinLat || y > regionMaxLat):
		return fmt.Errorf("coordinate (%v, %v) is outside the Afghanistan–Pakistan region (lon %v..%v, lat %v..%v; wrong file?)",
			x, y, regionMinLon, regionMaxLon, regionMinLat, regionMaxLat)
	}
	return nil
}

// cleanRing validates a ring, rounds it to 7 decimals and drops repeated
// points. It returns nil (no error) for a ring that has no area after
// rounding.
func cleanRing(r orb.Ring, region bool, idx int) (orb.Ring, error) {
	if len(r) < 4 {
		return nil, fmt.Errorf("ring %d has %d positions, want at least 4", idx, len(r))
	}
	for k, p := range r {
		if err := checkPoint(p, region); err != nil {
			return nil, fmt.Errorf("ring %d position %d: %w", idx, k, err)
		}
	}
	if r[0] != r[len(r)-1] {
		return nil, fmt.Errorf("ring %d is not closed (first position %v, last %v)", idx, r[0], r[len(r)-1])
	}
	out := geojsonio.RoundRing(r)               // closed already: r is
	if len(out) < 4 || out.Orientation() == 0 { // no area
		return nil, nil
	}
	return out, nil
}

// normalise validates, rounds and orients GeoJSON polygons (ring 0 of each
// polygon exterior, the rest holes).
func normalise(mp orb.MultiPolygon, region bool) (orb.MultiPolygon, error) {
	out := make(orb.MultiPolygon, 0, len(mp))
	for pi, poly := range mp {
		if len(poly) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi)
		}
		var np orb.Polygon
		for ri, ring := range poly {
			r, err := cleanRing(ring, region, ri)
			if err != nil {
				if len(mp) > 1 {
					return nil, fmt.Errorf("polygon %d: %w", pi, err)
				}
				return nil, err
			}
			if r == nil {
				if ri == 0 {
					break // exterior has no area: drop the polygon
				}
				continue
			}
			np = append(np, r)
		}
		if len(np) > 0 {
			geojsonio.OrientPolygon(np)
			out = append(out, np)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("geometry has no area")
	}
	return out, nil
}
