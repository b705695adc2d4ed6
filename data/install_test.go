package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	shp "github.com/jonas-p/go-shp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/install/golden")

const fixtureDir = "testdata/install"

// sharedDataDir returns ../shared/data next to the module root. It skips
// the test when that directory is absent, unless CI is set.
func sharedDataDir(t testing.TB) string {
	t.Helper()
	return geotest.SharedData(t)
}

// neProvinces turns the shared Natural Earth admin-1 file into a
// provinces.geojson in the project's layout, in memory, with the
// corrections the project's provinces layer makes: AFG-1753 (labelled
// Uruzgan) is Daykundi, AFG-1769 (labelled Parwan) is Panjshir; Pakistani
// units get their current names.
func neProvinces(t testing.TB) fs.FS {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDataDir(t), "naturalearth-admin1-afg-pak", "ne_10m_admin_1_states_provinces_AFG_PAK.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any  `json:"properties"`
			Geometry   json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	rename := map[string]string{
		"AFG-1753": "Daykundi", "AFG-1769": "Panjshir",
		"PAK-1111": "Gilgit-Baltistan", "PAK-1123": "Khyber Pakhtunkhwa", "PAK-1112": "Khyber Pakhtunkhwa",
		"PAK-1108": "Balochistan", "PAK-1114": "Sindh", "PAK-1110": "Islamabad",
	}
	type outFeature struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		Properties map[string]any  `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	}
	out := struct {
		Type     string       `json:"type"`
		Features []outFeature `json:"features"`
	}{Type: "FeatureCollection"}
	for _, f := range fc.Features {
		code := f.Properties["adm1_code"].(string)
		name := f.Properties["name"].(string)
		if r, ok := rename[code]; ok {
			name = r
		}
		out.Features = append(out.Features, outFeature{Type: "Feature", ID: code, Geometry: f.Geometry, Properties: map[string]any{
			"id": code, "name": name, "country": f.Properties["adm0_a3"], "alt_names": []string{},
		}})
	}
	ob, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{provincesName: {Data: ob}}
}

func fixtureProvinces() fs.FS { return os.DirFS(fixtureDir) }

// installSources writes the hand-made district sources of geotest into a
// new temporary directory and returns it, for InstallOptions.From.
func installSources(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := geotest.WriteDistrictSources(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readSource returns one of the hand-made district sources of geotest.
func readSource(name string) ([]byte, error) {
	text, ok := geotest.DistrictSources()[name]
	if !ok {
		return nil, fmt.Errorf("no district source %q: %w", name, fs.ErrNotExist)
	}
	return []byte(text), nil
}

type outDoc struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string            `json:"type"`
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		Geometry   struct {
			Type        string           `json:"type"`
			Coordinates orb.MultiPolygon `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

func readOutput(t testing.TB, dir string) (outDoc, []byte, []byte) {
	t.Helper()
	districts, err := os.ReadFile(filepath.Join(dir, InstallDistrictsFile))
	if err != nil {
		t.Fatal(err)
	}
	prov, err := os.ReadFile(filepath.Join(dir, InstallProvenanceFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc outDoc
	if err := json.Unmarshal(districts, &doc); err != nil {
		t.Fatalf("output is not valid JSON: %v", err)
	}
	var p geo.Provenance
	if err := json.Unmarshal(prov, &p); err != nil {
		t.Fatalf("provenance is not valid JSON: %v", err)
	}
	return doc, districts, prov
}

// checkSchema checks the properties, ids, order, winding and precision of
// an installed districts file.
func checkSchema(t testing.TB, doc outDoc, raw []byte) {
	t.Helper()
	if doc.Type != "FeatureCollection" {
		t.Errorf("type = %q", doc.Type)
	}
	prev := ""
	for _, f := range doc.Features {
		p := f.Properties
		if f.ID == "" || f.ID != p["id"] || f.ID <= prev {
			t.Errorf("feature id %q (property %q) empty, mismatched or out of order after %q", f.ID, p["id"], prev)
		}
		prev = f.ID
		for _, k := range []string{"name", "country", "source", "source_id"} {
			if p[k] == "" {
				t.Errorf("%s: property %s empty", f.ID, k)
			}
		}
		if want := 6 + boolInt(p["administration"] != ""); len(p) != want {
			t.Errorf("%s: %d properties, want %d: %v", f.ID, len(p), want, p)
		}
		if f.Geometry.Type != "MultiPolygon" {
			t.Errorf("%s: geometry %s", f.ID, f.Geometry.Type)
		}
		for _, poly := range f.Geometry.Coordinates {
			for i, r := range poly {
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Errorf("%s: ring not closed or too short", f.ID)
				}
				if o := r.Orientation(); (i == 0) != (o == orb.CCW) {
					t.Errorf("%s: ring %d has orientation %v: wrong winding", f.ID, i, o)
				}
			}
		}
	}
	// 7 decimals at most: no number in the file has 8 digits after the point.
	for _, num := range bytes.FieldsFunc(raw, func(r rune) bool { return r == '[' || r == ']' || r == ',' }) {
		if i := bytes.IndexByte(num, '.'); i >= 0 && bytes.IndexFunc(num[i+1:], func(r rune) bool { return r < '0' || r > '9' }) < 0 && len(num)-i-1 > 7 {
			t.Fatalf("number %s has more than 7 decimals", num)
		}
	}
}

func TestInstallFixtures(t *testing.T) {
	dir := t.TempDir()
	var progress bytes.Buffer
	rep, err := Install(context.Background(), InstallOptions{From: installSources(t), Dir: dir, Provinces: fixtureProvinces(), Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	doc, geo, prov := readOutput(t, dir)
	checkSchema(t, doc, geo)
	got := map[string]string{}
	for _, f := range doc.Features {
		got[f.ID] = f.Properties["name"] + "/" + f.Properties["province"] + "/" + f.Properties["country"]
	}
	want := map[string]string{
		"AFG-TEST0B1": "Ayn/Alpha/AFG",
		"AFG-TEST0B2": "Bet/Bravo/AFG", // 75 % in Bravo, 25 % in Alpha
		"AFG-TEST0B3": "Gimel/Bravo/AFG",
		"PAK-PK900":   "Dalet/Balochistan/PAK",
		"PAK-PK901":   "He/Khyber Pakhtunkhwa/PAK",
		"PAK-PK9":     "Vav/Gilgit-Baltistan/PAK", // no ADM2_PCODE; province not in the layer
	}
	if len(got) != len(want) {
		t.Errorf("got %d districts, want %d: %v", len(got), len(want), got)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s = %q, want %q", id, got[id], w)
		}
	}
	if rep.Districts != 6 || len(rep.Countries) != 2 || rep.Countries[0].Districts != 3 || rep.Countries[1].Districts != 3 {
		t.Errorf("report counts: %+v", rep)
	}
	warnings := strings.Join(rep.Warnings, "\n")
	for _, w := range []string{"AFG: 3 districts, expected 398", "PAK: 3 districts, expected 160", `"Gilgit Baltistan" matches no PAK province`} {
		if !strings.Contains(warnings, w) {
			t.Errorf("warnings lack %q:\n%s", w, warnings)
		}
	}
	if !strings.Contains(progress.String(), "assigning 3 Afghan districts") {
		t.Errorf("progress output: %s", progress.String())
	}
	for _, in := range rep.Inputs {
		if in.Pin != "unpinned" && in.Pin != "mismatch" {
			t.Errorf("fixture input %s: pin %q", in.Name, in.Pin)
		}
	}
	golden(t, "districts.geojson", geo)
	golden(t, "districts.provenance.json", prov)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(fixtureDir, "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update after checking the change):\n%s", name, path, got)
	}
}

// writeFixtureShapefile writes the AFG fixture as a shapefile into dir
// (outer rings clockwise, holes counter-clockwise, as the format requires).
func writeFixtureShapefile(t testing.TB, dir string) {
	t.Helper()
	b, err := readSource(afgGeoJSONName)
	if err != nil {
		t.Fatal(err)
	}
	feats, err := decodeGeoJSON("fixture", b, true)
	if err != nil {
		t.Fatal(err)
	}
	w, err := shp.Create(filepath.Join(dir, afgShpName), shp.POLYGON)
	if err != nil {
		t.Fatal(err)
	}
	fields := []shp.Field{shp.StringField("shapeName", 28), shp.StringField("shapeISO", 1), shp.StringField("shapeID", 23),
		shp.StringField("shapeGroup", 3), shp.StringField("shapeType", 4)}
	if err := w.SetFields(fields); err != nil {
		t.Fatal(err)
	}
	for i, f := range feats {
		var parts [][]shp.Point
		for _, poly := range f.geom {
			for _, r := range poly {
				part := make([]shp.Point, len(r))
				for k, p := range r {
					part[len(r)-1-k] = shp.Point{X: p[0], Y: p[1]} // reversed: RFC 7946 to shapefile winding
				}
				parts = append(parts, part)
			}
		}
		poly := shp.Polygon(*shp.NewPolyLine(parts))
		w.Write(&poly)
		for k, name := range []string{"shapeName", "shapeISO", "shapeID", "shapeGroup", "shapeType"} {
			v, _ := f.props[name].(string)
			if err := w.WriteAttribute(i, k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Close()
	// go-shp v0.1.1 names the attribute file "<base>dbf" (no dot).
	base := filepath.Join(dir, strings.TrimSuffix(afgShpName, ".shp"))
	if err := os.Rename(base+"dbf", base+".dbf"); err != nil {
		t.Fatal(err)
	}
}

func TestInstallShapefileFixture(t *testing.T) {
	from := t.TempDir()
	writeFixtureShapefile(t, from)
	// Both in the subfolder layout.
	for _, name := range []string{pakGeoJSONName} {
		b, err := readSource(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(from, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if _, err := Install(context.Background(), InstallOptions{From: from, Dir: dir, Provinces: fixtureProvinces()}); err != nil {
		t.Fatal(err)
	}
	_, geo, _ := readOutput(t, dir)
	want, err := os.ReadFile(filepath.Join(fixtureDir, "golden", InstallDistrictsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(geo, want) {
		t.Errorf("shapefile install differs from the GeoJSON install:\n%s", geo)
	}
}

func TestInstallOptionsErrors(t *testing.T) {
	ctx := context.Background()
	src := installSources(t)
	for _, tc := range []struct {
		name string
		opt  InstallOptions
		want error
	}{
		{"neither", InstallOptions{Dir: t.TempDir(), Provinces: fixtureProvinces()}, ErrInstallOptions},
		{"both", InstallOptions{From: src, Download: true, Dir: t.TempDir(), Provinces: fixtureProvinces()}, ErrInstallOptions},
		{"no provinces", InstallOptions{From: src, Dir: t.TempDir()}, ErrInstallOptions},
		{"provinces file missing", InstallOptions{From: src, Dir: t.TempDir(), Provinces: fstest.MapFS{}}, fs.ErrNotExist},
		{"provinces corrupt", InstallOptions{From: src, Dir: t.TempDir(), Provinces: fstest.MapFS{provincesName: {Data: []byte(`{"type":"FeatureCollection","features":[`)}}}, ErrInvalidInput},
		{"no AFG provinces", InstallOptions{From: src, Dir: t.TempDir(), Provinces: fstest.MapFS{provincesName: {Data: []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Sindh","country":"PAK"},"geometry":{"type":"Polygon","coordinates":[[[67,25],[68,25],[68,26],[67,25]]]}}]}`)}}}, ErrInvalidInput},
		{"from missing", InstallOptions{From: filepath.Join(t.TempDir(), "nope"), Dir: t.TempDir(), Provinces: fixtureProvinces()}, fs.ErrNotExist},
		{"from is a file", InstallOptions{From: filepath.Join(fixtureDir, provincesName), Dir: t.TempDir(), Provinces: fixtureProvinces()}, ErrInstallOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Install(ctx, tc.opt)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// copyFixtures copies the fixture inputs into a new directory, replacing
// the files named in replace (nil content removes the file).
func copyFixtures(t *testing.T, replace map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{afgGeoJSONName, pakGeoJSONName} {
		b, err := readSource(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, b := range replace {
		if b == nil {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func afgFeature(props, geom string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}]}`)
}

const (
	okProps = `{"shapeName":"X","shapeID":"1","shapeGroup":"AFG"}`
	okGeom  = `{"type":"Polygon","coordinates":[[[66,31],[66.1,31],[66.1,31.1],[66,31]]]}`
)

func TestInstallCorruptInput(t *testing.T) {
	fixture, err := readSource(afgGeoJSONName)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		file    string
		content []byte // nil removes the file
		want    error
		msg     string
	}{
		{"truncated", afgGeoJSONName, fixture[:len(fixture)/2], ErrInvalidInput, "truncated"},
		{"empty", afgGeoJSONName, []byte{}, ErrInvalidInput, "empty"},
		{"not json", afgGeoJSONName, []byte("PK\x03\x04 zip?"), ErrInvalidInput, "syntax error at byte 1"},
		{"wrong top type", afgGeoJSONName, []byte(`{"type":"Feature"}`), ErrInvalidInput, "want FeatureCollection"},
		{"no features", afgGeoJSONName, []byte(`{"type":"FeatureCollection","features":[]}`), ErrInvalidInput, "no features"},
		{"point", afgGeoJSONName, afgFeature(okProps, `{"type":"Point","coordinates":[66,31]}`), ErrInvalidInput, `geometry type is "Point"`},
		{"null geometry", afgGeoJSONName, afgFeature(okProps, `null`), ErrInvalidInput, "geometry is missing or null"},
		{"coordinates not numbers", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[["a","b"]]]}`), ErrInvalidInput, "is a JSON string"},
		{"missing name", afgGeoJSONName, afgFeature(`{"shapeID":"1"}`, okGeom), ErrInvalidInput, `"shapeName" is missing`},
		{"name not string", afgGeoJSONName, afgFeature(`{"shapeName":7,"shapeID":"1"}`, okGeom), ErrInvalidInput, `"shapeName" is float64`},
		{"wrong country", afgGeoJSONName, afgFeature(`{"shapeName":"X","shapeID":"1","shapeGroup":"IRN"}`, okGeom), ErrInvalidInput, "want AFG"},
		{"lon out of range", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[[200,31],[66.1,31],[66.1,31.1],[200,31]]]}`), ErrInvalidInput, "outside WGS84"},
		{"projected", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[[7e6,3e6],[7.1e6,3e6],[7.1e6,3.1e6],[7e6,3e6]]]}`), ErrInvalidInput, "projected"},
		{"outside region", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[[2,48],[2.1,48],[2.1,48.1],[2,48]]]}`), ErrInvalidInput, "outside the Afghanistan–Pakistan region"},
		{"ring too short", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[[66,31],[66.1,31],[66,31]]]}`), ErrInvalidInput, "want at least 4"},
		{"ring not closed", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[[66,31],[66.1,31],[66.1,31.1],[66,31.1]]]}`), ErrInvalidInput, "not closed"},
		{"1-D position", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[[66],[66.1,31],[66.1,31.1],[66]]]}`), ErrInvalidInput, "want at least 2"},
		{"no area", afgGeoJSONName, afgFeature(okProps, `{"type":"Polygon","coordinates":[[[66,31],[66.1,31],[66.2,31],[66,31]]]}`), ErrInvalidInput, "no area"},
		{"duplicate id", afgGeoJSONName, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + okProps + `,"geometry":` + okGeom + `},{"type":"Feature","properties":` + okProps + `,"geometry":` + okGeom + `}]}`), ErrInvalidInput, "duplicate district id AFG-1"},
		{"pak missing pcode", pakGeoJSONName, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ADM2_EN":"X","ADM1_EN":"Sindh"},"geometry":` + okGeom + `}]}`), ErrInvalidInput, "neither ADM2_PCODE nor ADM1_PCODE"},
		{"pak missing file", pakGeoJSONName, nil, fs.ErrNotExist, pakGeoJSONName + " not found"},
		{"afg missing file", afgGeoJSONName, nil, fs.ErrNotExist, afgGeoJSONName + " or " + afgShpName + " not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := copyFixtures(t, map[string][]byte{tc.file: tc.content})
			dir := t.TempDir()
			_, err := Install(context.Background(), InstallOptions{From: from, Dir: dir, Provinces: fixtureProvinces()})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var ie *InstallError
			if !errors.As(err, &ie) || !strings.Contains(ie.File, tc.file) {
				t.Errorf("err = %#v, want an *InstallError naming %s", err, tc.file)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want it to mention %q", err, tc.msg)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed install left files: %v", entries)
			}
		})
	}
}

func TestInstallCorruptShapefile(t *testing.T) {
	base := t.TempDir()
	writeFixtureShapefile(t, base)
	shpData, err := os.ReadFile(filepath.Join(base, afgShpName))
	if err != nil {
		t.Fatal(err)
	}
	dbfData, err := os.ReadFile(filepath.Join(base, afgDbfName))
	if err != nil {
		t.Fatal(err)
	}
	pak, err := readSource(pakGeoJSONName)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(b []byte, f func([]byte)) []byte {
		c := bytes.Clone(b)
		f(c)
		return c
	}
	nan := mod(shpData, func(b []byte) {
		// First point of the first record: header 100 + record header 8 +
		// type 4 + box 32 + counts 8 + one part index 4.
		copy(b[100+8+4+32+8+4:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	})
	for _, tc := range []struct {
		name     string
		shp, dbf []byte // nil: file absent
		file     string
		want     error
		msg      string
	}{
		{"truncated shp", shpData[:len(shpData)-10], dbfData, afgShpName, ErrInvalidInput, "truncated"},
		{"short shp", shpData[:50], dbfData, afgShpName, ErrInvalidInput, "too short"},
		{"not a shapefile", mod(shpData, func(b []byte) { b[3] = 0 }), dbfData, afgShpName, ErrInvalidInput, "file code"},
		{"polyline", mod(shpData, func(b []byte) { b[32] = 3 }), dbfData, afgShpName, ErrInvalidInput, "want 5 (Polygon)"},
		{"record polyline", mod(shpData, func(b []byte) { b[108] = 3 }), dbfData, afgShpName, ErrInvalidInput, "record 0: shape type 3"},
		{"huge part count", mod(shpData, func(b []byte) { b[108+36+3] = 0x7f }), dbfData, afgShpName, ErrInvalidInput, "parts"},
		{"nan", nan, dbfData, afgShpName, ErrInvalidInput, "not a finite number"},
		{"missing dbf", shpData, nil, afgDbfName, fs.ErrNotExist, "attribute table"},
		{"truncated dbf", shpData, dbfData[:len(dbfData)-40], afgDbfName, ErrInvalidInput, "truncated"},
		{"dbf no terminator", shpData, mod(dbfData, func(b []byte) { b[32+5*32] = 'x' }), afgDbfName, ErrInvalidInput, "terminator"},
		{"dbf row count", shpData, mod(dbfData, func(b []byte) { b[4] = 2 }), afgDbfName, ErrInvalidInput, "has 2 records, the shapefile has 3"},
		{"dbf bad flag", shpData, mod(dbfData, func(b []byte) { b[int(b[8])|int(b[9])<<8] = 'Z' }), afgDbfName, ErrInvalidInput, "deletion flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := t.TempDir()
			write := func(name string, b []byte) {
				if b == nil {
					return
				}
				if err := os.WriteFile(filepath.Join(from, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write(afgShpName, tc.shp)
			write(afgDbfName, tc.dbf)
			write(pakGeoJSONName, pak)
			_, err := Install(context.Background(), InstallOptions{From: from, Dir: t.TempDir(), Provinces: fixtureProvinces()})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var ie *InstallError
			if !errors.As(err, &ie) || !strings.HasSuffix(ie.File, tc.file) {
				t.Errorf("err = %#v, want an *InstallError naming %s", err, tc.file)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want it to mention %q", err, tc.msg)
			}
		})
	}
}

func TestInstallKeepsPreviousOnFailure(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := Install(ctx, InstallOptions{From: installSources(t), Dir: dir, Provinces: fixtureProvinces()}); err != nil {
		t.Fatal(err)
	}
	_, geo, prov := readOutput(t, dir)
	bad := copyFixtures(t, map[string][]byte{pakGeoJSONName: []byte(`{"type":"FeatureCollection","features":[{"type":`)})
	if _, err := Install(ctx, InstallOptions{From: bad, Dir: dir, Provinces: fixtureProvinces()}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("err = %v, want ErrInvalidInput", err)
	}
	_, geo2, prov2 := readOutput(t, dir)
	if !bytes.Equal(geo, geo2) || !bytes.Equal(prov, prov2) {
		t.Error("failed install changed the previous install")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("directory holds %v, want only the two installed files", entries)
	}
	// A cancelled context stops the install too.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Install(cctx, InstallOptions{From: installSources(t), Dir: dir, Provinces: fixtureProvinces()}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled install: err = %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("DURAND_DATA_DIR", "/srv/durand")
	if d, err := DefaultDir(); err != nil || d != "/srv/durand" {
		t.Errorf("DURAND_DATA_DIR: %q, %v", d, err)
	}
	t.Setenv("DURAND_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "/x/share")
	if d, err := DefaultDir(); err != nil || d != filepath.Join("/x/share", "durand") {
		t.Errorf("XDG_DATA_HOME: %q, %v", d, err)
	}
	t.Setenv("XDG_DATA_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/u")
	if d, err := DefaultDir(); err != nil || d != filepath.Join("/home/u", ".local", "share", "durand") {
		t.Errorf("home fallback: %q, %v", d, err)
	}
}

func TestPakProvince(t *testing.T) {
	provs := []*province{
		{name: "Gilgit-Baltistan", country: "PAK", aliases: []string{nameKey("Gilgit-Baltistan")}},
		{name: "Khyber Pakhtunkhwa", country: "PAK", aliases: []string{nameKey("Khyber Pakhtunkhwa")}},
		{name: "Islamabad Capital Territory", country: "PAK", aliases: []string{nameKey("Islamabad Capital Territory"), nameKey("Islamabad")}},
		{name: "Sindh", country: "PAK", aliases: []string{nameKey("Sindh")}},
		{name: "Punjab", country: "IND", aliases: []string{nameKey("Punjab")}},
	}
	for _, tc := range []struct {
		adm1, want string
		found      bool
	}{
		{"Gilgit Baltistan", "Gilgit-Baltistan", true},
		{"Khyber Pakhtunkhwa", "Khyber Pakhtunkhwa", true},
		{"Islamabad", "Islamabad Capital Territory", true},
		{"Sind", "Sindh", true},
		{"Punjab", "Punjab", false}, // only an Indian Punjab in the layer
		{"Azad Kashmir", "Azad Kashmir", false},
		{"Jammu & Kashmir", "Jammu & Kashmir", false},
	} {
		t.Run(tc.adm1, func(t *testing.T) {
			got, found := pakProvince(tc.adm1, provs)
			if got != tc.want || found != tc.found {
				t.Errorf("pakProvince(%q) = %q, %v; want %q, %v", tc.adm1, got, found, tc.want, tc.found)
			}
		})
	}
}

func TestBestOverlap(t *testing.T) {
	square := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	mk := func(name string, mp orb.MultiPolygon) *province {
		return &province{name: name, country: "AFG", geom: mp, index: newScanIndex(mp)}
	}
	// A province with a hole where most of the district lies.
	holed := orb.MultiPolygon{{{{60, 30}, {64, 30}, {64, 34}, {60, 34}, {60, 30}}, {{61, 31}, {61, 33}, {63, 33}, {63, 31}, {61, 31}}}}
	provs := []*province{mk("Holed", holed), mk("Inner", square(61, 31, 63, 33)), mk("Far", square(70, 30, 71, 31))}
	for _, tc := range []struct {
		name      string
		district  orb.MultiPolygon
		want      string
		wantShare float64
	}{
		{"inside hole", square(61.5, 31.5, 62.5, 32.5), "Inner", 1},
		{"mostly in ring", square(60.2, 30.2, 61.2, 31.2), "Holed", 0.96},
		{"straddling", square(60.5, 31.5, 61.9, 32), "Inner", 0.9 / 1.4},
		{"nowhere", square(80, 30, 81, 31), "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ov := overlaps(tc.district, provs)
			got, share := "", 0.0
			if len(ov) > 0 {
				got, share = ov[0].p.name, ov[0].share
			}
			if got != tc.want || math.Abs(share-tc.wantShare) > 0.01 {
				t.Errorf("overlaps = %q, %.3f; want %q, %.3f", got, share, tc.want, tc.wantShare)
			}
		})
	}
}

// ------------------------------------------------------------ shared data

func installShared(t testing.TB, from string, provs fs.FS) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := Install(context.Background(), InstallOptions{From: from, Dir: dir, Provinces: provs}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestInstallSharedData(t *testing.T) {
	shared := sharedDataDir(t)
	provs := neProvinces(t)
	dir := t.TempDir()
	rep, err := Install(context.Background(), InstallOptions{From: shared, Dir: dir, Provinces: provs})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Districts != 558 || rep.Countries[0].Districts != 398 || rep.Countries[1].Districts != 160 {
		t.Errorf("counts: %+v", rep.Countries)
	}
	for _, w := range rep.Warnings {
		t.Logf("warning: %s", w)
	}
	for _, n := range rep.Notes {
		t.Logf("note: %s", n)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings: %q, want none", rep.Warnings)
	}
	if !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "Jammu & Kashmir") && strings.Contains(n, "left out") }) {
		t.Errorf("notes %q do not say the Indian-administered unit was left out", rep.Notes)
	}
	doc, geo, _ := readOutput(t, dir)
	checkSchema(t, doc, geo)
	// Disputed territory: no Indian-administered unit is served as a
	// Pakistani district (Srinagar and Jammu fall in no district), and every
	// district of Azad Kashmir and Gilgit-Baltistan, and only those, carries
	// the administration note.
	for _, f := range doc.Features {
		p := f.Properties
		if p["source_id"] == IndianAdministeredPCode || strings.Contains(p["name"], "Jammu & Kashmir") {
			t.Errorf("%s (%s): the Indian-administered unit is in the PAK layer", f.ID, p["name"])
		}
		disputed := p["province"] == "Gilgit-Baltistan" || p["province"] == "Azad Kashmir"
		if disputed != (p["administration"] == AdministrationNote) {
			t.Errorf("%s (%s, %s): administration %q", f.ID, p["name"], p["province"], p["administration"])
		}
		for name, pt := range map[string]orb.Point{"Srinagar": {74.797, 34.084}, "Jammu": {74.857, 32.727}} {
			for _, poly := range f.Geometry.Coordinates {
				if planar.RingContains(poly[0], pt) {
					t.Errorf("%s (%s) contains %s", f.ID, p["name"], name)
				}
			}
		}
	}
	byID := map[string]map[string]string{}
	for _, f := range doc.Features {
		byID[f.ID] = f.Properties
	}
	for id, want := range map[string]string{
		"AFG-17698898B16178473007687": "Spin Boldak/Kandahar/AFG/geoBoundaries",
		"AFG-17698898B51729905625670": "Gurbuz/Khost/AFG/geoBoundaries",
		"PAK-PK235":                   "Chaman/Balochistan/PAK/OCHA COD-AB",
		"PAK-PK525":                   "North Waziristan/Khyber Pakhtunkhwa/PAK/OCHA COD-AB",
		"PAK-PK306":                   "Hunza/Gilgit-Baltistan/PAK/OCHA COD-AB",
		// Corrected (see afgProvinceCorrections) or ambiguous overlaps.
		"AFG-17698898B48544319080592": "Mosa Khail/Khost/AFG/geoBoundaries",
		"AFG-17698898B88117199286775": "Jaghatu/Wardak/AFG/geoBoundaries",
		"AFG-17698898B2431624392014":  "Chimtal/Balkh/AFG/geoBoundaries",
	} {
		p := byID[id]
		if got := p["name"] + "/" + p["province"] + "/" + p["country"] + "/" + p["source"]; got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	// Every district has a province; compare with the point-on-surface
	// lookup in shared/data/derived (Natural Earth names, before the
	// Daykundi/Panjshir correction).
	f, err := os.Open(filepath.Join(shared, "derived", "afg_adm2_ne_province_lookup.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	corrected := map[string]string{"AFG-1753": "Daykundi", "AFG-1769": "Panjshir"}
	agree := 0
	for _, r := range rows[1:] {
		want := r[2]
		if c, ok := corrected[r[4]]; ok {
			want = c
		}
		got := byID["AFG-"+r[0]]["province"]
		if got == want {
			agree++
		} else {
			t.Logf("%s (%s): overlap gives %s, point-on-surface %s", r[0], r[1], got, want)
		}
	}
	if agree < 395 {
		t.Errorf("only %d of %d districts agree with the point-on-surface lookup", agree, len(rows)-1)
	}
	for _, d := range doc.Features {
		if d.Properties["province"] == "" {
			t.Errorf("%s (%s) has no province", d.ID, d.Properties["name"])
		}
	}
}

// TestInstallSharedDefaultProvinces runs the install with the project's
// own embedded provinces layer and opens the result as an atlas.
func TestInstallSharedDefaultProvinces(t *testing.T) {
	shared := sharedDataDir(t)
	provs := FS()
	dir := t.TempDir()
	rep, err := Install(context.Background(), InstallOptions{From: shared, Dir: dir, Provinces: provs})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(rep.Warnings, rep.Notes...) {
		t.Logf("warning/note: %s", n)
	}
	doc, _, _ := readOutput(t, dir)
	names := map[string]bool{}
	for _, p := range mustProvinces(t, provs) {
		names[p.name] = true
	}
	got := map[string]string{}
	for _, f := range doc.Features {
		p := f.Properties
		got[p["name"]+"/"+p["country"]] = p["province"]
		if !names[p["province"]] && p["province"] != "Jammu & Kashmir" {
			t.Errorf("%s (%s): province %q is not in provinces.geojson", f.ID, p["name"], p["province"])
		}
	}
	for k, want := range map[string]string{
		"Spin Boldak/AFG": "Kandahar", "Gurbuz/AFG": "Khost", "Chaman/PAK": "Balochistan",
		"Mosa Khail/AFG": "Khost", "Jaghatu/AFG": "Maidan Wardak", "Islamabad/PAK": "Islamabad Capital Territory",
		"Hunza/PAK": "Gilgit-Baltistan", "Bajaur/PAK": "Khyber Pakhtunkhwa",
	} {
		if got[k] != want {
			t.Errorf("%s: province %q, want %q", k, got[k], want)
		}
	}

	a, err := Open(dir)
	if err != nil {
		t.Fatalf("installed districts do not load: %v", err)
	}
	if n := len(a.Districts()); n != 558 {
		t.Errorf("atlas has %d districts, want 558", n)
	}
	loc, err := a.Locate(orb.Point{66.398, 31.005}) // Spin Boldak town
	if err != nil {
		t.Fatal(err)
	}
	if loc.District != "Spin Boldak" || loc.Province != "Kandahar" {
		t.Errorf("Locate(Spin Boldak town) = %+v", loc)
	}
}

func mustProvinces(t *testing.T, provs fs.FS) []*province {
	t.Helper()
	in := &installer{opt: InstallOptions{Provinces: provs}, rep: &InstallReport{}}
	ps, _, err := in.loadProvinces()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestInstallDeterministic(t *testing.T) {
	shared := sharedDataDir(t)
	provs := neProvinces(t)
	_, g1, p1 := readOutput(t, installShared(t, shared, provs))
	_, g2, p2 := readOutput(t, installShared(t, shared, provs))
	if !bytes.Equal(g1, g2) || !bytes.Equal(p1, p2) {
		t.Error("two installs from the same inputs differ")
	}
}

// linkShared makes a --from directory holding only the named shared files
// (flat layout), as symbolic links.
func linkShared(t testing.TB, shared string, rels ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, rel := range rels {
		if err := os.Symlink(filepath.Join(shared, rel), filepath.Join(dir, filepath.Base(rel))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var sharedShapefile = []string{
	afgSubdir + "/" + afgShpName, afgSubdir + "/" + afgDbfName, pakSubdir + "/" + pakGeoJSONName,
}

// TestInstallSharedShapefile checks that the shapefile and its GeoJSON
// conversion give the same districts.
func TestInstallSharedShapefile(t *testing.T) {
	shared := sharedDataDir(t)
	provs := neProvinces(t)
	fromShp := linkShared(t, shared, sharedShapefile...)
	a, _, provA := readOutput(t, installShared(t, fromShp, provs))
	b, _, _ := readOutput(t, installShared(t, shared, provs))
	if len(a.Features) != len(b.Features) {
		t.Fatalf("%d vs %d features", len(a.Features), len(b.Features))
	}
	var diffPts, diffFeat int
	for i := range a.Features {
		fa, fb := a.Features[i], b.Features[i]
		if fa.ID != fb.ID || fa.Properties["province"] != fb.Properties["province"] || fa.Properties["name"] != fb.Properties["name"] {
			t.Errorf("feature %d: %v vs %v", i, fa.Properties, fb.Properties)
			continue
		}
		ga, gb := fa.Geometry.Coordinates, fb.Geometry.Coordinates
		if !ga.Equal(gb) {
			diffFeat++
			if len(ga) != len(gb) {
				t.Errorf("%s: %d vs %d polygons", fa.ID, len(ga), len(gb))
				continue
			}
			for pi := range ga {
				for ri := range ga[pi] {
					if len(ga[pi][ri]) != len(gb[pi][ri]) {
						t.Errorf("%s: polygon %d ring %d: %d vs %d points", fa.ID, pi, ri, len(ga[pi][ri]), len(gb[pi][ri]))
						continue
					}
					for k := range ga[pi][ri] {
						pa, pb := ga[pi][ri][k], gb[pi][ri][k]
						if pa != pb {
							diffPts++
							if math.Abs(pa[0]-pb[0]) > 1.5e-7 || math.Abs(pa[1]-pb[1]) > 1.5e-7 {
								t.Errorf("%s: point %v vs %v", fa.ID, pa, pb)
							}
						}
					}
				}
			}
		}
	}
	t.Logf("shapefile vs GeoJSON: %d features differ, %d points differ by one unit in the 7th decimal", diffFeat, diffPts)
	var p geo.Provenance
	if err := json.Unmarshal(provA, &p); err != nil {
		t.Fatal(err)
	}
	if f := p.Layers[0].Files; len(f) != 2 || f[0].Pin != "verified" || f[1].Pin != "verified" {
		t.Errorf("shapefile provenance files: %+v", f)
	}
}

func TestPinnedFilesMatchShared(t *testing.T) {
	shared := sharedDataDir(t)
	for _, p := range PinnedFiles() {
		sub := afgSubdir
		if p.Repo == pakRepo {
			sub = pakSubdir
		}
		b, err := os.ReadFile(filepath.Join(shared, sub, filepath.Base(p.Path)))
		if err != nil {
			t.Errorf("%s: %v", p.Path, err)
			continue
		}
		f := &inputFile{name: filepath.Base(p.Path), data: b}
		in := &installer{rep: &InstallReport{}}
		in.addInput(f)
		if f.sum != p.SHA256 || int64(len(b)) != p.Size {
			t.Errorf("%s: sha256 %s size %d, pinned %s size %d", p.Path, f.sum, len(b), p.SHA256, p.Size)
		}
		if !strings.HasPrefix(p.URL(""), DefaultDownloadBase+"/"+p.Repo+"/"+p.Commit+"/") {
			t.Errorf("%s: URL %s", p.Path, p.URL(""))
		}
	}
}

// ------------------------------------------------------------ downloads

// pinnedServer serves the shared copies of the pinned files at their
// upstream paths; tamper, if set, may change a file's bytes.
func pinnedServer(t testing.TB, shared string, tamper func(path string, b []byte) []byte) *httptest.Server {
	t.Helper()
	files := map[string]string{}
	for _, p := range PinnedFiles() {
		sub := afgSubdir
		if p.Repo == pakRepo {
			sub = pakSubdir
		}
		files["/"+p.Repo+"/"+p.Commit+"/"+p.Path] = filepath.Join(shared, sub, filepath.Base(p.Path))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(local)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if tamper != nil {
			b = tamper(r.URL.Path, b)
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestInstallDownload(t *testing.T) {
	shared := sharedDataDir(t)
	provs := neProvinces(t)
	srv := pinnedServer(t, shared, nil)
	dir := t.TempDir()
	var progress bytes.Buffer
	rep, err := Install(context.Background(), InstallOptions{Download: true, DownloadBase: srv.URL, Client: srv.Client(), Dir: dir, Provinces: provs, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Inputs) != 3 {
		t.Errorf("inputs: %+v", rep.Inputs)
	}
	for _, in := range rep.Inputs {
		if in.Pin != "verified" || !strings.HasPrefix(in.Location, srv.URL) {
			t.Errorf("input %+v", in)
		}
	}
	if !strings.Contains(progress.String(), "downloading "+srv.URL) {
		t.Errorf("progress: %s", progress.String())
	}
	// Same output as a local install from the same (shapefile) files.
	_, g1, p1 := readOutput(t, dir)
	_, g2, p2 := readOutput(t, installShared(t, linkShared(t, shared, sharedShapefile...), provs))
	if !bytes.Equal(g1, g2) || !bytes.Equal(p1, p2) {
		t.Error("download install differs from the local shapefile install")
	}

	// A tampered file is refused and the previous install stays.
	bad := pinnedServer(t, shared, func(path string, b []byte) []byte {
		if strings.HasSuffix(path, ".dbf") {
			b = bytes.Clone(b)
			b[len(b)/2] ^= 1
		}
		return b
	})
	_, err = Install(context.Background(), InstallOptions{Download: true, DownloadBase: bad.URL, Dir: dir, Provinces: provs})
	var ie *InstallError
	if !errors.Is(err, ErrChecksum) || !errors.As(err, &ie) || !strings.HasSuffix(ie.File, afgDbfName) {
		t.Fatalf("tampered download: err = %v, want ErrChecksum naming the .dbf", err)
	}
	_, g3, p3 := readOutput(t, dir)
	if !bytes.Equal(g1, g3) || !bytes.Equal(p1, p3) {
		t.Error("failed download changed the previous install")
	}
}

// TestInstallDownloadErrors needs no shared data.
func TestInstallDownloadErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    error
		msg     string
	}{
		{"checksum mismatch", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "not the file") }, ErrChecksum, "got SHA-256"},
		{"not found", http.NotFound, nil, "HTTP 404"},
		{"too long", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 3<<20)) }, ErrChecksum, "(2928181 bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			dir := t.TempDir()
			_, err := Install(context.Background(), InstallOptions{Download: true, DownloadBase: srv.URL + "/", Dir: dir, Provinces: fixtureProvinces()})
			var ie *InstallError
			if err == nil || !errors.As(err, &ie) || !strings.HasPrefix(ie.File, srv.URL+"/"+afgRepo+"/"+afgCommit+"/") {
				t.Fatalf("err = %v, want an *InstallError naming the URL", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want it to mention %q", err, tc.msg)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed download left files: %v", entries)
			}
		})
	}
}

// ------------------------------------------------------------ benchmarks

func BenchmarkInstallSharedGeoJSON(b *testing.B) {
	shared := sharedDataDir(b)
	provs := neProvinces(b)
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Install(context.Background(), InstallOptions{From: shared, Dir: dir, Provinces: provs}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInstallSharedShapefile(b *testing.B) {
	shared := sharedDataDir(b)
	provs := neProvinces(b)
	from := linkShared(b, shared, sharedShapefile...)
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Install(context.Background(), InstallOptions{From: from, Dir: dir, Provinces: provs}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssignProvinces measures the overlap assignment alone.
func BenchmarkAssignProvinces(b *testing.B) {
	shared := sharedDataDir(b)
	pb, err := fs.ReadFile(neProvinces(b), provincesName)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(shared, afgSubdir, afgGeoJSONName))
	if err != nil {
		b.Fatal(err)
	}
	feats, err := decodeGeoJSON("afg", data, true)
	if err != nil {
		b.Fatal(err)
	}
	ds, err := geoBoundariesDistricts("afg", feats)
	if err != nil {
		b.Fatal(err)
	}
	in := &installer{opt: InstallOptions{Provinces: fstest.MapFS{provincesName: {Data: pb}}}, rep: &InstallReport{}}
	for b.Loop() {
		provs, _, err := in.loadProvinces()
		if err != nil {
			b.Fatal(err)
		}
		in.assignAFGProvinces(ds, provs)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
