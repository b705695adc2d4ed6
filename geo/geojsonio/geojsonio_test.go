package geojsonio

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// randomRing returns a closed ring of n positions on a coarse grid, so that
// repeated consecutive positions are common.
func randomRing(rng *rand.Rand, n int) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		r = append(r, orb.Point{60 + float64(rng.Intn(4))*1e-8 + float64(rng.Intn(3)), 30 + float64(rng.Intn(3))})
	}
	return append(r, r[0])
}

// The rules of CleanRing and RoundRing, over many random rings: the result
// is closed, has no repeated consecutive position, keeps the input's
// positions in order (after rounding), and rounding again changes nothing.
func TestCleanAndRoundRing(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for k := 0; k < 2000; k++ {
		in := randomRing(rng, 1+rng.Intn(12))
		for name, out := range map[string]orb.Ring{"CleanRing": CleanRing(in), "RoundRing": RoundRing(in)} {
			if out[0] != out[len(out)-1] {
				t.Fatalf("%s(%v) = %v: not closed", name, in, out)
			}
			for i := 1; i < len(out); i++ {
				if out[i] == out[i-1] {
					t.Fatalf("%s(%v) = %v: repeated position %d", name, in, out, i)
				}
			}
			// out is a subsequence of the (rounded) input.
			j := 0
			for _, p := range in {
				if name == "RoundRing" {
					p = RoundPoint(p)
				}
				if j < len(out) && out[j] == p {
					j++
				}
			}
			if j < len(out)-1 {
				t.Fatalf("%s(%v) = %v: not the input's positions in order", name, in, out)
			}
		}
		r := RoundRing(in)
		if again := RoundRing(r); !again.Equal(r) {
			t.Fatalf("RoundRing is not idempotent: %v then %v", r, again)
		}
	}
}

// Round7 puts every value on the 7-decimal grid, within half a step, and
// never returns negative zero.
func TestRound7(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for k := 0; k < 100000; k++ {
		v := (rng.Float64()*2 - 1) * math.Pow(10, float64(rng.Intn(5)-3))
		r := Round7(v)
		if math.Abs(r-v) > 0.5e-7+1e-15 {
			t.Fatalf("Round7(%v) = %v", v, r)
		}
		if Round7(r) != r {
			t.Fatalf("Round7(%v) = %v is not on the grid", v, r)
		}
		if r == 0 && math.Signbit(r) {
			t.Fatalf("Round7(%v) is negative zero", v)
		}
	}
}

// Oriented gives every ring with area the orientation asked for, with the
// same positions.
func TestOriented(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for k := 0; k < 2000; k++ {
		in := RoundRing(randomRing(rng, 3+rng.Intn(8)))
		if len(in) < 4 || in.Orientation() == 0 {
			continue
		}
		for _, ccw := range []bool{true, false} {
			out := Oriented(in, ccw)
			if (out.Orientation() == orb.CCW) != ccw {
				t.Fatalf("Oriented(%v, %v) = %v", in, ccw, out)
			}
			if len(out) != len(in) {
				t.Fatalf("Oriented changed the length")
			}
		}
	}
	p := orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}, {{0.2, 0.2}, {0.4, 0.2}, {0.4, 0.4}, {0.2, 0.2}}}
	OrientPolygon(p)
	if p[0].Orientation() != orb.CCW || p[1].Orientation() != orb.CW {
		t.Fatalf("OrientPolygon: %v", p)
	}
}

// Round trip: what FeatureCollection writes, orb's decoder reads back as
// the same ids, properties and rounded geometries, for both number forms.
func TestFeatureCollectionRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	var fs []Feature
	for k := 0; k < 50; k++ {
		var g orb.Geometry
		switch k % 4 {
		case 0:
			g = orb.Point{60 + rng.Float64()*10, 25 + rng.Float64()*10}
		case 1:
			g = orb.LineString{{60 + rng.Float64(), 30}, {61, 31 + rng.Float64()}}
		case 2:
			g = orb.MultiPolygon{{randomRing(rng, 5)}}
		}
		fs = append(fs, Feature{ID: string(rune('a' + k%26)), Props: []Prop{{Key: "k", Value: k}, {Key: "s", Value: "<&>"}}, Geom: g})
	}
	for _, digits := range []int{7, -1} {
		b, err := FeatureCollection(fs, digits)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			t.Fatalf("digits %d: %v", digits, err)
		}
		if len(fc.Features) != len(fs) {
			t.Fatalf("digits %d: %d features, want %d", digits, len(fc.Features), len(fs))
		}
		for i, f := range fc.Features {
			want := fs[i]
			if f.ID != want.ID || f.Properties["k"] != float64(i) || f.Properties["s"] != "<&>" {
				t.Fatalf("digits %d: feature %d = %v %v", digits, i, f.ID, f.Properties)
			}
			if want.Geom == nil {
				if f.Geometry != nil {
					t.Fatalf("digits %d: feature %d geometry %v, want null", digits, i, f.Geometry)
				}
				continue
			}
			if !orb.Equal(f.Geometry, orb.Round(orb.Clone(want.Geom), 1e7)) {
				t.Fatalf("digits %d: feature %d geometry %v, want %v", digits, i, f.Geometry, want.Geom)
			}
		}
	}
}

func TestPolygonsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, typ, coords string
		check             func(error) bool
	}{
		{"not numbers", "Polygon", `[[["a","b"]]]`, func(err error) bool {
			var ce *CoordinatesError
			var te *json.UnmarshalTypeError
			return errors.As(err, &ce) && ce.Type == "Polygon" && errors.As(err, &te)
		}},
		{"syntax", "MultiPolygon", `[[[[66,31]`, func(err error) bool {
			var ce *CoordinatesError
			return errors.As(err, &ce) && ce.Type == "MultiPolygon"
		}},
		{"type", "LineString", `[[66,31],[67,31]]`, func(err error) bool {
			var ge *GeometryTypeError
			return errors.As(err, &ge) && ge.Type == "LineString"
		}},
		{"1-D position", "MultiPolygon", `[[[[66,31],[66.1,31],[66.1,31.1],[66,31]]],[[[1],[2,2]]]]`, func(err error) bool {
			return err != nil && err.Error() == "polygon 1 ring 0 position 0 has 1 numbers, want at least 2"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mp, err := Polygons(tc.typ, json.RawMessage(tc.coords))
			if mp != nil || !tc.check(err) {
				t.Fatalf("Polygons = %v, %v", mp, err)
			}
		})
	}
}

// FuzzPolygons: Polygons never panics, and what it accepts orb's decoder
// reads as the same polygons (orb drops elevations too).
func FuzzPolygons(f *testing.F) {
	f.Add("Polygon", []byte(`[[[66,31],[66.1,31],[66.1,31.1],[66,31]]]`))
	f.Add("MultiPolygon", []byte(`[[[[66,31,5],[66.1,31,5],[66.1,31.1,5],[66,31,5]]]]`))
	f.Add("Polygon", []byte(`[[[66],[1,2]]]`))
	f.Fuzz(func(t *testing.T, typ string, coords []byte) {
		mp, err := Polygons(typ, coords)
		if err != nil {
			return
		}
		g, gerr := geojson.UnmarshalGeometry([]byte(`{"type":"` + typ + `","coordinates":` + string(coords) + `}`))
		if gerr != nil {
			return // orb is stricter about some shapes (e.g. null)
		}
		want, ok := g.Geometry().(orb.MultiPolygon)
		if p, isPoly := g.Geometry().(orb.Polygon); isPoly {
			want, ok = orb.MultiPolygon{p}, true
		}
		if ok && !orb.Equal(want, mp) && len(mp) > 0 {
			t.Fatalf("Polygons(%s, %s) = %v, orb reads %v", typ, coords, mp, want)
		}
	})
}
