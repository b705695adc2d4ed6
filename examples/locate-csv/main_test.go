package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/places.golden.csv")

func TestPlacesGolden(t *testing.T) {
	t.Setenv("DURAND_DATA_DIR", t.TempDir()+"/none") // the embedded atlas, not the user's install
	in, err := os.Open("places.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	if err := run(in, &out, ""); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/places.golden.csv"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, out.String())
	}
}

// TestInstalledDistricts: without -data-dir the program picks up the
// districts installed in the default data directory (data.OpenDefault);
// here the installer's golden output, six test districts.
func TestInstalledDistricts(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"districts.geojson", "districts.provenance.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "data", "testdata", "install", "golden", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DURAND_DATA_DIR", dir)
	var out bytes.Buffer
	if err := run(strings.NewReader("name,lon,lat\nx,66.25,31.35\n"), &out, ""); err != nil {
		t.Fatal(err)
	}
	if rows := strings.Split(strings.TrimSpace(out.String()), "\n"); len(rows) != 2 || !strings.HasPrefix(rows[1], "x,66.25000,31.35000,AFG,") || strings.Split(rows[1], ",")[5] != "Ayn" {
		t.Errorf("the installed district is not used:\n%s", out.String())
	}
	// Nothing installed: the embedded atlas, no district, no error.
	t.Setenv("DURAND_DATA_DIR", filepath.Join(dir, "none"))
	out.Reset()
	if err := run(strings.NewReader("name,lon,lat\nx,66.25,31.35\n"), &out, ""); err != nil || !strings.Contains(out.String(), "x,66.25000,31.35000,AFG,Kandahar,,") {
		t.Errorf("nothing installed: %v\n%s", err, out.String())
	}
}

func TestBadRows(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"letters", "name,lon,lat\nx,abc,31\n", "line 2"},
		{"latitude 95", "name,lon,lat\nx,66,95\n", "latitude outside"},
		{"too few columns", "name,lon,lat\nx,66\n", "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(strings.NewReader(tt.in), &bytes.Buffer{}, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
