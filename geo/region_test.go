package geo_test

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// TestRegion: the region is the bounding box of the two countries; it
// holds every border vertex, every crossing, every province, and every
// event located inside Afghanistan or Pakistan, but not the venues of the
// talks abroad (Istanbul, Doha, Riyadh); its centre lies in Afghanistan
// or Pakistan, not in Iran.
func TestRegion(t *testing.T) {
	a, err := data.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := a.Region()
	if r.Min[0] < 60 || r.Max[0] > 78 || r.Min[1] < 23 || r.Max[1] > 39 {
		t.Fatalf("region %v is not about 60.5–77.1 E, 23.7–38.5 N", r)
	}
	for _, p := range a.Border().Line {
		if !r.Contains(p) {
			t.Errorf("border vertex %v outside the region %v", p, r)
		}
	}
	for _, name := range []string{geo.LayerProvinces, geo.LayerCrossings} {
		fs, _ := a.Features(name)
		for _, f := range fs {
			if b := f.Geometry.Bound(); !r.Contains(b.Min) || !r.Contains(b.Max) {
				t.Errorf("%s %v: bound %v outside the region", name, f.ID, b)
			}
		}
	}
	// Every located event point: inside the region exactly when it is in
	// Afghanistan or Pakistan or near them (within 0.5 degrees of a
	// country, where the region's box also reaches); the talks abroad are
	// outside.
	abroad := 0
	for _, e := range a.Events() {
		if e.Precision == geo.PrecisionNone {
			continue
		}
		b := e.Geometry().Bound() // a point, or the corners of a stretch or unit
		for _, p := range []orb.Point{b.Min, b.Max} {
			country, _ := a.CountryAt(p)
			switch {
			case (country == "AFG" || country == "PAK") && !r.Contains(p):
				t.Errorf("event %s at %v in %s is outside the region", e.ID, p, country)
			case country == "" && r.Contains(p):
				if d, err := a.DistanceToBorder(p); err == nil && d.Metres > 2000e3 {
					t.Errorf("event %s at %v, %0.f km from the border, is inside the region", e.ID, p, d.Metres/1000)
				}
			case !r.Contains(p):
				abroad++
			}
		}
	}
	c := a.RegionCenter()
	if country, err := a.CountryAt(c); err != nil || (country != "AFG" && country != "PAK") {
		t.Errorf("region centre %v is in %q (%v), want Afghanistan or Pakistan", c, country, err)
	}
	if z := geo.ViewZoom(r); z < 3 || z > 6 {
		t.Errorf("ViewZoom(region) = %v, want 3 to 6 for a region of about 17 degrees", z)
	}
}

func TestClipBound(t *testing.T) {
	region := orb.Bound{Min: orb.Point{60, 23}, Max: orb.Point{78, 39}}
	tests := []struct {
		name string
		b    orb.Bound
		want orb.Bound
	}{
		{"inside", orb.Bound{Min: orb.Point{65, 30}, Max: orb.Point{70, 35}}, orb.Bound{Min: orb.Point{65, 30}, Max: orb.Point{70, 35}}},
		{"Istanbul to Kabul", orb.Bound{Min: orb.Point{28.9, 24.6}, Max: orb.Point{69.2, 41}}, orb.Bound{Min: orb.Point{60, 24.6}, Max: orb.Point{69.2, 39}}},
		{"districts to 79.3 E", orb.Bound{Min: orb.Point{60.5, 23.6}, Max: orb.Point{79.3, 37.1}}, orb.Bound{Min: orb.Point{60.5, 23.6}, Max: orb.Point{78, 37.1}}},
		{"wholly abroad", orb.Bound{Min: orb.Point{28, 40}, Max: orb.Point{29, 41}}, orb.Bound{Min: orb.Point{28, 40}, Max: orb.Point{29, 41}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := geo.ClipBound(tt.b, region); got != tt.want {
				t.Errorf("ClipBound(%v) = %v, want %v", tt.b, got, tt.want)
			}
		})
	}
	if got := geo.ClipBound(region, orb.Bound{}); got != region {
		t.Errorf("an empty region clips: %v", got)
	}
}
