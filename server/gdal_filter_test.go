package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo/geotest"
)

// gdalServer serves the embedded atlas with an access log.
func gdalServer(t *testing.T) (*httptest.Server, *lockedBuffer, []*geojson.Feature) {
	t.Helper()
	a := embeddedAtlas(t)
	logs := &lockedBuffer{}
	srv := httptest.NewServer(newTest(t, Config{Atlas: a, Logger: slog.New(slog.NewTextHandler(logs, nil))}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return srv, logs, layerFeatures(t, a, layers.LayerEvents)
}

var featureCount = regexp.MustCompile(`Feature Count: (\d+)`)

// ogrCount runs ogrinfo -so on a layer with extra arguments and returns
// its feature count.
func ogrCount(t *testing.T, args ...string) int {
	t.Helper()
	out := run(t, "ogrinfo", append([]string{"-ro", "-so"}, args...)...)
	m := featureCount.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("ogrinfo %s: no feature count:\n%s", strings.Join(args, " "), out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// itemsRequests returns the items requests of a collection in the log.
func itemsRequests(log, coll string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if i := strings.Index(l, `path="/collections/`+coll+`/items?`); i >= 0 {
			out = append(out, l[i:])
		}
	}
	return out
}

// TestGDALWhere: GDAL's OGC API – Features client pushes an ogrinfo
// -where down to durand as a CQL2 filter (its cql-text), and -spat as
// bbox; the counts equal rules written in Go over every event.
func TestGDALWhere(t *testing.T) {
	geotest.RequireTool(t, "ogrinfo")
	t.Parallel() // waits on GDAL; its own server
	srv, logs, events := gdalServer(t)
	oapif := "OAPIF:" + srv.URL
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		name, where string
		pushed      string // what the filter parameter must contain
		rule        func(f *geojson.Feature) bool
	}{
		{"kind and killed", "kind = 'airstrike' AND killed > 5", "(kind = 'airstrike') AND (killed > 5)", func(f *geojson.Feature) bool {
			k, ok := numProp(f, "killed")
			return prop(f, "kind") == "airstrike" && ok && k > 5
		}},
		{"date", "start_date >= '2025-10-15'", "start_date >= '2025-10-15", func(f *geojson.Feature) bool {
			d, ok := dateProp(f, "start_date")
			return ok && !d.Before(day("2025-10-15"))
		}},
		{"or and like", "kind = 'clash' OR name LIKE '%Kabul%'", "(kind = 'clash') OR (name LIKE '%Kabul%')", func(f *geojson.Feature) bool {
			n, _ := prop(f, "name").(string)
			return prop(f, "kind") == "clash" || strings.Contains(n, "Kabul")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := 0
			for _, f := range events {
				if tc.rule(f) {
					want++
				}
			}
			before := len(itemsRequests(logs.String(), "events"))
			if got := ogrCount(t, oapif, "events", "-where", tc.where); got != want {
				t.Errorf("ogrinfo -where %q counts %d events, the rule %d", tc.where, got, want)
			}
			reqs := itemsRequests(logs.String(), "events")[before:]
			pushed := false
			for _, r := range reqs {
				p := strings.Trim(strings.Fields(strings.TrimPrefix(r, "path="))[0], `"`)
				_, raw, _ := strings.Cut(p, "?")
				q, err := url.ParseQuery(raw)
				if err == nil && q.Get("filter-lang") == "cql-text" && strings.Contains(q.Get("filter"), tc.pushed) {
					pushed = true
				}
			}
			if !pushed {
				t.Errorf("GDAL did not send the filter %q: %v", tc.pushed, reqs)
			}
		})
	}
	t.Run("spat", func(t *testing.T) {
		box := orb.Bound{Min: orb.Point{69, 31}, Max: orb.Point{71, 35}}
		want := 0
		for _, f := range events {
			// Points inside the box; stretches and units whose bounding box
			// meets it (the server's bbox rule).
			switch g := f.Geometry.(type) {
			case orb.Point:
				if box.Contains(g) {
					want++
				}
			case nil:
			default:
				if g.Bound().Intersects(box) {
					want++
				}
			}
		}
		before := len(itemsRequests(logs.String(), "events"))
		if got := ogrCount(t, oapif, "events", "-spat", "69", "31", "71", "35"); got != want || want == 0 {
			t.Errorf("ogrinfo -spat counts %d events, want %d", got, want)
		}
		if reqs := itemsRequests(logs.String(), "events")[before:]; !strings.Contains(fmt.Sprint(reqs), "bbox=69") {
			t.Errorf("GDAL did not send bbox: %v", reqs)
		}
	})
}

// gdalHasVectorTiles reports whether the installed GDAL's OGCAPI driver
// was built with its vector tiles support: GDAL 3.6 compiles that part
// only under OGR_ENABLE_DRIVER_GML, which its CMake build does not define
// for frmts/ogcapi (Debian's 3.6.2 lacks the code: the "vectorType" it
// reads from the collection is not in libgdal).
func gdalHasVectorTiles(t *testing.T) bool {
	t.Helper()
	out, err := exec.Command("ldd", geotest.RequireTool(t, "ogrinfo")).Output()
	if err != nil {
		t.Fatalf("ldd ogrinfo: %v", err)
	}
	m := regexp.MustCompile(`libgdal\.so[.0-9]* => (\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("ogrinfo is not linked with libgdal:\n%s", out)
	}
	b, err := os.ReadFile(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte("vectorType\x00"))
}

// TestGDALOGCAPITiles opens durand with GDAL's OGC API client (the
// OGCAPI driver, API=TILES): gdalinfo lists every collection; ogrinfo
// follows each collection's tilesets-vector link, the tileset metadata and
// the tiling-scheme link, and parses the tile matrix set without an error
// (GDAL 3.6 reads TMS 1.0 member names, which the definition carries
// beside TMS 2.0's). Where the GDAL build has vector tiles, the layers
// must open and hold features; Debian's 3.6.2 has not (see
// gdalHasVectorTiles), and the items of the same collection are read
// through API=ITEMS instead.
func TestGDALOGCAPITiles(t *testing.T) {
	geotest.RequireTool(t, "ogrinfo")
	t.Parallel() // waits on GDAL; its own server
	srv, logs, _ := gdalServer(t)
	info := run(t, "gdalinfo", "OGCAPI:"+srv.URL+"/collections")
	for _, c := range []string{"border", "countries", "provinces", "crossings", "events", "zones"} {
		if !strings.Contains(info, "=OGCAPI:"+srv.URL+"/collections/"+c+"\n") {
			t.Errorf("gdalinfo does not list %s:\n%s", c, info)
		}
	}
	vector := gdalHasVectorTiles(t)
	for _, c := range []string{"crossings", "provinces"} {
		t.Run(c, func(t *testing.T) {
			tool := geotest.RequireTool(t, "ogrinfo")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			// The extent in the tile matrix set's CRS: GDAL 3.6 takes the
			// collection's CRS84 extent as if it were in it otherwise.
			args := []string{"-ro", "-oo", "API=TILES", "-oo", "MINX=7000000", "-oo", "MINY=2700000", "-oo", "MAXX=8500000", "-oo", "MAXY=4500000",
				"OGCAPI:" + srv.URL + "/collections/" + c}
			out, err := exec.CommandContext(ctx, tool, append(args, "-so")...).CombinedOutput()
			for _, want := range []string{"/collections/" + c + "/tiles route=", "/collections/" + c + "/tiles/WebMercatorQuad route=", "/tileMatrixSets/WebMercatorQuad route="} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("GDAL did not request %s", want)
				}
			}
			if strings.Contains(string(out), "ERROR") {
				t.Errorf("ogrinfo reports errors:\n%s", out)
			}
			if vector {
				if err != nil || !strings.Contains(string(out), "Layer name") {
					t.Errorf("ogrinfo API=TILES: %v\n%s", err, out)
				}
				return
			}
			t.Logf("this GDAL has no OGC API vector tiles (built without them); reading the items instead")
			if n := ogrCount(t, "-oo", "API=ITEMS", "OGCAPI:"+srv.URL+"/collections/"+c, c); n == 0 {
				t.Errorf("API=ITEMS reads no %s", c)
			}
		})
	}
	// The tiles themselves open in GDAL's MVT driver from the template.
	dir := t.TempDir()
	path := filepath.Join(dir, "t.mvt")
	w := get(t, srv.Config.Handler, "GET", "/collections/crossings/tiles/WebMercatorQuad/6/26/44")
	if w.Code != 200 {
		t.Fatalf("tile: %d", w.Code)
	}
	if err := os.WriteFile(path, w.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "ogrinfo", "-ro", "-so", "-oo", "X=44", "-oo", "Y=26", "-oo", "Z=6", path); !strings.Contains(out, "crossings") {
		t.Errorf("the tile has no crossings layer:\n%s", out)
	}
}
