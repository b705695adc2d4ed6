package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
	"github.com/durandline/durand/tiles/pmtiles"

	_ "modernc.org/sqlite"
)

func TestRunTilesUsage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.pmtiles")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no out", []string{"tiles"}, 2, "--out is required"},
		{"bad extension", []string{"tiles", "--out", filepath.Join(dir, "x.zip")}, 2, "must be .pmtiles or .mbtiles"},
		{"no extension", []string{"tiles", "--out", filepath.Join(dir, "x")}, 2, "must be .pmtiles or .mbtiles"},
		{"min above max", []string{"tiles", "--out", out, "--minzoom", "9", "--maxzoom", "8"}, 2, "zoom range 9–8"},
		{"max zoom too high", []string{"tiles", "--out", out, "--maxzoom", "21"}, 2, "≤ 20"},
		{"negative zoom", []string{"tiles", "--out", out, "--minzoom", "-1"}, 2, "zoom range"},
		{"zoom not a number", []string{"tiles", "--out", out, "--maxzoom", "x"}, 2, "invalid value"},
		{"bbox three numbers", []string{"tiles", "--out", out, "--bbox", "1,2,3"}, 2, "want minlon,minlat,maxlon,maxlat"},
		{"bbox letters", []string{"tiles", "--out", out, "--bbox", "a,2,3,4"}, 2, "is not a number"},
		{"bbox NaN", []string{"tiles", "--out", out, "--bbox", "NaN,2,3,4"}, 2, "is not a number"},
		{"bbox latitude", []string{"tiles", "--out", out, "--bbox", "60,20,70,95"}, 2, "outside longitude"},
		{"bbox inverted", []string{"tiles", "--out", out, "--bbox", "70,20,60,30"}, 2, "min must be below max"},
		{"bbox off the data", []string{"tiles", "--out", out, "--bbox", "0,0,1,1", "--layers", "border"}, 2, "does not overlap the data"},
		{"unknown layer", []string{"tiles", "--out", out, "--layers", "border,rivers"}, 2, `unknown layer "rivers"`},
		{"negative workers", []string{"tiles", "--out", out, "--workers", "-1"}, 2, "--workers -1"},
		{"extra argument", []string{"tiles", "--out", out, "z"}, 2, "unexpected argument"},
		{"missing directory", []string{"tiles", "--out", filepath.Join(dir, "no", "x.pmtiles"), "--maxzoom", "1", "--layers", "border"}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

// runTilesJSON runs durand tiles with --json and returns the summary and
// standard error.
func runTilesJSON(t *testing.T, args ...string) (tilesSummary, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if err := runTiles(context.Background(), append(args, "--json"), &out, &errb); err != nil {
		t.Fatalf("durand tiles %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	var sum tilesSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out.String())
	}
	return sum, errb.String()
}

// TestRunTilesPMTiles exports zooms 0–8 with the fixture districts
// installed and reads the archive back with the package's reader and the
// go-pmtiles CLI; every tile must equal the tile the server would serve.
func TestRunTilesPMTiles(t *testing.T) {
	pmtilesCLI := geotest.RequireTool(t, "pmtiles", "go-pmtiles") // before seconds of work, not after
	dataDir := t.TempDir()
	if err := runData(context.Background(), []string{"install", "--from", dataFixtures(t), "--dir", dataDir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "durand.pmtiles")
	// Every layer but zones, whose tileset takes seconds to build
	// (TestRunTilesCrisisLayers has them).
	only := "border,countries,provinces,districts,crossings,events"
	sum, stderr := runTilesJSON(t, "--out", out, "--maxzoom", "8", "--data-dir", dataDir, "--workers", "2", "--layers", only)
	if !strings.Contains(stderr, "100% ") || !strings.Contains(stderr, "durand tiles: wrote") {
		t.Errorf("no progress or final line on stderr: %q", stderr)
	}
	// The progress total is the number of tiles Walk considers: those
	// written plus those that turned out empty.
	if m := regexp.MustCompile(`100% (\d+)/(\d+) tiles`).FindStringSubmatch(stderr); m == nil || m[2] != strconv.Itoa(sum.Tiles+sum.Empty) {
		t.Errorf("progress total %v, want %d tiles + %d empty", m, sum.Tiles, sum.Empty)
	}
	// The atlas's layers, then the crisis layers, as the server has them.
	wantLayers := []string{"border", "countries", "countries_label", "provinces", "provinces_label", "districts", "districts_label", "crossings", "events", "events_lines", "events_areas"}
	if !slices.Equal(sum.Layers, wantLayers) {
		t.Errorf("layers %v, want %v", sum.Layers, wantLayers)
	}
	if sum.Tiles == 0 || sum.Distinct > sum.Tiles || sum.FileBytes == 0 || sum.Format != "pmtiles" || sum.MaxZoom != 8 {
		t.Errorf("summary %+v", sum)
	}
	// Bounds hold the countries (events abroad can widen them); the
	// centre is the border's.
	if sum.Bounds[0] > 60.6 || sum.Bounds[1] > 23.8 || sum.Bounds[2] < 77 || sum.Bounds[3] < 38.4 ||
		sum.Center[0] < 65 || sum.Center[0] > 72 || sum.Center[1] < 28 || sum.Center[1] > 35 || sum.Center[2] < 3 || sum.Center[2] > 8 {
		t.Errorf("bounds %v centre %v", sum.Bounds, sum.Center)
	}

	run := func(args ...string) string {
		out, err := exec.Command(pmtilesCLI, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("pmtiles %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("verify", out)
	var meta struct {
		Attribution  string              `json:"attribution"`
		VectorLayers []tiles.VectorLayer `json:"vector_layers"`
	}
	if err := json.Unmarshal([]byte(run("show", "--metadata", out)), &meta); err != nil {
		t.Fatal(err)
	}
	if len(meta.VectorLayers) != len(wantLayers) || !strings.Contains(meta.Attribution, "Natural Earth") {
		t.Errorf("metadata: %+v", meta)
	}

	// Every tile, read back, equals the tile the tileset serves.
	a, err := openAtlas(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	now, err := layers.TileLayers(a, layers.TileOptions{Only: strings.Split(only, ",")})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := layers.NewTiles(now, nil, tiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := openPMTiles(t, out)
	if h := r.Header(); h.AddressedTiles != uint64(sum.Tiles) || h.TileContents != uint64(sum.Distinct) || h.MinZoom != 0 || h.MaxZoom != 8 {
		t.Errorf("header %+v vs summary %+v", h, sum)
	}
	n := 0
	seen := map[string]bool{}
	err = eachTile(r, func(z uint8, x, y uint32, _, got []byte) error {
		want, err := ts.Tile(uint32(z), x, y)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("tile %d/%d/%d differs from the served tile", z, x, y)
		}
		if z == 8 {
			ls, err := mvt.Unmarshal(got)
			if err != nil {
				return err
			}
			for _, l := range ls {
				seen[l.Name] = true
			}
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != sum.Tiles {
		t.Errorf("%d tiles in the archive, summary says %d", n, sum.Tiles)
	}
	for _, l := range wantLayers {
		if !seen[l] {
			t.Errorf("no %s features in any z8 tile", l)
		}
	}
}

// TestRunTilesMBTiles exports two layers over the Khyber Pass as MBTiles
// and opens the file with GDAL.
func TestRunTilesMBTiles(t *testing.T) {
	t.Setenv("DURAND_DATA_DIR", t.TempDir()+"/none")
	out := filepath.Join(t.TempDir(), "khyber.mbtiles")
	sum, _ := runTilesJSON(t, "--out", out, "--minzoom", "3", "--maxzoom", "9", "--bbox", "70.6,33.8,71.6,34.4", "--layers", "crossings, border")
	if !slices.Equal(sum.Layers, []string{"border", "crossings"}) || sum.MinZoom != 3 || sum.Format != "mbtiles" {
		t.Errorf("summary %+v", sum)
	}
	if sum.Bounds != [4]float64{70.6, 33.8, 71.6, 34.4} {
		t.Errorf("bounds %v, want the --bbox", sum.Bounds)
	}
	db, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, minZ, maxZ int
	if err := db.QueryRow("SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles").Scan(&n, &minZ, &maxZ); err != nil {
		t.Fatal(err)
	}
	if n != sum.Tiles || minZ != 3 || maxZ != 9 {
		t.Errorf("%d tiles z%d–%d in the file; summary %+v", n, minZ, maxZ, sum)
	}
	// The Torkham tile at z9, at its TMS row, gzip-compressed.
	wx, wy := worldXY(71.0906, 34.1133)
	ts := tiles.TileID{Z: 9, X: uint32(wx * 512), Y: uint32(wy * 512)}
	var blob []byte
	if err := db.QueryRow("SELECT tile_data FROM tiles WHERE zoom_level = 9 AND tile_column = ? AND tile_row = ?", ts.X, (1<<9)-1-ts.Y).Scan(&blob); err != nil {
		t.Fatalf("tile %v: %v", ts, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	if !bytes.Contains(raw, []byte("torkham")) {
		t.Errorf("tile %v lacks Torkham", ts)
	}

	ogrinfo := geotest.RequireTool(t, "ogrinfo")
	o, err := exec.Command(ogrinfo, "-ro", "-so", "-oo", "ZOOM_LEVEL=9", out).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, o)
	}
	if !strings.Contains(string(o), "1: border (Multi Line String)") || !strings.Contains(string(o), "2: crossings (Multi Point)") || strings.Contains(string(o), "3:") {
		t.Errorf("ogrinfo layers:\n%s", o)
	}
	o, err = exec.Command(ogrinfo, "-ro", "-al", "-q", "-oo", "ZOOM_LEVEL=9", out, "crossings").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, o)
	}
	if !strings.Contains(string(o), "name (String) = Torkham") {
		t.Errorf("GDAL does not find Torkham:\n%s", o)
	}
}

// TestRunTilesCrisisLayers exports the crisis layers, which package
// export derives from the atlas, as the server serves them.
func TestRunTilesCrisisLayers(t *testing.T) {
	pmtilesCLI := geotest.RequireTool(t, "pmtiles", "go-pmtiles") // before seconds of work, not after
	t.Setenv("DURAND_DATA_DIR", t.TempDir()+"/none")
	out := filepath.Join(t.TempDir(), "crisis.pmtiles")
	sum, _ := runTilesJSON(t, "--out", out, "--maxzoom", "3", "--layers", "zones,events")
	if !slices.Equal(sum.Layers, []string{"events", "events_lines", "events_areas", "zones", "zones_label"}) || sum.Tiles == 0 {
		t.Errorf("summary %+v", sum)
	}
	meta, err := exec.Command(pmtilesCLI, "show", "--metadata", out).CombinedOutput()
	if err != nil {
		t.Fatalf("pmtiles show: %v\n%s", err, meta)
	}
	if !strings.Contains(string(meta), "Events curated by the durand project") {
		t.Errorf("no crisis attribution in the metadata:\n%s", meta)
	}
	if b, err := exec.Command(pmtilesCLI, "verify", out).CombinedOutput(); err != nil {
		t.Errorf("pmtiles verify: %v\n%s", err, b)
	}
}

// TestRunTilesAtomic checks that an existing archive is replaced only by a
// complete one, and that a cancelled run leaves the old file and no
// temporary file.
func TestRunTilesAtomic(t *testing.T) {
	t.Setenv("DURAND_DATA_DIR", t.TempDir()+"/none")
	dir := t.TempDir()
	for _, ext := range []string{"pmtiles", "mbtiles"} {
		t.Run(ext, func(t *testing.T) {
			out := filepath.Join(dir, "a."+ext)
			if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := runTiles(ctx, []string{"--out", out, "--maxzoom", "4", "--layers", "border,crossings"}, io.Discard, io.Discard)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled run: %v", err)
			}
			if b, _ := os.ReadFile(out); string(b) != "old" {
				t.Errorf("old file changed by a cancelled run")
			}
			if err := runTiles(context.Background(), []string{"--out", out, "--maxzoom", "2", "--layers", "border,crossings"}, io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(out); len(b) < 100 {
				t.Errorf("file not replaced: %q", b)
			}
		})
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("directory holds %v, want just the two archives", ents)
	}
}

// benchTileset builds the tileset durand tiles builds (atlas and crisis
// layers) of the embedded atlas, with the real districts installed from
// ../shared/data when withDistricts is set.
func benchTileset(b *testing.B, withDistricts bool) (*layers.Tiles, tilesMetadata) {
	b.Helper()
	dir := ""
	if withDistricts {
		shared := geotest.SharedData(b)
		dir = b.TempDir()
		if err := runData(context.Background(), []string{"install", "--from", shared, "--dir", dir}, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	a, err := openAtlas(dir)
	if err != nil {
		b.Fatal(err)
	}
	// The crisis layers too, as durand tiles.
	now, err := layers.TileLayers(a, layers.TileOptions{})
	if err != nil {
		b.Fatal(err)
	}
	deferred, err := layers.TileLayers(a, layers.TileOptions{Deferred: true})
	if err != nil {
		b.Fatal(err)
	}
	ts, err := layers.NewTiles(now, deferred, tiles.Options{})
	if err != nil {
		b.Fatal(err)
	}
	sum := &tilesSummary{MinZoom: 0, MaxZoom: 12, Bounds: [4]float64{60.5, 23.6, 77.9, 38.5}, Center: [3]float64{69, 31, 5}}
	return ts, tilesMetadata{name: "bench", vectorLayers: layers.VectorLayers(ts, 0, 12), tileStats: layers.TileStats(ts, 0, 12), sum: sum}
}

// BenchmarkTilesExport generates the full z0–z12 pyramid with Walk's
// worker pool (one worker per CPU) and writes it as PMTiles and as
// MBTiles, as `durand tiles --maxzoom 12` does after loading; it reports
// tiles written per second of wall time and per CPU-second.
//
//	go test -run '^$' -bench BenchmarkTilesExport -benchtime 3x ./cmd/durand
func BenchmarkTilesExport(b *testing.B) {
	for _, atlas := range []string{"embedded", "districts"} {
		b.Run(atlas, func(b *testing.B) {
			ts, md := benchTileset(b, atlas == "districts")
			for _, format := range []string{"pmtiles", "mbtiles"} {
				b.Run(format, func(b *testing.B) {
					dir := b.TempDir()
					var n int
					cpu0 := cpuSeconds()
					for i := 0; b.Loop(); i++ {
						out := filepath.Join(dir, "bench"+strconv.Itoa(i)+"."+format)
						aw, err := createArchive(format, out, md)
						if err != nil {
							b.Fatal(err)
						}
						st, err := ts.Walk(context.Background(), tiles.WalkOptions{Zooms: tiles.ZoomRange(0, 12)}, func(id tiles.TileID, data []byte) error {
							return aw.add(id, data)
						})
						if err != nil {
							b.Fatal(err)
						}
						if _, err := aw.finish(); err != nil {
							b.Fatal(err)
						}
						n += st.Tiles
						os.Remove(out)
					}
					sec := b.Elapsed().Seconds()
					b.ReportMetric(float64(n)/sec, "tiles/s")
					if cpu := cpuSeconds() - cpu0; cpu > 0 {
						b.ReportMetric(float64(n)/cpu, "tiles/cpu-s")
					}
					b.ReportMetric(float64(n)/float64(b.N), "tiles/op")
				})
			}
		})
	}
}

// cpuSeconds is the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// TestTileLayersCrossingStatus checks that the exported crossings carry
// their status on the default day, the properties the style colours them
// by, as the server's tiles do.
func TestTileLayersCrossingStatus(t *testing.T) {
	a := defaultAtlas(t)
	ls, err := layers.TileLayers(a, layers.TileOptions{Only: []string{geo.LayerCrossings}})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ls, func(l tiles.Layer) bool { return l.Name == geo.LayerCrossings })
	if i < 0 {
		t.Fatal("no crossings layer")
	}
	statuses := map[string]int{}
	for _, f := range ls[i].Features {
		s, _ := f.Properties["status"].(string)
		statuses[s]++
		if d, _ := f.Properties["status_date"].(string); len(d) != len(time.DateOnly) {
			t.Errorf("%v: status_date %q", f.ID, d)
		}
	}
	known := 0
	for s, n := range statuses {
		switch geo.Status(s) {
		case geo.StatusOpen, geo.StatusClosed, geo.StatusRefugeesOnly, geo.StatusTradeOnly, geo.StatusPedestriansOnly:
			known += n
		case geo.StatusUnknown:
		default:
			t.Errorf("status %q on %d crossings", s, n)
		}
	}
	if known == 0 {
		t.Errorf("no crossing has a known status: %v", statuses)
	}
}

// eachTile calls fn with every tile of the archive r in tile-id order: its
// address, its bytes as stored and decompressed.
func eachTile(r *pmtiles.Reader, fn func(z uint8, x, y uint32, stored, tile []byte) error) error {
	return r.Entries(func(e pmtiles.Entry) error {
		for id := e.TileID; id < e.TileID+uint64(e.RunLength); id++ {
			z, x, y, err := pmtiles.Zxy(id)
			if err != nil {
				return err
			}
			stored, err := r.Tile(z, x, y)
			if err != nil {
				return err
			}
			tile, err := r.Decompress(stored)
			if err != nil {
				return err
			}
			if err := fn(z, x, y, stored, tile); err != nil {
				return err
			}
		}
		return nil
	})
}

// openPMTiles opens the PMTiles archive at path for reading; it is closed
// when the test ends.
func openPMTiles(t *testing.T, path string) *pmtiles.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	r, err := pmtiles.NewReader(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
