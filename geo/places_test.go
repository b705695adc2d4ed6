package geo_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/paulmach/orb"
)

func defaultAtlas(t testing.TB) *geo.Atlas {
	t.Helper()
	a, err := data.Default()
	if err != nil {
		t.Fatal(err)
	}
	a.UseBufferCache(testBuffers())
	return a
}

// testBuffers is the zone buffer cache of the tests' atlases: in memory in
// front of the go test run's directory (zonecache.Default; geotest.Main
// points $DURAND_CACHE_DIR there), so that a buffer is traced once per run,
// not once per atlas or per test binary (geo tests the tracing, and
// TestUseBufferCache that cached zones equal traced ones). Tests about
// zones still being computed use atlases without it.
var testBuffers = sync.OnceValue(func() geo.BufferCache {
	if c := zonecache.Default(); c != nil {
		return c
	}
	return &geo.MemoryBufferCache{}
})

// installed caches one install of the districts from ../shared/data.
var installed struct {
	once sync.Once
	dir  string
	err  error
}

// districtAtlas returns the default atlas with the districts installed from
// ../shared/data (skipped when that is absent and CI is unset).
func districtAtlas(t *testing.T) *geo.Atlas {
	t.Helper()
	shared := geotest.SharedData(t)
	installed.once.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			installed.err = err
			return
		}
		installed.dir = dir
		_, installed.err = data.Install(context.Background(), data.InstallOptions{From: shared, Dir: dir, Provinces: data.FS()})
	})
	if installed.err != nil {
		t.Fatal(installed.err)
	}
	a, err := data.Open(installed.dir)
	if err != nil {
		t.Fatal(err)
	}
	a.UseBufferCache(testBuffers())
	return a
}

type place struct {
	name              string
	p                 orb.Point
	country, province string
	district          string // expected once districts are installed
}

var places = []place{
	{"Spin Boldak town", orb.Point{66.39, 31.00}, "AFG", "Kandahar", "Spin Boldak"},
	{"Chaman town", orb.Point{66.45, 30.92}, "PAK", "Balochistan", "Chaman"},
	{"Khost city", orb.Point{69.92, 33.34}, "AFG", "Khost", "Khost(Matun)"},
	{"Jalalabad", orb.Point{70.45, 34.43}, "AFG", "Nangarhar", "Jalalabad"},
	{"Kabul", orb.Point{69.17, 34.53}, "AFG", "Kabul", "Kabul"},
	{"Peshawar", orb.Point{71.57, 34.01}, "PAK", "Khyber Pakhtunkhwa", "Peshawar"},
	{"Quetta", orb.Point{67.00, 30.18}, "PAK", "Balochistan", "Quetta"},
	{"Landi Kotal", orb.Point{71.15, 34.10}, "PAK", "Khyber Pakhtunkhwa", "Khyber"},
	{"Gurbuz (Khost)", orb.Point{70.05, 33.23}, "AFG", "Khost", "Gurbuz"},
	{"Miranshah", orb.Point{70.07, 33.00}, "PAK", "Khyber Pakhtunkhwa", "North Waziristan"},
	{"Zahedan (Iran)", orb.Point{60.86, 29.50}, "", "", ""},
}

func TestPlacesWithKnownAnswers(t *testing.T) {
	a := defaultAtlas(t)
	for _, pl := range places {
		t.Run(pl.name, func(t *testing.T) {
			loc, err := a.Locate(pl.p)
			if err != nil {
				t.Fatal(err)
			}
			if loc.Country != pl.country || loc.Province != pl.province {
				t.Errorf("got %q / %q, want %q / %q", loc.Country, loc.Province, pl.country, pl.province)
			}
			if loc.District != "" {
				t.Errorf("district %q without districts installed", loc.District)
			}
			// The nearest border point is on the border and its chainage
			// leads back to it.
			back, err := a.PointAt(loc.Border.ChainageKm)
			if err != nil {
				t.Fatal(err)
			}
			// Within 1 m: the foot point lies on the great-circle edge
			// (as in PostGIS geography), PointAt walks the ellipsoidal
			// geodesic between the same vertices.
			if d := geo.Distance(back, loc.Border.Point); d > 1 {
				t.Errorf("PointAt(chainage of nearest point) is %.3f m from it", d)
			}
			// The distance comes from arcMetres, within 1e-7 of Karney's
			// geodesic (2e-7 allowed).
			if d := geo.Distance(pl.p, loc.Border.Point); math.Abs(d-loc.Border.Metres) > 2e-7*d+1e-3 {
				t.Errorf("distance %.3f m does not match the nearest point (%.3f m)", loc.Border.Metres, d)
			}
		})
	}
}

func TestPlacesWithDistricts(t *testing.T) {
	a := districtAtlas(t)
	if n := len(a.Districts()); n != 558 {
		t.Errorf("%d districts installed, want 558 (398 AFG + 160 PAK)", n)
	}
	for _, pl := range places {
		t.Run(pl.name, func(t *testing.T) {
			loc, err := a.Locate(pl.p)
			if err != nil {
				t.Fatal(err)
			}
			if loc.Country != pl.country || loc.Province != pl.province || loc.District != pl.district {
				t.Errorf("got %q / %q / %q, want %q / %q / %q", loc.Country, loc.Province, loc.District, pl.country, pl.province, pl.district)
			}
		})
	}
	for _, q := range []string{"Spin Boldak", "Spīn Būldak", "spin-boldak", "Spin Boldak District"} {
		d, err := a.District(q)
		if err != nil || d.Name != "Spin Boldak" || d.Province != "Kandahar" || len(d.Geometry) == 0 {
			t.Errorf("District(%q) = %+v, %v", q, d, err)
		}
	}
	g, err := a.District("Gurbuz")
	if err != nil || g.Province != "Khost" || g.Country != "AFG" {
		t.Errorf("District(Gurbuz) = %+v, %v", g, err)
	}
	// Every crossing's districts, where the table names them, are real
	// installed districts on the right side.
	for _, c := range a.Crossings() {
		for _, name := range []string{c.AFGDistrict, c.PAKDistrict} {
			if name == "" {
				continue
			}
			if _, err := a.District(name); err != nil {
				t.Errorf("crossing %s: district %q: %v", c.ID, name, err)
			}
		}
	}
	sh, err := a.BorderShare(geo.LayerDistricts)
	if err != nil {
		t.Fatal(err)
	}
	var afg, pak float64
	names := map[string]bool{}
	for _, s := range sh {
		names[s.Name] = true
		if s.Country == "AFG" {
			afg += s.Km
		} else {
			pak += s.Km
		}
	}
	total := a.BorderLength() / 1000
	if math.Abs(afg-total) > 0.01*total || math.Abs(pak-total) > 0.01*total {
		t.Errorf("district shares: AFG %.1f km, PAK %.1f km, border %.1f km", afg, pak, total)
	}
	for _, want := range []string{"Spin Boldak", "Chaman", "Gurbuz", "North Waziristan", "Muhmand Dara", "Khyber"} {
		if !names[want] {
			t.Errorf("district %s touches no border in the share table", want)
		}
	}
}

func TestCrossingsSitOnTheLine(t *testing.T) {
	a := defaultAtlas(t)
	cs := a.Crossings()
	if len(cs) != 10 {
		t.Fatalf("%d crossings, want 10", len(cs))
	}
	for _, c := range cs {
		t.Run(c.ID, func(t *testing.T) {
			d, err := a.DistanceToBorder(c.Point)
			if err != nil {
				t.Fatal(err)
			}
			// Within 1 m: edges are great-circle arcs here, while the
			// pipeline snapped the point onto the edge as drawn.
			if d.Metres > 1 {
				t.Errorf("%.2f m off the border line", d.Metres)
			}
			if math.Abs(d.ChainageKm-c.ChainageKm) > 0.002 {
				t.Errorf("chainage %.3f km, stored %.3f km", d.ChainageKm, c.ChainageKm)
			}
			if c.Method != "sourced" && c.Method != "corrected" && c.Method != "derived" {
				t.Errorf("method %q", c.Method)
			}
			if c.UncertaintyM < 500 {
				t.Errorf("uncertainty %.0f m, want at least 500", c.UncertaintyM)
			}
			if len(c.Sources) == 0 {
				t.Error("no sources")
			}
			if (c.Method == "derived") != (c.SourcePoint == nil) {
				t.Errorf("method %s with source point %v", c.Method, c.SourcePoint)
			}
		})
	}
	for _, q := range []string{"Torkham", "Tūrkham", "torkham border crossing", "Chaman", "Friendship Gate", "Spin Boldak crossing", "Ghulam Khan"} {
		if _, err := a.Crossing(q); err != nil {
			t.Errorf("Crossing(%q): %v", q, err)
		}
	}
}

func TestBorderShape(t *testing.T) {
	a := defaultAtlas(t)
	b := a.Border()
	if n := b.Vertices(); n < 16000 || n > 18000 {
		t.Errorf("%d vertices, want about 17,000", n)
	}
	km := a.BorderLength() / 1000
	if km < 2600 || km > 2900 {
		t.Errorf("length %.1f km", km)
	}
	start, end := b.Line[0], b.Line[len(b.Line)-1]
	if start[0] > 62 || end[0] < 74 {
		t.Errorf("border runs from %v to %v, want SW (Iran) to NE (China)", start, end)
	}
	// Province shares: each side sums to the border length.
	sh, err := a.BorderShare(geo.LayerProvinces)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]float64{}
	for _, s := range sh {
		sums[s.Country] += s.Km
	}
	for _, c := range []string{"AFG", "PAK"} {
		if math.Abs(sums[c]-km) > 0.005*km {
			t.Errorf("%s provinces touch %.1f km of a %.1f km border", c, sums[c], km)
		}
	}
}

func TestSearchAndFind(t *testing.T) {
	a := defaultAtlas(t)
	fs, err := a.Search(geo.LayerCrossings, orb.Bound{Min: orb.Point{70.9, 34}, Max: orb.Point{71.2, 34.2}})
	if err != nil || len(fs) != 1 || fs[0].ID != "torkham" {
		t.Errorf("Search around Torkham = %v, %v", fs, err)
	}
	if _, err := a.Search("nope", orb.Bound{}); !errors.Is(err, geo.ErrUnknownLayer) {
		t.Errorf("Search(nope): %v", err)
	}
	for _, q := range []string{"Kandahar", "Qandahar", "kandahār"} {
		if p, err := a.Province(q); err != nil || p.Country != "AFG" {
			t.Errorf("Province(%q) = %v, %v", q, p, err)
		}
	}
	for _, q := range []string{"Daykundi", "Panjshir", "Khyber Pakhtunkhwa", "KPK"} {
		if _, err := a.Province(q); err != nil {
			t.Errorf("Province(%q): %v", q, err)
		}
	}
	// F.A.T.A. is merged into Khyber Pakhtunkhwa.
	kp, _ := a.Province("Khyber Pakhtunkhwa")
	if kp == nil || kp.History == "" {
		t.Errorf("Khyber Pakhtunkhwa has no merge history: %+v", kp)
	}
	if fs, err := a.Find(geo.LayerProvinces, "F.A.T.A."); err == nil && fs[0].ID != kp.ID {
		t.Errorf("F.A.T.A. finds %v", fs[0].ID)
	}
}

func TestToGeom(t *testing.T) {
	a := defaultAtlas(t)
	for _, name := range a.Layers() {
		fs, _ := a.Features(name)
		for _, f := range fs {
			g, err := geo.ToGeom(f.Geometry)
			if err != nil {
				t.Fatalf("%s/%v: %v", name, f.ID, err)
			}
			if g.SRID() != 4326 {
				t.Errorf("SRID %d", g.SRID())
			}
			b := f.Geometry.Bound()
			gb := g.Bounds()
			if gb.Min(0) != b.Min[0] || gb.Max(1) != b.Max[1] {
				t.Errorf("%s/%v: bounds differ", name, f.ID)
			}
		}
	}
}
