package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo"
)

// TestTilesOfADay checks ?datetime= on the tiles: the crossings carry
// their status on the day, the zones are those active that day, the day
// is part of the cache key and of the TileJSON tile URLs, garbage is a 400.
func TestTilesOfADay(t *testing.T) {
	t.Parallel()
	s, h := sharedZonedServer(t)
	if s.tiles.state.Load().Deferred == nil {
		t.Fatal("no zones in the tiles")
	}
	tk := s.colls.byID[geo.LayerCrossings].features[s.colls.byID[geo.LayerCrossings].index["torkham"]]
	p := tk.Geometry.Bound().Center()
	id := tileAt(t, s, p[0], p[1], 6)
	status := func(path string) string {
		t.Helper()
		w := get(t, h, "GET", path)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body.String())
		}
		l := decodeTile(t, w.Body.Bytes())[geo.LayerCrossings]
		if l == nil {
			t.Fatalf("%s: no crossings layer", path)
		}
		for _, f := range l.Features {
			if f.Properties["id"] == "torkham" {
				s, _ := f.Properties["status"].(string)
				return s
			}
		}
		t.Fatalf("%s: no Torkham", path)
		return ""
	}
	for _, tc := range []struct{ name, path, want string }{
		{"every layer, 20 Oct", "/tiles/durand/" + id.String() + ".mvt?datetime=2025-10-20", "closed"},
		{"every layer, 5 Nov", "/tiles/durand/" + id.String() + ".mvt?datetime=2025-11-05", "refugees_only"},
		{"date-time", "/tiles/durand/" + id.String() + ".mvt?datetime=2025-10-20T12:00:00Z", "closed"},
		{"interval: its last day", "/tiles/durand/" + id.String() + ".mvt?datetime=2025-10-01/2025-11-05", "refugees_only"},
		{"crossings tiles", "/tiles/crossings/" + id.String() + ".pbf?datetime=2025-10-20", "closed"},
		{"OGC tiles", "/collections/crossings/tiles/WebMercatorQuad/6/" + itoa(id.Y) + "/" + itoa(id.X) + "?datetime=2025-11-05", "refugees_only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := status(tc.path); got != tc.want {
				t.Errorf("Torkham %s, want %s", got, tc.want)
			}
		})
	}
	if got := status("/tiles/durand/" + id.String() + ".mvt"); got == "" {
		t.Error("without datetime the crossings carry no status")
	}

	// The zones: none before the first event (2025-10-09), some during the crisis.
	zonesIn := func(tile, day string) int {
		w := get(t, h, "GET", "/tiles/durand/"+tile+".mvt?datetime="+day)
		if w.Code == 204 {
			return 0
		}
		if l := decodeTile(t, w.Body.Bytes())["zones"]; l != nil {
			return len(l.Features)
		}
		return 0
	}
	zones := func(day string) int {
		n := 0
		for _, tile := range []string{id.String(), "0/0/0", "3/5/3"} {
			n += zonesIn(tile, day)
		}
		return n
	}
	if n := zones("2025-10-08"); n != 0 {
		t.Errorf("%d zones on 2025-10-08", n)
	}
	if n := zones("2025-10-20"); n == 0 {
		t.Error("no zone on 2025-10-20")
	}
	if w := get(t, h, "GET", "/tiles/durand/"+id.String()+".mvt"); w.Code != 200 || decodeTile(t, w.Body.Bytes())["zones"] == nil {
		t.Error("without datetime the tile has no zones")
	}

	// The cache key has the day.
	days := map[uint32]bool{}
	s.tiles.cache.mu.Lock()
	for k := range s.tiles.cache.entries {
		if k.z == 6 && k.x == id.X && k.y == id.Y && k.set == 0 {
			days[k.day] = true
		}
	}
	s.tiles.cache.mu.Unlock()
	for _, d := range []string{"2025-10-20", "2025-11-05", "2025-10-08"} {
		if !days[dayNumber(geo.Day(mustDate(t, d)))] {
			t.Errorf("no cached tile of %s (days %v)", d, days)
		}
	}
	if !days[0] {
		t.Error("no cached tile without datetime")
	}
	e1 := get(t, h, "GET", "/tiles/durand/"+id.String()+".mvt?datetime=2025-10-20").Header().Get("ETag")
	e2 := get(t, h, "GET", "/tiles/durand/"+id.String()+".mvt?datetime=2025-11-05").Header().Get("ETag")
	if e1 == e2 {
		t.Error("the tiles of two days share an ETag")
	}

	// TileJSON carries the day into its tile URLs.
	tj := decode(t, get(t, h, "GET", "/tiles/durand.json?datetime=2025-10-20T08:00:00Z"))
	if u := tj["tiles"].([]any)[0].(string); u != "http://example.com/tiles/durand/{z}/{x}/{y}.mvt?datetime=2025-10-20" {
		t.Errorf("TileJSON tiles %s", u)
	}
	tj = decode(t, get(t, h, "GET", "/tiles/crossings.json"))
	if u := tj["tiles"].([]any)[0].(string); u != "http://example.com/tiles/crossings/{z}/{x}/{y}.mvt" {
		t.Errorf("TileJSON tiles %s", u)
	}

	// Garbage is a 400 (JSON), as on the items.
	for _, bad := range []string{
		"/tiles/durand/" + id.String() + ".mvt?datetime=yesterday",
		"/tiles/crossings/" + id.String() + ".mvt?datetime=2025-13-01",
		"/collections/crossings/tiles/WebMercatorQuad/6/" + itoa(id.Y) + "/" + itoa(id.X) + "?datetime=../..",
		"/tiles/durand.json?datetime=2025-11-05/2025-10-01",
		"/tiles/durand/" + id.String() + ".mvt?datetime=0001-01-01",
		"/tiles/durand/" + id.String() + ".mvt?when=2025-10-20",
	} {
		w := get(t, h, "GET", bad)
		if w.Code != 400 || decode(t, w)["code"] == nil {
			t.Errorf("%s: %d %s", bad, w.Code, w.Body.String())
		}
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// crisisStyle returns the style and map page of a server over the
// embedded atlas (events, zones, crossing status), once its zones are
// tiled.
func crisisStyle(t *testing.T) (map[string]any, []byte, string) {
	t.Helper()
	_, h := sharedZonedServer(t) // read only: the one zoned server of the package
	w := get(t, h, "GET", "/styles/durand.json")
	if w.Code != 200 {
		t.Fatalf("style: %d", w.Code)
	}
	page := get(t, h, "GET", "/map")
	if page.Code != 200 {
		t.Fatalf("map: %d", page.Code)
	}
	return decode(t, w), w.Body.Bytes(), page.Body.String()
}

// TestCrisisStyle checks the look of the crisis layers: crossings by
// status, zones by severity, events by kind, and the map's legend.
func TestCrisisStyle(t *testing.T) {
	t.Parallel()
	st, _, page := crisisStyle(t)
	if p := st["metadata"].(map[string]any)["durand:crossing-colour-property"]; p != crossingStatusField {
		t.Errorf("crossings coloured by %v", p)
	}
	byID := map[string]map[string]any{}
	for _, l := range st["layers"].([]any) {
		lm := l.(map[string]any)
		byID[lm["id"].(string)] = lm
	}
	paint := func(id, prop string) string {
		l, ok := byID[id]
		if !ok {
			t.Fatalf("no style layer %s", id)
		}
		return fmt.Sprint(l["paint"].(map[string]any)[prop])
	}
	if got := paint("crossings-circle", "circle-color"); !strings.Contains(got, "closed #c0392b") || !strings.Contains(got, "refugees_only #e67e22") {
		t.Errorf("crossings colour %s", got)
	}
	if got := paint("zones-fill", "fill-color"); !strings.HasPrefix(got, "[interpolate [linear] [to-number [get severity] 0] 0 ") {
		t.Errorf("zones colour %s", got)
	}
	// Exact events filled by kind, approximate ones hollow (stroked by
	// kind); stretches and areas dashed lines by kind.
	if got := paint("events-circle", "circle-color"); !strings.HasPrefix(got, "[case [== [get location_approximate] true] rgba(255,255,255,0) [match [get kind] clash ") {
		t.Errorf("events colour %s", got)
	}
	if got := paint("events-circle", "circle-stroke-color"); !strings.Contains(got, "[match [get kind] clash ") {
		t.Errorf("approximate events stroke %s", got)
	}
	for _, id := range []string{"events_lines-line", "events_areas-line"} {
		if got := paint(id, "line-dasharray"); got != "[1 1]" && got != "[2 2]" {
			t.Errorf("%s dashes %s", id, got)
		}
	}
	for _, want := range []string{"Crossings by status", "refugees_only", "Zones by severity", "Events by kind", "airstrike"} {
		if !strings.Contains(page, want) {
			t.Errorf("the map legend lacks %q", want)
		}
	}
}

// BenchmarkDayTiles measures the tiles of a day over the embedded atlas
// with its zones: "first" is the first tile of a day not seen before
// (what the day needs, then the tile), "cached" a tile of a day already
// served (a cache hit through the router), "slider" a day-slider sweep:
// every day of the crisis timeline at zoom 6 over the tiles of the
// Khyber area, through the handler, on a cold cache (b.N sweeps; the
// ns/op is one sweep, tiles/op says how many tiles it served).
func BenchmarkDayTiles(b *testing.B) {
	s, h := zonedTileServer(b)
	id := tileAt(b, s, 71.1, 34.1, 6)
	first := dayNumber(time.Date(2025, 10, 9, 0, 0, 0, 0, time.UTC))
	b.Run("first", func(b *testing.B) {
		st := s.tiles.state.Load()
		all, err := s.tiles.entry(0, 0, id.Z, id.X, id.Y)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; b.Loop(); i++ {
			s.tiles.days.reset()
			if _, err := s.tiles.dayTile(st, all.raw, first+uint32(i%140), id.Z, id.X, id.Y); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		target := "/tiles/durand/" + id.String() + ".mvt?datetime=2025-10-20"
		get(b, h, "GET", target)
		for b.Loop() {
			if w := get(b, h, "GET", target); w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
	b.Run("slider", func(b *testing.B) {
		days := timelineDays(b, s)
		var paths []string
		for _, d := range days {
			for dx := uint32(0); dx < 3; dx++ {
				for dy := uint32(0); dy < 3; dy++ {
					paths = append(paths, fmt.Sprintf("/tiles/durand/6/%d/%d.mvt?datetime=%s", id.X-1+dx, id.Y-1+dy, d))
				}
			}
		}
		for b.Loop() {
			b.StopTimer()
			s.tiles.days.reset()
			s.tiles.cache = newTileCache(DefaultTileCacheBytes)
			for _, p := range paths { // the tiles without datetime, as a warmed server has them
				get(b, h, "GET", strings.Split(p, "?")[0])
			}
			b.StartTimer()
			for _, p := range paths {
				if w := get(b, h, "GET", p); w.Code != 200 && w.Code != 204 {
					b.Fatalf("%s: %d", p, w.Code)
				}
			}
		}
		b.ReportMetric(float64(len(paths)), "tiles/op")
		b.ReportMetric(float64(len(days)), "days")
	})
}

// timelineDays are the days of the map's day slider (map.js): from the
// first event of the timeline to its last dated day, as YYYY-MM-DD.
func timelineDays(t testing.TB, s *server) []string {
	t.Helper()
	cd := s.colls.crisis
	if cd == nil {
		t.Fatal("no crisis record")
	}
	var first, last string
	for _, e := range cd.timeline {
		if e.Type == "event" && (first == "" || e.Date < first) {
			first = e.Date
		}
		last = max(last, e.Date, e.EndDate)
	}
	lo, err := time.Parse(time.DateOnly, first)
	if err != nil {
		t.Fatal(err)
	}
	hi, err := time.Parse(time.DateOnly, last)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for d := lo; !d.After(hi); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}
