package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// MapLibreMajor is the major version of MapLibre GL JS the map page is
// written for (the npm package maplibre-gl).
const MapLibreMajor = "6"

// FindMapLibre looks for a local copy of MapLibre GL JS installed by
// `npm ci` (or `npm install maplibre-gl`): the folder
// node_modules/maplibre-gl/dist in dir or the nearest of its parents that
// has one, as node itself resolves packages. It returns the dist folder
// and the package's version, or ok false when there is none, or when the
// one found is not version 6.x or lacks maplibre-gl.mjs. Give the result
// to Config.MapLibreDir so that the map works without internet access.
func FindMapLibre(dir string) (dist, version string, ok bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", "", false
	}
	for {
		pkg := filepath.Join(dir, "node_modules", "maplibre-gl")
		if b, err := os.ReadFile(filepath.Join(pkg, "package.json")); err == nil {
			var meta struct {
				Version string `json:"version"`
			}
			dist := filepath.Join(pkg, "dist")
			st, err := os.Stat(filepath.Join(dist, "maplibre-gl.mjs"))
			if json.Unmarshal(b, &meta) == nil && strings.HasPrefix(meta.Version, MapLibreMajor+".") && err == nil && st.Mode().IsRegular() {
				return dist, meta.Version, true
			}
			return "", "", false // node would stop at the first one too
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", false
		}
		dir = parent
	}
}
