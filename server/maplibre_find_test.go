package server

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindMapLibre: the nearest node_modules/maplibre-gl of the directory
// or its parents is found when it is a 6.x copy with its module file, and
// not otherwise.
func TestFindMapLibre(t *testing.T) {
	write := func(t *testing.T, root, version string, mjs bool) string {
		t.Helper()
		dist := filepath.Join(root, "node_modules", "maplibre-gl", "dist")
		if err := os.MkdirAll(dist, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dist, "..", "package.json"), []byte(`{"name":"maplibre-gl","version":"`+version+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if mjs {
			if err := os.WriteFile(filepath.Join(dist, "maplibre-gl.mjs"), []byte("export {}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dist
	}
	tests := []struct {
		name    string
		version string
		mjs     bool
		found   bool
	}{
		{"6.x", "6.17.0", true, true},
		{"5.x is not what the page is written for", "5.6.0", true, false},
		{"no module file", "6.17.0", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dist := write(t, root, tt.version, tt.mjs)
			deep := filepath.Join(root, "cmd", "durand")
			if err := os.MkdirAll(deep, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, from := range []string{root, deep} {
				got, v, ok := FindMapLibre(from)
				if ok != tt.found || (ok && (got != dist || v != tt.version)) {
					t.Errorf("FindMapLibre(%s) = %q, %q, %v; want found %v (%s)", from, got, v, ok, tt.found, dist)
				}
			}
		})
	}
	if _, _, ok := FindMapLibre(t.TempDir()); ok {
		t.Error("found a MapLibre where there is none")
	}
}
