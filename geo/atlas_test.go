package geo_test

import (
	"errors"
	"math"
	"testing"
	"testing/fstest"

	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

// tinyAtlas is a two-country fixture: a square split by a straight border
// along longitude 0 from (0,0) to (0,1): "WST" west of it, "EST" east.
func tinyFS() fstest.MapFS {
	return fstest.MapFS{
		"border.geojson": {Data: []byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"durand_line","properties":{"name":"Test line"},
			 "geometry":{"type":"LineString","coordinates":[[0,0],[0,0.5],[0,1]]}}]}`)},
		"countries.geojson": {Data: []byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"WST","properties":{"name":"Westland"},
			 "geometry":{"type":"Polygon","coordinates":[[[-1,0],[0,0],[0,1],[-1,1],[-1,0]],[[-0.6,0.4],[-0.6,0.6],[-0.4,0.6],[-0.4,0.4],[-0.6,0.4]]]}},
			{"type":"Feature","id":"EST","properties":{"name":"Eastland"},
			 "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}`)},
		"provinces.geojson": {Data: []byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"W-1","properties":{"name":"Wēst Prövince","country":"WST","alt_names":["Old West"]},
			 "geometry":{"type":"Polygon","coordinates":[[[-1,0],[0,0],[0,1],[-1,1],[-1,0]]]}},
			{"type":"Feature","id":"E-1","properties":{"name":"South East","country":"EST"},
			 "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,0.5],[0,0.5],[0,0]]]}},
			{"type":"Feature","id":"E-2","properties":{"name":"North East","country":"EST"},
			 "geometry":{"type":"Polygon","coordinates":[[[0,0.5],[1,0.5],[1,1],[0,1],[0,0.5]]]}}]}`)},
		"crossings.geojson": {Data: []byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"north_gate","properties":{"name":"North Gate","chainage_km":99.5,"method":"sourced","uncertainty_m":500,"alt_names":["Nörth"],"source_lon":0.01,"source_lat":0.9},
			 "geometry":{"type":"Point","coordinates":[0,0.9]}},
			{"type":"Feature","id":"south_gate","properties":{"name":"South Gate","chainage_km":11.06,"method":"derived","uncertainty_m":1000,"source_lon":null,"source_lat":null},
			 "geometry":{"type":"Point","coordinates":[0,0.1]}}]}`)},
		"provenance.json": {Data: []byte(`{"layers":[{"layer":"border","attribution":"© Test"}]}`)},
	}
}

func loadTiny(t *testing.T) *geo.Atlas {
	t.Helper()
	a, err := geo.Load(tinyFS())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoadTiny(t *testing.T) {
	a := loadTiny(t)
	if got := a.Layers(); len(got) != 4 {
		t.Fatalf("layers = %v, want 4 (no districts)", got)
	}
	if a.HasDistricts() {
		t.Error("HasDistricts = true for an atlas without districts.geojson")
	}
	// Crossings come in border order.
	cs := a.Crossings()
	if cs[0].ID != "south_gate" || cs[1].ID != "north_gate" {
		t.Errorf("crossing order = %s, %s", cs[0].ID, cs[1].ID)
	}
	if cs[0].SourcePoint != nil || cs[1].SourcePoint == nil {
		t.Errorf("source points: %v %v", cs[0].SourcePoint, cs[1].SourcePoint)
	}
	// One degree of latitude at the equator is 110,574 m on WGS84.
	if got := a.BorderLength(); math.Abs(got-110574.389) > 0.01 {
		t.Errorf("BorderLength = %.3f m", got)
	}
}

func TestLocateTiny(t *testing.T) {
	a := loadTiny(t)
	tests := []struct {
		name     string
		p        orb.Point
		country  string
		province string
		crossing string
	}{
		{"west", orb.Point{-0.2, 0.2}, "WST", "Wēst Prövince", "south_gate"},
		{"in a lake (hole) is still in the country", orb.Point{-0.5, 0.45}, "WST", "Wēst Prövince", "south_gate"},
		{"east south", orb.Point{0.3, 0.2}, "EST", "South East", "south_gate"},
		{"east north", orb.Point{0.3, 0.8}, "EST", "North East", "north_gate"},
		{"outside both", orb.Point{5, 5}, "", "", "north_gate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := a.Locate(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if loc.Country != tt.country || loc.Province != tt.province {
				t.Errorf("got %q/%q, want %q/%q", loc.Country, loc.Province, tt.country, tt.province)
			}
			if loc.NearestCrossing == nil || loc.NearestCrossing.ID != tt.crossing {
				t.Errorf("nearest crossing = %+v, want %s", loc.NearestCrossing, tt.crossing)
			}
			want := geo.Distance(tt.p, orb.Point{0, math.Max(0, math.Min(1, tt.p[1]))})
			if tt.p[1] > 1 {
				want = geo.Distance(tt.p, orb.Point{0, 1})
			}
			if math.Abs(loc.Border.Metres-want) > 1e-3*want+0.5 {
				t.Errorf("border distance = %.1f m, want about %.1f m", loc.Border.Metres, want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	a := loadTiny(t)
	bad := []struct {
		name string
		p    orb.Point
	}{
		{"NaN lon", orb.Point{math.NaN(), 0}},
		{"NaN lat", orb.Point{0, math.NaN()}},
		{"+Inf", orb.Point{math.Inf(1), 0}},
		{"-Inf lat", orb.Point{0, math.Inf(-1)}},
		{"lat > 90", orb.Point{0, 90.0001}},
		{"lat < -90", orb.Point{0, -91}},
		{"lon > 180", orb.Point{181, 0}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := a.Locate(tt.p); !errors.Is(err, geo.ErrInvalidCoordinate) {
				t.Errorf("Locate err = %v", err)
			}
			if _, err := a.DistanceToBorder(tt.p); !errors.Is(err, geo.ErrInvalidCoordinate) {
				t.Errorf("DistanceToBorder err = %v", err)
			}
			if _, err := a.NearestCrossings(tt.p, 1); !errors.Is(err, geo.ErrInvalidCoordinate) {
				t.Errorf("NearestCrossings err = %v", err)
			}
			var ce *geo.CoordError
			if _, err := a.Locate(tt.p); !errors.As(err, &ce) {
				t.Errorf("error is not a *CoordError: %T", err)
			}
		})
	}
	if _, err := a.NearestCrossings(orb.Point{0, 0}, 0); !errors.Is(err, geo.ErrOutOfRange) {
		t.Errorf("n=0: %v", err)
	}
	for _, km := range []float64{-1, 1e9, math.NaN(), math.Inf(1)} {
		if _, err := a.PointAt(km); !errors.Is(err, geo.ErrOutOfRange) {
			t.Errorf("PointAt(%v) err = %v", km, err)
		}
	}
	if _, err := a.Crossing("nowhere"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Crossing(nowhere) err = %v", err)
	}
	if _, err := a.District("Spin Boldak"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("District without districts err = %v", err)
	}
	if _, err := a.Features("nope"); !errors.Is(err, geo.ErrUnknownLayer) {
		t.Errorf("Features(nope) err = %v", err)
	}
}

func TestFindFoldsNames(t *testing.T) {
	a := loadTiny(t)
	for _, q := range []string{"West Province", "WEST-PROVINCE", "wēst prövince", "old west", "W-1", "West Province province"} {
		p, err := a.Province(q)
		if err != nil || p.ID != "W-1" {
			t.Errorf("Province(%q) = %v, %v", q, p, err)
		}
	}
	if c, err := a.Crossing("north"); err != nil || c.ID != "north_gate" {
		t.Errorf("Crossing(north) = %v, %v", c, err)
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Spīn Būldak", "spin buldak"},
		{"  Spin--Boldak ", "spin boldak"},
		{"Khyber Pakhtunkhwa", "khyber pakhtunkhwa"},
		{"Bāb-e-Dōstī", "bab e dosti"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := geo.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPointAtAndBetween(t *testing.T) {
	a := loadTiny(t)
	p, err := a.PointAt(a.BorderLength() / 2000)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p[0]) > 1e-9 || math.Abs(p[1]-0.5) > 1e-6 {
		t.Errorf("PointAt(half) = %v", p)
	}
	seg, err := a.BorderBetween(80, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got := geo.LineLength(seg); math.Abs(got-60000) > 0.01 {
		t.Errorf("BorderBetween(80, 20) length = %.3f m, want 60000", got)
	}
	if len(seg) != 3 { // start, the vertex at 0.5, end
		t.Errorf("BorderBetween vertices = %d: %v", len(seg), seg)
	}
	whole, _ := a.BorderBetween(0, a.BorderLength()/1000)
	if len(whole) != 3 {
		t.Errorf("whole border = %v", whole)
	}
}

func TestBorderShareTiny(t *testing.T) {
	a := loadTiny(t)
	sh, err := a.BorderShare(geo.LayerProvinces)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range sh {
		got[s.ID] = s.Km
	}
	half := a.BorderLength() / 2000
	if math.Abs(got["W-1"]-2*half) > 0.01 || math.Abs(got["E-1"]-half) > 0.01 || math.Abs(got["E-2"]-half) > 0.01 {
		t.Errorf("shares = %v (border %.3f km)", got, 2*half)
	}
	if _, err := a.BorderShare(geo.LayerDistricts); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("district share without districts: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		file string
	}{
		{"missing border", func(m fstest.MapFS) { delete(m, "border.geojson") }, "border.geojson"},
		{"truncated countries", func(m fstest.MapFS) { m["countries.geojson"].Data = m["countries.geojson"].Data[:50] }, "countries.geojson"},
		{"NaN-free but out of range", func(m fstest.MapFS) {
			m["crossings.geojson"] = &fstest.MapFile{Data: []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"x","properties":{},"geometry":{"type":"Point","coordinates":[0,95]}}]}`)}
		}, "crossings.geojson"},
		{"border is a polygon", func(m fstest.MapFS) {
			m["border.geojson"] = &fstest.MapFile{Data: []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"b","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`)}
		}, "border.geojson"},
		{"district without id", func(m fstest.MapFS) {
			m["districts.geojson"] = &fstest.MapFile{Data: []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`)}
		}, "districts.geojson"},
		{"bad provenance", func(m fstest.MapFS) { m["provenance.json"] = &fstest.MapFile{Data: []byte(`{`)} }, "provenance.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tinyFS()
			tt.edit(m)
			_, err := geo.Load(m)
			var de *geo.DataError
			if !errors.As(err, &de) || de.File != tt.file || !errors.Is(err, geo.ErrInvalidData) {
				t.Fatalf("err = %v, want a DataError for %s", err, tt.file)
			}
		})
	}
}
