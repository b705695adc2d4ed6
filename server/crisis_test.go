package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// sharedCrisis is the real atlas (embedded data, districts installed from
// the shared source files by realAtlas) with its zones computed, and a
// server over it, built once for the crisis tests and benchmarks.
var sharedCrisis struct {
	once sync.Once
	a    *geo.Atlas
	h    http.Handler
}

// crisisServer returns the shared real atlas and its server; it skips
// (fails under CI) when the shared data is absent, as realAtlas does.
func crisisServer(t testing.TB) (*geo.Atlas, http.Handler) {
	t.Helper()
	sharedCrisis.once.Do(func() {
		a := realAtlas(t)
		if err := a.PrepareZones(); err != nil {
			t.Fatalf("zones: %v", err)
		}
		h, err := New(Config{Atlas: a})
		if err != nil {
			t.Fatal(err)
		}
		sharedCrisis.a, sharedCrisis.h = a, h
	})
	if sharedCrisis.a == nil {
		t.Skip("the real atlas could not be built (see the first test that asked for it)")
	}
	return sharedCrisis.a, sharedCrisis.h
}

// getJSON serves target and decodes the JSON body, failing unless the
// status is want.
func getJSON(t *testing.T, h http.Handler, target string, want int) map[string]any {
	t.Helper()
	w := get(t, h, "GET", target)
	if w.Code != want {
		t.Fatalf("%s: status %d, want %d: %.300s", target, w.Code, want, w.Body.String())
	}
	return decode(t, w)
}

// featureProps returns the properties of the features of an items
// response by id.
func featureProps(t *testing.T, m map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	fs, _ := m["features"].([]any)
	for _, f := range fs {
		fm := f.(map[string]any)
		out[fmt.Sprint(fm["id"])] = fm["properties"].(map[string]any)
	}
	return out
}

func TestCrossingStatusByDay(t *testing.T) {
	t.Parallel()
	a, h := crisisServer(t)
	last := sharedLastDay(t, a)
	tests := []struct {
		name, crossing, datetime string
		want                     geo.Status
		day                      string // status_date
	}{
		{"Chaman on 24 Oct 2025", "chaman", "2025-10-24", geo.StatusRefugeesOnly, "2025-10-24"},
		{"Torkham on 20 Oct 2025", "torkham", "2025-10-20", geo.StatusClosed, "2025-10-20"},
		{"Torkham on 5 Nov 2025", "torkham", "2025-11-05", geo.StatusRefugeesOnly, "2025-11-05"},
		{"Chaman on the day of the clashes", "chaman", "2025-10-11", geo.StatusClosed, "2025-10-11"},
		{"Torkham in March 2025", "torkham", "2025-03-01", geo.StatusClosed, "2025-03-01"},
		{"Torkham at a date-time", "torkham", "2025-10-20T23:30:00Z", geo.StatusClosed, "2025-10-20"},
		{"an offset moves the UTC day", "torkham", "2025-10-31T22:00:00-05:00", geo.StatusRefugeesOnly, "2025-11-01"},
		{"lower-case t and z", "torkham", "2025-10-20t10:00:00z", geo.StatusClosed, "2025-10-20"},
		{"interval: its last day", "torkham", "2025-09-01/2025-10-20", geo.StatusClosed, "2025-10-20"},
		{"open start", "torkham", "../2025-11-05", geo.StatusRefugeesOnly, "2025-11-05"},
		{"open end: the default day", "torkham", "2025-10-20/..", geo.StatusRefugeesOnly, last},
		{"no datetime: the default day", "torkham", "", geo.StatusRefugeesOnly, last},
		{"a day no period covers", "torkham", "2024-06-01", geo.StatusUnknown, "2024-06-01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := "/collections/crossings/items"
			if tc.datetime != "" {
				target += "?datetime=" + url.QueryEscape(tc.datetime)
			}
			m := getJSON(t, h, target, 200)
			p := featureProps(t, m)[tc.crossing]
			if p == nil {
				t.Fatalf("no %s in %v", tc.crossing, itemIDs(t, m))
			}
			if p["status"] != string(tc.want) || p["status_date"] != tc.day {
				t.Errorf("%s: status %v on %v, want %s on %s", tc.crossing, p["status"], p["status_date"], tc.want, tc.day)
			}
			// The library agrees.
			d, _ := time.Parse(time.DateOnly, tc.day)
			if st, err := a.CrossingStatus(tc.crossing, d); err != nil || st != tc.want {
				t.Errorf("CrossingStatus = %s, %v", st, err)
			}
			if n := m["numberMatched"].(float64); int(n) != len(a.Crossings()) {
				t.Errorf("numberMatched %v: datetime must not filter the crossings", n)
			}
		})
	}
	// status filters; the one feature carries its status too.
	m := getJSON(t, h, "/collections/crossings/items?datetime=2025-10-20&status=closed", 200)
	states, _ := a.CrossingStates(time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	var closed []string
	for _, st := range states {
		if _, err := a.Crossing(st.ID); err == nil && st.Status == geo.StatusClosed {
			closed = append(closed, st.ID)
		}
	}
	if got := itemIDs(t, m); !slices.Equal(got, closed) || !slices.Contains(got, "torkham") || slices.Contains(got, "chaman") {
		t.Errorf("closed on 20 Oct: %v, want %v", got, closed)
	}
	one := getJSON(t, h, "/collections/crossings/items/torkham", 200)
	if p := one["properties"].(map[string]any); p["status"] != "refugees_only" || p["status_date"] != last || p["status_source"] == "" {
		t.Errorf("torkham: %v", p)
	}
	q := getJSON(t, h, "/collections/crossings/queryables", 200)
	if _, ok := q["properties"].(map[string]any)["status"]; !ok {
		t.Errorf("status is not a queryable of the crossings: %v", q["properties"])
	}
}

// sharedLastDay is the last day of the crisis record: the default day.
func sharedLastDay(t *testing.T, a *geo.Atlas) string {
	t.Helper()
	var last time.Time
	for _, e := range a.Events() {
		if e.End.After(last) {
			last = e.End
		}
	}
	if today := geo.Day(time.Now()); today.Before(last) {
		return today.Format(time.DateOnly)
	}
	return last.Format(time.DateOnly)
}

func districtNames(m map[string]any) []string {
	var out []string
	for _, d := range m["districts"].([]any) {
		out = append(out, fmt.Sprint(d.(map[string]any)["name"]))
	}
	return out
}

func TestSummaryByDay(t *testing.T) {
	t.Parallel()
	a, h := crisisServer(t)
	tests := []struct {
		name, datetime string
		districts      []string // among the affected districts
		notDistricts   []string
		closed         []string // among the crossings closed
	}{
		{"Spin Boldak on 15 Oct 2025", "2025-10-15", []string{"Spin Boldak"}, []string{"Gurbuz"}, []string{"torkham"}},
		{"Gurbuz through the late-November strikes", "2025-11-24", []string{"Gurbuz", "Spin Boldak"}, nil, nil},
		{"Gurbuz on the second day", "2025-11-25T12:00:00Z", []string{"Gurbuz"}, nil, nil},
		{"not Gurbuz before its first event", "2025-11-20", []string{"Spin Boldak"}, []string{"Gurbuz"}, nil},
		{"not Gurbuz after its last event", "2025-11-26", nil, []string{"Gurbuz"}, nil},
		{"before the crisis", "2025-10-08", nil, []string{"Spin Boldak", "Gurbuz"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := getJSON(t, h, "/summary?datetime="+url.QueryEscape(tc.datetime), 200)
			names := districtNames(m)
			for _, d := range tc.districts {
				if !slices.Contains(names, d) {
					t.Errorf("%s not affected: %v", d, names)
				}
			}
			for _, d := range tc.notDistricts {
				if slices.Contains(names, d) {
					t.Errorf("%s affected: %v", d, names)
				}
			}
			var closed []string
			for _, c := range m["crossings_closed"].([]any) {
				closed = append(closed, fmt.Sprint(c.(map[string]any)["id"]))
			}
			for _, c := range tc.closed {
				if !slices.Contains(closed, c) {
					t.Errorf("%s not closed: %v", c, closed)
				}
			}
			day := tc.datetime[:10]
			want, err := a.Summary(mustDay(t, day))
			if err != nil {
				t.Fatal(err)
			}
			cas := m["casualties"].(map[string]any)
			if m["date"] != day || m["date_source"] != "datetime" || m["border_km"] != want.BorderKm ||
				int(cas["killed"].(float64)) != want.Casualties.Killed || len(cas["sources"].([]any)) != len(want.Casualties.Sources) {
				t.Errorf("summary %v %v: border %v km (want %v), killed %v (want %d)", m["date"], m["date_source"], m["border_km"], want.BorderKm, cas["killed"], want.Casualties.Killed)
			}
		})
	}
	m := getJSON(t, h, "/summary", 200)
	if m["date_source"] != "default" || m["date"] != sharedLastDay(t, a) {
		t.Errorf("default day %v (%v)", m["date"], m["date_source"])
	}
	m = getJSON(t, h, "/summary?datetime=2025-10-15", 200)
	if m["border_km"].(float64) <= 0 || m["active_zones"].(float64) == 0 || len(m["casualties"].(map[string]any)["sources"].([]any)) == 0 {
		t.Errorf("15 Oct: %v km, %v zones, casualties %v", m["border_km"], m["active_zones"], m["casualties"])
	}
}

func mustZones(t *testing.T, a *geo.Atlas) []*geo.Zone {
	t.Helper()
	zs, err := a.Zones()
	if err != nil {
		t.Fatal(err)
	}
	return zs
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestZonesByDay(t *testing.T) {
	a, h := crisisServer(t)
	tests := []struct {
		name, datetime string
		want, notWant  []string // events of the zones
	}{
		{"Spin Boldak on 15 Oct 2025", "2025-10-15", []string{"20251015-clash-spin-boldak", "20251015-clash-chaman"}, []string{"20251124-airstrike-khost-gurbuz"}},
		{"nothing on 10 Nov 2025", "2025-11-10", nil, []string{"20251015-clash-spin-boldak", "20251124-airstrike-khost-gurbuz"}},
		{"Gurbuz in the last week of November", "2025-11-20/2025-11-30", []string{"20251124-airstrike-khost-gurbuz"}, nil},
		{"not Gurbuz before", "../2025-11-23", []string{"20251015-clash-spin-boldak"}, []string{"20251124-airstrike-khost-gurbuz"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := getJSON(t, h, "/collections/zones/items?kind=border_stretch&limit=1000&datetime="+url.QueryEscape(tc.datetime), 200)
			var names []string
			for _, p := range featureProps(t, m) {
				names = append(names, fmt.Sprint(p["event_ids"]))
			}
			for _, n := range tc.want {
				if !slices.Contains(names, n) {
					t.Errorf("no %s zone: %v", n, names)
				}
			}
			for _, n := range tc.notWant {
				if slices.Contains(names, n) {
					t.Errorf("%s zone active: %v", n, names)
				}
			}
		})
	}

	// No zone is active before its first event: nothing before the
	// crisis, and every zone starts on or after its events' first day.
	events := map[string]time.Time{}
	for _, e := range a.Events() {
		events[e.ID] = e.Date
	}
	first := a.Events()[0].Date
	m := getJSON(t, h, "/collections/zones/items?datetime="+first.AddDate(0, 0, -1).Format(time.DateOnly), 200)
	if n := m["numberMatched"].(float64); n != 0 {
		t.Errorf("%v zones active the day before the first event: %v", n, itemIDs(t, m))
	}
	zs, err := a.Zones()
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zs {
		if z.ValidFrom.IsZero() {
			continue // a band never active
		}
		if z.ValidFrom.Before(first) {
			t.Errorf("zone %s starts %s, before the first event", z.ID, z.ValidFrom.Format(time.DateOnly))
		}
		earliest := time.Time{}
		for _, id := range z.EventIDs {
			if d := events[id]; earliest.IsZero() || d.Before(earliest) {
				earliest = d
			}
		}
		if !earliest.IsZero() && z.ValidFrom.Before(earliest) {
			t.Errorf("zone %s starts %s, before its first event (%s)", z.ID, z.ValidFrom.Format(time.DateOnly), earliest.Format(time.DateOnly))
		}
		for _, c := range []struct {
			day    time.Time
			active bool
		}{{z.ValidFrom.AddDate(0, 0, -1), false}, {z.ValidFrom, true}} {
			m := getJSON(t, h, "/collections/zones/items?id="+url.QueryEscape(z.ID)+"&datetime="+c.day.Format(time.DateOnly), 200)
			if got := m["numberMatched"].(float64) == 1; got != c.active {
				t.Errorf("zone %s on %s: returned %v, want %v", z.ID, c.day.Format(time.DateOnly), got, c.active)
			}
		}
	}
}

func TestCrisisCollections(t *testing.T) {
	a, h := crisisServer(t)
	tests := []struct {
		id, title   string
		start, end  any // temporal extent
		queryables  []string
		count       int
		attribution string
	}{
		{"events", "Crisis events", "2025-10-09T00:00:00Z", "2026-02-27T23:59:59Z", []string{"kind", "severity", "start_date", "district"}, len(a.Events()), "durand project"},
		{"zones", "Affected zones", "2025-10-09T00:00:00Z", "2025-12-13T23:59:59Z", []string{"kind", "severity", "country", "event_ids"}, len(mustZones(t, a)), "geoBoundaries"},
	}
	list := getJSON(t, h, "/collections", 200)
	var ids []string
	for _, c := range list["collections"].([]any) {
		ids = append(ids, fmt.Sprint(c.(map[string]any)["id"]))
	}
	if !slices.Equal(ids, []string{"border", "countries", "provinces", "districts", "crossings", "events", "zones", "crossing_status"}) {
		t.Errorf("collections %v", ids)
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			m := getJSON(t, h, "/collections/"+tc.id, 200)
			if m["title"] != tc.title || !strings.Contains(fmt.Sprint(m["attribution"]), tc.attribution) || len(fmt.Sprint(m["description"])) < 100 {
				t.Errorf("title %q, attribution %q, description %q", m["title"], m["attribution"], m["description"])
			}
			ext := m["extent"].(map[string]any)
			bbox := ext["spatial"].(map[string]any)["bbox"].([]any)[0].([]any)
			if bbox[0].(float64) < 20 || bbox[2].(float64) > 80 || bbox[1].(float64) < 20 || bbox[3].(float64) > 45 { // talks in Istanbul, Doha, Riyadh
				t.Errorf("bbox %v", bbox)
			}
			iv := ext["temporal"].(map[string]any)["interval"].([]any)[0].([]any)
			if iv[0] != tc.start || iv[1] != tc.end {
				t.Errorf("temporal extent %v, want [%v %v]", iv, tc.start, tc.end)
			}
			if int(m["numberOfFeatures"].(float64)) != tc.count {
				t.Errorf("%v features, want %d", m["numberOfFeatures"], tc.count)
			}
			q := getJSON(t, h, "/collections/"+tc.id+"/queryables", 200)["properties"].(map[string]any)
			for _, name := range tc.queryables {
				if _, ok := q[name]; !ok {
					t.Errorf("no queryable %s in %v", name, q)
				}
			}
			if typ := q["severity"].(map[string]any)["type"]; typ != "integer" {
				t.Errorf("severity is a %v queryable", typ)
			}
			// Every feature is served, page by page, and HTML pages too.
			all := getJSON(t, h, "/collections/"+tc.id+"/items?limit=10000", 200)
			if n := len(all["features"].([]any)); n != tc.count {
				t.Errorf("%d features served", n)
			}
			for _, target := range []string{"/collections/" + tc.id + "/items?f=html&limit=10000", "/collections/" + tc.id + "?f=html"} {
				if w := get(t, h, "GET", target); w.Code != 200 {
					t.Errorf("%s: %d", target, w.Code)
				}
			}
		})
	}
	// The event nothing places has a null geometry; no bbox selects it.
	unlocated := ""
	for _, e := range a.Events() {
		if e.Geometry() == nil {
			unlocated = e.ID
		}
	}
	if unlocated == "" {
		t.Skip("every event is located")
	}
	one := getJSON(t, h, "/collections/events/items/"+unlocated, 200)
	if one["geometry"] != nil {
		t.Errorf("%s: geometry %v", unlocated, one["geometry"])
	}
	if w := get(t, h, "GET", "/collections/events/items/"+unlocated+"?f=html"); w.Code != 200 {
		t.Errorf("HTML page of %s: %d", unlocated, w.Code)
	}
	if ids := itemIDs(t, getJSON(t, h, "/collections/events/items?limit=1000&bbox=-180,-90,180,90", 200)); slices.Contains(ids, unlocated) {
		t.Errorf("bbox selects %s", unlocated)
	}
}

func TestTimeline(t *testing.T) {
	a, h := crisisServer(t)
	all := getJSON(t, h, "/timeline", 200)
	entries := all["entries"].([]any)
	if len(entries) != len(a.Timeline()) || int(all["count"].(float64)) != len(entries) {
		t.Fatalf("%d entries (count %v), the atlas has %d", len(entries), all["count"], len(a.Timeline()))
	}
	var dates []string
	kinds := map[string]int{}
	for _, e := range entries {
		em := e.(map[string]any)
		dates = append(dates, fmt.Sprint(em["date"]))
		kinds[fmt.Sprint(em["type"])]++
		if src := em["source"].(map[string]any); src["publisher"] == "" {
			t.Errorf("%v: no source", em["id"])
		}
	}
	if !sort.StringsAreSorted(dates) || kinds["event"] != len(a.Events()) || kinds["status"] == 0 {
		t.Errorf("dates sorted %v, kinds %v", sort.StringsAreSorted(dates), kinds)
	}
	tests := []struct {
		name, datetime string
		want           []string // ids among the entries
		from, to       string   // every entry meets [from, to]
	}{
		{"the night of the clashes", "2025-10-11/2025-10-12", []string{"torkham", "chaman"}, "2025-10-11", "2025-10-12"},
		{"one day", "2025-11-24", []string{"20251124-airstrike-khost-gurbuz"}, "2025-11-24", "2025-11-24"},
		{"a two-day event on its second day", "2025-11-25", []string{"20251124-airstrike-khost-gurbuz"}, "2025-11-25", "2025-11-25"},
		{"from November on", "2025-11-01/..", []string{"20251124-airstrike-khost-gurbuz"}, "2025-11-01", "9999-12-31"},
		{"until the start", "../2025-10-09", []string{"20251009-airstrike-kabul-abdulhaq"}, "0001-01-01", "2025-10-09"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := getJSON(t, h, "/timeline?datetime="+url.QueryEscape(tc.datetime), 200)
			var ids []string
			for _, e := range m["entries"].([]any) {
				em := e.(map[string]any)
				ids = append(ids, fmt.Sprint(em["id"]))
				start, end := fmt.Sprint(em["date"]), fmt.Sprint(em["end_date"])
				if em["type"] == "status" || end == "" {
					end = start
				}
				if end < tc.from || start > tc.to {
					t.Errorf("%v (%s–%s) is outside %s", em["id"], start, end, tc.datetime)
				}
			}
			for _, id := range tc.want {
				if !slices.Contains(ids, id) {
					t.Errorf("no %s in %v", id, ids)
				}
			}
			if m["datetime"] != tc.datetime {
				t.Errorf("datetime %v", m["datetime"])
			}
		})
	}
}

// TestDatetimeGarbage gives the datetime parameter of every resource that
// takes it values the standard does not allow: 400 with a JSON error.
func TestDatetimeGarbage(t *testing.T) {
	_, h := crisisServer(t)
	garbage := []struct{ name, value string }{
		{"letters", "abc"},
		{"empty", ""},
		{"month 13", "2025-13-01"},
		{"day 32", "2025-10-32"},
		{"30 February", "2025-02-30"},
		{"hour 25", "2025-10-15T25:00:00Z"},
		{"no offset", "2025-10-15T10:00:00"},
		{"space for T", "2025-10-15 10:00:00Z"},
		{"basic format", "20251015"},
		{"a month", "2025-10"},
		{"double dot alone", ".."},
		{"both ends open", "../.."},
		{"slash alone", "/"},
		{"reversed interval", "2025-10-20/2025-10-01"},
		{"reversed date-times", "2025-10-20T10:00:00Z/2025-10-20T09:59:59Z"},
		{"three parts", "2025-10-01/2025-10-02/2025-10-03"},
		{"bad end", "2025-10-01/soon"},
		{"triple dot", ".../2025-10-01"},
		{"nul byte", "2025-10-01%00"},
		{"script", url.QueryEscape("<script>")},
	}
	targets := []string{"/collections/events/items", "/collections/zones/items", "/collections/crossings/items",
		"/collections/provinces/items", "/timeline", "/summary"}
	for _, target := range targets {
		for _, g := range garbage {
			t.Run(target+"/"+g.name, func(t *testing.T) {
				w := get(t, h, "GET", target+"?datetime="+strings.ReplaceAll(g.value, " ", "%20"))
				if w.Code != 400 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
					t.Fatalf("%d %s: %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
				}
				if m := decode(t, w); m["code"] != "InvalidParameterValue" || !strings.Contains(fmt.Sprint(m["description"]), "datetime") {
					t.Errorf("error %v", m)
				}
			})
		}
	}
	// A day is one day: /summary refuses intervals, and the day of the
	// zero time.
	for _, v := range []string{"2025-10-01/2025-10-31", "../2025-10-31", "2025-10-01/..", "0001-01-01"} {
		if w := get(t, h, "GET", "/summary?datetime="+url.QueryEscape(v)); w.Code != 400 {
			t.Errorf("/summary?datetime=%s: %d %s", v, w.Code, w.Body.String())
		}
	}
	if w := get(t, h, "GET", "/collections/crossings/items?datetime=0001-01-01T12:00:00Z"); w.Code != 400 {
		t.Errorf("crossings on 0001-01-01: %d", w.Code)
	}
	// Years outside minYear to maxYear (TestDatetimeYears has the table).
	if w := get(t, h, "GET", "/collections/crossings/items?datetime=0001-01-02"); w.Code != 400 {
		t.Errorf("crossings on 0001-01-02: %d", w.Code)
	}
	// What the standard allows is answered.
	for _, v := range []string{"2025-10-15", "2025-10-15T10:00:00Z", "2025-10-15T10:00:00.5+05:00", "2025-10-01/2025-10-31",
		"2025-10-01T00:00:00Z/2025-10-31T12:00:00Z", "../2025-10-31", "2025-10-01/..", "/2025-10-31", "2025-10-01/", "1800-01-01"} {
		for _, target := range targets[:5] {
			if w := get(t, h, "GET", target+"?datetime="+url.QueryEscape(v)); w.Code != 200 {
				t.Errorf("%s?datetime=%s: %d %s", target, v, w.Code, w.Body.String())
			}
		}
	}
}

// TestCrisisCaching checks ETags and 304 on the crisis resources.
func TestCrisisCaching(t *testing.T) {
	_, h := crisisServer(t)
	for _, target := range []string{"/summary?datetime=2025-10-15", "/timeline", "/timeline?datetime=2025-11-01/..",
		"/collections/crossings/items?datetime=2025-10-20", "/collections/zones/items?datetime=2025-10-15&limit=5"} {
		t.Run(target, func(t *testing.T) {
			w := get(t, h, "GET", target)
			etag := w.Header().Get("ETag")
			if w.Code != 200 || etag == "" || w.Header().Get("Cache-Control") != cacheData {
				t.Fatalf("%d, ETag %q, Cache-Control %q", w.Code, etag, w.Header().Get("Cache-Control"))
			}
			if w2 := get(t, h, "GET", target, "If-None-Match", etag); w2.Code != 304 || w2.Body.Len() != 0 {
				t.Errorf("If-None-Match: %d", w2.Code)
			}
			if w3 := get(t, h, "GET", target); w3.Header().Get("ETag") != etag {
				t.Errorf("ETag changed: %s, %s", etag, w3.Header().Get("ETag"))
			}
		})
	}
	a, b := get(t, h, "GET", "/summary?datetime=2025-10-15"), get(t, h, "GET", "/summary?datetime=2025-11-24")
	if a.Header().Get("ETag") == b.Header().Get("ETag") {
		t.Error("two days, one ETag")
	}
}

// TestZonesBeforeReady asks for zones, the summary and the collections
// while the zones are still being computed: every answer waits for them
// and is complete, none is an error.
func TestZonesBeforeReady(t *testing.T) {
	a, err := data.Default() // fresh: its zones are not computed
	if err != nil {
		t.Fatal(err)
	}
	h := newTest(t, Config{Atlas: a})
	go a.PrepareZones()
	targets := []string{"/collections/zones/items?datetime=2025-10-15", "/summary?datetime=2025-10-15", "/collections",
		"/collections/zones", "/downloads/zones.geojson", "/healthz", "/collections/events/items"}
	var wg sync.WaitGroup
	bodies := make([]string, len(targets))
	for i, target := range targets {
		wg.Go(func() {
			w := get(t, h, "GET", target)
			if w.Code != 200 {
				t.Errorf("%s: %d %.200s", target, w.Code, w.Body.String())
			}
			bodies[i] = w.Body.String()
		})
	}
	wg.Wait()
	zs, err := a.ZonesAt(time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bodies[0], fmt.Sprintf(`"numberMatched":%d,`, len(zs))) {
		t.Errorf("zones on 15 Oct: want %d: %.200s", len(zs), bodies[0])
	}
	if !strings.Contains(bodies[2], `"id":"zones"`) {
		t.Errorf("/collections lacks the zones")
	}
}

// TestCrisisOpenAPI validates the crisis traffic against /api.
func TestCrisisOpenAPI(t *testing.T) {
	_, h := crisisServer(t)
	doc := loadAPI(t, h)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	for path, param := range map[string]string{"/summary": "The day", "/timeline": "Only entries", "/collections/crossings/items": "The day whose status"} {
		op := doc.Paths.Find(path).Get
		found := false
		for _, p := range op.Parameters {
			if p.Value.Name == "datetime" && strings.HasPrefix(p.Value.Description, param) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: datetime is not documented as %q…", path, param)
		}
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	targets := []string{
		"/timeline", "/timeline?datetime=2025-10-11/2025-10-12", "/summary", "/summary?datetime=2025-10-15",
		"/summary?datetime=2025-11-24T10:00:00Z", "/collections/events", "/collections/zones/queryables",
		"/collections/events/items?kind=airstrike&datetime=2025-11-01/..", "/collections/zones/items?limit=2&kind=border_stretch",
		"/collections/crossings/items?datetime=2025-10-20&status=closed", "/collections/crossings/items/torkham",
		"/", "/collections",
		"/summary?datetime=2025-10-01/2025-10-31", "/timeline?datetime=garbage", "/collections/events/items?datetime=../..",
	}
	validateTraffic(t, h, router, targets)
}

// BenchmarkSummary serves /summary for days of the crisis in turn, after
// warm-up (zones computed), with the districts installed.
func BenchmarkSummary(b *testing.B) {
	_, h := crisisServer(b)
	days := []string{"2025-10-11", "2025-10-15", "2025-10-24", "2025-11-05", "2025-11-24", "2025-12-06", "2026-02-27"}
	reqs := make([]*http.Request, len(days))
	for i, d := range days {
		reqs[i] = httptest.NewRequest("GET", "/summary?datetime="+d, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, reqs[i])
		if w.Code != 200 {
			b.Fatalf("%s: %d", d, w.Code)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, reqs[i%len(reqs)])
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		i++
	}
}

// BenchmarkTimeline serves the whole timeline.
func BenchmarkTimeline(b *testing.B) {
	_, h := crisisServer(b)
	benchGet(b, h, "/timeline")
}

// BenchmarkCrossingsOnDay serves the crossings with their status on a day.
func BenchmarkCrossingsOnDay(b *testing.B) {
	_, h := crisisServer(b)
	benchGet(b, h, "/collections/crossings/items?datetime=2025-10-20")
}

// BenchmarkZonesOnDay serves the zones active on a day.
func BenchmarkZonesOnDay(b *testing.B) {
	_, h := crisisServer(b)
	benchGet(b, h, "/collections/zones/items?datetime=2025-10-15")
}

// TestCrisisParams checks the other parameters of /timeline and /summary,
// and both resources over an atlas without crisis data.
func TestCrisisParams(t *testing.T) {
	h := newTest(t, Config{Atlas: fixtureAtlas(t, 3)})
	tests := []struct {
		name, target string
		status       int
	}{
		{"timeline", "/timeline", 200},
		{"timeline as JSON", "/timeline?f=json", 200},
		{"timeline as HTML", "/timeline?f=html", 400},
		{"timeline unknown parameter", "/timeline?day=2025-10-15", 400},
		{"timeline repeated datetime", "/timeline?datetime=2025-10-15&datetime=2025-10-16", 400},
		{"summary", "/summary?datetime=2025-10-15", 200},
		{"summary as HTML", "/summary?f=html", 400},
		{"summary unknown parameter", "/summary?date=2025-10-15", 400},
		{"summary on the default day", "/summary", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, h, "GET", tc.target)
			if w.Code != tc.status || w.Header().Get("Content-Type") != mediaJSON {
				t.Fatalf("%d %s: %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
			}
		})
	}
	if m := getJSON(t, h, "/timeline", 200); m["count"].(float64) != 0 {
		t.Errorf("timeline of an atlas without crisis data: %v", m)
	}
	m := getJSON(t, h, "/summary", 200)
	if m["date"] != geo.Day(time.Now()).Format(time.DateOnly) || len(m["districts"].([]any)) != 0 || len(m["crossings_closed"].([]any)) != 0 {
		t.Errorf("summary of an atlas without crisis data: %v", m)
	}
	if w := get(t, h, "HEAD", "/summary"); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("ETag") == "" {
		t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
}

// TestLocateNearestCrossingAndLongClosures: /locate's nearest crossing
// carries how it was placed, its uncertainty and its status on the day;
// /summary keeps closures from before the crisis apart, by name.
func TestLocateNearestCrossingAndLongClosures(t *testing.T) {
	_, h := crisisServer(t)
	m := getJSON(t, h, "/locate?lon=71.05&lat=34.12&datetime=2025-10-15", 200)
	nc := m["nearest_crossing"].(map[string]any)
	if nc["id"] != "torkham" || nc["method"] != "sourced" || nc["uncertainty_m"].(float64) <= 0 || nc["status"] != "closed" || nc["status_date"] != "2025-10-15" {
		t.Errorf("nearest crossing %v", nc)
	}
	m = getJSON(t, h, "/locate?lon=71.05&lat=34.12&datetime=2025-11-05", 200)
	if nc := m["nearest_crossing"].(map[string]any); nc["status"] != "refugees_only" {
		t.Errorf("nearest crossing on 5 Nov %v", nc)
	}
	s := getJSON(t, h, "/summary?datetime=2025-10-15", 200)
	var before, crisis []string
	for _, c := range s["crossings_closed_before_crisis"].([]any) {
		before = append(before, fmt.Sprint(c.(map[string]any)["name"]))
	}
	for _, c := range s["crossings_closed"].([]any) {
		crisis = append(crisis, fmt.Sprint(c.(map[string]any)["name"]))
	}
	for _, n := range []string{"Nawa Pass", "Gursal", "Ghakhi Pass", "Letai Pass"} {
		if !slices.Contains(before, n) || slices.Contains(crisis, n) {
			t.Errorf("%s: before the crisis %v, crisis closures %v", n, before, crisis)
		}
	}
	if !slices.Contains(crisis, "Torkham") {
		t.Errorf("crisis closures %v lack Torkham", crisis)
	}
}
