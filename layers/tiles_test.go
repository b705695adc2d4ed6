package layers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	atlasOnce sync.Once
	atlas     *geo.Atlas
	atlasErr  error
)

func defaultAtlas(t testing.TB) *geo.Atlas {
	t.Helper()
	atlasOnce.Do(func() {
		if atlas, atlasErr = data.Default(); atlasErr == nil {
			useRunCache(atlas)
		}
	})
	if atlasErr != nil {
		t.Fatal(atlasErr)
	}
	return atlas
}

var (
	districtsOnce  sync.Once
	districtsAtlas *geo.Atlas
	districtsErr   error
	districtsDir   string
)

// TestMain removes the districts install shared by the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	code := geotest.Main(m)
	if districtsDir != "" {
		os.RemoveAll(districtsDir)
	}
	os.Exit(code)
}

// districtAtlas installs the six hand-made districts of geotest
// into a temporary directory (once per test binary) and opens the atlas
// with them.
func districtAtlas(t *testing.T) *geo.Atlas {
	t.Helper()
	districtsOnce.Do(func() {
		districtsDir, districtsErr = os.MkdirTemp("", "layers-")
		if districtsErr != nil {
			return
		}
		from := filepath.Join(districtsDir, "sources")
		if districtsErr = os.Mkdir(from, 0o755); districtsErr != nil {
			return
		}
		if districtsErr = geotest.WriteDistrictSources(from); districtsErr != nil {
			return
		}
		_, districtsErr = data.Install(context.Background(), data.InstallOptions{
			From:      from,
			Dir:       districtsDir,
			Provinces: data.FS(),
		})
		if districtsErr == nil {
			if districtsAtlas, districtsErr = data.Open(districtsDir); districtsErr == nil {
				useRunCache(districtsAtlas)
			}
		}
	})
	if districtsErr != nil {
		t.Fatal(districtsErr)
	}
	return districtsAtlas
}

func layerByName(t *testing.T, ls []tiles.Layer, name string) tiles.Layer {
	t.Helper()
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no layer %q in %v", name, layers.TileLayerNames(ls))
	return tiles.Layer{}
}

func TestLayersRealAtlas(t *testing.T) {
	a := defaultAtlas(t)
	ls, err := layers.AtlasTileLayers(a)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := layers.TileLayerNames(ls), a.Layers(); !slices.Equal(got, want) {
		t.Errorf("layers %v, want the atlas's %v", got, want)
	}
	counts := map[string]int{geo.LayerBorder: 1, geo.LayerCountries: 2, geo.LayerProvinces: len(a.Provinces()), geo.LayerCrossings: len(a.Crossings())}
	for name, n := range counts {
		if got := len(layerByName(t, ls, name).Features); got != n {
			t.Errorf("%s: %d features, want %d", name, got, n)
		}
	}
	for _, l := range ls {
		spec := layers.SpecFor(l.Name)
		if l.MinZoom != spec.MinZoom {
			t.Errorf("%s: min zoom %d, want %d", l.Name, l.MinZoom, spec.MinZoom)
		}
		ids := map[uint64]bool{}
		for i, f := range l.Features {
			if f.ID == 0 || ids[f.ID] {
				t.Errorf("%s feature %d: id %d zero or repeated", l.Name, i, f.ID)
			}
			ids[f.ID] = true
			sid, _ := f.Properties["id"].(string)
			if sid == "" || f.ID != tiles.StringID(sid) {
				t.Errorf("%s feature %d: id %d, property id %q", l.Name, i, f.ID, sid)
			}
			for _, k := range spec.Omit {
				if _, ok := f.Properties[k]; ok {
					t.Errorf("%s feature %s: omitted property %q present", l.Name, sid, k)
				}
			}
		}
	}
	if l := layerByName(t, ls, geo.LayerProvinces); !l.Labels || !slices.Equal(l.LabelFields, []string{"id", "name", "country"}) {
		t.Errorf("provinces labels %v %v", l.Labels, l.LabelFields)
	}
	if l := layerByName(t, ls, geo.LayerCrossings); l.Labels {
		t.Error("crossings (points) have labels")
	}
}

func TestCrossingAttributes(t *testing.T) {
	a := defaultAtlas(t)
	ls, err := layers.AtlasTileLayers(a)
	if err != nil {
		t.Fatal(err)
	}
	var torkham, badini map[string]any
	for _, f := range layerByName(t, ls, geo.LayerCrossings).Features {
		switch f.Properties["id"] {
		case "torkham":
			torkham = f.Properties
		case "badini":
			badini = f.Properties
		}
	}
	if torkham == nil || badini == nil {
		t.Fatal("torkham or badini missing")
	}
	if v, ok := torkham["uncertainty_m"].(int64); !ok || v != 500 {
		t.Errorf("uncertainty_m = %#v, want int64 500", torkham["uncertainty_m"])
	}
	if v, ok := torkham["chainage_km"].(float64); !ok || v < 1900 || v > 1920 {
		t.Errorf("chainage_km = %#v", torkham["chainage_km"])
	}
	if v, ok := torkham["alt_names"].(string); !ok || !strings.HasPrefix(v, "Torkham border crossing|Tūrkham|") {
		t.Errorf("alt_names = %#v", torkham["alt_names"])
	}
	if v, ok := torkham["sources"].(string); !ok || strings.Count(v, "|") < 1 {
		t.Errorf("sources = %#v", torkham["sources"])
	}
	if _, ok := badini["source_lon"]; ok {
		t.Errorf("null source_lon written: %#v", badini["source_lon"])
	}
	for k, v := range torkham {
		switch v.(type) {
		case string, int64, float64, bool:
		default:
			t.Errorf("%s: %T", k, v)
		}
	}
}

func TestDistricts(t *testing.T) {
	a := districtAtlas(t)
	ls, err := layers.AtlasTileLayers(a)
	if err != nil {
		t.Fatal(err)
	}
	l := layerByName(t, ls, geo.LayerDistricts)
	if len(l.Features) != 6 || l.MinZoom != 6 || !l.Labels {
		t.Errorf("districts: %d features, min zoom %d, labels %v", len(l.Features), l.MinZoom, l.Labels)
	}
	ts, err := tiles.NewTileset(ls, tiles.Options{MaxZoom: 8})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, li := range ts.Layers() {
		names = append(names, li.Name)
	}
	if !slices.Contains(names, "districts_label") {
		t.Errorf("tile layers %v lack districts_label", names)
	}
}

// TestSchema checks the tile layers and their TileJSON fields against
// testdata/schema.json (rewritten with -update).
func TestSchema(t *testing.T) {
	ts, err := layers.NewAtlasTileset(districtAtlas(t), tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(layers.VectorLayers(ts, 0, 14), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "schema.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("schema differs from %s (run go test -update after checking):\n%s", path, got)
	}
}

// TestTileDecodes builds the real atlas's tile over Torkham at z8 and
// decodes it with orb's MVT decoder.
func TestTileDecodes(t *testing.T) {
	ts, err := layers.NewAtlasTileset(defaultAtlas(t), tiles.Options{MaxZoom: 8})
	if err != nil {
		t.Fatal(err)
	}
	id := ts.TileAt(71.0906, 34.1133, 8)
	b, err := ts.Tile(id.Z, id.X, id.Y)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, l := range layers {
		got[l.Name] = len(l.Features)
	}
	for _, n := range []string{"border", "countries", "provinces", "provinces_label", "crossings"} {
		if _, ok := got[n]; !ok {
			t.Errorf("tile %v: no layer %s (have %v)", id, n, got)
		}
	}
	for _, l := range layers {
		if l.Name != "crossings" {
			continue
		}
		for _, f := range l.Features {
			if f.Properties["id"] == "torkham" {
				if f.Properties["uncertainty_m"] != float64(500) || f.ID != float64(tiles.StringID("torkham")) {
					t.Errorf("torkham in tile: id %v, props %v", f.ID, f.Properties)
				}
				return
			}
		}
	}
	t.Errorf("torkham not in tile %v", id)
}

func TestNewLowMaxZoom(t *testing.T) {
	// Provinces (min zoom 2) are left out of a z0–1 tileset instead of
	// failing.
	ts, err := layers.NewAtlasTileset(defaultAtlas(t), tiles.Options{MaxZoom: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, li := range ts.Layers() {
		if strings.HasPrefix(li.Name, "provinces") {
			t.Errorf("layer %s in a z0–1 tileset", li.Name)
		}
	}
}

func TestFilter(t *testing.T) {
	ls, err := layers.AtlasTileLayers(defaultAtlas(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := layers.FilterTileLayers(ls, []string{"crossings", "border"})
	if err != nil {
		t.Fatal(err)
	}
	if names := layers.TileLayerNames(got); !slices.Equal(names, []string{"border", "crossings"}) {
		t.Errorf("filtered %v", names)
	}
	if _, err := layers.FilterTileLayers(ls, []string{"rivers"}); !errors.Is(err, layers.ErrUnknownLayer) || !strings.Contains(err.Error(), "border, countries") {
		t.Errorf("unknown layer: %v", err)
	}
	if got, _ := layers.FilterTileLayers(ls, nil); len(got) != len(ls) {
		t.Error("nil names filtered")
	}
}

func feature(id any, g orb.Geometry, props map[string]any) *geojson.Feature {
	f := geojson.NewFeature(g)
	f.ID = id
	f.Properties = props
	return f
}

func TestConvertInference(t *testing.T) {
	fs := []*geojson.Feature{
		feature("a", orb.Point{70, 30}, map[string]any{"n": 1.0, "x": 1.0, "b": true, "tags": []any{"p", 2.0}, "obj": map[string]any{"k": "v"}, "mix": "s"}),
		feature("b", orb.Point{71, 31}, map[string]any{"n": 2.0, "x": 1.5, "b": false, "tags": []any{}, "mix": 3.0, "gone": nil}),
		feature(7.0, orb.Point{72, 32}, nil),
		feature(nil, orb.Point{72, 32}, nil),
	}
	l, err := layers.Convert("events", fs, layers.DefaultSpec())
	if err != nil {
		t.Fatal(err)
	}
	p0, p1 := l.Features[0].Properties, l.Features[1].Properties
	want0 := map[string]any{"id": "a", "n": int64(1), "x": 1.0, "b": true, "tags": "p|2", "obj": `{"k":"v"}`, "mix": "s"}
	want1 := map[string]any{"id": "b", "n": int64(2), "x": 1.5, "b": false, "mix": "3"}
	for k, v := range want0 {
		if p0[k] != v {
			t.Errorf("feature a %s = %#v, want %#v", k, p0[k], v)
		}
	}
	for k, v := range want1 {
		if p1[k] != v {
			t.Errorf("feature b %s = %#v, want %#v", k, p1[k], v)
		}
	}
	if len(p1) != len(want1) {
		t.Errorf("feature b properties %v", p1)
	}
	if l.Features[2].ID != 7 || l.Features[3].ID != 4 {
		t.Errorf("ids %d, %d; want 7 (numeric id) and 4 (index+1)", l.Features[2].ID, l.Features[3].ID)
	}
	if l.Labels {
		t.Error("labels on a point layer")
	}
}

func TestConvertSkipsMissingGeometry(t *testing.T) {
	fs := []*geojson.Feature{{ID: "x", Type: "Feature"}, nil, feature("y", orb.Point{70, 30}, nil)}
	l, err := layers.Convert("events", fs, layers.DefaultSpec())
	if err != nil || len(l.Features) != 1 || l.Features[0].Properties["id"] != "y" {
		t.Errorf("features %+v, %v; want only y", l.Features, err)
	}
}

func TestConvertErrors(t *testing.T) {
	poly := orb.Polygon{{{70, 30}, {71, 30}, {71, 31}, {70, 30}}}
	intSpec := layers.Spec{Fields: map[string]layers.Kind{"n": layers.Int, "b": layers.Bool, "f": layers.Float, "l": layers.List}}
	for _, tc := range []struct {
		name     string
		features []*geojson.Feature
		spec     layers.Spec
		want     error
		text     string
	}{
		{"collection", []*geojson.Feature{feature("x", orb.Collection{orb.Point{1, 2}}, nil)}, layers.Spec{}, layers.ErrGeometry, "GeometryCollection"},
		{"mixed kinds", []*geojson.Feature{feature("p", orb.Point{70, 30}, nil), feature("q", poly, nil)}, layers.Spec{}, layers.ErrGeometry, "feature q: layers: bad geometry: polygon in a layer of points"},
		{"not an integer", []*geojson.Feature{feature("p", orb.Point{70, 30}, map[string]any{"n": 1.5})}, intSpec, layers.ErrProperty, `"n"`},
		{"string as integer", []*geojson.Feature{feature("p", orb.Point{70, 30}, map[string]any{"n": "1"})}, intSpec, layers.ErrProperty, "not an integer"},
		{"not a bool", []*geojson.Feature{feature("p", orb.Point{70, 30}, map[string]any{"b": 1.0})}, intSpec, layers.ErrProperty, "not a boolean"},
		{"not a number", []*geojson.Feature{feature("p", orb.Point{70, 30}, map[string]any{"f": "x"})}, intSpec, layers.ErrProperty, "not a number"},
		{"nested list", []*geojson.Feature{feature("p", orb.Point{70, 30}, map[string]any{"l": []any{[]any{1.0}}})}, intSpec, layers.ErrProperty, "not a scalar"},
		{"duplicate id", []*geojson.Feature{feature("p", orb.Point{70, 30}, nil), feature("p", orb.Point{70, 30}, nil)}, layers.Spec{}, layers.ErrID, "also p"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := layers.Convert("test", tc.features, tc.spec)
			var fe *layers.FeatureError
			if !errors.Is(err, tc.want) || !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %v, want %v containing %q", err, tc.want, tc.text)
			}
		})
	}
}

// useRunCache makes a take its zone buffers from the go test run's cache
// (zonecache.Default; geotest.Main points $DURAND_CACHE_DIR there), shared
// with the other test binaries of the run: the tests here are about the
// catalogue, geo's about the tracing.
func useRunCache(a *geo.Atlas) {
	if c := zonecache.Default(); c != nil {
		a.UseBufferCache(c)
	}
}
