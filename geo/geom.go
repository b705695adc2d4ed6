package geo

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
)

// SRID is the spatial reference of every geometry in the atlas (WGS84).
const SRID = 4326

// ToGeom converts an orb geometry to a go-geom geometry with layout XY and
// SRID 4326, so that go-geom's WKT, WKB, EWKB, GeoJSON and KML encoders can
// be used downstream.
func ToGeom(g orb.Geometry) (geom.T, error) {
	switch g := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}).SetSRID(SRID), nil
	case orb.MultiPoint:
		return geom.NewMultiPointFlat(geom.XY, flatPoints(g)).SetSRID(SRID), nil
	case orb.LineString:
		return geom.NewLineStringFlat(geom.XY, flatPoints(g)).SetSRID(SRID), nil
	case orb.MultiLineString:
		mls := geom.NewMultiLineString(geom.XY).SetSRID(SRID)
		for _, l := range g {
			if err := mls.Push(geom.NewLineStringFlat(geom.XY, flatPoints(l))); err != nil {
				return nil, err
			}
		}
		return mls, nil
	case orb.Ring:
		return polygonToGeom(orb.Polygon{g}).SetSRID(SRID), nil
	case orb.Polygon:
		return polygonToGeom(g).SetSRID(SRID), nil
	case orb.MultiPolygon:
		mp := geom.NewMultiPolygon(geom.XY).SetSRID(SRID)
		for _, p := range g {
			if err := mp.Push(polygonToGeom(p)); err != nil {
				return nil, err
			}
		}
		return mp, nil
	case orb.Collection:
		gc := geom.NewGeometryCollection().SetSRID(SRID)
		for _, x := range g {
			t, err := ToGeom(x)
			if err != nil {
				return nil, err
			}
			if err := gc.Push(t); err != nil {
				return nil, err
			}
		}
		return gc, nil
	case nil:
		return nil, fmt.Errorf("geo: nil geometry")
	}
	return nil, fmt.Errorf("geo: cannot convert %T", g)
}

func flatPoints[P ~[]orb.Point](ps P) []float64 {
	out := make([]float64, 0, 2*len(ps))
	for _, p := range ps {
		out = append(out, p[0], p[1])
	}
	return out
}

func polygonToGeom(p orb.Polygon) *geom.Polygon {
	flat := make([]float64, 0)
	ends := make([]int, 0, len(p))
	for _, r := range p {
		flat = append(flat, flatPoints(r)...)
		ends = append(ends, len(flat))
	}
	return geom.NewPolygonFlat(geom.XY, flat, ends)
}
