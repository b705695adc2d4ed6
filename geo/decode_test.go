package geo

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/paulmach/orb/geojson"
)

// sameAsOrb checks decodeCollection against orb's reference decoder.
func sameAsOrb(t *testing.T, data []byte) {
	t.Helper()
	want, werr := geojson.UnmarshalFeatureCollection(data)
	got, gerr := decodeCollection(data)
	if (werr == nil) != (gerr == nil) {
		// orb accepts some inputs we refuse on purpose (unknown geometry
		// types, GeometryCollection); we never accept what orb refuses.
		if gerr == nil {
			t.Fatalf("decodeCollection accepted what orb refuses (%v): %q", werr, data)
		}
		return
	}
	if werr != nil {
		return
	}
	if len(got.Features) != len(want.Features) {
		t.Fatalf("features: got %d, want %d", len(got.Features), len(want.Features))
	}
	for i := range want.Features {
		g, w := got.Features[i], want.Features[i]
		if !reflect.DeepEqual(g.Geometry, w.Geometry) {
			t.Fatalf("feature %d geometry differs:\n got %v\nwant %v", i, g.Geometry, w.Geometry)
		}
		if !reflect.DeepEqual(g.ID, w.ID) {
			t.Fatalf("feature %d id: got %v, want %v", i, g.ID, w.ID)
		}
		if len(w.Properties) > 0 && !reflect.DeepEqual(g.Properties, w.Properties) {
			t.Fatalf("feature %d properties differ", i)
		}
	}
}

func TestDecodeMatchesOrbOnDataFiles(t *testing.T) {
	files, _ := filepath.Glob("../data/*.geojson")
	if len(files) == 0 {
		t.Fatal("no data/*.geojson files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sameAsOrb(t, data)
		})
	}
}

func TestDecodeNumbers(t *testing.T) {
	tests := []struct {
		name, coords string
	}{
		{"integers", `[0,-0]`},
		{"7 decimals", `[66.4447222,30.9222222]`},
		{"negative", `[-179.9999999,-89.5]`},
		{"exponent", `[1e2,-2.5E-3]`},
		{"many digits", `[66.44472222222222222,30.123456789012345678]`},
		{"third dimension dropped", `[1.5,2.5,100]`},
		{"spaces", ` [ 1.25 , 2.5 ] `},
		{"tiny", `[0.0000000001,1]`},
		{"leading zeros in fraction", `[0.000123,10.0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameAsOrb(t, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":`+tt.coords+`}}]}`))
		})
	}
}

func FuzzDecodeCollection(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{"n":1},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1e400,2],[3,4]]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 || bytes.Contains(data, []byte("GeometryCollection")) {
			return
		}
		sameAsOrb(t, data)
	})
}
