package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/places.golden.csv")

func TestPlacesGolden(t *testing.T) {
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
