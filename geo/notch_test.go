package geo

import (
	"os"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// TestNotchesOnDefaultData: the default countries leave water notches along
// the border (Chagai); each is closed once, is a modest area, lies on the
// country's own side and is outside the other country.
func TestNotchesOnDefaultData(t *testing.T) {
	a, err := Load(os.DirFS("../data"))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for ci, c := range a.Countries() {
		other := a.countries[1-ci]
		ns := notches(c.Geometry, a.Border().Line)
		total += len(ns)
		for _, r := range ns {
			km2 := orbgeo.Area(orb.Polygon{r}) / 1e6
			t.Logf("%s notch: %d vertices, %.1f km² near %v", c.ID, len(r), km2, r[0])
			if km2 > 3000 {
				t.Errorf("%s notch of %.0f km² at %v is implausibly large", c.ID, km2, r[0])
			}
			// A point just inside the notch is not in the other country.
			ix := newPolyIndex(orb.MultiPolygon{{r}})
			for _, p := range r {
				q := orb.Point{p[0] + 1e-4, p[1]}
				if ix.contains(q) && a.sovereign.at(1-ci).contains(q) {
					t.Errorf("%s notch overlaps %s at %v", c.ID, other.ID, q)
					break
				}
			}
		}
	}
	if total == 0 {
		t.Error("no notches found; the Chagai water notches are expected")
	}
	// Probes 0.5 km either side of every border segment's midpoint are in
	// some country, except at the two tripoints.
	b := a.Border()
	missing := 0
	for i := 20; i+21 < len(b.Line); i++ {
		p, q := b.Line[i], b.Line[i+1]
		m := orb.Point{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2}
		_, az := Geodesic(p, q)
		for _, turn := range []float64{90, -90} {
			s := Destination(m, az+turn, 500)
			if c, _ := a.CountryAt(s); c == "" {
				missing++
				t.Logf("no country at %v (segment %d)", s, i)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d probes next to the border are in no country", missing)
	}
}
