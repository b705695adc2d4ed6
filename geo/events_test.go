package geo_test

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/paulmach/orb"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// readFacts reads a fact table of ../shared/data keyed by its first column.
func readFacts(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(geotest.SharedData(t), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func itoa(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// TestEventsCarryTheFacts checks that data/events.csv carries every fact of
// the shared fact table (dates, kind, place, figures, sources) and that the
// summaries are our own words, not the table's.
func TestEventsCarryTheFacts(t *testing.T) {
	a := defaultAtlas(t)
	facts := readFacts(t, "events-facts.csv")
	events := a.Events()
	if len(events) != 54 || len(facts) != 54 {
		t.Fatalf("%d events, %d fact rows, want 54", len(events), len(facts))
	}
	for _, f := range facts {
		t.Run(f["id"], func(t *testing.T) {
			e, err := a.Event(f["id"])
			if err != nil {
				t.Fatal(err)
			}
			end := f["end_date"]
			if end == "" {
				end = f["date"]
			}
			got := []string{e.Date.Format("2006-01-02"), e.End.Format("2006-01-02"), string(e.Kind), e.Place,
				itoa(e.Casualties.Killed), itoa(e.Casualties.Injured), e.Source.Publisher, e.Source.URL, e.Source.Date,
				strings.Join(e.Countries, ";"), e.SourcePrecision}
			want := []string{f["date"], end, f["kind"], f["place"], f["killed"], f["injured"],
				f["source_publisher"], f["source_url"], f["source_date"], strings.ReplaceAll(f["country"], " ", ""), f["location_precision"]}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d: %q, facts %q", i, got[i], want[i])
				}
			}
			if e.Summary == f["summary"] || strings.Contains(e.Summary, f["summary"]) {
				t.Error("summary copied from the fact table")
			}
			if f["district"] != "" && e.District == "" {
				t.Errorf("district %q dropped", f["district"])
			}
			if f["district"] != "" && f["district"] != e.District && (e.DistrictMapping != "ours" && e.DistrictAsReported == "") {
				t.Errorf("district %q mapped to %q without saying so", f["district"], e.District)
			}
		})
	}
}

// TestCasualtyConventions checks the conventions of the fact table: the
// 11-12 Oct totals on the two aggregate rows only, ranges for conflicting
// figures with both sources, empty distinct from zero.
func TestCasualtyConventions(t *testing.T) {
	a := defaultAtlas(t)
	for _, e := range a.Events() {
		if strings.HasPrefix(e.ID, "20251011-clash-") && !strings.Contains(e.ID, "aggregate") {
			if e.Casualties.People() != 0 || e.Casualties.Killed != nil || e.Casualties.Injured != nil {
				t.Errorf("%s: per-sector row of 11-12 Oct has figures %+v", e.ID, e.Casualties)
			}
		}
		c := e.Casualties
		if (c.KilledMax != nil || c.InjuredMax != nil) && (c.Note == "" || len(c.Sources) == 0) {
			t.Errorf("%s: range without its note and other sources", e.ID)
		}
	}
	tests := []struct {
		id                                      string
		killed, injured, kmin, kmax, imin, imax string
	}{
		{"20251011-clash-durand-afg-aggregate", "9", "16", "", "", "", ""},
		{"20251011-clash-durand-pak-aggregate", "23", "29", "", "", "", ""},
		{"20251009-airstrike-barmal-margha", "0", "0", "", "", "", ""},
		{"20251009-airstrike-kabul-abdulhaq", "", "", "", "", "", ""},
		{"20251015-clash-spin-boldak", "17", "346", "15", "17", "", ""},
		{"20251015-airstrike-kabul", "5", "35", "5", "9", "", ""},
		{"20251017-airstrike-urgun", "11", "", "8", "17", "7", "16"},
		{"20251205-clash-spin-boldak", "4", "4", "4", "5", "4", "5"},
		{"20251124-airstrike-khost-gurbuz", "10", "", "", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			e, err := a.Event(tc.id)
			if err != nil {
				t.Fatal(err)
			}
			c := e.Casualties
			got := []string{itoa(c.Killed), itoa(c.Injured), itoa(c.KilledMin), itoa(c.KilledMax), itoa(c.InjuredMin), itoa(c.InjuredMax)}
			want := []string{tc.killed, tc.injured, tc.kmin, tc.kmax, tc.imin, tc.imax}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("figures %v, want %v", got, want)
					break
				}
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	n := func(v int) *int { return &v }
	tests := []struct {
		name string
		kind geo.EventKind
		c    geo.Casualties
		want int
	}{
		{"talks", geo.KindTalks, geo.Casualties{}, 0},
		{"reopening with figures", geo.KindCrossingReopened, geo.Casualties{Killed: n(3)}, 0},
		{"closure", geo.KindCrossingClosed, geo.Casualties{}, 1},
		{"clash, unknown toll", geo.KindClash, geo.Casualties{}, 2},
		{"clash, reported none", geo.KindClash, geo.Casualties{Killed: n(0), Injured: n(0)}, 2},
		{"clash, 4 injured", geo.KindClash, geo.Casualties{Injured: n(4)}, 3},
		{"airstrike, range up to 17+16", geo.KindAirstrike, geo.Casualties{Killed: n(11), KilledMin: n(8), KilledMax: n(17), InjuredMin: n(7), InjuredMax: n(16)}, 4},
		{"clash, 17 killed 346 injured", geo.KindClash, geo.Casualties{Killed: n(17), Injured: n(346)}, 5},
		{"displacement, 120 hurt", geo.KindDisplacement, geo.Casualties{Injured: n(120)}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := geo.Severity(tc.kind, tc.c); got != tc.want {
				t.Errorf("Severity = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestEventLocation checks the location rules with the districts
// installed: the most precise rule the facts allow, never an arbitrary
// interior point.
func TestEventLocation(t *testing.T) {
	a := zoneAtlas(t)
	tests := []struct {
		id        string
		precision geo.Precision
		rule      string // part of the location rule
		district  string // e.DistrictID's district, when named
	}{
		{"20251015-clash-spin-boldak", geo.PrecisionSite, "Spin Boldak", "Spin Boldak"},
		{"20251015-clash-chaman", geo.PrecisionCrossing, "Chaman", "Chaman"},
		{"20251011-clash-angoor-adda", geo.PrecisionCrossing, "Angoor Adda", "South Waziristan"},
		{"20251011-closed-torkham", geo.PrecisionCrossing, "Torkham", "Khyber"},
		{"20251124-airstrike-khost-gurbuz", geo.PrecisionDistrict, "Gurbuz district", "Gurbuz"},
		{"20251011-clash-paktia-aryub-zazi", geo.PrecisionBorderStretch, "Ali Khail (Jaji) district", "Ali Khail (Jaji)"},
		{"20251011-clash-chitral", geo.PrecisionBorderStretch, "Chitral Upper district or Chitral Lower district", ""},
		{"20251011-clash-baramcha", geo.PrecisionBorderStretch, "Chagai district and Dishu district meet", "Chagai"},
		{"20251011-clash-khost", geo.PrecisionBorderStretch, "Khost province", ""},
		{"20251015-airstrike-kandahar", geo.PrecisionProvince, "Kandahar province", ""},
		{"20251011-clash-durand-afg-aggregate", geo.PrecisionNone, "not located", ""},
		{"20251018-ceasefire-doha", geo.PrecisionSite, "Doha", ""},
		{"20260226-clash-durand-line", geo.PrecisionNone, "not located", ""},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			e, err := a.Event(tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if e.Precision != tc.precision || !strings.Contains(e.LocationRule, tc.rule) {
				t.Errorf("precision %s by %q, want %s by …%s…", e.Precision, e.LocationRule, tc.precision, tc.rule)
			}
			if tc.district != "" {
				d, err := a.District(e.DistrictID)
				if err != nil || d.Name != tc.district {
					t.Errorf("district %q (%v), want %s", e.DistrictID, err, tc.district)
				}
			}
		})
	}
	// The 11 Oct Chitral clash lies on Chitral's stretch of the border, not
	// in Peshawar: every vertex of its line is on the border within the
	// stretch of Chitral Upper or Chitral Lower.
	e, _ := a.Event("20251011-clash-chitral")
	shares, _ := a.BorderShare(geo.LayerDistricts)
	var lo, hi float64 = 1e9, 0
	for _, sh := range shares {
		if sh.Name == "Chitral Upper" || sh.Name == "Chitral Lower" {
			lo, hi = min(lo, sh.FromKm), max(hi, sh.ToKm)
		}
	}
	line, ok := e.Geometry().(orb.MultiLineString)
	if !ok || len(line) == 0 {
		t.Fatalf("Chitral clash geometry %T, want a MultiLineString", e.Geometry())
	}
	for _, ls := range line {
		for _, p := range ls {
			d, _ := a.DistanceToBorder(p)
			if d.Metres > 1 || d.ChainageKm < lo-0.01 || d.ChainageKm > hi+0.01 {
				t.Errorf("Chitral clash vertex %v: %.0f m from the border at km %.1f, want on [%.1f, %.1f]", p, d.Metres, d.ChainageKm, lo, hi)
			}
			if loc, _ := a.Locate(p); loc.District == "Peshawar" {
				t.Errorf("Chitral clash vertex %v in Peshawar", p)
			}
		}
	}
	// Every named district resolves; every point event lies in its
	// country (crossings sit on the line: either side will do); every
	// event has a rule, and a geometry exactly when it is located; area
	// events lie in their unit.
	for _, e := range a.Events() {
		if e.District != "" && e.DistrictID == "" {
			t.Errorf("%s: district %q not found among the installed districts", e.ID, e.District)
		}
		if e.LocationRule == "" || (e.Geometry() == nil) != (e.Precision == geo.PrecisionNone) {
			t.Errorf("%s: precision %s, rule %q, geometry %T", e.ID, e.Precision, e.LocationRule, e.Geometry())
		}
		iso := e.Country()
		if iso != "AFG" && iso != "PAK" {
			continue
		}
		switch e.Precision {
		case geo.PrecisionSite, geo.PrecisionExact:
			if loc, _ := a.Locate(e.Point); loc.Country != iso {
				t.Errorf("%s: placed at %v in %q, want %s", e.ID, e.Point, loc.Country, iso)
			}
		case geo.PrecisionCrossing:
			if d, _ := a.DistanceToBorder(e.Point); d.Metres > 1 {
				t.Errorf("%s: crossing point %.0f m off the border", e.ID, d.Metres)
			}
		case geo.PrecisionDistrict:
			d, _ := a.District(e.DistrictID)
			if d == nil || !orbEqual(d.Geometry, e.Area) {
				t.Errorf("%s: area is not the district %s", e.ID, e.DistrictID)
			}
		}
	}
}

func orbEqual(a, b orb.MultiPolygon) bool { return orb.Equal(a, b) }

// TestEventLocationWithoutDistricts: without districts, a sector falls
// back to its province's stretch and an event somewhere in a district to
// its province (approximate); none gets an interior point.
func TestEventLocationWithoutDistricts(t *testing.T) {
	a := defaultAtlas(t)
	for id, want := range map[string]geo.Precision{
		"20251011-clash-chitral":          geo.PrecisionBorderStretch,
		"20251124-airstrike-khost-gurbuz": geo.PrecisionProvince,
		"20251015-clash-spin-boldak":      geo.PrecisionSite,
	} {
		e, err := a.Event(id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Precision != want || e.DistrictID != "" {
			t.Errorf("%s: precision %s, district %q; want %s, none", id, e.Precision, e.DistrictID, want)
		}
	}
	if ads := a.AffectedDistricts(); len(ads) == 0 || ads[0].DistrictID != "" {
		t.Errorf("affected districts without districts installed: %d, first %+v", len(ads), ads)
	}
}

func TestEventsBetween(t *testing.T) {
	a := defaultAtlas(t)
	tests := []struct {
		name     string
		from, to string
		want     int
		first    string
	}{
		{"before the record", "2025-01-01", "2025-10-08", 0, ""},
		{"first day", "2025-10-09", "2025-10-09", 2, "20251009-airstrike-barmal-margha"},
		{"night of 9-10 Oct, second day", "2025-10-10", "2025-10-10", 1, "20251009-airstrike-barmal-margha"},
		{"clashes of 11-12 Oct seen on the 12th", "2025-10-12", "2025-10-12", 18, "20251011-clash-angoor-adda"},
		{"whole record", "2025-01-01", "2026-12-31", 54, "20251009-airstrike-barmal-margha"},
		{"late-November strikes", "2025-11-24", "2025-11-25", 3, "20251124-airstrike-khost-gurbuz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, err := a.EventsBetween(day(tc.from), day(tc.to))
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != tc.want {
				t.Errorf("%d events, want %d", len(es), tc.want)
			}
			if tc.first != "" && (len(es) == 0 || es[0].ID != tc.first) {
				t.Errorf("first %v, want %s", es, tc.first)
			}
		})
	}
	bad := []struct {
		name   string
		t1, t2 time.Time
	}{
		{"zero start", time.Time{}, day("2025-10-20")},
		{"zero end", day("2025-10-20"), time.Time{}},
		{"reversed", day("2025-10-20"), day("2025-10-19")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.EventsBetween(tc.t1, tc.t2)
			var te *geo.TimeError
			if !errors.Is(err, geo.ErrInvalidTime) || !errors.As(err, &te) {
				t.Errorf("err = %v, want a *TimeError", err)
			}
		})
	}
}

func TestTimeline(t *testing.T) {
	a := defaultAtlas(t)
	tl := a.Timeline()
	var events, changes int
	for i, e := range tl {
		if i > 0 && e.Date.Before(tl[i-1].Date) {
			t.Fatalf("entry %d (%s) before entry %d", i, e.ID, i-1)
		}
		switch e.Type {
		case "event":
			events++
		case "status":
			changes++
			if e.Period == nil || e.CrossingID == "" {
				t.Errorf("status entry %d without its period", i)
			}
		}
	}
	// 28 status rows (Ghulam Khan's August 2025 closure is followed by a
	// row of unknown status), 2 of them with no known start.
	if events != 54 || changes != 26 {
		t.Errorf("%d events and %d status changes, want 54 and 26", events, changes)
	}
	// The month-precision change of Ghulam Khan starts on 1 Aug 2025.
	for _, e := range tl {
		if e.CrossingID == "ghulam_khan" && e.DateText == "2025-08" {
			if !e.Date.Equal(day("2025-08-01")) || e.Precision != geo.DateMonth {
				t.Errorf("2025-08 entry at %v (%s)", e.Date, e.Precision)
			}
		}
	}
}
