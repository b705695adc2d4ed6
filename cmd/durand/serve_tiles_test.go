package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestServeTileFlags checks --tile-cache-mb, --maplibre and --no-warmup.
func TestServeTileFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"negative cache":    {"--tile-cache-mb", "-1"},
		"cache not integer": {"--tile-cache-mb", "lots"},
		"maplibre missing":  {"--maplibre", filepath.Join(t.TempDir(), "none")},
	} {
		t.Run(name, func(t *testing.T) {
			err := runServe(context.Background(), append(args, "--data-dir", t.TempDir()), io.Discard, io.Discard)
			if _, ok := err.(*usageError); !ok {
				t.Errorf("runServe(%v) = %v, want a usage error", args, err)
			}
		})
	}

	dist := t.TempDir()
	for _, f := range []string{"maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css"} {
		if err := os.WriteFile(filepath.Join(dist, f), []byte("/* "+f+" */\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, _, _ := startServe(t, "--maplibre", dist, "--no-warmup", "--tile-cache-mb", "16")
	for path, want := range map[string]int{
		"/vendor/maplibre/maplibre-gl.mjs": 200, "/tiles/durand.json": 200, "/tiles/durand/0/0/0.mvt": 200,
		"/tiles/durand/0/0/1.mvt": 404, "/styles/durand.json": 200, "/map": 200,
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
