package export

import (
	"slices"
	"testing"
)

func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{"geojson", "GPKG", " kml", "csv", "", "shp", "json\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFormat(s)
		if err != nil {
			if got != "" {
				t.Errorf("ParseFormat(%q) = %q with error %v", s, got, err)
			}
			return
		}
		if !slices.Contains(Formats(), got) {
			t.Errorf("ParseFormat(%q) = %q, not a format", s, got)
		}
		if again, err := ParseFormat(got.Ext()); err != nil || again != got {
			t.Errorf("extension %q does not parse back: %q, %v", got.Ext(), again, err)
		}
	})
}
