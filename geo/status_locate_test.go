package geo_test

import (
	"strings"
	"testing"

	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

// TestLocateProvinceIsDistrictProvince: with districts installed, on a
// dense grid along the border (every 0.05 degrees within 40 km of the
// line), Locate's province is the province of Locate's district; where the
// provinces layer says otherwise, that is given apart with a note.
func TestLocateProvinceIsDistrictProvince(t *testing.T) {
	a := zoneAtlas(t)
	prov := map[string]string{}
	for _, d := range a.Districts() {
		prov[d.ID] = d.Province
	}
	b := a.Border().Line.Bound().Pad(0.4)
	n, differ := 0, 0
	for lon := b.Min[0]; lon <= b.Max[0]; lon += 0.05 {
		for lat := b.Min[1]; lat <= b.Max[1]; lat += 0.05 {
			p := orb.Point{lon, lat}
			if d, _ := a.DistanceToBorder(p); d.Metres > 40e3 {
				continue
			}
			loc, err := a.Locate(p)
			if err != nil {
				t.Fatal(err)
			}
			if loc.DistrictID == "" {
				continue
			}
			n++
			if loc.Province != prov[loc.DistrictID] {
				t.Errorf("%v: province %q, district %s is in %q", p, loc.Province, loc.District, prov[loc.DistrictID])
			}
			if loc.ProvinceByLayer != "" {
				differ++
				if loc.ProvinceByLayer == loc.Province || loc.ProvinceNote == "" {
					t.Errorf("%v: province_by_layer %q, note %q", p, loc.ProvinceByLayer, loc.ProvinceNote)
				}
			}
		}
	}
	if n < 5000 {
		t.Errorf("only %d grid points with a district", n)
	}
	t.Logf("%d grid points; the provinces layer differs at %d (%.2f %%), given as province_by_layer", n, differ, 100*float64(differ)/float64(n))
	// Badini, the case of the issue: Shamulzayi is a Zabul district.
	for _, c := range a.Crossings() {
		loc, err := a.Locate(c.Point)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"AFG": c.AFGProvince, "PAK": c.PAKProvince}[loc.Country]
		if want != "" && loc.Province != want {
			t.Errorf("crossing %s: the record says %s, Locate at its point %s (district %s)", c.ID, want, loc.Province, loc.District)
		}
	}
}

// TestStatusWording: unknown where the facts do not establish a status;
// closures from before the crisis apart from crisis closures; names, never
// raw ids, on every day.
func TestStatusWording(t *testing.T) {
	a := defaultAtlas(t)
	for _, tc := range []struct{ day, want string }{
		{"2025-08-15", "closed"}, {"2025-09-15", "unknown"}, {"2025-10-11", "unknown"}, {"2025-10-12", "closed"},
	} {
		if st, _ := a.CrossingStatus("ghulam_khan", day(tc.day)); string(st) != tc.want {
			t.Errorf("Ghulam Khan on %s: %s, want %s", tc.day, st, tc.want)
		}
	}
	for _, d := range timelineDays(t, a) {
		s, err := a.Summary(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range append(append(append([]geo.CrossingState{}, s.Closed...), s.Restricted...), s.ClosedBefore...) {
			if st.Name == "" || st.Name == st.ID || strings.Contains(st.Name, "_") {
				t.Errorf("%s: crossing %s named %q", d.Format("2006-01-02"), st.ID, st.Name)
			}
			if st.Period == nil {
				t.Errorf("%s: %s listed without a period", d.Format("2006-01-02"), st.ID)
				continue
			}
			if before := st.Period.From.Before(day("2025-10-09")); before != st.BeforeCrisis {
				t.Errorf("%s: %s from %s, before_crisis %v", d.Format("2006-01-02"), st.ID, st.Period.FromText, st.BeforeCrisis)
			}
		}
		for _, st := range append(append([]geo.CrossingState{}, s.Closed...), s.Restricted...) {
			if st.BeforeCrisis {
				t.Errorf("%s: %s (since %s) among the crisis closures", d.Format("2006-01-02"), st.Name, st.Period.FromText)
			}
		}
	}
	s, _ := a.Summary(day("2025-10-15"))
	var before []string
	for _, st := range s.ClosedBefore {
		before = append(before, st.Name)
	}
	for _, want := range []string{"Nawa Pass", "Gursal", "Ghakhi Pass", "Letai Pass"} {
		if !strings.Contains(strings.Join(before, ","), want) {
			t.Errorf("15 Oct: closed before the crisis %v, want %s among them", before, want)
		}
	}
	for _, e := range a.Timeline() {
		if strings.Contains(e.Title, "_") {
			t.Errorf("timeline %s: title %q", e.DateText, e.Title)
		}
	}
}
