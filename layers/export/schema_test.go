package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
)

// schemaLayer is a catalogue-like layer whose values would mislead
// inference: a Float whose values are all integral, an Int, a Date whose
// only value is "", a List, and a declared column no feature has.
func schemaLayer() layers.Layer {
	f1 := geojson.NewFeature(orb.Point{66.4, 30.9})
	f1.ID = "a"
	f1.Properties = geojson.Properties{"id": "a", "name": "A", "area_km2": 12.0, "severity": 3.0, "end_date": "",
		"sources": []any{"x", "y"}, "extra": 1.0}
	f2 := geojson.NewFeature(orb.Point{66.5, 31})
	f2.ID = "b"
	f2.Properties = geojson.Properties{"id": "b", "name": "B", "area_km2": 7.0, "severity": 1.0}
	return layers.Layer{Name: "zones", Title: "Zones", Attribution: "Test", Features: []*geojson.Feature{f1, f2},
		Schema: []layers.Field{{Name: "id", Kind: layers.String}, {Name: "name", Kind: layers.String}, {Name: "area_km2", Kind: layers.Float},
			{Name: "severity", Kind: layers.Int}, {Name: "end_date", Kind: layers.Date}, {Name: "sources", Kind: layers.List},
			{Name: "killed", Kind: layers.Int}, {Name: "note", Kind: layers.String}}}
}

// TestSchemaColumns: a catalogue layer's columns are its schema, typed as
// declared, whatever the values look like; an undeclared property is
// text. A layer without a schema keeps inference.
func TestSchemaColumns(t *testing.T) {
	want := map[string]kind{"id": kindText, "name": kindText, "area_km2": kindReal, "severity": kindInt,
		"end_date": kindDate, "sources": kindJSON, "killed": kindInt, "note": kindText, "extra": kindText}
	cols := columns(schemaLayer())
	if len(cols) != len(want) || cols[0].name != "id" || cols[1].name != "name" {
		t.Fatalf("columns = %+v, want id, name and the rest of %v", cols, want)
	}
	for _, c := range cols {
		if k, ok := want[c.name]; !ok || k != c.kind {
			t.Errorf("column %s: kind %d, want %d (declared %v)", c.name, c.kind, k, ok)
		}
	}
	if got := CSVTypes(schemaLayer()); got != "WKT,String,String,Real,Date,String,Integer,String,Integer,String,String\n" {
		t.Errorf("CSVTypes = %q", got)
	}
	l := schemaLayer()
	l.Schema = nil
	for _, c := range columns(l) {
		if c.name == "area_km2" && c.kind != kindReal || c.name == "killed" {
			t.Errorf("inferred column %+v", c)
		}
	}
}

// TestGDALSchema: GDAL reads the declared types from the GeoPackage and
// from the CSV with its .csvt: Real for the integral-looking Float,
// Integer for the Int, Date, and the column no feature has.
func TestGDALSchema(t *testing.T) {
	ogrinfo := geotest.RequireTool(t, "ogrinfo")
	l := schemaLayer()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "zones.csvt"), []byte(CSVTypes(l)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{GeoPackage, CSV} {
		t.Run(string(f), func(t *testing.T) {
			path := filepath.Join(dir, "zones."+f.Ext())
			if err := WriteFile(path, l, f); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(ogrinfo, "-ro", "-al", path).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, out)
			}
			s := string(out)
			for col, typ := range map[string]string{"area_km2": "Real", "severity": "Integer", "killed": "Integer",
				"end_date": "Date", "note": "String", "extra": "String"} {
				if f == GeoPackage && typ == "Integer" {
					typ = "Integer(64)?" // GDAL reads a GeoPackage INTEGER as Integer64
				}
				if !regexp.MustCompile(`(?m)^` + col + `: ` + typ + ` `).MatchString(s) {
					t.Errorf("%s is not read as %s:\n%s", col, typ, s)
				}
			}
			if !strings.Contains(s, "area_km2 (Real) = 12") || !strings.Contains(s, "severity (Integer") {
				t.Errorf("values:\n%s", s)
			}
		})
	}
}
