package geo_test

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
	gogeom "github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkt"
)

func wktEncode(g gogeom.T) (string, error) { return wkt.Marshal(g) }

// zoneAtlas returns one atlas with the districts installed (districtAtlas)
// shared by the zone tests, so that its zones are computed once.
var zoneAtlasOnce struct {
	once sync.Once
	a    *geo.Atlas
}

func zoneAtlas(t *testing.T) *geo.Atlas {
	t.Helper()
	zoneAtlasOnce.once.Do(func() { zoneAtlasOnce.a = districtAtlas(t) })
	if zoneAtlasOnce.a == nil {
		t.Skip("districts could not be installed (see the first test that asked)")
	}
	return zoneAtlasOnce.a
}

func zonesAt(t *testing.T, a *geo.Atlas, d string) []*geo.Zone {
	t.Helper()
	zs, err := a.ZonesAt(day(d))
	if err != nil {
		t.Fatal(err)
	}
	return zs
}

func hasZone(zs []*geo.Zone, kind geo.ZoneKind, name string) bool {
	for _, z := range zs {
		if z.Kind == kind && z.Name == name {
			return true
		}
	}
	return false
}

// TestZoneChecks holds the checks the crisis layers must pass.
func TestZoneChecks(t *testing.T) {
	a := zoneAtlas(t)
	tests := []struct {
		name   string
		day    string
		kind   geo.ZoneKind
		zone   string
		active bool
	}{
		{"Spin Boldak is an affected district on 15 Oct", "2025-10-15", geo.ZoneAffectedDistrict, "Spin Boldak", true},
		{"Spin Boldak is not affected before 15 Oct", "2025-10-14", geo.ZoneAffectedDistrict, "Spin Boldak", false},
		{"Gurbuz appears with the late-November strikes", "2025-11-24", geo.ZoneAffectedDistrict, "Gurbuz", true},
		{"Gurbuz lasts through the night of 24-25 Nov", "2025-11-25", geo.ZoneAffectedDistrict, "Gurbuz", true},
		{"Gurbuz is not affected before them", "2025-11-23", geo.ZoneAffectedDistrict, "Gurbuz", false},
		{"Chaman district affected on 15 Oct", "2025-10-15", geo.ZoneAffectedDistrict, "Chaman", true},
		{"Torkham's hinterland while closed", "2025-10-20", geo.ZoneCrossingHinterland, "Torkham hinterland (Pakistan side), closed", true},
		{"Torkham's hinterland while refugees only", "2025-11-05", geo.ZoneCrossingHinterland, "Torkham hinterland (Pakistan side), refugees only", true},
		{"no closed hinterland once Torkham reopened to refugees", "2025-11-05", geo.ZoneCrossingHinterland, "Torkham hinterland (Pakistan side), closed", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hasZone(zonesAt(t, a, tc.day), tc.kind, tc.zone); got != tc.active {
				t.Errorf("%s zone %q active on %s: %v, want %v", tc.kind, tc.zone, tc.day, got, tc.active)
			}
		})
	}
	var gurbuz *geo.AffectedDistrict
	for _, ad := range a.AffectedDistricts() {
		if ad.Name == "Gurbuz" {
			gurbuz = ad
		}
	}
	if gurbuz == nil || !gurbuz.First.Equal(day("2025-11-24")) || gurbuz.Casualties.Killed != 10 || gurbuz.DistrictID == "" {
		t.Errorf("Gurbuz: %+v", gurbuz)
	}
}

// TestNoZoneBeforeItsFirstEvent: nothing is active before the first event
// of the record, and no zone starts before the events it is made of.
func TestNoZoneBeforeItsFirstEvent(t *testing.T) {
	a := zoneAtlas(t)
	first := a.Events()[0].Date
	if zs := zonesAt(t, a, first.AddDate(0, 0, -1).Format("2006-01-02")); len(zs) != 0 {
		t.Errorf("%d zones active the day before the first event (%s), e.g. %s", len(zs), first.Format("2006-01-02"), zs[0].ID)
	}
	zs, err := a.Zones()
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zs {
		if z.ValidFrom.IsZero() {
			if z.Kind != geo.ZoneBorderBand || len(z.EventIDs) != 0 {
				t.Errorf("%s: never active but has events %v", z.ID, z.EventIDs)
			}
			continue
		}
		if z.ValidFrom.Before(first) {
			t.Errorf("%s: active from %s, before the first event", z.ID, z.ValidFrom.Format("2006-01-02"))
		}
		for _, id := range z.EventIDs {
			e, err := a.Event(id)
			if err != nil {
				t.Fatal(err)
			}
			if e.Date.Before(z.ValidFrom) && z.Kind != geo.ZoneCrossingHinterland {
				t.Errorf("%s: active from %s, after its event %s of %s", z.ID, z.ValidFrom.Format("2006-01-02"), id, e.Date.Format("2006-01-02"))
			}
		}
		if !z.ValidTo.IsZero() && z.ValidTo.Before(z.ValidFrom) {
			t.Errorf("%s: ends before it starts", z.ID)
		}
		if len(z.Sources) == 0 && z.Kind != geo.ZoneBorderBand {
			t.Errorf("%s: no sources", z.ID)
		}
	}
}

// TestZonesValid checks every zone polygon with simplefeatures' OGC
// validity rules, and that each lies on its side.
func TestZonesValid(t *testing.T) {
	a := zoneAtlas(t)
	zs, err := a.Zones()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[geo.ZoneKind]int{}
	for _, z := range zs {
		counts[z.Kind]++
		if len(z.Geometry) == 0 {
			t.Errorf("%s: empty", z.ID)
			continue
		}
		g, err := sf.UnmarshalWKT(mustWKT(t, z.Geometry))
		if err != nil {
			t.Errorf("%s: invalid: %v", z.ID, err)
			continue
		}
		if g.IsEmpty() {
			t.Errorf("%s: empty", z.ID)
		}
		c := orb.Point(pointInside(z.Geometry))
		if iso, _ := a.CountryAt(c); iso != z.Country {
			t.Errorf("%s: a point inside, %v, is in %q, want %s", z.ID, c, iso, z.Country)
		}
	}
	want := map[geo.ZoneKind]int{geo.ZoneBorderBand: 8, geo.ZoneAffectedDistrict: 15, geo.ZoneCrossingHinterland: 20, geo.ZoneEventArea: 29}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s zones, want %d", counts[k], k, n)
		}
	}
}

// pointInside returns a point inside the first polygon: the middle of the
// widest stretch of the horizontal line through its middle.
func pointInside(mp orb.MultiPolygon) [2]float64 {
	p := mp[0]
	b := p.Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	var xs []float64
	for _, r := range p {
		for i := 0; i+1 < len(r); i++ {
			u, v := r[i], r[i+1]
			if (u[1] > y) != (v[1] > y) {
				xs = append(xs, u[0]+(y-u[1])*(v[0]-u[0])/(v[1]-u[1]))
			}
		}
	}
	slices.Sort(xs)
	best, x := -1.0, 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > best {
			best, x = w, (xs[i]+xs[i+1])/2
		}
	}
	return [2]float64{x, y}
}

func mustWKT(t *testing.T, mp orb.MultiPolygon) string {
	t.Helper()
	g, err := geo.ToGeom(mp)
	if err != nil {
		t.Fatal(err)
	}
	s, err := wktEncode(g)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bandEdges returns the edges of a band's outline that belong to its outer
// edge (the level line): those with neither end a vertex of the country
// outline. The other edges follow the border or a third-country frontier.
func bandEdges(z *geo.Zone, country orb.MultiPolygon) (outer, other [][2]orb.Point) {
	onCountry := map[orb.Point]bool{}
	for _, p := range country {
		for _, r := range p {
			for _, q := range r {
				onCountry[q] = true
			}
		}
	}
	for _, p := range z.Geometry {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				e := [2]orb.Point{r[i], r[i+1]}
				if onCountry[e[0]] || onCountry[e[1]] {
					other = append(other, e)
				} else {
					outer = append(outer, e)
				}
			}
		}
	}
	return outer, other
}

// samplePoints returns n points spread evenly by length along the edges.
func samplePoints(edges [][2]orb.Point, n int) []orb.Point {
	var total float64
	for _, e := range edges {
		total += math.Hypot(e[1][0]-e[0][0], e[1][1]-e[0][1])
	}
	step := total / float64(n)
	var out []orb.Point
	next := step / 2
	acc := 0.0
	for _, e := range edges {
		l := math.Hypot(e[1][0]-e[0][0], e[1][1]-e[0][1])
		for next <= acc+l && len(out) < n {
			f := (next - acc) / l
			out = append(out, orb.Point{e[0][0] + f*(e[1][0]-e[0][0]), e[0][1] + f*(e[1][1]-e[0][1])})
			next += step
		}
		acc += l
	}
	return out
}

// TestBorderBandGeometry samples 1,000 points on the outer edge of each
// standard band and checks their distance to the border (DistanceToBorder)
// is N ± 1 %; the rest of the outline lies on the border or a frontier and
// within N of the border.
func TestBorderBandGeometry(t *testing.T) {
	a := exampleAtlas() // shares the bands with the examples
	for _, km := range geo.StandardBands() {
		zs, err := a.BorderBand(km)
		if err != nil {
			t.Fatal(err)
		}
		if len(zs) != 2 {
			t.Fatalf("%v km: %d zones, want 2", km, len(zs))
		}
		for _, z := range zs {
			t.Run(z.ID, func(t *testing.T) {
				ctry, err := a.Country(z.Country)
				if err != nil {
					t.Fatal(err)
				}
				outer, other := bandEdges(z, ctry.Geometry)
				N := km * 1000
				worst := 0.0
				for _, p := range samplePoints(outer, 1000) {
					d, err := a.DistanceToBorder(p)
					if err != nil {
						t.Fatal(err)
					}
					rel := (d.Metres - N) / N
					if math.Abs(rel) > math.Abs(worst) {
						worst = rel
					}
					if math.Abs(rel) > 0.01 {
						t.Errorf("outer edge point %v is %.1f m from the border, want %.0f m ± 1 %%", p, d.Metres, N)
					}
				}
				for _, p := range samplePoints(other, 300) {
					d, _ := a.DistanceToBorder(p)
					if d.Metres > N*1.01 {
						t.Errorf("outline point %v on the border or a frontier is %.1f m from the border", p, d.Metres)
					}
				}
				if z.BorderKm < 0.99*a.BorderLength()/1000 {
					t.Errorf("band touches %.1f km of a %.1f km border", z.BorderKm, a.BorderLength()/1000)
				}
				t.Logf("%s: worst relative error on the outer edge %+.4f (%d edges)", z.ID, worst, len(outer))
			})
		}
	}
}

func TestBorderBandBadInput(t *testing.T) {
	a := defaultAtlas(t)
	for _, km := range []float64{0, -5, 0.5, 201, math.NaN(), math.Inf(1)} {
		if _, err := a.BorderBand(km); !errors.Is(err, geo.ErrOutOfRange) {
			t.Errorf("BorderBand(%v): %v, want ErrOutOfRange", km, err)
		}
	}
	if _, err := a.ZonesAt(time.Time{}); !errors.Is(err, geo.ErrInvalidTime) {
		t.Errorf("ZonesAt(zero): %v", err)
	}
	if _, err := a.Summary(time.Time{}); !errors.Is(err, geo.ErrInvalidTime) {
		t.Errorf("Summary(zero): %v", err)
	}
}

func TestSummary(t *testing.T) {
	a := zoneAtlas(t)
	tests := []struct {
		name               string
		day                string
		closed, restricted []string // some of them
		districts          []string // some of them
		killed, kmin, kmax int
		borderKmMin        float64
	}{
		{"before the crisis", "2025-10-08", nil, nil, nil, 0, 0, 0, 0},
		{"Spin Boldak fighting", "2025-10-15", []string{"torkham", "ghulam_khan"}, []string{"chaman"}, []string{"Spin Boldak", "Chaman", "Kurram"}, 54, 52, 58, 100},
		{"Torkham closed, Chaman refugees only", "2025-10-24", []string{"torkham"}, []string{"chaman"}, []string{"Kurram", "North Waziristan"}, 65, 60, 75, 100},
		{"both refugees only", "2025-11-05", []string{"ghulam_khan"}, []string{"torkham", "chaman"}, nil, 65, 60, 75, 0},
		{"after the December clash", "2025-12-06", nil, []string{"torkham", "chaman"}, []string{"Spin Boldak", "Chaman"}, 79, 74, 90, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := a.Summary(day(tc.day))
			if err != nil {
				t.Fatal(err)
			}
			ids := func(cs []geo.CrossingState) []string {
				var out []string
				for _, c := range cs {
					out = append(out, c.ID)
				}
				return out
			}
			for _, id := range tc.closed {
				if !slices.Contains(ids(s.Closed), id) {
					t.Errorf("%s not closed: %v", id, ids(s.Closed))
				}
			}
			for _, id := range tc.restricted {
				if !slices.Contains(ids(s.Restricted), id) {
					t.Errorf("%s not restricted: %v", id, ids(s.Restricted))
				}
			}
			var names []string
			for _, d := range s.Districts {
				names = append(names, d.Name)
			}
			for _, n := range tc.districts {
				if !slices.Contains(names, n) {
					t.Errorf("district %s not affected: %v", n, names)
				}
			}
			c := s.Casualties
			if c.Killed != tc.killed || c.KilledMin != tc.kmin || c.KilledMax != tc.kmax {
				t.Errorf("killed %d (%d-%d), want %d (%d-%d)", c.Killed, c.KilledMin, c.KilledMax, tc.killed, tc.kmin, tc.kmax)
			}
			if len(c.Sources) < c.Events {
				t.Errorf("%d sources for %d events with figures", len(c.Sources), c.Events)
			}
			if s.BorderKm < tc.borderKmMin || s.BorderKm > a.BorderLength()/1000 {
				t.Errorf("border km %.1f", s.BorderKm)
			}
			if s.BorderKm > s.BorderKmBySide["AFG"]+s.BorderKmBySide["PAK"]+1e-6 {
				t.Errorf("border km %.1f exceeds the sides %v", s.BorderKm, s.BorderKmBySide)
			}
			afg, pak := s.ByCountry["AFG"], s.ByCountry["PAK"]
			if afg.Killed+pak.Killed != c.Killed {
				t.Errorf("by country %d + %d != %d", afg.Killed, pak.Killed, c.Killed)
			}
		})
	}
}

// TestFeatures: every event and zone turns into a GeoJSON feature that
// marshals and carries its dates.
func TestFeatures(t *testing.T) {
	a := zoneAtlas(t)
	for _, e := range a.Events() {
		f := e.Feature()
		if _, err := f.MarshalJSON(); err != nil {
			t.Errorf("%s: %v", e.ID, err)
		}
		if f.Properties["start_date"] == "" || f.Properties["end_date"] == "" || (f.Geometry == nil) != (e.Precision == geo.PrecisionNone) {
			t.Errorf("%s: %v %v", e.ID, f.Geometry, f.Properties)
		}
	}
	zs, err := a.Zones()
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zs {
		f := z.Feature()
		if _, err := f.MarshalJSON(); err != nil {
			t.Errorf("%s: %v", z.ID, err)
		}
		if (f.Properties["start_date"] == "") != z.ValidFrom.IsZero() {
			t.Errorf("%s: start_date %v", z.ID, f.Properties["start_date"])
		}
	}
}
