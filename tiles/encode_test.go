package tiles

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// The geometry examples of the MVT 2.1 specification, section 4.3.5.
func TestGeometryEncodingSpecExamples(t *testing.T) {
	tests := []struct {
		name  string
		write func(*geomWriter)
		want  []uint32
	}{
		{"point", func(g *geomWriter) { g.points([]ipt{{25, 17}}) }, []uint32{9, 50, 34}},
		{"multipoint", func(g *geomWriter) { g.points([]ipt{{5, 7}, {3, 2}}) }, []uint32{17, 10, 14, 3, 9}},
		{"linestring", func(g *geomWriter) { g.line([]ipt{{2, 2}, {2, 10}, {10, 10}}) }, []uint32{9, 4, 4, 18, 0, 16, 16, 0}},
		{"multilinestring", func(g *geomWriter) {
			g.line([]ipt{{2, 2}, {2, 10}, {10, 10}})
			g.line([]ipt{{1, 1}, {3, 5}})
		}, []uint32{9, 4, 4, 18, 0, 16, 16, 0, 9, 17, 17, 10, 4, 8}},
		{"polygon", func(g *geomWriter) { g.ring([]ipt{{3, 6}, {8, 12}, {20, 34}}) }, []uint32{9, 6, 12, 18, 10, 12, 24, 44, 15}},
		{"multipolygon", func(g *geomWriter) {
			g.ring([]ipt{{0, 0}, {10, 0}, {10, 10}, {0, 10}})
			g.ring([]ipt{{11, 11}, {20, 11}, {20, 20}, {11, 20}})
			g.ring([]ipt{{13, 13}, {13, 17}, {17, 17}, {17, 13}})
		}, []uint32{9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15, 9, 22, 2, 26, 18, 0, 0, 18, 17, 0, 15, 9, 4, 13, 26, 0, 8, 8, 0, 0, 7, 15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g geomWriter
			tt.write(&g)
			if !slices.Equal(g.buf, tt.want) {
				t.Errorf("got  %v\nwant %v", g.buf, tt.want)
			}
		})
	}
}

// oneTile builds a tileset and returns tile z/x/y of it.
func oneTile(t *testing.T, layers []Layer, opt Options, id TileID) []byte {
	t.Helper()
	ts, err := NewTileset(layers, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ts.Tile(id.Z, id.X, id.Y)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return b
}

func TestPropertyTypes(t *testing.T) {
	props := map[string]any{
		"s":     "Torkham",
		"b":     true,
		"i":     -42,
		"i8":    int8(-8),
		"i64":   int64(-1 << 40),
		"u":     uint(7),
		"u64":   uint64(1 << 60),
		"f32":   float32(1.5),
		"f64":   34.11,
		"alt":   []string{"Tūrkham", "Towr Kham"},
		"nil":   nil,
		"empty": "",
	}
	wantField := map[string]uint64{
		"s": valString, "b": valBool, "i": valSint, "i8": valSint, "i64": valSint,
		"u": valUint, "u64": valUint, "f32": valFloat, "f64": valDouble, "alt": valString, "empty": valString,
	}
	wantValue := map[string]any{
		"s": "Torkham", "b": true, "i": -42.0, "i8": -8.0, "i64": float64(-1 << 40), "u": 7.0,
		"u64": float64(1 << 60), "f32": 1.5, "f64": 34.11, "alt": `["Tūrkham","Towr Kham"]`, "empty": "",
	}
	b := oneTile(t, []Layer{{Name: "crossings", Features: []Feature{{ID: 7, Geometry: orb.Point{71.09, 34.11}, Properties: props}}}}, Options{}, TileID{0, 0, 0})

	raw, err := parseRawTile(b)
	if err != nil {
		t.Fatal(err)
	}
	l := raw.layers[0]
	f := l.features[0]
	got := map[string]rawValue{}
	for k := 0; k < len(f.tags); k += 2 {
		got[l.keys[f.tags[k]]] = l.values[f.tags[k+1]]
	}
	if _, ok := got["nil"]; ok {
		t.Error("nil property was encoded")
	}
	for k, field := range wantField {
		v, ok := got[k]
		if !ok {
			t.Errorf("%s missing", k)
			continue
		}
		if v.field != field || !reflect.DeepEqual(v.v, wantValue[k]) {
			t.Errorf("%s: field %d value %#v, want field %d value %#v", k, v.field, v.v, field, wantValue[k])
		}
	}
	if !f.hasID || f.id != 7 {
		t.Errorf("id %d (present %v), want 7", f.id, f.hasID)
	}

	// orb's decoder agrees.
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range wantValue {
		if g := ls[0].Features[0].Properties[k]; !reflect.DeepEqual(g, want) {
			t.Errorf("orb decoded %s = %#v, want %#v", k, g, want)
		}
	}
}

func TestUnsupportedProperty(t *testing.T) {
	_, err := NewTileset([]Layer{{Name: "x", Features: []Feature{{Geometry: orb.Point{1, 1}, Properties: map[string]any{"c": make(chan int)}}}}}, Options{})
	var fe *FeatureError
	if !errors.Is(err, ErrProperty) || !errors.As(err, &fe) || fe.Layer != "x" || fe.Index != 0 {
		t.Errorf("err = %v", err)
	}
}

// TestRoundTrip encodes one feature of every geometry type in a tile and
// decodes it with orb's decoder, comparing geometry, ids and properties.
func TestRoundTrip(t *testing.T) {
	// z10 tile 701/414 around Torkham; build geometry in tile units and
	// convert to lon/lat through the tile's projection.
	id := TileID{10, 714, 411}
	toLL := func(x, y float64) orb.Point {
		n := float64(uint32(1) << id.Z)
		lon, lat := worldToLonLat((float64(id.X)+x/4096)/n, (float64(id.Y)+y/4096)/n)
		return orb.Point{lon, lat}
	}
	poly := orb.Polygon{
		{toLL(100, 100), toLL(100, 900), toLL(900, 900), toLL(900, 100), toLL(100, 100)},
		{toLL(300, 300), toLL(500, 300), toLL(500, 500), toLL(300, 500), toLL(300, 300)},
	}
	line := orb.LineString{toLL(1000, 1000), toLL(2000, 1500), toLL(3000, 1000)}
	pt := orb.Point(toLL(2048, 3000))
	layers := []Layer{
		{Name: "polys", Features: []Feature{{ID: 1, Geometry: poly, Properties: map[string]any{"name": "square"}}}},
		{Name: "lines", Features: []Feature{{ID: 2, Geometry: line, Properties: map[string]any{"km": 12.5}}}},
		{Name: "points", Features: []Feature{{ID: 3, Geometry: pt, Properties: map[string]any{"open": false}}}},
	}
	b := oneTile(t, layers, Options{Tolerance: -1}, id)
	if _, err := checkTile(b); err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 {
		t.Fatalf("%d layers", len(ls))
	}
	byName := map[string]*mvt.Layer{}
	for _, l := range ls {
		byName[l.Name] = l
		if l.Version != 2 || l.Extent != 4096 {
			t.Errorf("layer %s: version %d extent %d", l.Name, l.Version, l.Extent)
		}
	}
	// exterior clockwise on screen (positive area in y-down coordinates),
	// i.e. the MVT 2.1 exterior orientation; the hole the other way.
	wantPoly := orb.Polygon{
		{{100, 100}, {900, 100}, {900, 900}, {100, 900}, {100, 100}},
		{{300, 300}, {300, 500}, {500, 500}, {500, 300}, {300, 300}},
	}
	gotPoly := byName["polys"].Features[0].Geometry.(orb.Polygon)
	if !ringsEqualAnyStart(gotPoly, wantPoly) {
		t.Errorf("polygon = %v, want %v", gotPoly, wantPoly)
	}
	wantLine := orb.LineString{{1000, 1000}, {2000, 1500}, {3000, 1000}}
	if g := byName["lines"].Features[0].Geometry; !orb.Equal(g, wantLine) {
		t.Errorf("line = %v, want %v", g, wantLine)
	}
	if g := byName["points"].Features[0].Geometry; !orb.Equal(g, orb.Point{2048, 3000}) {
		t.Errorf("point = %v", g)
	}
	for name, id := range map[string]uint64{"polys": 1, "lines": 2, "points": 3} {
		if got := byName[name].Features[0].ID; fmt.Sprint(got) != fmt.Sprint(id) {
			t.Errorf("%s id = %v, want %d", name, got, id)
		}
	}
	if v := byName["lines"].Features[0].Properties["km"]; v != 12.5 {
		t.Errorf("km = %v", v)
	}
}

// ringsEqualAnyStart compares polygons ring by ring, allowing each ring to
// start at any vertex.
func ringsEqualAnyStart(a, b orb.Polygon) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ra, rb := a[i][:len(a[i])-1], b[i][:len(b[i])-1]
		if len(ra) != len(rb) {
			return false
		}
		ok := false
		for s := range ra {
			match := true
			for k := range ra {
				if ra[(s+k)%len(ra)] != rb[k] {
					match = false
					break
				}
			}
			if match {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func TestStringID(t *testing.T) {
	a, b := StringID("AFG-1753"), StringID("AFG-1754")
	if a == b || a == 0 || a >= 1<<53 || b >= 1<<53 {
		t.Errorf("StringID: %d %d", a, b)
	}
	if StringID("AFG-1753") != a {
		t.Error("StringID not stable")
	}
	if uint64(float64(a)) != a {
		t.Error("StringID not exact as float64")
	}
}
