package geojsonio

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
)

// GeometryTypeError is the error of Polygons for a geometry that is
// neither a Polygon nor a MultiPolygon.
type GeometryTypeError struct {
	Type string
}

func (e *GeometryTypeError) Error() string {
	return fmt.Sprintf("geometry type is %q, want Polygon or MultiPolygon", e.Type)
}

// CoordinatesError is the error of Polygons for coordinates that do not
// decode as the geometry type says.
type CoordinatesError struct {
	Type string // the geometry type, Polygon or MultiPolygon
	Err  error  // the error of encoding/json
}

func (e *CoordinatesError) Error() string { return e.Type + " coordinates: " + e.Err.Error() }

func (e *CoordinatesError) Unwrap() error { return e.Err }

// Polygons decodes the coordinates of a geometry of type typ, a Polygon or
// a MultiPolygon, as a MultiPolygon (a Polygon is one polygon of it). Every
// position must have at least two numbers; further ones (elevation) are
// dropped. Rings are returned as they are: neither checked for closure nor
// oriented.
func Polygons(typ string, coords json.RawMessage) (orb.MultiPolygon, error) {
	var polys [][][][]float64
	switch typ {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(coords, &p); err != nil {
			return nil, &CoordinatesError{Type: typ, Err: err}
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(coords, &polys); err != nil {
			return nil, &CoordinatesError{Type: typ, Err: err}
		}
	default:
		return nil, &GeometryTypeError{Type: typ}
	}
	mp := make(orb.MultiPolygon, 0, len(polys))
	for pi, p := range polys {
		poly := make(orb.Polygon, 0, len(p))
		for ri, r := range p {
			ring := make(orb.Ring, len(r))
			for k, pos := range r {
				if len(pos) < 2 {
					return nil, fmt.Errorf("polygon %d ring %d position %d has %d numbers, want at least 2", pi, ri, k, len(pos))
				}
				ring[k] = orb.Point{pos[0], pos[1]}
			}
			poly = append(poly, ring)
		}
		mp = append(mp, poly)
	}
	return mp, nil
}
