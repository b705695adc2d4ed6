package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/durandline/durand/data"
)

// faultyDataDir is a data directory with the golden install output whose
// districts file is cut in half (truncated JSON).
func faultyDataDir(t *testing.T) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	for _, f := range []string{data.InstallDistrictsFile, data.InstallProvenanceFile} {
		b, err := os.ReadFile(filepath.Join("..", "..", "data", "testdata", "install", "golden", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == data.InstallDistrictsFile {
			b = b[:len(b)/2]
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, filepath.Join(dir, data.InstallDistrictsFile)
}

func TestOpenAtlasFaultyLayer(t *testing.T) {
	dir, file := faultyDataDir(t)
	if _, err := openAtlas(dir); err == nil || !strings.Contains(err.Error(), file) ||
		!strings.Contains(err.Error(), "not a GeoJSON FeatureCollection") || !strings.Contains(err.Error(), "durand data install") {
		t.Errorf("openAtlas: %v, want an error naming %s and what is wrong", err, file)
	}
	var warnings []string
	a, err := openAtlasWith(dir, atlasOptions{SkipInvalidLayers: true, Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if a.HasDistricts() {
		t.Error("districts served from a truncated file")
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "warning: ") || !strings.Contains(warnings[0], file) ||
		!strings.Contains(warnings[0], "serving without it") {
		t.Errorf("warnings %q", warnings)
	}
	// A command that opens the atlas reports it before doing anything.
	for _, args := range [][]string{{"info", "--data-dir", dir}} {
		var stdout, stderr strings.Builder
		if code := run(t.Context(), args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), file) {
			t.Errorf("durand %s: exit %d, stderr %q", args[0], code, stderr.String())
		}
	}
}
