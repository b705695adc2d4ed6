package cql2

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// spatial compiles S_INTERSECTS between the feature's geometry and a
// literal (in either order). Candidates are found by bounding box; the
// exact test is simplefeatures' Intersects on the geometries as they are,
// in CRS84 degrees (planar, as GeoJSON and CRS84 filters are read).
func (c compiler) spatial(x Spatial) (func(Feature) tri, error) {
	prop, lit := x.A, x.B
	if _, ok := prop.(Property); !ok {
		prop, lit = lit, prop
	}
	p, ok := prop.(Property)
	if !ok {
		return nil, typeErr("%s needs the geometry property and a geometry literal", x.Op)
	}
	if t, ok := c.q[p.Name]; !ok || t != TypeGeometry {
		if !ok {
			return nil, typeErr("%q is not a queryable of this collection (queryables: %s)", truncate(p.Name), c.names())
		}
		return nil, typeErr("%q is %s, not a geometry", p.Name, t)
	}
	var g orb.Geometry
	switch l := lit.(type) {
	case Geometry:
		g = l.Geometry
	case BBox:
		g = l.Bound.ToPolygon()
	default:
		return nil, typeErr("the second argument of %s must be a geometry or BBOX", x.Op)
	}
	litBound := g.Bound()
	litSF, err := toSF(g)
	if err != nil {
		return nil, typeErr("geometry literal: %v", err)
	}
	_, isBox := lit.(BBox)
	return func(f Feature) tri {
		fg, fb := f.Geometry()
		if fg == nil {
			return triUnknown
		}
		if !fb.Intersects(litBound) {
			return triFalse
		}
		if isBox && litBound.Contains(fb.Min) && litBound.Contains(fb.Max) {
			return triTrue
		}
		if pt, ok := fg.(orb.Point); ok && isBox {
			return triOf(litBound.Contains(pt))
		}
		var g2 sf.Geometry
		var err error
		if pf, ok := f.(PreparedFeature); ok {
			g2, err = pf.PreparedGeometry()
		} else {
			g2, err = toSF(fg)
		}
		if err != nil {
			return triUnknown
		}
		return triOf(sf.Intersects(g2, litSF))
	}, nil
}

// PreparedFeature is a Feature that keeps its geometry converted for
// simplefeatures (with ToSimple), so that spatial filters do not convert
// it on every evaluation.
type PreparedFeature interface {
	Feature
	PreparedGeometry() (sf.Geometry, error)
}

// ToSimple converts a geometry for PreparedFeature.
func ToSimple(g orb.Geometry) (sf.Geometry, error) { return toSF(g) }

// toSF converts an orb geometry to simplefeatures through WKB, without
// validation (the data's rings may touch themselves).
func toSF(g orb.Geometry) (sf.Geometry, error) {
	b, err := wkb.Marshal(g)
	if err != nil {
		return sf.Geometry{}, fmt.Errorf("encoding: %w", err)
	}
	return sf.UnmarshalWKB(b, sf.NoValidate{})
}
