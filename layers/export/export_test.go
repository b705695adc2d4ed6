package export

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geom/encoding/wkb"
	"github.com/twpayne/go-geom/encoding/wkt"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testLayer has a MultiPolygon, a Polygon (promoted to MultiPolygon in the
// GeoPackage), text with a comma, quote and non-ASCII letters, arrays,
// numbers, a boolean, a null and a property clashing with a reserved name.
func testLayer() layers.Layer {
	f1 := geojson.NewFeature(orb.MultiPolygon{{{{61, 29}, {62, 29}, {62, 30}, {61, 29}}}})
	f1.ID = "AFG-1741"
	f1.Properties = geojson.Properties{"id": "AFG-1741", "name": "Kandahār", "alt_names": []any{"Qandahar", "Kandahar"},
		"area_km2": 54022.5, "border": true, "note": nil, "geom": "dropped"}
	f2 := geojson.NewFeature(orb.Polygon{{{63, 29}, {64.5, 29}, {64.5, 30.25}, {63, 29}}})
	f2.ID = "PAK-2"
	f2.Properties = geojson.Properties{"id": "PAK-2", "name": `Khyber "KP", Pakhtunkhwa`, "alt_names": []any{},
		"area_km2": 101741.0, "border": false, "note": "merged 2018"}
	return layers.Layer{
		Name: "provinces", Title: "Provinces", Description: "Test provinces.",
		Attribution: "Test data © Example", Features: []*geojson.Feature{f1, f2},
		Updated: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name, in string
		want     Format
		err      bool
	}{
		{"geojson", "geojson", GeoJSON, false},
		{"json alias", "json", GeoJSON, false},
		{"gpkg", "gpkg", GeoPackage, false},
		{"geopackage alias upper", "GeoPackage", GeoPackage, false},
		{"kml", "kml", KML, false},
		{"csv spaced", " csv ", CSV, false},
		{"unknown", "shp", "", true},
		{"empty", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if (err != nil) != tc.err || got != tc.want {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
			}
			if err != nil && !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("error %v is not ErrUnknownFormat", err)
			}
		})
	}
}

func TestColumns(t *testing.T) {
	cols := columns(testLayer())
	var names []string
	kinds := map[string]kind{}
	for _, c := range cols {
		names = append(names, c.name)
		kinds[c.name] = c.kind
	}
	want := []string{"id", "name", "alt_names", "area_km2", "border", "note"}
	if !slices.Equal(names, want) {
		t.Fatalf("columns = %v, want %v (geom is reserved)", names, want)
	}
	for name, k := range map[string]kind{"id": kindText, "name": kindText, "alt_names": kindJSON, "area_km2": kindReal, "border": kindBool, "note": kindText} {
		if kinds[name] != k {
			t.Errorf("column %s has kind %d, want %d", name, kinds[name], k)
		}
	}
}

func writeTo(t *testing.T, l layers.Layer, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, l, f); err != nil {
		t.Fatalf("Write %s: %v", f, err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
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
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	for _, f := range []Format{GeoJSON, KML, CSV} {
		t.Run(string(f), func(t *testing.T) {
			golden(t, "provinces."+f.Ext(), writeTo(t, testLayer(), f))
		})
	}
}

func TestGeoJSON(t *testing.T) {
	l := testLayer()
	b := writeTo(t, l, GeoJSON)
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 2 || fc.Features[0].ID != "AFG-1741" || fc.Features[1].Properties["name"] != l.Features[1].Properties["name"] {
		t.Errorf("features do not round-trip: %+v", fc.Features)
	}
	if fc.ExtraMembers["attribution"] != l.Attribution || fc.ExtraMembers["name"] != "provinces" {
		t.Errorf("foreign members = %v, want name and attribution", fc.ExtraMembers)
	}
}

func TestCSV(t *testing.T) {
	l := testLayer()
	recs, err := csv.NewReader(bytes.NewReader(writeTo(t, l, CSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHead := []string{"WKT", "id", "name", "alt_names", "area_km2", "border", "note", "attribution"}
	if !slices.Equal(recs[0], wantHead) {
		t.Fatalf("header = %v, want %v", recs[0], wantHead)
	}
	if len(recs) != 3 {
		t.Fatalf("%d rows, want header + 2", len(recs))
	}
	for i, rec := range recs[1:] {
		g, err := wkt.Unmarshal(rec[0])
		if err != nil {
			t.Fatalf("row %d: WKT %q: %v", i, rec[0], err)
		}
		want, _ := geo.ToGeom(l.Features[i].Geometry)
		if !slices.Equal(g.FlatCoords(), want.FlatCoords()) {
			t.Errorf("row %d: coordinates %v, want %v", i, g.FlatCoords(), want.FlatCoords())
		}
		if rec[len(rec)-1] != l.Attribution {
			t.Errorf("row %d: attribution %q", i, rec[len(rec)-1])
		}
	}
	if got := recs[1][3]; got != `["Qandahar","Kandahar"]` {
		t.Errorf("alt_names = %q, want JSON array", got)
	}
	if recs[1][4] != "54022.5" || recs[1][5] != "true" || recs[1][6] != "" || recs[2][2] != `Khyber "KP", Pakhtunkhwa` {
		t.Errorf("values = %v / %v", recs[1], recs[2])
	}
}

func TestKML(t *testing.T) {
	l := testLayer()
	var doc struct {
		Document struct {
			Name        string `xml:"name"`
			Description string `xml:"description"`
			Schema      struct {
				ID     string `xml:"id,attr"`
				Fields []struct {
					Name string `xml:"name,attr"`
					Type string `xml:"type,attr"`
				} `xml:"SimpleField"`
			} `xml:"Schema"`
			Placemarks []struct {
				Name string `xml:"name"`
				Data []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:",chardata"`
				} `xml:"ExtendedData>SchemaData>SimpleData"`
				MultiGeometry *struct{} `xml:"MultiGeometry"`
			} `xml:"Folder>Placemark"`
		} `xml:"Document"`
	}
	if err := xml.Unmarshal(writeTo(t, l, KML), &doc); err != nil {
		t.Fatal(err)
	}
	d := doc.Document
	if d.Name != "provinces" || !strings.Contains(d.Description, l.Attribution) {
		t.Errorf("document name %q, description %q: want the layer name and the attribution", d.Name, d.Description)
	}
	if len(d.Placemarks) != 2 || d.Placemarks[0].Name != "Kandahār" || d.Placemarks[0].MultiGeometry == nil {
		t.Fatalf("placemarks = %+v", d.Placemarks)
	}
	vals := map[string]string{}
	for _, x := range d.Placemarks[0].Data {
		vals[x.Name] = x.Value
	}
	if vals["id"] != "AFG-1741" || vals["area_km2"] != "54022.5" || vals["border"] != "true" {
		t.Errorf("SimpleData = %v", vals)
	}
	if _, ok := vals["note"]; ok {
		t.Errorf("null note written as %q, want it left out", vals["note"])
	}
}

func TestGeoPackage(t *testing.T) {
	l := testLayer()
	path := filepath.Join(t.TempDir(), "p.gpkg")
	if err := WriteFile(path, l, GeoPackage); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if binary.BigEndian.Uint32(raw[68:72]) != gpkgApplicationID || binary.BigEndian.Uint32(raw[60:64]) != gpkgUserVersion {
		t.Errorf("SQLite header: application_id %x, user_version %d", raw[68:72], binary.BigEndian.Uint32(raw[60:64]))
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	one := func(q string, args ...any) string {
		t.Helper()
		var s sql.NullString
		if err := db.QueryRow(q, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s.String
	}
	checks := []struct{ name, q, want string }{
		{"integrity", "PRAGMA integrity_check", "ok"},
		{"contents", "SELECT table_name || '|' || data_type || '|' || identifier || '|' || srs_id || '|' || last_change FROM gpkg_contents", "provinces|features|Provinces|4326|2024-05-01T12:00:00.000Z"},
		{"contents extent", "SELECT min_x || ',' || min_y || ',' || max_x || ',' || max_y FROM gpkg_contents", "61.0,29.0,64.5,30.25"},
		{"attribution", "SELECT instr(description, 'Test data © Example') > 0 FROM gpkg_contents", "1"},
		{"geometry columns", "SELECT table_name || '|' || column_name || '|' || geometry_type_name || '|' || srs_id || '|' || z || '|' || m FROM gpkg_geometry_columns", "provinces|geom|MULTIPOLYGON|4326|0|0"},
		{"srs", "SELECT group_concat(srs_id) FROM (SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id)", "-1,0,4326"},
		{"extension", "SELECT extension_name || '|' || scope FROM gpkg_extensions WHERE table_name = 'provinces' AND column_name = 'geom'", "gpkg_rtree_index|write-only"},
		{"rtree rows", "SELECT count(*) FROM rtree_provinces_geom", "2"},
		{"triggers", "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_provinces_geom_%'", "6"},
		{"rows", "SELECT count(*) FROM provinces", "2"},
		{"text", "SELECT name FROM provinces WHERE fid = 2", `Khyber "KP", Pakhtunkhwa`},
		{"array", "SELECT alt_names FROM provinces WHERE fid = 1", `["Qandahar","Kandahar"]`},
		{"bool", "SELECT border FROM provinces WHERE fid = 1", "1"},
		{"null", "SELECT note IS NULL FROM provinces WHERE fid = 1", "1"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := one(c.q); got != c.want {
				t.Errorf("%s = %q, want %q", c.q, got, c.want)
			}
		})
	}
	// Geometry blobs: header, envelope, WKB.
	rows, err := db.Query("SELECT p.fid, p.geom, r.minx, r.maxx, r.miny, r.maxy FROM provinces p JOIN rtree_provinces_geom r ON r.id = p.fid ORDER BY p.fid")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var fid int
		var blob []byte
		var rt [4]float64
		if err := rows.Scan(&fid, &blob, &rt[0], &rt[1], &rt[2], &rt[3]); err != nil {
			t.Fatal(err)
		}
		f := l.Features[fid-1]
		b := f.Geometry.Bound()
		if string(blob[:2]) != "GP" || blob[2] != 0 || blob[3] != 0b0000_0011 {
			t.Fatalf("fid %d: header % x, want GP, version 0, flags 03 (XY envelope, little-endian)", fid, blob[:4])
		}
		if srs := binary.LittleEndian.Uint32(blob[4:8]); srs != 4326 {
			t.Errorf("fid %d: srs_id %d", fid, srs)
		}
		var env [4]float64
		for i := range env {
			env[i] = math.Float64frombits(binary.LittleEndian.Uint64(blob[8+8*i:]))
		}
		if env != [4]float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			t.Errorf("fid %d: envelope %v, want %v", fid, env, b)
		}
		// The R-tree holds float32 boxes that contain the envelope.
		if rt[0] > b.Min[0] || rt[1] < b.Max[0] || rt[2] > b.Min[1] || rt[3] < b.Max[1] {
			t.Errorf("fid %d: rtree box %v does not contain %v", fid, rt, b)
		}
		g, err := wkb.Unmarshal(blob[40:])
		if err != nil {
			t.Fatalf("fid %d: WKB: %v", fid, err)
		}
		want, _ := geo.ToGeom(f.Geometry)
		if !slices.Equal(g.FlatCoords(), want.FlatCoords()) {
			t.Errorf("fid %d: coordinates %v, want %v", fid, g.FlatCoords(), want.FlatCoords())
		}
		if g.Layout().Stride() != 2 {
			t.Errorf("fid %d: layout %v, want XY", fid, g.Layout())
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d geometries joined with the rtree, want 2", n)
	}
}

func TestGeometryTypeName(t *testing.T) {
	pt := geojson.NewFeature(orb.Point{1, 2})
	ln := geojson.NewFeature(orb.LineString{{1, 2}, {3, 4}})
	pg := geojson.NewFeature(orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}})
	mp := geojson.NewFeature(orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}})
	tests := []struct {
		name    string
		fs      []*geojson.Feature
		want    string
		promote bool
	}{
		{"points", []*geojson.Feature{pt, pt}, "POINT", false},
		{"line", []*geojson.Feature{ln}, "LINESTRING", false},
		{"polygon and multipolygon", []*geojson.Feature{pg, mp}, "MULTIPOLYGON", true},
		{"mixed", []*geojson.Feature{pt, ln}, "GEOMETRY", false},
		{"empty", nil, "GEOMETRY", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, promote := geometryTypeName(tc.fs)
			if got != tc.want || promote != tc.promote {
				t.Errorf("geometryTypeName = %s, %v; want %s, %v", got, promote, tc.want, tc.promote)
			}
		})
	}
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := testLayer()
	bad.Name = "gpkg_contents"
	tests := []struct {
		name   string
		path   string
		layer  layers.Layer
		format Format
	}{
		{"reserved table name", filepath.Join(dir, "a.gpkg"), bad, GeoPackage},
		{"table name with a space", filepath.Join(dir, "b.gpkg"), layers.Layer{Name: "a b"}, GeoPackage},
		{"question mark in path", filepath.Join(dir, "c?.gpkg"), testLayer(), GeoPackage},
		{"unknown format", filepath.Join(dir, "d.shp"), testLayer(), Format("shp")},
		{"missing directory", filepath.Join(dir, "no", "e.csv"), testLayer(), CSV},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := WriteFile(tc.path, tc.layer, tc.format); err == nil {
				t.Fatal("no error")
			}
			if _, err := os.Stat(tc.path); err == nil {
				t.Errorf("%s left behind", tc.path)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
}

func TestFromAtlas(t *testing.T) {
	a := miniAtlas(t)
	l, err := layers.FromAtlas(a, geo.LayerCrossings)
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "crossings" || l.Title != "Border crossings" || l.Attribution != "Crossings: test" || len(l.Features) != 1 {
		t.Errorf("layers.FromAtlas = %+v", l)
	}
	if _, err := layers.FromAtlas(a, "nope"); !errors.Is(err, geo.ErrUnknownLayer) {
		t.Errorf("unknown layer: %v", err)
	}
	if FileName("crossings", GeoPackage) != "durand-crossings.gpkg" {
		t.Errorf("FileName = %s", FileName("crossings", GeoPackage))
	}
}

// miniAtlas is the smallest atlas geo.Load accepts.
func miniAtlas(t *testing.T) *geo.Atlas {
	t.Helper()
	fc := func(features string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`{"type":"FeatureCollection","features":[` + features + `]}`)}
	}
	fsys := fstest.MapFS{
		geo.FileBorder: fc(`{"type":"Feature","id":"durand_line","properties":{"name":"Durand Line"},"geometry":{"type":"LineString","coordinates":[[61,29.5],[71,36]]}}`),
		geo.FileCountries: fc(`{"type":"Feature","id":"AFG","properties":{"name":"Afghanistan"},"geometry":{"type":"Polygon","coordinates":[[[61,29.5],[71,36],[61,38],[61,29.5]]]}},` +
			`{"type":"Feature","id":"PAK","properties":{"name":"Pakistan"},"geometry":{"type":"Polygon","coordinates":[[[61,29.5],[71,24],[71,36],[61,29.5]]]}}`),
		geo.FileProvinces:  fc(`{"type":"Feature","id":"AFG-1741","properties":{"name":"Kandahar","country":"AFG"},"geometry":{"type":"Polygon","coordinates":[[[61,29.5],[71,36],[61,38],[61,29.5]]]}}`),
		geo.FileCrossings:  fc(`{"type":"Feature","id":"torkham","properties":{"name":"Torkham","chainage_km":600},"geometry":{"type":"Point","coordinates":[66,32.75]}}`),
		geo.FileProvenance: &fstest.MapFile{Data: []byte(`{"layers":[{"layer":"crossings","attribution":"Crossings: test"}]}`)},
	}
	a, err := geo.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestGDAL opens every format with GDAL's ogrinfo and checks the feature
// count, the geometry and the attribute names and values it reads.
func TestGDAL(t *testing.T) {
	ogrinfo := geotest.RequireTool(t, "ogrinfo")
	dir := t.TempDir()
	l := testLayer()
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			path := filepath.Join(dir, "provinces."+f.Ext())
			if err := WriteFile(path, l, f); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(ogrinfo, "-ro", "-al", path).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, out)
			}
			// GDAL writes some coordinates as 29.0.
			s := regexp.MustCompile(`(\d)\.0([ ,)])`).ReplaceAllString(string(out), "$1$2")
			if m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(s); m == nil || m[1] != "2" {
				t.Errorf("feature count %v, want 2:\n%s", m, s)
			}
			for _, want := range []string{"AFG-1741", "PAK-2", "Kandahār", "54022.5", "MULTIPOLYGON ((", "POLYGON ((63 29,64.5 29,64.5 30.25,63 29))"} {
				if f == GeoPackage && strings.HasPrefix(want, "POLYGON") {
					want = "MULTIPOLYGON (((63 29,64.5 29,64.5 30.25,63 29)))"
				}
				if !strings.Contains(s, want) {
					t.Errorf("ogrinfo output lacks %q:\n%s", want, s)
				}
			}
			attr := map[Format]string{GeoJSON: "", GeoPackage: "Attribution: Test data © Example", KML: "", CSV: "attribution (String) = Test data © Example"}[f]
			if attr != "" && !strings.Contains(s, attr) {
				t.Errorf("ogrinfo output lacks the attribution %q:\n%s", attr, s)
			}
			if f == GeoPackage {
				idx, err := exec.Command(ogrinfo, "-ro", path, "-sql", "SELECT HasSpatialIndex('provinces', 'geom')").CombinedOutput()
				if err != nil || !strings.Contains(string(idx), "= 1") {
					t.Errorf("GDAL does not see the spatial index: %v\n%s", err, idx)
				}
				spat, err := exec.Command(ogrinfo, "-ro", "-so", path, "provinces", "-spat", "63.5", "29.1", "63.6", "29.2").CombinedOutput()
				if err != nil || !strings.Contains(string(spat), "Feature Count: 1") {
					t.Errorf("spatial filter through the index: %v\n%s", err, spat)
				}
			}
		})
	}
}

// TestGeoPackageDeterministic: a layer without Updated gives the same
// GeoPackage bytes however often and whenever it is written (replicas on
// one data version must answer one ETag), with the fixed last_change.
func TestGeoPackageDeterministic(t *testing.T) {
	l := testLayer()
	l.Updated = time.Time{}
	var first []byte
	for i := range 3 {
		if i > 0 {
			time.Sleep(1100 * time.Millisecond) // a build-time stamp would change by the second
		}
		var buf bytes.Buffer
		if err := Write(&buf, l, GeoPackage); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
			if !bytes.Contains(first, []byte(unknownChange)) {
				t.Errorf("no last_change %s in the file", unknownChange)
			}
			continue
		}
		if !bytes.Equal(buf.Bytes(), first) {
			t.Fatalf("write %d differs from the first (%d vs %d bytes)", i+1, buf.Len(), len(first))
		}
	}
}
