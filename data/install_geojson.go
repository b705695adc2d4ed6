// The strict GeoJSON decoder of the install inputs.

package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/durandline/durand/geo/geojsonio"
)

type geoJSONFC struct {
	Type     string           `json:"type"`
	Features []geoJSONFeature `json:"features"`
}

type geoJSONFeature struct {
	Type       string          `json:"type"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

type geoJSONGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// decodeGeoJSON decodes a FeatureCollection of Polygon/MultiPolygon
// features. region restricts coordinates to the Afghanistan–Pakistan box.
//
// It is not geo's fast decoder: the files are the user's, and every fault
// is reported with the feature and the byte offset (TestInstallCorruptInput
// pins the messages). The coordinates are decoded by geojsonio.Polygons, as
// data/build's are.
func decodeGeoJSON(file string, data []byte, region bool) ([]feature, error) {
	var fc geoJSONFC
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, invalid(file, "not valid GeoJSON: %s", jsonErr(data, err))
	}
	if fc.Type != "FeatureCollection" {
		return nil, invalid(file, "top-level type is %q, want FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, invalid(file, "FeatureCollection has no features")
	}
	out := make([]feature, 0, len(fc.Features))
	for i, gf := range fc.Features {
		if gf.Type != "Feature" {
			return nil, invalid(file, "feature %d: type is %q, want Feature", i, gf.Type)
		}
		var g *geoJSONGeometry
		if len(gf.Geometry) == 0 {
			return nil, invalid(file, "feature %d: geometry is missing", i)
		}
		if err := json.Unmarshal(gf.Geometry, &g); err != nil {
			return nil, invalid(file, "feature %d: geometry: %s", i, jsonErr(gf.Geometry, err))
		}
		if g == nil {
			return nil, invalid(file, "feature %d: geometry is missing or null", i)
		}
		mp, err := geojsonio.Polygons(g.Type, g.Coordinates)
		var ce *geojsonio.CoordinatesError
		switch {
		case errors.As(err, &ce):
			return nil, invalid(file, "feature %d: %s coordinates: %s", i, ce.Type, jsonErr(g.Coordinates, ce.Err))
		case err != nil:
			return nil, invalid(file, "feature %d: %v", i, err)
		}
		geom, err := normalise(mp, region)
		if err != nil {
			return nil, invalid(file, "feature %d%s: %v", i, featureLabel(gf.Properties), err)
		}
		out = append(out, feature{index: i, props: gf.Properties, geom: geom})
	}
	return out, nil
}

func featureLabel(props map[string]any) string {
	for _, k := range []string{"shapeName", "ADM2_EN", "name"} {
		if s, ok := props[k].(string); ok && s != "" {
			return fmt.Sprintf(" (%s)", s)
		}
	}
	return ""
}

// jsonErr describes a JSON decoding error with its byte offset.
func jsonErr(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d: %v", se.Offset, err)
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "value"
		}
		return fmt.Sprintf("%s at byte %d is a JSON %s, want %v", where, te.Offset, te.Value, te.Type)
	case len(bytes.TrimSpace(data)) == 0:
		return "empty"
	default:
		// io.ErrUnexpectedEOF-like messages: truncated input.
		return err.Error() + " (truncated file?)"
	}
}
