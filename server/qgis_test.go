package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"log/slog"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
)

// debianPython is the interpreter Debian's python3-qgis installs for: a
// python3 found earlier on PATH (pyenv) has no qgis module.
const debianPython = "/usr/bin/python3"

// requireQGIS skips (fails under CI) unless PyQGIS imports.
func requireQGIS(t *testing.T) {
	t.Helper()
	cmd := exec.Command(debianPython, "-c", "import qgis.core")
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
	if out, err := cmd.CombinedOutput(); err != nil {
		geotest.Missing(t, "QGIS (PyQGIS under "+debianPython+")", "install the Debian packages qgis python3-qgis qgis-providers ("+strings.TrimSpace(lastLine(string(out)))+")")
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

type qgisReport struct {
	Version string                       `json:"version"`
	Counts  map[string]int               `json:"counts"`
	Fields  map[string]map[string]string `json:"fields"`
	Subsets []struct {
		Layer, Subset string
		Valid         bool
		Count         int
	} `json:"subsets"`
	VTValid  bool       `json:"vector_tiles_valid"`
	Visible  [4]float64 `json:"visible_extent"`
	Errors   []string   `json:"render_errors"`
	Warnings []string   `json:"style_warnings"`
}

// mercator projects a CRS84 point to EPSG:3857 metres.
func mercator(p orb.Point) (float64, float64) {
	const r = 6378137.0
	return r * p[0] * math.Pi / 180, r * math.Log(math.Tan(math.Pi/4+p[1]*math.Pi/360))
}

// TestQGIS drives QGIS 3.22 (PyQGIS, headless) against durand: every
// collection through the OAPIF provider with its feature count; a subset
// string on text (QGIS 3.22 evaluates it itself: it sends filter= only
// from 3.28, when the server declares CQL2 text) and a date subset, which
// QGIS 3.22 turns into the datetime parameter; and durand's vector tiles
// with durand's style, rendered to a PNG ($DURAND_ARTIFACTS/qgis-map.png)
// in which the border's colour lies along the border line and not far
// from it.
func TestQGIS(t *testing.T) {
	geotest.Long(t, "starts QGIS headless and reads every collection, about 8 s of CPU")
	if testing.Short() {
		t.Skip("short")
	}
	requireQGIS(t)
	t.Parallel() // waits on QGIS; its own server
	a := embeddedAtlas(t)
	logs := &lockedBuffer{}
	h := newTest(t, Config{Atlas: a, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	h.(*handler).s.tiles.noDeferred = true
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	}()

	dir := os.Getenv("DURAND_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "qgis-map.png")

	features := map[string][]*geojson.Feature{}
	var names []string
	for _, name := range layers.Layers(a) {
		features[name] = layerFeatures(t, a, name)
		names = append(names, name)
	}
	events := features[layers.LayerEvents]
	day := func(s string, end bool) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		if end {
			d = d.Add(24*time.Hour - time.Nanosecond)
		}
		return d
	}
	wantKind, wantDates := 0, 0
	for _, f := range events {
		if prop(f, "kind") == "airstrike" {
			wantKind++
		}
		// datetime=2025-10-15/2025-10-20: the event's days meet the
		// interval (an event without an end lasts its start day).
		s, ok := dateProp(f, "start_date")
		if !ok {
			continue
		}
		e, ok := dateProp(f, "end_date")
		if !ok {
			e = s
		}
		if !e.Add(24*time.Hour-time.Nanosecond).Before(day("2025-10-15", false)) && !s.After(day("2025-10-20", true)) {
			wantDates++
		}
	}

	minX, minY := mercator(orb.Point{60, 24})
	maxX, maxY := mercator(orb.Point{75.5, 38.5})
	width := 800
	height := int(math.Round(float64(width) * (maxY - minY) / (maxX - minX)))
	job := map[string]any{
		"url":         srv.URL,
		"collections": names,
		"subsets": []map[string]string{
			{"layer": "events", "subset": `"kind" = 'airstrike'`},
			{"layer": "events", "subset": `"start_date" >= '2025-10-15' AND "start_date" <= '2025-10-20'`},
		},
		"render": map[string]any{"tiles": srv.URL + "/tiles/durand/{z}/{x}/{y}.mvt", "style": srv.URL + "/styles/durand.json",
			"out": shot, "extent": []float64{minX, minY, maxX, maxY}, "width": width, "height": height},
	}
	in, _ := json.Marshal(job)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, debianPython, filepath.Join("testdata", "qgis", "check.py"))
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "XDG_RUNTIME_DIR="+t.TempDir())
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("QGIS: %v\n%s", err, stderr.String())
	}
	var rep qgisReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("QGIS report: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("QGIS %s", rep.Version)

	for _, name := range names {
		if got := rep.Counts[name]; got != len(features[name]) {
			t.Errorf("QGIS counts %d features of %s, durand has %d", got, name, len(features[name]))
		}
	}
	if typ := rep.Fields["events"]["start_date"]; typ != "Date" {
		t.Errorf("QGIS types events.start_date as %q, want Date", typ)
	}
	log := logs.String()
	for i, want := range []int{wantKind, wantDates} {
		sub := rep.Subsets[i]
		if !sub.Valid || sub.Count != want || want == 0 {
			t.Errorf("QGIS subset %s: valid %v, %d features, want %d", sub.Subset, sub.Valid, sub.Count, want)
		}
	}
	// What QGIS sent for the subsets: the date one as datetime.
	var sawDatetime, sawFilter bool
	for _, r := range itemsRequests(log, "events") {
		p := strings.Trim(strings.Fields(strings.TrimPrefix(r, "path="))[0], `"`)
		_, raw, _ := strings.Cut(p, "?")
		q, _ := url.ParseQuery(raw)
		if strings.HasPrefix(q.Get("datetime"), "2025-10-15") && strings.Contains(q.Get("datetime"), "2025-10-20") {
			sawDatetime = true
		}
		if q.Has("filter") {
			sawFilter = true
		}
	}
	if !sawDatetime {
		t.Error("QGIS did not send the date subset as datetime")
	}
	if newer := !strings.HasPrefix(rep.Version, "3.22") && !strings.HasPrefix(rep.Version, "3.2"); newer && !sawFilter {
		t.Errorf("QGIS %s sent no filter= for the text subset", rep.Version)
	} else if !sawFilter {
		t.Logf("QGIS %s evaluated the text subset itself (no filter= sent), as its OAPIF provider does before 3.28", rep.Version)
	}

	// The render.
	if !rep.VTValid || len(rep.Errors) > 0 {
		t.Fatalf("vector tile layer valid %v, render errors %v", rep.VTValid, rep.Errors)
	}
	fh, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(fh)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkBorderPixels(t, a, img, rep.Visible, features[geo.LayerBorder])
	t.Logf("rendered %s (%dx%d)", shot, img.Bounds().Dx(), img.Bounds().Dy())
}

// checkBorderPixels: near (3 px) every sampled vertex of the border the
// image has the border's colour, and around points of a grid 50 km or
// more from the border it (almost) never has.
func checkBorderPixels(t *testing.T, a *geo.Atlas, img image.Image, ext [4]float64, border []*geojson.Feature) {
	t.Helper()
	b := img.Bounds()
	toPixel := func(p orb.Point) (int, int) {
		x, y := mercator(p)
		return int((x - ext[0]) / (ext[2] - ext[0]) * float64(b.Dx())), int((ext[3] - y) / (ext[3] - ext[1]) * float64(b.Dy()))
	}
	isBorder := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		dr, dg, db := float64(r>>8)-0xb3, float64(g>>8)-0x26, float64(bl>>8)-0x1e
		return math.Sqrt(dr*dr+dg*dg+db*db) < 70
	}
	near := func(px, py int) bool {
		for dx := -3; dx <= 3; dx++ {
			for dy := -3; dy <= 3; dy++ {
				if isBorder(px+dx, py+dy) {
					return true
				}
			}
		}
		return false
	}
	var line []orb.Point
	for _, f := range border {
		switch g := f.Geometry.(type) {
		case orb.LineString:
			line = append(line, g...)
		case orb.MultiLineString:
			for _, l := range g {
				line = append(line, l...)
			}
		}
	}
	hits, n := 0, 0
	for i := 0; i < len(line); i += max(1, len(line)/400) {
		x, y := toPixel(line[i])
		if !(image.Point{x, y}).In(b.Inset(4)) {
			continue
		}
		n++
		if near(x, y) {
			hits++
		}
	}
	if n < 100 || float64(hits) < 0.95*float64(n) {
		t.Errorf("the border's colour is near %d of %d sampled border vertices", hits, n)
	}
	far, falsePos := 0, 0
	for lon := 60.5; lon < 75.5; lon += 0.25 {
		for lat := 24.5; lat < 38.5; lat += 0.25 {
			d, err := a.DistanceToBorder(orb.Point{lon, lat})
			if err != nil || d.Metres < 50000 {
				continue
			}
			x, y := toPixel(orb.Point{lon, lat})
			far++
			if near(x, y) {
				falsePos++
			}
		}
	}
	if far < 500 || float64(falsePos) > 0.02*float64(far) {
		t.Errorf("the border's colour is near %d of %d points 50 km or more from the border", falsePos, far)
	}
}
