package pmtiles

// Tests against independent PMTiles readers: the go-pmtiles command-line
// tool (pmtiles verify / show / tile) and the PMTiles JavaScript library
// (npm "pmtiles") run by node. Both are skipped outside CI when absent and
// fail under CI.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"

	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/tiles"
)

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// mvtArchive writes the tiles of a small vector tileset (a polygon, a line
// and points around the Khyber Pass) for zooms 0–7 and returns the archive
// path with the tiles written.
func mvtArchive(t *testing.T, opt Options) (string, []synthTile) {
	t.Helper()
	square := orb.Polygon{{{70.5, 33.5}, {71.5, 33.5}, {71.5, 34.5}, {70.5, 34.5}, {70.5, 33.5}}}
	ts, err := tiles.NewTileset([]tiles.Layer{
		{Name: "area", Labels: true, Features: []tiles.Feature{{ID: 1, Geometry: square, Properties: map[string]any{"name": "square", "n": int64(3)}}}},
		{Name: "road", Features: []tiles.Feature{{ID: 2, Geometry: orb.LineString{{70.9, 34.0}, {71.3, 34.2}}}}},
		{Name: "poi", Features: []tiles.Feature{
			{ID: 3, Geometry: orb.Point{71.09, 34.11}, Properties: map[string]any{"name": "Torkham"}},
			{ID: 4, Geometry: orb.Point{70.9, 33.9}, Properties: map[string]any{"ok": true}},
		}},
	}, tiles.Options{MaxZoom: 7})
	if err != nil {
		t.Fatal(err)
	}
	var out []synthTile
	_, err = ts.Walk(context.Background(), tiles.WalkOptions{}, func(id tiles.TileID, data []byte) error {
		out = append(out, synthTile{uint8(id.Z), id.X, id.Y, data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	opt.MinLon, opt.MinLat, opt.MaxLon, opt.MaxLat = 70.5, 33.5, 71.5, 34.5
	opt.CenterLon, opt.CenterLat, opt.CenterZoom = 71.09, 34.11, 5
	opt.Metadata = map[string]any{
		"name": "test", "attribution": "test data", "type": "overlay",
		"vector_layers": []map[string]any{
			{"id": "area", "fields": map[string]string{"name": "String", "n": "Number"}},
			{"id": "area_label", "fields": map[string]string{"name": "String", "n": "Number"}},
			{"id": "road", "fields": map[string]string{}},
			{"id": "poi", "fields": map[string]string{"name": "String", "ok": "Boolean"}},
		},
	}
	path, _ := writeArchive(t, out, opt)
	return path, out
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGoPMTilesCLI(t *testing.T) {
	cli := geotest.RequireTool(t, "pmtiles", "go-pmtiles")
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"root only", Options{}},
		{"leaf directories", Options{RootEntries: 4, LeafEntries: 10}},
		{"uncompressed tiles", Options{TileCompression: CompressionNone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, written := mvtArchive(t, tc.opt)
			r := openArchive(t, path)
			h := r.Header()
			if tc.opt.RootEntries > 0 && h.LeafLength == 0 {
				t.Fatal("no leaf directories written")
			}
			// verify exits non-zero on a wrong header count, zoom range,
			// centre or bounds, or a section out of bounds.
			run(t, cli, "verify", path)

			var hj struct {
				TileCompression string    `json:"tile_compression"`
				TileType        string    `json:"tile_type"`
				MinZoom         int       `json:"minzoom"`
				MaxZoom         int       `json:"maxzoom"`
				Bounds          []float64 `json:"bounds"`
				Center          []float64 `json:"center"`
			}
			if err := json.Unmarshal([]byte(run(t, cli, "show", "--header-json", path)), &hj); err != nil {
				t.Fatal(err)
			}
			wantComp := "gzip"
			if tc.opt.TileCompression == CompressionNone {
				wantComp = "none"
			}
			if hj.TileType != "mvt" || hj.TileCompression != wantComp || hj.MinZoom != 0 || hj.MaxZoom != 7 ||
				fmt.Sprint(hj.Bounds) != "[70.5 33.5 71.5 34.5]" || fmt.Sprint(hj.Center) != "[71.09 34.11 5]" {
				t.Errorf("show --header-json: %+v", hj)
			}

			var meta map[string]any
			if err := json.Unmarshal([]byte(run(t, cli, "show", "--metadata", path)), &meta); err != nil {
				t.Fatal(err)
			}
			if meta["attribution"] != "test data" || len(meta["vector_layers"].([]any)) != 4 {
				t.Errorf("show --metadata: %v", meta)
			}

			show := run(t, cli, "show", path)
			for _, want := range []string{
				fmt.Sprintf("addressed tiles count: %d", h.AddressedTiles),
				fmt.Sprintf("tile entries count: %d", h.TileEntries),
				fmt.Sprintf("tile contents count: %d", h.TileContents),
				"clustered: true", "internal compression: gzip",
			} {
				if !strings.Contains(show, want) {
					t.Errorf("show lacks %q:\n%s", want, show)
				}
			}
			if h.AddressedTiles != uint64(len(written)) {
				t.Errorf("%d addressed tiles, %d written", h.AddressedTiles, len(written))
			}

			// Fetch every tile with the CLI and decode a few with orb.
			layersSeen := map[string]bool{}
			for i, tl := range written {
				if i%7 != 0 && tl.z < 7 {
					continue
				}
				got := []byte(run(t, cli, "tile", path, fmt.Sprint(tl.z), fmt.Sprint(tl.x), fmt.Sprint(tl.y)))
				if tc.opt.TileCompression != CompressionNone {
					got = gunzip(t, got)
				}
				if !bytes.Equal(got, tl.data) {
					t.Fatalf("pmtiles tile %d/%d/%d differs from the tile written", tl.z, tl.x, tl.y)
				}
				ls, err := mvt.Unmarshal(got)
				if err != nil {
					t.Fatalf("%d/%d/%d: %v", tl.z, tl.x, tl.y, err)
				}
				for _, l := range ls {
					layersSeen[l.Name] = true
				}
				if i > 60 {
					break
				}
			}
			for _, n := range []string{"area", "area_label", "road", "poi"} {
				if !layersSeen[n] {
					t.Errorf("layer %s in none of the tiles read back", n)
				}
			}
		})
	}
}

func TestGoPMTilesCLIRejectsCorruption(t *testing.T) {
	// The CLI is a meaningful oracle only if it notices a wrong count.
	cli := geotest.RequireTool(t, "pmtiles", "go-pmtiles")
	path, _ := mvtArchive(t, Options{})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := ParseHeader(b)
	h.TileContents++
	hb, _ := h.MarshalBinary()
	copy(b, hb)
	bad := filepath.Join(t.TempDir(), "bad.pmtiles")
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cli, "verify", bad).CombinedOutput()
	if err == nil || !regexp.MustCompile(`(?i)contents`).Match(out) {
		t.Errorf("verify of a wrong contents count: %v\n%s", err, out)
	}
}

// jsReader returns the node executable and the script, or skips (fails
// under CI) when node or the npm package pmtiles is missing.
func jsReader(t *testing.T) (string, string) {
	t.Helper()
	node := geotest.RequireTool(t, "node")
	root := geotest.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "node_modules", "pmtiles", "package.json")); err != nil {
		geotest.Missing(t, "npm package pmtiles", "run npm ci in the repository root")
	}
	script, err := filepath.Abs(filepath.Join("testdata", "jsread.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	return node, script
}

func TestJavaScriptReader(t *testing.T) {
	node, script := jsReader(t)
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"root only", Options{}},
		{"leaf directories", Options{RootEntries: 4, LeafEntries: 10}},
		{"uncompressed tiles", Options{TileCompression: CompressionNone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, written := mvtArchive(t, tc.opt)
			want := map[string]any{}
			args := []string{script, path}
			for _, tl := range written {
				id := fmt.Sprintf("%d/%d/%d", tl.z, tl.x, tl.y)
				sum := sha256.Sum256(tl.data)
				want[id] = hex.EncodeToString(sum[:])
				args = append(args, id)
			}
			// Tiles the archive does not hold: outside the data, and
			// above the max zoom.
			for _, id := range []string{"7/0/0", "8/180/104", "2/0/3"} {
				want[id] = nil
				args = append(args, id)
			}
			var got struct {
				Header struct {
					SpecVersion, MinZoom, MaxZoom, CenterZoom            int
					NumAddressedTiles, NumTileEntries, NumTileContents   int
					Clustered                                            bool
					InternalCompression, TileCompression, TileType       int
					MinLon, MinLat, MaxLon, MaxLat, CenterLon, CenterLat float64
				}
				Metadata map[string]any
				Tiles    map[string]any
			}
			out := run(t, node, args...)
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			h := got.Header
			if h.SpecVersion != 3 || h.MinZoom != 0 || h.MaxZoom != 7 || h.CenterZoom != 5 || !h.Clustered ||
				h.NumAddressedTiles != len(written) || h.TileType != 1 || h.InternalCompression != 2 ||
				h.MinLon != 70.5 || h.MaxLat != 34.5 || h.CenterLon != 71.09 {
				t.Errorf("header as read by pmtiles.js: %+v", h)
			}
			if got.Metadata["name"] != "test" {
				t.Errorf("metadata as read by pmtiles.js: %v", got.Metadata)
			}
			for id, w := range want {
				if got.Tiles[id] != w {
					t.Errorf("tile %s: pmtiles.js read %v, want %v", id, got.Tiles[id], w)
				}
			}
		})
	}
}
