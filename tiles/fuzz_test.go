package tiles

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// fuzzBytes hands out values from fuzz input, zero when exhausted.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) byte() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fuzzBytes) int16() int16 { return int16(uint16(f.byte())<<8 | uint16(f.byte())) }

// FuzzTileRoundTrip builds features from the input (rings that may
// self-intersect, at scales from 100 km to 1 m), encodes the tile holding
// the first vertex at a zoom taken from the input, and checks the tile
// against MVT 2.1 and OGC validity and against orb's decoder: same layers,
// ids, properties and vertex counts.
func FuzzTileRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzBytes{data}
		span := math.Pow(10, -float64(in.byte()%6)) // degrees
		pt := func() orb.Point {
			return orb.Point{70 + float64(in.int16())/32768*span, 33 + float64(in.int16())/32768*span}
		}
		var poly orb.Polygon
		for range 1 + in.byte()%3 {
			var r orb.Ring
			for range 3 + in.byte()%12 {
				r = append(r, pt())
			}
			poly = append(poly, append(r, r[0]))
		}
		var line orb.LineString
		for range 2 + in.byte()%5 {
			line = append(line, pt())
		}
		props := map[string]any{
			"s": fmt.Sprintf("%x", in.byte()),
			"i": int(in.int16()),
			"u": uint8(in.byte()),
			"f": float64(in.int16()) / 7,
			"b": in.byte()%2 == 0,
		}
		z := uint32(in.byte() % 15)
		layers := []Layer{
			{Name: "polygons", Features: []Feature{{ID: 1, Geometry: poly, Properties: props}}, Labels: true},
			{Name: "lines", Features: []Feature{{ID: 2, Geometry: line, Properties: props}}},
			{Name: "points", Features: []Feature{{ID: 3, Geometry: line[0], Properties: props}}},
		}
		ts, err := NewTileset(layers, Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := ts.TileAt(poly[0][0][0], poly[0][0][1], z)
		b, err := ts.Tile(id.Z, id.X, id.Y)
		if errors.Is(err, ErrEmpty) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		mine, err := checkTile(b)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		theirs, err := mvt.Unmarshal(b)
		if err != nil {
			t.Fatalf("orb cannot decode: %v", err)
		}
		if len(theirs) != len(mine) {
			t.Fatalf("orb sees %d layers, strict reader %d", len(theirs), len(mine))
		}
		for _, l := range theirs {
			m, ok := mine[l.Name]
			if !ok || len(m.features) != len(l.Features) || l.Version != 2 || l.Extent != 4096 {
				t.Fatalf("layer %s differs", l.Name)
			}
			for i, of := range l.Features {
				cf := m.features[i]
				if fmt.Sprint(of.ID) != fmt.Sprint(cf.id) {
					t.Errorf("id %v vs %v", of.ID, cf.id)
				}
				for k, v := range cf.props {
					if fmt.Sprint(of.Properties[k]) != fmt.Sprint(v) {
						t.Errorf("%s: property %s = %v vs %v", l.Name, k, of.Properties[k], v)
					}
				}
				if n, want := countVertices(of.Geometry)-ringCount(of.Geometry) /* orb closes rings */, strictVertices(cf.geom); n != want {
					t.Errorf("%s: orb decodes %d vertices, strict reader %d", l.Name, n, want)
				}
			}
		}
	})
}

func strictVertices(g decodedGeom) int {
	n := len(g.points)
	for _, l := range g.lines {
		n += len(l)
	}
	for _, p := range g.polys {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// FuzzPolygonize feeds arbitrary integer rings to the polygon repair and
// checks that the result is OGC-valid and covers the positive-winding
// region of the input away from its edges.
func FuzzPolygonize(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzBytes{data}
		scale := int32(1 + in.byte()%64)
		var rs [][]ipt
		for range 1 + in.byte()%4 {
			var r []ipt
			for range 3 + in.byte()%16 {
				r = append(r, ipt{int32(int8(in.byte())) * scale, int32(int8(in.byte())) * scale})
			}
			rs = append(rs, r)
		}
		res, ok := polygonize([][][]ipt{rs})
		if !ok {
			t.Fatalf("noding did not converge: %v", rs)
		}
		checkPolys(t, res[0])
		var out [][]ipt
		for _, p := range res[0] {
			out = append(out, p...)
		}
		for i := range 64 {
			x := float64(int8(in.byte()))*float64(scale) + 0.37*float64(i%7)
			y := float64(int8(in.byte()))*float64(scale) + 0.29*float64(i%5)
			if distToRings(x, y, rs) < 1.5 {
				continue
			}
			if want, got := windingF(x, y, rs) > 0, windingF(x, y, out) > 0; want != got {
				t.Fatalf("(%.2f, %.2f) inside=%v, want %v\ninput %v\noutput %v", x, y, got, want, rs, res[0])
			}
		}
	})
}
