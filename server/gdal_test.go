package server

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers/export"

	_ "modernc.org/sqlite"
)

// lockedBuffer collects log lines from concurrent requests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// realAtlas is the embedded atlas with the districts installed from the
// shared source files (skipped, or failed under CI, when they are absent).
// It is built once per test binary and shared by the tests that ask for
// it, in parallel too: an atlas is read-only and safe for concurrent use,
// and installing the districts (and computing the zones, which the atlas
// keeps) would otherwise cost every such test seconds again.
func realAtlas(t testing.TB) *geo.Atlas {
	t.Helper()
	src := geotest.SharedData(t)
	return sharedReal.get(t, func() (*geo.Atlas, error) { return installRealAtlas(src) })
}

var sharedReal shared[*geo.Atlas]

// installRealAtlas installs the districts from src into a temporary
// directory and loads the atlas from it (geo.Load reads every file at
// once, so the directory is removed afterwards).
func installRealAtlas(src string) (*geo.Atlas, error) {
	dir, err := os.MkdirTemp("", "durand-real-atlas-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := data.Install(ctx, data.InstallOptions{From: src, Dir: dir, Provinces: data.FS()}); err != nil {
		return nil, fmt.Errorf("installing districts: %w", err)
	}
	a, err := data.Open(dir)
	if err != nil {
		return nil, err
	}
	if !a.HasDistricts() {
		return nil, fmt.Errorf("no districts after install")
	}
	a.UseBufferCache(testBuffers())
	return a, nil
}

// run runs a GDAL tool and returns its output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	tool := geotest.RequireTool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkOAPIF lists the collections with their counts (numberMatched)
// through ogrinfo, then copies every collection with one ogr2ogr run
// through paging of pageSize features, and compares the counts and
// attributes with the atlas.
func checkOAPIF(t *testing.T, a *geo.Atlas, pageSize int) {
	logs := &lockedBuffer{}
	srv := httptest.NewServer(newTest(t, Config{Atlas: a, Logger: slog.New(slog.NewTextHandler(logs, nil))}))
	defer srv.Close()
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	}()
	url := "OAPIF:" + srv.URL
	var names []string
	features := map[string][]*geojson.Feature{} // the crisis layers too
	for _, name := range layers.Layers(a) {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Features) > 0 {
			names = append(names, name)
			features[name] = l.Features
		}
	}

	info := run(t, "ogrinfo", "-ro", "-so", "-al", url)
	for _, name := range names {
		fs := features[name]
		re := regexp.MustCompile(`Layer name: ` + name + `\n(?:.*\n)*?Feature Count: (\d+)`)
		m := re.FindStringSubmatch(info)
		if m == nil {
			t.Errorf("ogrinfo does not list %s", name)
		} else if m[1] != strconv.Itoa(len(fs)) {
			t.Errorf("ogrinfo counts %s features of %s, the atlas has %d", m[1], name, len(fs))
		}
	}

	out := filepath.Join(t.TempDir(), "copy.gpkg")
	run(t, "ogr2ogr", "-f", "GPKG", out, url, "-oo", "PAGE_SIZE="+strconv.Itoa(pageSize))
	db, err := sql.Open("sqlite", out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := logs.String()
	for _, name := range names {
		fs := features[name]
		var n int
		var first sql.NullString
		if err := db.QueryRow(`SELECT count(*), min(id) FROM "`+name+`"`).Scan(&n, &first); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if n != len(fs) {
			t.Errorf("ogr2ogr copied %d features of %s, the atlas has %d", n, name, len(fs))
		}
		ids := map[string]bool{}
		for _, f := range fs {
			ids[geojsonio.FeatureID(f)] = true
		}
		if !ids[first.String] {
			t.Errorf("%s: copied id %q is not in the atlas", name, first.String)
		}
		pages := strings.Count(log, "/collections/"+name+"/items?") - 1 // ogrinfo's first request
		if want := (len(fs) + pageSize - 1) / pageSize; pages < want {
			t.Errorf("%s: %d items requests for %d features in pages of %d, want at least %d", name, pages, len(fs), pageSize, want)
		}
	}
}

// TestGDALOAPIF runs GDAL's OGC API – Features client against the test atlas.
func TestGDALOAPIF(t *testing.T) {
	geotest.RequireTool(t, "ogr2ogr")
	t.Parallel() // waits on GDAL; its own server
	checkOAPIF(t, fixtureAtlas(t, 25), 2)
}

// TestGDALOAPIFRealData does the same with the embedded atlas and the
// installed districts.
func TestGDALOAPIFRealData(t *testing.T) {
	geotest.Long(t, "GDAL reads every collection of the real atlas with its 558 districts")
	if testing.Short() {
		t.Skip("short")
	}
	geotest.RequireTool(t, "ogr2ogr")
	checkOAPIF(t, realAtlas(t), 20)
}

// TestGDALDownloads opens every download of every collection with ogrinfo
// and checks the feature count, the attributes and the attribution.
func TestGDALDownloads(t *testing.T) {
	geotest.Long(t, "ogrinfo opens every download of every collection of the real atlas")
	if testing.Short() {
		t.Skip("short")
	}
	geotest.RequireTool(t, "ogrinfo")
	a := realAtlas(t)
	srv := httptest.NewServer(newTest(t, Config{Atlas: a}))
	defer srv.Close()
	dir := t.TempDir()
	for _, name := range layers.Layers(a) { // events and zones included
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		fs, attribution := l.Features, l.Attribution
		for _, f := range export.Formats() {
			t.Run(name+"."+f.Ext(), func(t *testing.T) {
				resp, err := http.Get(srv.URL + "/downloads/" + name + "." + f.Ext())
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				path := filepath.Join(dir, export.FileName(name, f))
				fh, err := os.Create(path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(fh, resp.Body); err != nil {
					t.Fatal(err)
				}
				fh.Close()
				out := run(t, "ogrinfo", "-ro", "-so", "-al", path)
				if !strings.Contains(out, fmt.Sprintf("Feature Count: %d\n", len(fs))) {
					t.Errorf("want %d features:\n%s", len(fs), out)
				}
				fields := []string{"id: String"}
				if name != geo.LayerBorder || f != export.KML {
					fields = append(fields, "name: String")
				}
				if f == export.KML {
					fields = []string{"id: String", "Name: String"}
				}
				for _, field := range fields {
					if !strings.Contains(out, field) {
						t.Errorf("no field %q:\n%s", field, out)
					}
				}
				switch f {
				case export.GeoPackage:
					if !strings.Contains(out, "DESCRIPTION=") || !strings.Contains(out, attribution) {
						t.Errorf("GeoPackage description lacks the attribution %q:\n%s", attribution, out)
					}
				case export.CSV:
					if !strings.Contains(out, "attribution: String") {
						t.Errorf("CSV has no attribution column:\n%s", out)
					}
				}
				b, _ := os.ReadFile(path)
				if f != export.GeoPackage && !bytes.Contains(b, []byte(attribution)) {
					t.Errorf("the file does not carry the attribution %q", attribution)
				}
			})
		}
	}
}
