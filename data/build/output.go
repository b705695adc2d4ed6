package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// prop is one property, written in the order given.
type prop struct {
	Key   string
	Value any
}

// feature is a GeoJSON feature to write.
type feature struct {
	ID    string
	Props []prop
	Geom  orb.Geometry
}

// round7 rounds v to 7 decimals (about 1 cm).
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func roundPoint(p orb.Point) orb.Point { return orb.Point{round7(p[0]), round7(p[1])} }

func appendCoord(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, round7(p[0]), 'f', 7, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, round7(p[1]), 'f', 7, 64)
	return append(b, ']')
}

func appendCoords(b []byte, pts []orb.Point) []byte {
	b = append(b, '[')
	for i, p := range pts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCoord(b, p)
	}
	return append(b, ']')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCoords(b, r)
	}
	return append(b, ']')
}

func appendGeometry(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendCoord(b, g)
	case orb.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = appendCoords(b, g)
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, p)
		}
		b = append(b, ']')
	default:
		b = append(b, `null`...)
		return b
	}
	return append(b, '}')
}

// marshalValue encodes v as JSON without HTML escaping.
func marshalValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// fixed3 is a number written with exactly 3 decimals.
type fixed3 float64

// MarshalJSON implements json.Marshaler.
func (f fixed3) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'f', 3, 64), nil
}

// featureCollection encodes features as a GeoJSON FeatureCollection with
// one feature per line. Coordinates are rounded to 7 decimals.
func featureCollection(features []feature) ([]byte, error) {
	b := []byte("{\"type\":\"FeatureCollection\",\"features\":[\n")
	for i, f := range features {
		id, err := marshalValue(f.ID)
		if err != nil {
			return nil, err
		}
		b = append(b, `{"type":"Feature","id":`...)
		b = append(b, id...)
		b = append(b, `,"properties":{`...)
		for j, p := range f.Props {
			if j > 0 {
				b = append(b, ',')
			}
			k, err := marshalValue(p.Key)
			if err != nil {
				return nil, err
			}
			v, err := marshalValue(p.Value)
			if err != nil {
				return nil, err
			}
			b = append(b, k...)
			b = append(b, ':')
			b = append(b, v...)
		}
		b = append(b, `},"geometry":`...)
		b = appendGeometry(b, f.Geom)
		b = append(b, '}')
		if i < len(features)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, "]}\n"...)
	return b, nil
}

// roundMultiPolygon rounds every coordinate to 7 decimals, drops repeated
// consecutive points the rounding creates and rings left with fewer than
// four points, and orients shells counter-clockwise and holes clockwise.
func roundMultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range mp {
		var op orb.Polygon
		for i, r := range p {
			var or orb.Ring
			for _, q := range r {
				q = roundPoint(q)
				if len(or) > 0 && or[len(or)-1] == q {
					continue
				}
				or = append(or, q)
			}
			if len(or) > 0 && or[0] != or[len(or)-1] {
				or = append(or, or[0])
			}
			if len(or) < 4 {
				if i == 0 {
					break
				}
				continue
			}
			op = append(op, orient(or, i == 0))
		}
		if len(op) > 0 {
			out = append(out, op)
		}
	}
	return out
}
