package geojsonio

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/paulmach/orb"
)

// Prop is one property of a Feature.
type Prop struct {
	Key   string
	Value any // encoded with encoding/json, without HTML escaping
}

// Feature is a feature to write: its id, its properties in the order they
// are written, and its geometry (a Point, LineString or MultiPolygon; any
// other is written as null).
type Feature struct {
	ID    string
	Props []Prop
	Geom  orb.Geometry
}

// FeatureCollection encodes features as a GeoJSON FeatureCollection, one
// feature per line, with members in a fixed order (type, id, properties,
// geometry). Coordinates are rounded with Round7 and written with digits
// decimals, or as few as give the number exactly when digits is -1 (as
// strconv.FormatFloat). The bytes depend only on the arguments.
func FeatureCollection(features []Feature, digits int) ([]byte, error) {
	w := writer{digits: digits}
	w.b = append(w.b, "{\"type\":\"FeatureCollection\",\"features\":[\n"...)
	for i, f := range features {
		if err := w.feature(f); err != nil {
			return nil, err
		}
		if i < len(features)-1 {
			w.b = append(w.b, ',')
		}
		w.b = append(w.b, '\n')
	}
	w.b = append(w.b, "]}\n"...)
	return w.b, nil
}

type writer struct {
	b      []byte
	digits int
}

func (w *writer) feature(f Feature) error {
	id, err := marshalValue(f.ID)
	if err != nil {
		return err
	}
	w.b = append(w.b, `{"type":"Feature","id":`...)
	w.b = append(w.b, id...)
	w.b = append(w.b, `,"properties":{`...)
	for j, p := range f.Props {
		if j > 0 {
			w.b = append(w.b, ',')
		}
		k, err := marshalValue(p.Key)
		if err != nil {
			return err
		}
		v, err := marshalValue(p.Value)
		if err != nil {
			return err
		}
		w.b = append(w.b, k...)
		w.b = append(w.b, ':')
		w.b = append(w.b, v...)
	}
	w.b = append(w.b, `},"geometry":`...)
	w.geometry(f.Geom)
	w.b = append(w.b, '}')
	return nil
}

func (w *writer) geometry(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		w.b = append(w.b, `{"type":"Point","coordinates":`...)
		w.point(g)
	case orb.LineString:
		w.b = append(w.b, `{"type":"LineString","coordinates":`...)
		w.points(g)
	case orb.MultiPolygon:
		w.b = append(w.b, `{"type":"MultiPolygon","coordinates":`...)
		w.list(len(g), func(i int) {
			w.list(len(g[i]), func(j int) { w.points(g[i][j]) })
		})
	default:
		w.b = append(w.b, `null`...)
		return
	}
	w.b = append(w.b, '}')
}

func (w *writer) point(p orb.Point) {
	w.b = append(w.b, '[')
	w.b = strconv.AppendFloat(w.b, Round7(p[0]), 'f', w.digits, 64)
	w.b = append(w.b, ',')
	w.b = strconv.AppendFloat(w.b, Round7(p[1]), 'f', w.digits, 64)
	w.b = append(w.b, ']')
}

func (w *writer) points(pts []orb.Point) {
	w.list(len(pts), func(i int) { w.point(pts[i]) })
}

// list writes a JSON array of n elements, each written by elem.
func (w *writer) list(n int, elem func(i int)) {
	w.b = append(w.b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		elem(i)
	}
	w.b = append(w.b, ']')
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
