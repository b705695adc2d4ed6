package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
)

func TestDBUsageAndBadDSN(t *testing.T) {
	t.Setenv("DURAND_DSN", "")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
		notIn    string
	}{
		{"no subcommand", []string{"db"}, 2, "missing subcommand", ""},
		{"unknown subcommand", []string{"db", "drop"}, 2, `unknown subcommand "drop"`, ""},
		{"help", []string{"db", "-h"}, 0, "durand db load", ""},
		{"no dsn", []string{"db", "load"}, 2, "need --dsn", ""},
		{"dump without out", []string{"db", "dump", "--dsn", "postgres://x@127.0.0.1:1/db"}, 2, "need --out", ""},
		{"malformed dsn", []string{"db", "load", "--dsn", "postgres://u:sekret@[::1"}, 2, "invalid --dsn", "sekret"},
		{"bad option", []string{"db", "load", "--dsn", "host=127.0.0.1 port=notaport"}, 2, "invalid --dsn", ""},
		{"unreachable", []string{"db", "load", "--dsn", "postgres://u:sekret@127.0.0.1:1/db?connect_timeout=2"}, 1,
			"connecting to PostgreSQL at 127.0.0.1:1", "sekret"},
		{"dump unreachable", []string{"db", "dump", "--out", "x", "--dsn", "postgres://u@127.0.0.1:1/db?connect_timeout=2"}, 1,
			"connecting to PostgreSQL", ""},
		{"missing data dir", []string{"db", "load", "--dsn", "postgres://u@127.0.0.1:1/db", "--data-dir", "/nonexistent-durand"}, 1,
			"nonexistent-durand", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.inStderr, stderr)
			}
			if tc.notIn != "" && strings.Contains(stderr, tc.notIn) {
				t.Errorf("stderr shows %q:\n%s", tc.notIn, stderr)
			}
		})
	}
}

// TestDBLoadDump loads the atlas into a throwaway PostGIS, dumps it back
// and checks that the dumped files load into the same atlas.
func TestDBLoadDump(t *testing.T) {
	pg := geotest.StartPostGIS(t)
	code, stdout, stderr := runCmd(t, "db", "load", "--dsn", pg.DSN(), "--schema", "cli", "--json")
	if code != 0 {
		t.Fatalf("db load: exit %d\n%s", code, stderr)
	}
	var rep struct {
		Schema      string `json:"schema"`
		DataVersion string `json:"data_version"`
		Tables      []struct {
			Table string `json:"table"`
			Rows  int    `json:"rows"`
		} `json:"tables"`
		LayerSchema string `json:"layer_schema"`
		Layers      []struct {
			Table string `json:"table"`
			Rows  int    `json:"rows"`
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("db load --json: %v\n%s", err, stdout)
	}
	if rep.Schema != "cli" || !strings.HasPrefix(rep.DataVersion, "sha256:") || len(rep.Tables) < 9 {
		t.Errorf("report %+v", rep)
	}
	if !strings.Contains(stderr, "crossings") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	// The catalogue's layers, one table each, as many rows as features,
	// read back with the catalogue's schema.
	a := defaultAtlas(t)
	names := layers.Layers(a)
	if rep.LayerSchema != "cli_layers" || len(rep.Layers) != len(names) {
		t.Fatalf("layers %s %+v, want %v", rep.LayerSchema, rep.Layers, names)
	}
	conn, err := pgx.Connect(context.Background(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for i, name := range names {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := postgis.ReadLayer(context.Background(), conn, name, postgis.Options{Schema: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Layers[i].Table != name || rep.Layers[i].Rows != len(l.Features) || len(got.Features) != len(l.Features) ||
			!slices.Equal(got.Schema, l.Schema) {
			t.Errorf("layer %s: reported %+v, read back %d features, schema %v; want %d features, schema %v",
				name, rep.Layers[i], len(got.Features), got.Schema, len(l.Features), l.Schema)
		}
	}

	out := filepath.Join(t.TempDir(), "dump")
	code, stdout, stderr = runCmd(t, "db", "dump", "--dsn", pg.DSN(), "--schema", "cli", "--out", out, "--json")
	if code != 0 {
		t.Fatalf("db dump: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, `"content_version"`) {
		t.Errorf("db dump --json: %s", stdout)
	}
	got, err := geo.Load(os.DirFS(out))
	if err != nil {
		t.Fatal(err)
	}
	want := defaultAtlas(t)
	if len(got.Crossings()) != len(want.Crossings()) || len(got.Events()) != len(want.Events()) || len(got.Provinces()) != len(want.Provinces()) {
		t.Errorf("dumped atlas: %d crossings, %d events, %d provinces; want %d, %d, %d",
			len(got.Crossings()), len(got.Events()), len(got.Provinces()),
			len(want.Crossings()), len(want.Events()), len(want.Provinces()))
	}
	p := orb.Point{69.1, 33.5}
	lw, _ := want.Locate(p)
	lg, _ := got.Locate(p)
	jw, _ := json.Marshal(lw)
	jg, _ := json.Marshal(lg)
	if string(jw) != string(jg) {
		t.Errorf("Locate(%v) = %s, want %s", p, jg, jw)
	}

	// A schema that was never loaded: a clear error, exit 1.
	code, _, stderr = runCmd(t, "db", "dump", "--dsn", pg.DSN(), "--schema", "nothing", "--out", out)
	if code != 1 || !strings.Contains(stderr, "no atlas loaded") {
		t.Errorf("dump of an empty schema: exit %d\n%s", code, stderr)
	}
}
