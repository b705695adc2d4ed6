package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
)

// catalogue returns every catalogue layer of the atlas with districts
// installed, the crossings with their status on the last day of the
// record.
func catalogue(t *testing.T) []layers.Layer {
	t.Helper()
	a := loadAtlas(t, districtsFS(t))
	last, _, err := layers.LastDay(a)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := layers.All(a, last)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// comparable returns the properties of f as ReadLayer gives them back: no
// null values, no empty dates.
func comparable(l layers.Layer, f *geojson.Feature) geojson.Properties {
	out := geojson.Properties{}
	for k, v := range f.Properties {
		if fd, ok := l.Field(k); v == nil || ok && fd.Kind == layers.Date && v == "" {
			continue
		}
		out[k] = v
	}
	return out
}

// TestLayersRoundTrip writes every catalogue layer (districts installed)
// with WriteLayers, checks that each column has the SQL type of its
// declared kind, reads every layer back with ReadLayer and finds the
// catalogue's features: same ids, geometries, and property values of the
// same Go types, in the same order, with the same title, attribution,
// licence, time range and schema. Writing again gives the same rows.
func TestLayersRoundTrip(t *testing.T) {
	ls := catalogue(t)
	pg, conn := connect(t)
	opt := postgis.Options{Schema: "t_layers", Buffers: testBuffers()}
	ctx := context.Background()
	for range 2 {
		counts, err := postgis.WriteLayers(ctx, conn, ls, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != len(ls) {
			t.Fatalf("%d tables for %d layers", len(counts), len(ls))
		}
	}
	if got := postgis.LayerSchema(opt); got != "t_layers_layers" {
		t.Errorf("LayerSchema = %q", got)
	}
	sqlType := map[layers.Kind]string{layers.String: "text", layers.Int: "bigint", layers.Float: "double precision",
		layers.Bool: "boolean", layers.List: "jsonb", layers.Date: "date"}
	for _, want := range ls {
		cols := map[string]string{}
		for _, r := range pg.Query(t, `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = 't_layers_layers' AND table_name = '`+want.Name+`'`) {
			cols[r[0]] = r[1]
		}
		for _, fd := range want.Schema {
			if cols[fd.Name] != sqlType[fd.Kind] {
				t.Errorf("%s.%s (%v): column type %q, want %q", want.Name, fd.Name, fd.Kind, cols[fd.Name], sqlType[fd.Kind])
			}
		}
		got, err := postgis.ReadLayer(ctx, conn, want.Name, opt)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != want.Title || got.Description != want.Description || got.Attribution != want.Attribution ||
			got.Licence != want.Licence || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) || !slices.Equal(got.Schema, want.Schema) {
			t.Errorf("%s: header read back %+v", want.Name, got)
		}
		if len(got.Features) != len(want.Features) {
			t.Fatalf("%s: %d features read back, want %d", want.Name, len(got.Features), len(want.Features))
		}
		for i, wf := range want.Features {
			gf := got.Features[i]
			if gf.ID != geojsonio.FeatureID(wf) {
				t.Errorf("%s feature %d: id %v, want %v", want.Name, i, gf.ID, wf.ID)
			}
			if (wf.Geometry == nil) != (gf.Geometry == nil) || wf.Geometry != nil && !orb.Equal(wf.Geometry, gf.Geometry) {
				t.Errorf("%s feature %v: geometry differs (%T, %T)", want.Name, wf.ID, wf.Geometry, gf.Geometry)
			}
			if w := comparable(want, wf); !reflect.DeepEqual(w, gf.Properties) {
				for k, v := range w {
					if !reflect.DeepEqual(v, gf.Properties[k]) {
						t.Errorf("%s feature %v: %s = %v (%T), want %v (%T)", want.Name, wf.ID, k, gf.Properties[k], gf.Properties[k], v, v)
					}
				}
				if len(w) != len(gf.Properties) {
					t.Errorf("%s feature %v: %d properties read back, want %d", want.Name, wf.ID, len(gf.Properties), len(w))
				}
			}
		}
	}
	if _, err := postgis.ReadLayer(ctx, conn, "nowhere", opt); !errors.Is(err, postgis.ErrLayer) {
		t.Errorf("ReadLayer(nowhere) = %v, want ErrLayer", err)
	}
}

// TestWriteLayersTyped: a value that does not fit its declared kind is an
// error naming the layer, feature and property, and nothing is written;
// a layer without a schema is refused.
func TestWriteLayersTyped(t *testing.T) {
	pg, conn := connect(t)
	opt := postgis.Options{Schema: "t_typed", Buffers: testBuffers()}
	ctx := context.Background()
	f := geojson.NewFeature(orb.Point{66, 31})
	f.ID = "a"
	f.Properties = geojson.Properties{"severity": 3.0, "end_date": "2025-10-12"}
	good := layers.Layer{Name: "sites", Features: []*geojson.Feature{f},
		Schema: []layers.Field{{Name: "severity", Kind: layers.Int}, {Name: "end_date", Kind: layers.Date}}}
	if _, err := postgis.WriteLayers(ctx, conn, []layers.Layer{good}, opt); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]any{"severity": 3.5, "end_date": "2025-10"} {
		g := *f
		g.Properties = geojson.Properties{"severity": 3.0, "end_date": "2025-10-12"}
		g.Properties[name] = bad
		l := good
		l.Features = []*geojson.Feature{&g}
		if _, err := postgis.WriteLayers(ctx, conn, []layers.Layer{l}, opt); !errors.Is(err, postgis.ErrLayer) || !errors.Is(err, layers.ErrProperty) {
			t.Errorf("%s = %v: %v, want ErrLayer and ErrProperty", name, bad, err)
		}
	}
	if rows := pg.Query(t, `SELECT severity, end_date FROM t_typed_layers.sites`); len(rows) != 1 || rows[0][0] != "3" || rows[0][1] != "2025-10-12" {
		t.Errorf("after the failed writes: %v", rows)
	}
	noSchema := good
	noSchema.Schema = nil
	if _, err := postgis.WriteLayers(ctx, conn, []layers.Layer{noSchema}, opt); !errors.Is(err, postgis.ErrLayer) {
		t.Errorf("a layer without schema: %v", err)
	}
}

// TestGDALReadsLayers: GDAL's PostgreSQL driver, as QGIS uses it, reads
// every layer table with its feature count and the declared types
// (bigint as Integer64, double precision as Real, boolean as
// Integer(Boolean), date as Date, jsonb as String(JSON), text as String).
func TestGDALReadsLayers(t *testing.T) {
	ogrinfo := geotest.RequireTool(t, "ogrinfo")
	ls := catalogue(t)
	pg, conn := connect(t)
	opt := postgis.Options{Schema: "t_gdal", Buffers: testBuffers()}
	if _, err := postgis.WriteLayers(context.Background(), conn, ls, opt); err != nil {
		t.Fatal(err)
	}
	gdalType := map[layers.Kind]string{layers.String: "String", layers.Int: "Integer64", layers.Float: "Real",
		layers.Bool: "Integer(Boolean)", layers.List: "String(JSON)", layers.Date: "Date"}
	src := fmt.Sprintf("PG:host=127.0.0.1 port=%d user=postgres dbname=postgres active_schema=%s", pg.Port(), postgis.LayerSchema(opt))
	for _, l := range ls {
		out, err := exec.Command(ogrinfo, "-ro", "-so", src, l.Name).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", l.Name, err, out)
		}
		s := string(out)
		if !strings.Contains(s, fmt.Sprintf("Feature Count: %d\n", len(l.Features))) {
			t.Errorf("%s: want %d features:\n%s", l.Name, len(l.Features), s)
		}
		for _, f := range l.Schema {
			if !regexp.MustCompile(`(?m)^` + f.Name + `: ` + regexp.QuoteMeta(gdalType[f.Kind]) + ` `).MatchString(s) {
				t.Errorf("%s.%s (%v) is not read as %s:\n%s", l.Name, f.Name, f.Kind, gdalType[f.Kind], s)
			}
		}
	}
}
