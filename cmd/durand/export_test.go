package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/durandline/durand/layers"

	_ "modernc.org/sqlite"
)

func TestExport(t *testing.T) {
	a := defaultAtlas(t)
	dir := t.TempDir()                       // the data directory: nothing installed
	outDir := t.TempDir()                    // not dir: events.csv there would be read as data
	for _, layer := range layers.Layers(a) { // events and zones included
		l, err := layers.FromAtlas(a, layer)
		if err != nil {
			t.Fatal(err)
		}
		fs := l.Features
		t.Run(layer, func(t *testing.T) {
			// Explicit format.
			gpkg := filepath.Join(outDir, layer+".gpkg")
			var stderr bytes.Buffer
			if err := runExport(context.Background(), []string{"--layer", layer, "--format", "gpkg", "--out", gpkg, "--data-dir", dir}, io.Discard, &stderr); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stderr.String(), "wrote") {
				t.Errorf("stderr %q", stderr.String())
			}
			db, err := sql.Open("sqlite", gpkg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM "` + layer + `"`).Scan(&n); err != nil || n != len(fs) {
				t.Errorf("GeoPackage holds %d features (%v), want %d", n, err, len(fs))
			}
			// Format from the extension.
			for _, ext := range []string{"geojson", "kml", "csv"} {
				out := filepath.Join(outDir, layer+"."+ext)
				if err := runExport(context.Background(), []string{"--layer", layer, "--out", out, "--data-dir", dir}, io.Discard, io.Discard); err != nil {
					t.Fatalf("%s: %v", ext, err)
				}
				if st, err := os.Stat(out); err != nil || st.Size() == 0 {
					t.Errorf("%s: %v", out, err)
				}
			}
		})
	}
	// Standard output.
	var out bytes.Buffer
	if err := runExport(context.Background(), []string{"--layer", "crossings", "--format", "geojson", "--out", "-", "--data-dir", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Attribution string            `json:"attribution"`
		Features    []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	crossings, _ := a.Features("crossings")
	if len(fc.Features) != len(crossings) || fc.Attribution == "" {
		t.Errorf("stdout: %d features, attribution %q", len(fc.Features), fc.Attribution)
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		usage bool
		msg   string
	}{
		{"no flags", nil, true, "--layer and --out are required"},
		{"no out", []string{"--layer", "crossings"}, true, "required"},
		{"unknown layer", []string{"--layer", "incidents", "--out", filepath.Join(dir, "x.csv")}, true, `unknown layer "incidents" (layers: border, countries, provinces, crossings, events, zones, crossing_status)`},
		{"unknown format", []string{"--layer", "crossings", "--format", "shp", "--out", filepath.Join(dir, "x.shp")}, true, "unknown format"},
		{"no extension", []string{"--layer", "crossings", "--out", filepath.Join(dir, "x")}, true, "--format is required"},
		{"extra argument", []string{"--layer", "crossings", "--out", filepath.Join(dir, "x.csv"), "more"}, true, "unexpected argument"},
		{"districts not installed", []string{"--layer", "districts", "--out", filepath.Join(dir, "d.csv")}, false, "not installed"},
		{"unwritable", []string{"--layer", "crossings", "--out", filepath.Join(dir, "missing", "x.csv")}, false, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runExport(context.Background(), append(tc.args, "--data-dir", dir), io.Discard, io.Discard)
			var ue *usageError
			if err == nil || errors.As(err, &ue) != tc.usage || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("runExport = %v (usage error: %v), want %q (usage: %v)", err, errors.As(err, &ue), tc.msg, tc.usage)
			}
		})
	}
}
