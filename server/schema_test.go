package server

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/layers"
)

// jsonType is the JSON Schema type and format a declared kind is
// documented with; "" for a kind that is not a queryable.
func jsonType(k layers.Kind) (typ, format string) {
	switch k {
	case layers.String:
		return "string", ""
	case layers.Date:
		return "string", "date"
	case layers.Int:
		return "integer", ""
	case layers.Float:
		return "number", ""
	case layers.Bool:
		return "boolean", ""
	}
	return "", ""
}

// TestQueryablesFromSchema: every catalogue collection's queryables and
// the parameters of its items path in the OpenAPI document have the types
// the catalogue's schema declares, whatever the values look like, and
// every declared scalar property is one (unless its text is too long to
// filter on).
func TestQueryablesFromSchema(t *testing.T) {
	t.Parallel()
	h, a := embeddedServer(t)
	api := getJSON(t, h, "/api", 200)
	paths := api["paths"].(map[string]any)
	for _, id := range layers.Layers(a) {
		q := getJSON(t, h, "/collections/"+id+"/queryables", 200)["properties"].(map[string]any)
		params := map[string]string{}
		op := paths["/collections/"+id+"/items"].(map[string]any)["get"].(map[string]any)
		for _, p := range op["parameters"].([]any) {
			if m, ok := p.(map[string]any); ok && m["name"] != nil {
				typ, _ := m["schema"].(map[string]any)["type"].(string)
				params[m["name"].(string)] = typ
			}
		}
		c := getJSON(t, h, "/collections/"+id+"/items?limit=10000", 200)["features"].([]any)
		var served []*geojson.Feature // as served: the crossings with their status
		for _, x := range c {
			served = append(served, &geojson.Feature{Properties: x.(map[string]any)["properties"].(map[string]any)})
		}
		for _, f := range layers.Schema(id) {
			typ, format := jsonType(f.Kind)
			if typ == "" || !validParamName(f.Name) {
				if _, ok := q[f.Name]; ok {
					t.Errorf("%s.%s (%v) is a queryable", id, f.Name, f.Kind)
				}
				continue
			}
			got, ok := q[f.Name].(map[string]any)
			if !ok {
				if typ != "string" || !longText(served, f.Name) {
					t.Errorf("%s.%s (%v) is not a queryable", id, f.Name, f.Kind)
				}
				continue
			}
			if gf, _ := got["format"].(string); got["type"] != typ || gf != format {
				t.Errorf("%s.%s (%v): queryable %v, want type %s format %q", id, f.Name, f.Kind, got, typ, format)
			}
			if params[f.Name] != typ {
				t.Errorf("%s.%s (%v): OpenAPI parameter type %q, want %s", id, f.Name, f.Kind, params[f.Name], typ)
			}
		}
	}
}

// TestExtraLayerSchema: a layer with a schema is typed by it, not by its
// values: a Float whose values are all integral is a number, a declared
// property no feature has is a queryable, dates declared as plain text
// give no temporal extent; without the schema the same layer is inferred.
func TestExtraLayerSchema(t *testing.T) {
	f := geojson.NewFeature(orb.Point{66, 31})
	f.ID = "a"
	f.Properties = geojson.Properties{"id": "a", "name": "A", "area_km2": 12.0, "when": "2025-10-12", "start_date": "2025-10-12"}
	l := layers.Layer{Name: "sites", Title: "Sites", Attribution: "test", Features: []*geojson.Feature{f},
		Schema: []layers.Field{{Name: "id", Kind: layers.String}, {Name: "name", Kind: layers.String}, {Name: "area_km2", Kind: layers.Float},
			{Name: "killed", Kind: layers.Int}, {Name: "when", Kind: layers.String}, {Name: "start_date", Kind: layers.String}}}
	for _, tc := range []struct {
		name     string
		schema   []layers.Field
		want     map[string]string // queryable -> type (format)
		temporal bool
	}{
		{"declared", l.Schema, map[string]string{"area_km2": "number", "killed": "integer", "when": "string", "start_date": "string"}, false},
		{"inferred", nil, map[string]string{"area_km2": "number", "killed": "", "when": "string date", "start_date": "string date"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := l
			x.Schema = tc.schema
			h := newTest(t, Config{Atlas: fixtureAtlas(t, 0), ExtraLayers: []layers.Layer{x}})
			q := getJSON(t, h, "/collections/sites/queryables", 200)["properties"].(map[string]any)
			for name, want := range tc.want {
				got := ""
				if m, ok := q[name].(map[string]any); ok {
					got = m["type"].(string)
					if f, _ := m["format"].(string); f != "" {
						got += " " + f
					}
				}
				if got != want {
					t.Errorf("queryable %s: %q, want %q", name, got, want)
				}
			}
			ext := getJSON(t, h, "/collections/sites", 200)["extent"].(map[string]any)
			if _, ok := ext["temporal"]; ok != tc.temporal {
				t.Errorf("temporal extent %v, want %v", ext["temporal"], tc.temporal)
			}
		})
	}
}
