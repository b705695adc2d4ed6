package server

import (
	"math"
	"reflect"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// unchanged returns the position in c (a filled collection of an earlier
// version of the data, or nil) of the feature with id when it has the
// same content as f, so that f's encoding can be taken from c.
func (c *collection) unchanged(id string, f *geojson.Feature) (int, bool) {
	if c == nil {
		return 0, false
	}
	j, ok := c.index[id]
	if !ok || j >= len(c.layer.Features) || !sameFeature(c.layer.Features[j], f) {
		return 0, false
	}
	return j, true
}

// sameFeature reports whether two features encode to the same GeoJSON:
// same id, type, bbox, geometry and properties, numbers compared bit for
// bit (0 and -0 encode differently) and values of the same Go types.
func sameFeature(a, b *geojson.Feature) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.Type != b.Type || !sameValue(a.ID, b.ID) || !sameFloats(a.BBox, b.BBox) ||
		!sameGeometry(a.Geometry, b.Geometry) || len(a.Properties) != len(b.Properties) {
		return false
	}
	for k, v := range a.Properties {
		w, ok := b.Properties[k]
		if !ok || !sameValue(v, w) {
			return false
		}
	}
	return true
}

// sameValue compares two property values as decoded from JSON or set by
// the catalogue; values of other types are compared with reflect.DeepEqual
// and their types.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	}
	// Other types (numbers of other kinds, slices of strings...): equal
	// types and deeply equal values. Floats inside them compare with ==,
	// so such a value holding -0 where 0 was would be taken as unchanged:
	// the catalogue sets none.
	return reflect.TypeOf(a) == reflect.TypeOf(b) && reflect.DeepEqual(a, b)
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func sameLists[L ~[]E, E any](a, b L, same func(x, y E) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !same(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sameGeometry reports whether two geometries are of the same type with
// the same coordinates, bit for bit.
func sameGeometry(a, b orb.Geometry) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case orb.Point:
		b, ok := b.(orb.Point)
		return ok && geojsonio.SamePoints([]orb.Point{a}, []orb.Point{b})
	case orb.MultiPoint:
		b, ok := b.(orb.MultiPoint)
		return ok && geojsonio.SamePoints(a, b)
	case orb.LineString:
		b, ok := b.(orb.LineString)
		return ok && geojsonio.SamePoints(a, b)
	case orb.Ring:
		b, ok := b.(orb.Ring)
		return ok && geojsonio.SamePoints(a, b)
	case orb.MultiLineString:
		b, ok := b.(orb.MultiLineString)
		return ok && sameLists(a, b, geojsonio.SamePoints[orb.LineString])
	case orb.Polygon:
		b, ok := b.(orb.Polygon)
		return ok && sameLists(a, b, geojsonio.SamePoints[orb.Ring])
	case orb.MultiPolygon:
		b, ok := b.(orb.MultiPolygon)
		return ok && sameLists(a, b, func(x, y orb.Polygon) bool { return sameLists(x, y, geojsonio.SamePoints[orb.Ring]) })
	case orb.Collection:
		b, ok := b.(orb.Collection)
		return ok && sameLists(a, b, sameGeometry)
	case orb.Bound:
		b, ok := b.(orb.Bound)
		return ok && geojsonio.SamePoints([]orb.Point{a.Min, a.Max}, []orb.Point{b.Min, b.Max})
	}
	return false
}
