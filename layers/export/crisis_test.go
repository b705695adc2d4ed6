package export

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
)

// datedLayer has a located feature with two days, and one without
// geometry whose end is unknown ("").
func datedLayer() layers.Layer {
	f1 := geojson.NewFeature(orb.Point{66.4, 30.9})
	f1.ID = "e1"
	f1.Properties = geojson.Properties{"id": "e1", "name": "Spin Boldak", "start_date": "2025-10-15", "end_date": "2025-10-16", "severity": 4.0}
	f2 := geojson.NewFeature(nil)
	f2.ID = "e2"
	f2.Properties = geojson.Properties{"id": "e2", "name": "Along the line", "start_date": "2026-02-26", "end_date": "", "severity": 2.0}
	return layers.Layer{Name: "events", Title: "Events", Attribution: "Test events", Features: []*geojson.Feature{f1, f2}}
}

func TestDateColumns(t *testing.T) {
	f := func(v any) *geojson.Feature {
		x := geojson.NewFeature(orb.Point{1, 2})
		x.Properties = geojson.Properties{"d": v}
		return x
	}
	tests := []struct {
		name string
		fs   []*geojson.Feature
		want kind
	}{
		{"days and empty", []*geojson.Feature{f("2025-10-15"), f(""), f(nil)}, kindDate},
		{"only empty", []*geojson.Feature{f(""), f("")}, kindText},
		{"a date-time", []*geojson.Feature{f("2025-10-15"), f("2025-10-15T10:00:00Z")}, kindText},
		{"not a day", []*geojson.Feature{f("2025-02-30")}, kindText},
		{"a month", []*geojson.Feature{f("2025-10")}, kindText},
		{"text", []*geojson.Feature{f("2025-10-15"), f("soon")}, kindText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cols := columns(layers.Layer{Features: tc.fs})
			if len(cols) != 2 || cols[1].kind != tc.want {
				t.Fatalf("columns = %+v, want d of kind %d", cols, tc.want)
			}
		})
	}
}

// TestNullGeometry writes a feature without geometry in every format.
func TestNullGeometry(t *testing.T) {
	l := datedLayer()
	dir := t.TempDir()
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			path := filepath.Join(dir, "events."+f.Ext())
			if err := WriteFile(path, l, f); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			switch f {
			case GeoJSON:
				if !strings.Contains(string(b), `"geometry":null`) {
					t.Errorf("no null geometry:\n%s", b)
				}
			case CSV:
				rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != 3 || rows[1][0] != "POINT (66.4 30.9)" || rows[2][0] != "" {
					t.Errorf("rows %q", rows)
				}
			case KML:
				if strings.Count(string(b), "<Placemark>") != 2 || strings.Count(string(b), "<Point>") != 1 {
					t.Errorf("want two placemarks, one with a point:\n%s", b)
				}
			case GeoPackage:
				db, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				var nulls, indexed int
				var typ string
				if err := db.QueryRow(`SELECT count(*) FROM events WHERE geom IS NULL`).Scan(&nulls); err != nil {
					t.Fatal(err)
				}
				if err := db.QueryRow(`SELECT count(*) FROM rtree_events_geom`).Scan(&indexed); err != nil {
					t.Fatal(err)
				}
				if err := db.QueryRow(`SELECT type FROM pragma_table_info('events') WHERE name = 'start_date'`).Scan(&typ); err != nil {
					t.Fatal(err)
				}
				var end sql.NullString
				if err := db.QueryRow(`SELECT end_date FROM events WHERE id = 'e2'`).Scan(&end); err != nil {
					t.Fatal(err)
				}
				var minx, maxx float64
				if err := db.QueryRow(`SELECT min_x, max_x FROM gpkg_contents`).Scan(&minx, &maxx); err != nil {
					t.Fatal(err)
				}
				if nulls != 1 || indexed != 1 || typ != "DATE" || end.Valid || minx != 66.4 || maxx != 66.4 {
					t.Errorf("null geometries %d, indexed %d, start_date %s, unknown end %v, extent %v..%v", nulls, indexed, typ, end, minx, maxx)
				}
			}
		})
	}
}

// crisisAtlas is the embedded atlas (no districts installed), loaded once.
var crisisAtlas = sync.OnceValues(func() (*geo.Atlas, error) {
	a, err := data.Open("")
	if c := zonecache.Default(); err == nil && c != nil {
		a.UseBufferCache(c) // the go test run's cache (geotest.Main): zones traced once per run
	}
	return a, err
})

func TestCrisisLayers(t *testing.T) {
	a, err := crisisAtlas()
	if err != nil {
		t.Fatal(err)
	}
	if got := layers.Layers(a); !slices.Equal(got, []string{"border", "countries", "provinces", "crossings", "events", "zones", "crossing_status"}) {
		t.Errorf("Layers = %v", got)
	}
	if got := layers.Layers(miniAtlas(t)); slices.Contains(got, layers.LayerEvents) {
		t.Errorf("an atlas without crisis data has layers %v", got)
	}
	ev, err := layers.FromAtlas(a, layers.LayerEvents)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Title != "Crisis events" || !strings.Contains(ev.Attribution, "durand project") || len(ev.Features) != len(a.Events()) {
		t.Errorf("events: %q, %q, %d features", ev.Title, ev.Attribution, len(ev.Features))
	}
	unlocated := 0
	for _, f := range ev.Features {
		if _, ok := f.Properties["severity"].(float64); !ok {
			t.Errorf("%v: severity %T, want float64", f.ID, f.Properties["severity"])
		}
		if !isDay(fmt.Sprint(f.Properties["start_date"])) || !isDay(fmt.Sprint(f.Properties["end_date"])) {
			t.Errorf("%v: dates %v, %v", f.ID, f.Properties["start_date"], f.Properties["end_date"])
		}
		if (f.Geometry == nil) != (f.Properties["location_precision"] == "none") {
			t.Errorf("%v: geometry %v with location_precision %v", f.ID, f.Geometry, f.Properties["location_precision"])
		}
		if f.Geometry == nil {
			unlocated++
		}
	}
	// The two aggregates of 11-12 Oct and the unnamed points of 26 Feb.
	if unlocated != 3 {
		t.Errorf("%d events without geometry, want 3", unlocated)
	}
	zs, err := layers.FromAtlas(a, layers.LayerZones)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range zs.Features {
		kinds[fmt.Sprint(f.Properties["kind"])]++
	}
	if kinds["border_stretch"] == 0 || len(kinds) != 1 {
		t.Errorf("zone kinds %v", kinds)
	}
	h, err := layers.Header(a, layers.LayerZones)
	if err != nil || h.Title != "Affected zones" || h.Features != nil || h.Attribution == "" {
		t.Errorf("layers.Header(zones) = %+v, %v", h, err)
	}
}

// TestGDALCrisis writes the events and zones of the embedded atlas in
// every format and reads them with ogrinfo: all features, their dates.
func TestGDALCrisis(t *testing.T) {
	ogrinfo := geotest.RequireTool(t, "ogrinfo")
	if testing.Short() {
		t.Skip("short")
	}
	a, err := crisisAtlas()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{layers.LayerEvents, layers.LayerZones} {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range Formats() {
			t.Run(name+"."+f.Ext(), func(t *testing.T) {
				path := filepath.Join(dir, FileName(name, f))
				if err := WriteFile(path, l, f); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(ogrinfo, "-ro", "-so", "-al", path).CombinedOutput()
				if err != nil {
					t.Fatalf("ogrinfo: %v\n%s", err, out)
				}
				s := string(out)
				if m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(s); m == nil || m[1] != fmt.Sprint(len(l.Features)) {
					t.Errorf("feature count %v, want %d:\n%s", m, len(l.Features), s)
				}
				// GeoPackage declares the days as DATE; GDAL recognises
				// them in GeoJSON too. KML and CSV carry them as text.
				want := map[Format]string{GeoJSON: "start_date: Date", GeoPackage: "start_date: Date", KML: "start_date: String", CSV: "start_date: String"}[f]
				if !strings.Contains(s, want) || !strings.Contains(s, "end_date: ") {
					t.Errorf("no %q and end_date:\n%s", want, s)
				}
			})
		}
	}
}
