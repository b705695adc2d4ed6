package server

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers/export"
)

// TestGDALCSVTyped: GDAL reads every CSV download with its .csvt and .prj
// sidecars beside it (as saved; GDAL's /vsicurl/ reads them from the
// server too, for files small enough to need no Range requests): WGS 84, dates typed Date, numbers
// Real, integers Integer, the feature count of the collection; every collection document
// and every other download states the licence.
func TestGDALCSVTyped(t *testing.T) {
	geotest.Long(t, "ogrinfo on every CSV download with its sidecars; layers/export's TestGDALSchema checks the types on the files")
	geotest.RequireTool(t, "ogrinfo")
	t.Parallel() // waits on GDAL; its own server
	srv, _, _ := gdalServer(t)
	h := srv.Config.Handler
	colls := decode(t, get(t, h, "GET", "/collections"))["collections"].([]any)
	if len(colls) < 7 {
		t.Fatalf("%d collections", len(colls))
	}
	dir := t.TempDir()
	for _, x := range colls {
		doc := x.(map[string]any)
		id := doc["id"].(string)
		licence, _ := doc["license"].(string)
		if licence == "" {
			t.Errorf("collection %s states no licence", id)
			continue
		}
		// As an analyst saves them: the .csv with its sidecars beside it.
		for _, ext := range []string{"csv", "csvt", "prj"} {
			w := get(t, h, "GET", "/downloads/"+id+"."+ext)
			if w.Code != 200 {
				t.Fatalf("%s.%s: %d", id, ext, w.Code)
			}
			if err := os.WriteFile(filepath.Join(dir, id+"."+ext), w.Body.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out := run(t, "ogrinfo", "-ro", "-so", "-al", filepath.Join(dir, id+".csv"))
		if !strings.Contains(out, `GEOGCRS["WGS 84"`) && !strings.Contains(out, `GEOGCS["WGS 84"`) {
			t.Errorf("%s.csv: GDAL sees no WGS 84:\n%s", id, out)
		}
		if n := int(doc["numberOfFeatures"].(float64)); !strings.Contains(out, "Feature Count: "+strconv.Itoa(n)+"\n") {
			t.Errorf("%s.csv: want %d features:\n%s", id, n, out)
		}
		// Every column GDAL types as text holds no number-only or
		// date-only column: the types come from the .csvt.
		w := get(t, h, "GET", "/collections/"+id+"/queryables")
		props := decode(t, w)["properties"].(map[string]any)
		for name, p := range props {
			m := p.(map[string]any)
			want := ""
			switch {
			case m["type"] == "number":
				want = "Real"
			case m["type"] == "integer":
				want = "Integer"
			case m["format"] == "date":
				want = "Date"
			default:
				continue
			}
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `: ` + want + ` `).MatchString(out) {
				t.Errorf("%s.csv: %s is not typed %s:\n%s", id, name, want, out)
			}
		}
		for _, f := range []export.Format{export.GeoJSON, export.KML, export.GeoPackage} {
			w := get(t, h, "GET", "/downloads/"+id+"."+f.Ext())
			path := filepath.Join(dir, id+"."+f.Ext())
			if err := os.WriteFile(path, w.Body.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			var text string
			if f == export.GeoPackage {
				text = run(t, "ogrinfo", "-ro", "-so", "-al", path)
			} else {
				text = html.UnescapeString(w.Body.String()) // KML escapes quotes
			}
			if !strings.Contains(text, licence) {
				t.Errorf("%s.%s does not state the licence %q", id, f.Ext(), licence)
			}
		}
	}
}

// TestCrossingStatusLayer: the crossing_status collection holds every
// status period of every crossing, as the atlas dates it, and the
// crossings downloads carry the status of the default day.
func TestCrossingStatusLayer(t *testing.T) {
	t.Parallel()
	h, a := embeddedServer(t)
	got := map[string]map[string]any{}
	w := get(t, h, "GET", "/collections/crossing_status/items?limit=10000")
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	for _, f := range decode(t, w)["features"].([]any) {
		p := f.(map[string]any)["properties"].(map[string]any)
		got[p["id"].(string)] = p
	}
	states, err := a.CrossingStates(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, st := range states {
		ps, err := a.StatusHistory(st.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range ps {
			n++
			id := p.CrossingID + "-" + strconv.Itoa(i+1)
			f, ok := got[id]
			if !ok {
				t.Errorf("no feature %s", id)
				continue
			}
			day := func(x time.Time) any {
				if x.IsZero() {
					return nil
				}
				return x.Format(time.DateOnly)
			}
			if f["status"] != string(p.Status) || f["start_date"] != day(p.From) || f["end_date"] != day(p.To) || f["source_publisher"] != p.Source.Publisher {
				t.Errorf("%s: %v, period %+v", id, f, p)
			}
		}
	}
	if n == 0 || len(got) != n {
		t.Errorf("%d features for %d periods", len(got), n)
	}
	csv := get(t, h, "GET", "/downloads/"+geo.LayerCrossings+".csv").Body.String()
	head, _, _ := strings.Cut(csv, "\n")
	for _, col := range []string{"status", "status_date", "status_source"} {
		if !strings.Contains(","+head+",", ","+col+",") {
			t.Errorf("the crossings CSV has no %s column: %s", col, head)
		}
	}
	csvt := get(t, h, "GET", "/downloads/"+geo.LayerCrossings+".csvt").Body.String()
	if strings.Count(csvt, ",") != strings.Count(head, ",") {
		t.Errorf("csvt %q does not match the header %q", csvt, head)
	}
}
