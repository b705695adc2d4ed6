package server

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/durandline/durand/geo"
)

// embeddedServer serves the embedded atlas (with the crisis record).
func embeddedServer(t *testing.T) (http.Handler, *geo.Atlas) {
	t.Helper()
	a := embeddedAtlas(t)
	return newTest(t, Config{Atlas: a}), a
}

func layerFeatures(t *testing.T, a *geo.Atlas, name string) []*geojson.Feature {
	t.Helper()
	l, err := layers.FromAtlas(a, name)
	if err != nil {
		t.Fatal(err)
	}
	return l.Features
}

// matchedIDs requests every item matching the query and returns their ids
// in the order served.
func matchedIDs(t *testing.T, h http.Handler, coll string, params url.Values) []string {
	t.Helper()
	params.Set("limit", "10000")
	w := get(t, h, "GET", "/collections/"+coll+"/items?"+params.Encode())
	if w.Code != 200 {
		t.Fatalf("%s: %d %s", params.Encode(), w.Code, w.Body.String())
	}
	m := decode(t, w)
	ids := itemIDs(t, m)
	if int(m["numberMatched"].(float64)) != len(ids) {
		t.Errorf("numberMatched %v, %d features", m["numberMatched"], len(ids))
	}
	return ids
}

func prop(f *geojson.Feature, k string) any { return f.Properties[k] }
func numProp(f *geojson.Feature, k string) (float64, bool) {
	x, ok := f.Properties[k].(float64)
	return x, ok
}
func dateProp(f *geojson.Feature, k string) (time.Time, bool) {
	s, _ := f.Properties[k].(string)
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// TestFilterEvents: each CQL2 filter, in text and in JSON, selects from
// the events exactly the features its rule (written in Go) selects, over
// every event.
func TestFilterEvents(t *testing.T) {
	h, a := embeddedServer(t)
	events := layerFeatures(t, a, layers.LayerEvents)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		name, text, json string
		rule             func(f *geojson.Feature) bool
	}{
		{"the issue's example", "kind = 'airstrike' AND killed > 5 AND start_date BETWEEN DATE('2025-10-10') AND DATE('2025-10-20')",
			`{"op":"and","args":[{"op":"=","args":[{"property":"kind"},"airstrike"]},{"op":">","args":[{"property":"killed"},5]},{"op":"between","args":[{"property":"start_date"},{"date":"2025-10-10"},{"date":"2025-10-20"}]}]}`,
			func(f *geojson.Feature) bool {
				k, ok := numProp(f, "killed")
				d, dok := dateProp(f, "start_date")
				return prop(f, "kind") == "airstrike" && ok && k > 5 && dok && !d.Before(day("2025-10-10")) && !d.After(day("2025-10-20"))
			}},
		{"or, not and null", "kind = 'clash' OR NOT (killed IS NULL)",
			`{"op":"or","args":[{"op":"=","args":[{"property":"kind"},"clash"]},{"op":"not","args":[{"op":"isNull","args":[{"property":"killed"}]}]}]}`,
			func(f *geojson.Feature) bool { return prop(f, "kind") == "clash" || prop(f, "killed") != nil }},
		{"in and like", "kind IN ('airstrike', 'clash') AND name LIKE '%Kabul%'",
			`{"op":"and","args":[{"op":"in","args":[{"property":"kind"},["airstrike","clash"]]},{"op":"like","args":[{"property":"name"},"%Kabul%"]}]}`,
			func(f *geojson.Feature) bool {
				k := prop(f, "kind")
				n, _ := prop(f, "name").(string)
				return (k == "airstrike" || k == "clash") && strings.Contains(n, "Kabul")
			}},
		{"date after", "start_date >= DATE('2025-11-01')",
			`{"op":">=","args":[{"property":"start_date"},{"date":"2025-11-01"}]}`,
			func(f *geojson.Feature) bool {
				d, ok := dateProp(f, "start_date")
				return ok && !d.Before(day("2025-11-01"))
			}},
		{"within the border region", "S_INTERSECTS(geometry, BBOX(60, 29, 75, 38))",
			`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[60,29,75,38]}]}`,
			func(f *geojson.Feature) bool {
				return f.Geometry != nil && orb.Bound{Min: orb.Point{60, 29}, Max: orb.Point{75, 38}}.Intersects(f.Geometry.Bound())
			}},
		{"not between", "severity NOT BETWEEN 2 AND 3",
			`{"op":"not","args":[{"op":"between","args":[{"property":"severity"},2,3]}]}`,
			func(f *geojson.Feature) bool { s, ok := numProp(f, "severity"); return ok && (s < 2 || s > 3) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, f := range events {
				if tc.rule(f) {
					want = append(want, geojsonio.FeatureID(f))
				}
			}
			if len(want) == 0 || len(want) == len(events) {
				t.Fatalf("the rule selects %d of %d events: a weak case", len(want), len(events))
			}
			for _, p := range []url.Values{{"filter": {tc.text}}, {"filter": {tc.json}, "filter-lang": {"cql2-json"}}} {
				got := matchedIDs(t, h, layers.LayerEvents, p)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s:\n got %v\nwant %v", p.Encode(), got, want)
				}
			}
		})
	}
}

// TestFilterSpatialGrid: S_INTERSECTS with a point selects the provinces
// whose polygons contain it, by orb's planar point-in-polygon, on a grid
// of points over the region every 0.5 degrees.
func TestFilterSpatialGrid(t *testing.T) {
	t.Parallel()
	h, a := embeddedServer(t)
	provs := layerFeatures(t, a, geo.LayerProvinces)
	checked := 0
	for lon := 60.25; lon < 75.5; lon += 0.5 {
		for lat := 24.25; lat < 38.5; lat += 0.5 {
			var want []string
			for _, f := range provs {
				in := false
				switch g := f.Geometry.(type) {
				case orb.Polygon:
					in = planar.PolygonContains(g, orb.Point{lon, lat})
				case orb.MultiPolygon:
					in = planar.MultiPolygonContains(g, orb.Point{lon, lat})
				}
				if in {
					want = append(want, geojsonio.FeatureID(f))
				}
			}
			got := matchedIDs(t, h, geo.LayerProvinces, url.Values{"filter": {fmt.Sprintf("S_INTERSECTS(geometry, POINT(%g %g))", lon, lat)}})
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("POINT(%g %g): got %v, want %v", lon, lat, got, want)
			}
			if len(want) > 0 {
				checked++
			}
		}
	}
	if checked < 300 {
		t.Errorf("only %d grid points fall in a province", checked)
	}
}

// TestSortby: sortby orders every event by its keys, nulls last, ties in
// collection order, and keeps the same set as without it.
func TestSortby(t *testing.T) {
	h, a := embeddedServer(t)
	events := layerFeatures(t, a, layers.LayerEvents)
	byID := map[string]*geojson.Feature{}
	order := map[string]int{}
	for i, f := range events {
		byID[geojsonio.FeatureID(f)] = f
		order[geojsonio.FeatureID(f)] = i
	}
	for _, sortby := range []string{"-killed,+start_date", "start_date", "+kind,-severity,name"} {
		got := matchedIDs(t, h, layers.LayerEvents, url.Values{"sortby": {sortby}})
		if len(got) != len(events) {
			t.Fatalf("%s: %d of %d events", sortby, len(got), len(events))
		}
		keys := strings.Split(sortby, ",")
		for i := 1; i < len(got); i++ {
			a, b := byID[got[i-1]], byID[got[i]]
			r := 0
			for _, k := range keys {
				desc := strings.HasPrefix(k, "-")
				k = strings.TrimLeft(k, "+-")
				va, vb := a.Properties[k], b.Properties[k]
				switch {
				case va == nil && vb == nil:
					continue
				case va == nil:
					r = 1
				case vb == nil:
					r = -1
				default:
					r = compareValues(va, vb)
					if desc {
						r = -r
					}
				}
				if r != 0 {
					break
				}
			}
			if r > 0 || (r == 0 && order[got[i-1]] > order[got[i]]) {
				t.Errorf("sortby=%s: %s before %s", sortby, got[i-1], got[i])
			}
		}
	}
}

// TestPropertiesParam: properties keeps exactly the named properties (of
// those a feature has) on every feature, with id and geometry.
func TestPropertiesParam(t *testing.T) {
	h, _ := embeddedServer(t)
	w := get(t, h, "GET", "/collections/events/items?limit=10000&properties=kind,killed,start_date")
	if w.Code != 200 {
		t.Fatal(w.Code, w.Body.String())
	}
	var fc struct {
		Features []struct {
			ID         string          `json:"id"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties map[string]any  `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) == 0 {
		t.Fatal("no features")
	}
	for _, f := range fc.Features {
		for k := range f.Properties {
			if !slices.Contains([]string{"kind", "killed", "start_date"}, k) {
				t.Errorf("%s keeps %s", f.ID, k)
			}
		}
		if _, ok := f.Properties["kind"]; !ok || f.ID == "" || len(f.Geometry) == 0 {
			t.Errorf("%s lost kind, its id or its geometry: %v", f.ID, f.Properties)
		}
	}
}

// TestFilterErrors: bad filters, sort keys and property lists are 400s
// that say what is wrong, and where for a syntax error.
func TestFilterErrors(t *testing.T) {
	h, _ := embeddedServer(t)
	cases := []struct{ query, want string }{
		{"filter=" + url.QueryEscape("kind = 'airstrike' AND killed >"), "position 32"},
		{"filter=" + url.QueryEscape("kind = 'a' kind"), "position 12"},
		{"filter=" + url.QueryEscape("nope = 1"), `"nope" is not a queryable`},
		{"filter=" + url.QueryEscape("killed = 'many'"), "cannot compare number with text"},
		{"filter=" + url.QueryEscape("S_INTERSECTS(geometry, POINT(200 0))"), "outside"},
		{"filter=" + url.QueryEscape(`{"op":"=","args":[1]}`) + "&filter-lang=cql2-json", "$.args"},
		{"filter=" + url.QueryEscape(`{"op":`) + "&filter-lang=cql2-json", "malformed JSON"},
		{"filter=kind%3D%27a%27&filter-lang=ecql", "filter-lang"},
		{"filter=kind%3D%27a%27&filter-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/3857"), "filter-crs"},
		{"filter-lang=cql2-text", "need a \"filter\""},
		{"sortby=-nope", `"nope" is not a queryable`},
		{"properties=kind,nope", `no property "nope"`},
		{"filter=" + strings.Repeat("x", maxFilterLen+1), "longer than 4096"},
	}
	for _, tc := range cases {
		w := get(t, h, "GET", "/collections/events/items?"+tc.query)
		if w.Code != 400 && !(strings.Contains(tc.want, "4096") && w.Code == 414) {
			t.Errorf("%s: %d, want 400", tc.query, w.Code)
			continue
		}
		if w.Code != 400 {
			continue
		}
		if d, _ := decode(t, w)["description"].(string); !strings.Contains(d, tc.want) {
			t.Errorf("%s: %s, want %q", tc.query, d, tc.want)
		}
	}
}

// TestFilterDocuments: the conformance declaration lists filtering, the
// OpenAPI document offers filter-lang values GDAL looks for, and every
// queryable's declared type holds for every value of every feature.
func TestFilterDocuments(t *testing.T) {
	t.Parallel()
	h, a := embeddedServer(t)
	conf := decode(t, get(t, h, "GET", "/conformance"))
	classes := fmt.Sprint(conf["conformsTo"])
	for _, c := range []string{"ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter", "cql2/1.0/conf/cql2-text",
		"cql2/1.0/conf/cql2-json", "cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/basic-spatial-functions"} {
		if !strings.Contains(classes, c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
	api := get(t, h, "GET", "/api").Body.String()
	if !strings.Contains(api, `"cql-text"`) || !strings.Contains(api, `"cql2-json"`) {
		t.Error("the OpenAPI document does not offer filter-lang cql-text and cql2-json")
	}
	for _, name := range layers.Layers(a) {
		fs := layerFeatures(t, a, name)
		q := decode(t, get(t, h, "GET", "/collections/"+name+"/queryables"))
		props := q["properties"].(map[string]any)
		if _, ok := props["geometry"]; !ok {
			t.Errorf("%s: no geometry queryable", name)
		}
		for k, v := range props {
			if k == "geometry" {
				continue
			}
			typ, _ := v.(map[string]any)["type"].(string)
			format, _ := v.(map[string]any)["format"].(string)
			for _, f := range fs {
				x, ok := f.Properties[k]
				if !ok || x == nil {
					continue
				}
				good := false
				switch typ {
				case "number":
					_, good = x.(float64)
				case "integer":
					n, isNum := x.(float64)
					good = isNum && n == math.Trunc(n)
				case "boolean":
					_, good = x.(bool)
				case "string":
					s, isStr := x.(string)
					good = isStr
					if format == "date" && s != "" {
						_, err := time.Parse(time.DateOnly, s)
						good = err == nil
					}
				}
				if !good {
					t.Errorf("%s.%s is declared %s %s but %s has %v", name, k, typ, format, geojsonio.FeatureID(f), x)
					break
				}
			}
		}
	}
	ev := decode(t, get(t, h, "GET", "/collections/events/queryables"))["properties"].(map[string]any)
	if f, _ := ev["start_date"].(map[string]any)["format"].(string); f != "date" {
		t.Errorf("events start_date has format %q, want date", f)
	}
}
