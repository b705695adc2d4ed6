package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/server"
)

// TestArchiveEqualsServer: every tile of zooms 0–8 of a `durand tiles`
// archive (every layer, districts installed, the crisis layers included)
// is byte for byte the tile the server serves for the same atlas once it
// is ready (its zones computed), and every tile of zooms 0–6 the server
// serves is in the archive, the empty ones (204) nowhere in it. Both take
// their layers from layers.TileLayers and their tiles from layers.Tiles.
func TestArchiveEqualsServer(t *testing.T) {
	dataDir := t.TempDir()
	if err := runData(context.Background(), []string{"install", "--from", dataFixtures(t), "--dir", dataDir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "durand.pmtiles")
	sum, _ := runTilesJSON(t, "--out", out, "--maxzoom", "8", "--data-dir", dataDir)
	if !strings.Contains(strings.Join(sum.Layers, ","), "zones") || !strings.Contains(strings.Join(sum.Layers, ","), "districts") {
		t.Fatalf("archive layers %v: want the zones and the districts too", sum.Layers)
	}

	a, err := openAtlas(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(server.Config{Atlas: a})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	// Ready: the zones have joined the tiles.
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(get("/tiles/durand.json").Body.String(), `"zones"`) {
		if time.Now().After(deadline) {
			t.Fatal("the server's tiles have no zones after 2 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}

	r := openPMTiles(t, out)
	inArchive := map[string]bool{}
	differ := 0
	err = eachTile(r, func(z uint8, x, y uint32, _, tile []byte) error {
		key := fmt.Sprintf("%d/%d/%d", z, x, y)
		inArchive[key] = true
		w := get("/tiles/durand/" + key + ".mvt")
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), tile) {
			differ++
			if differ <= 5 {
				t.Errorf("tile %s: archive %d bytes, server %d with %d bytes", key, len(tile), w.Code, w.Body.Len())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if differ > 0 || len(inArchive) != sum.Tiles {
		t.Errorf("%d of %d archive tiles differ from the served ones (summary: %d tiles)", differ, len(inArchive), sum.Tiles)
	}
	served := 0
	for z := uint32(0); z <= 6; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				key := fmt.Sprintf("%d/%d/%d", z, x, y)
				switch w := get("/tiles/durand/" + key + ".mvt"); {
				case w.Code == http.StatusOK:
					served++
					if !inArchive[key] {
						t.Errorf("tile %s served (%d bytes) but not in the archive", key, w.Body.Len())
					}
				case w.Code == http.StatusNoContent:
					if inArchive[key] {
						t.Errorf("tile %s in the archive but served empty", key)
					}
				default:
					t.Fatalf("tile %s: %d %s", key, w.Code, w.Body.String())
				}
			}
		}
	}
	t.Logf("%d archive tiles of zooms 0-8 equal the served ones; %d served tiles of zooms 0-6, all in the archive", len(inArchive), served)
}
