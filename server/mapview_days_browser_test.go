package server

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// TestMapDaysInBrowser renders the map in headless Chromium on the peak of
// the fighting (15 Oct 2025), the ceasefire (24 Oct) and a quiet day
// (10 Nov), each opened by its address (?day=), over the real atlas with
// the districts installed and the zones tiled. The rendered zones must tell
// three different days: most area and the highest severity on 15 Oct,
// less on 24 Oct, none on 10 Nov; the "what happened this day" list names
// the day's events with their sources; the panel never covers the
// attribution and the legend folds. Then the day slider, moved to 20 Oct
// and 5 Nov 2025, shows Torkham closed and then open to refugees only,
// in the tiles and as drawn. Screenshots go to $DURAND_ARTIFACTS
// (map-day-DAY.png, map-slider.png).
func TestMapDaysInBrowser(t *testing.T) {
	geotest.Long(t, "draws the map of three days in Chromium; TestMapInBrowser draws one")
	node, modules := requireNodeModules(t, "playwright-core", "maplibre-gl")
	ws := browser.Endpoint(t)
	t.Parallel()
	a := realAtlas(t)
	s, err := newServer(Config{Atlas: a, MapLibreDir: filepath.Join(modules, "maplibre-gl", "dist")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.tiles.current(); err != nil {
		t.Fatal(err)
	}
	<-s.tiles.deferredDone // the zones are in the tiles
	srv := httptest.NewServer(s.handler())
	defer srv.Close()
	dir := os.Getenv("DURAND_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	days := []string{"2025-10-15", "2025-10-24", "2025-11-10"}
	out := runNode(t, node, 4*time.Minute, "days.mjs", append([]string{srv.URL, "#5/32.6/68.6", dir, ws}, days...)...)
	var res struct {
		ConsoleErrors []string `json:"consoleErrors"`
		Days          map[string]struct {
			Zones map[string]struct {
				Severity float64 `json:"severity"`
				AreaKm2  float64 `json:"area_km2"`
			} `json:"zones"`
			Events                             map[string]int `json:"events"`
			Label, URL                         string
			Happened                           []string `json:"happened"`
			Attribution                        bool     `json:"attribution"`
			OverlapOpen, OverlapFolded         bool
			LegendFolded                       bool `json:"legendFolded"`
			PanelHeightOpen, PanelHeightFolded float64
		} `json:"days"`
		Slider map[string]struct {
			Shown, Label, Summary string
			Status, Rendered      []string
		} `json:"slider"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("browser output: %v\n%s", err, out)
	}
	for _, e := range res.ConsoleErrors {
		t.Errorf("console: %s", e)
	}
	area := map[string]float64{}
	top := map[string]float64{}
	for _, d := range days {
		r, ok := res.Days[d]
		if !ok {
			t.Fatalf("no result for %s", d)
		}
		for _, z := range r.Zones {
			area[d] += z.AreaKm2
			top[d] = max(top[d], z.Severity)
		}
		t.Logf("%s: %d zones drawn, %.0f km² (overlaps counted twice), highest severity %.0f; events drawn %v; screenshot %s",
			d, len(r.Zones), area[d], top[d], r.Events, filepath.Join(dir, "map-day-"+d+".png"))
		if r.Label != d || !strings.Contains(r.URL, "day="+d) {
			t.Errorf("%s: the page shows %q at %s", d, r.Label, r.URL)
		}
		if !r.Attribution || r.OverlapOpen || r.OverlapFolded {
			t.Errorf("%s: attribution shown %v, covered by the panel (legend open %v, folded %v)", d, r.Attribution, r.OverlapOpen, r.OverlapFolded)
		}
		if !r.LegendFolded || r.PanelHeightFolded > r.PanelHeightOpen {
			t.Errorf("%s: legend folded %v, panel %.0f px open, %.0f px folded", d, r.LegendFolded, r.PanelHeightOpen, r.PanelHeightFolded)
		}
		if len(r.Happened) == 0 {
			t.Errorf("%s: no \"what happened this day\" list", d)
		}
	}
	if !(area["2025-10-15"] > 2*area["2025-10-24"] && area["2025-10-24"] > 0 && area["2025-11-10"] == 0) {
		t.Errorf("rendered zone areas do not tell the days apart: %v", area)
	}
	if !(top["2025-10-15"] == 5 && top["2025-10-24"] < top["2025-10-15"]) {
		t.Errorf("highest severities drawn: %v", top)
	}
	if h := strings.Join(res.Days["2025-10-15"].Happened, "\n"); !strings.Contains(h, "Spin Boldak") || !strings.Contains(h, "UNAMA") {
		t.Errorf("15 Oct list lacks the Spin Boldak clash and its source:\n%s", h)
	}
	if h := res.Days["2025-11-10"].Happened; len(h) != 1 || !strings.Contains(h[0], "No event") {
		t.Errorf("10 Nov list: %v", h)
	}
	// The day slider: Torkham closed on 20 Oct 2025, refugees only on 5 Nov.
	for day, want := range map[string]string{"2025-10-20": "closed", "2025-11-05": "refugees_only"} {
		d, ok := res.Slider[day]
		if !ok {
			t.Errorf("no day slider result for %s (%v)", day, res.Slider)
			continue
		}
		t.Logf("%s: %+v", day, d)
		if d.Shown != day || d.Label != day {
			t.Errorf("slider on %s shows %q (label %q)", day, d.Shown, d.Label)
		}
		if len(d.Status) == 0 || slices.ContainsFunc(d.Status, func(s string) bool { return s != want }) {
			t.Errorf("Torkham on %s: status %v in the tiles, want %s", day, d.Status, want)
		}
		if len(d.Rendered) == 0 || d.Rendered[0] != want {
			t.Errorf("Torkham on %s: rendered with status %v, want %s", day, d.Rendered, want)
		}
		if !strings.Contains(d.Summary, "Closed") {
			t.Errorf("no summary panel on %s: %q", day, d.Summary)
		}
	}
}
