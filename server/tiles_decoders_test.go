package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/tiles"
)

// requireNodeModules returns the repository's node_modules folder after
// checking node and the packages a test needs: missing ones skip the
// test, or fail it under CI (npm ci installs them there).
func requireNodeModules(t *testing.T, pkgs ...string) (node, dir string) {
	t.Helper()
	node = geotest.RequireTool(t, "node")
	dir = filepath.Join(geotest.RepoRoot(t), "node_modules")
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join(dir, p, "package.json")); err != nil {
			geotest.Missing(t, "npm package "+p, "npm ci --ignore-scripts (at the repository root)")
		}
	}
	return node, dir
}

// runNode runs a script of testdata/js with node and returns its stdout.
func runNode(t *testing.T, node string, timeout time.Duration, script string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	abs, err := filepath.Abs(filepath.Join("testdata", "js", script))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, append([]string{abs}, args...)...)
	// Node resolves packages from the script's folder upwards: the
	// repository's node_modules.
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	return out
}

// borderTiles returns the tiles of zooms 0 to maxZoom that the border
// passes through (sampled every 500 m), in zoom, x, y order.
func borderTiles(t testing.TB, s *server, maxZoom uint32) []tiles.TileID {
	t.Helper()
	ts, err := s.tiles.tileset()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[tiles.TileID]bool{}
	length := s.atlas.BorderLength() / 1000
	for km := 0.0; km <= length; km += 0.5 {
		p, err := s.atlas.PointAt(min(km, length))
		if err != nil {
			t.Fatal(err)
		}
		for z := uint32(0); z <= maxZoom; z++ {
			seen[ts.TileAt(p[0], p[1], z)] = true
		}
	}
	var out []tiles.TileID
	for id := range seen {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b tiles.TileID) int {
		if a.Z != b.Z {
			return int(a.Z) - int(b.Z)
		}
		if a.X != b.X {
			return int(a.X) - int(b.X)
		}
		return int(a.Y) - int(b.Y)
	})
	return out
}

// tileFiles fetches tiles from the handler into dir/z/x/y.pbf and returns
// the files and the layers orb decodes from each. With flat, the files
// are named without digits instead (3/5/3 becomes d-f-d.pbf), which GDAL
// reads in tile units: it georeferences a tile whose path ends in
// z/x/y.pbf or whose name is z-x-y.pbf.
func tileFiles(t *testing.T, s *server, ids []tiles.TileID, dir string, flat bool) ([]string, []map[string]*mvt.Layer) {
	t.Helper()
	h := s.handler()
	var files []string
	var decoded []map[string]*mvt.Layer
	for _, id := range ids {
		w := get(t, h, "GET", "/tiles/durand/"+id.String()+".mvt")
		if w.Code != 200 {
			t.Fatalf("tile %s: %d (the border passes through it)", id, w.Code)
		}
		f := filepath.Join(dir, strconv.Itoa(int(id.Z)), strconv.Itoa(int(id.X)), strconv.Itoa(int(id.Y))+".pbf")
		if flat {
			letters := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return 'a' + r - '0'
				}
				return '-'
			}, id.String())
			f = filepath.Join(dir, letters+".pbf")
		}
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, w.Body.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		decoded = append(decoded, decodeTile(t, w.Body.Bytes()))
	}
	return files, decoded
}

// knownTileLayers are the layers the atlas's tiles always hold (with
// districts installed).
func knownTileLayers() []string {
	return []string{"border", "countries", "countries_label", "provinces", "provinces_label",
		"districts", "districts_label", "crossings"}
}

// checkLayerNames checks that a tile over the border holds only known
// layers and at least the border, the countries and, from zoom 6, the
// districts.
func checkLayerNames(t *testing.T, s *server, id tiles.TileID, layers map[string]*mvt.Layer, districts bool) {
	t.Helper()
	st, _ := s.tiles.current()
	var names []string
	for _, li := range st.layers {
		names = append(names, li.Name)
	}
	for _, n := range knownTileLayers() {
		if !slices.Contains(names, n) {
			t.Errorf("the tileset has no layer %s (has %v)", n, names)
		}
	}
	for name, l := range layers {
		if !slices.Contains(names, name) {
			t.Errorf("tile %s: unexpected layer %s", id, name)
		}
		if l.Version != 2 || l.Extent != 4096 {
			t.Errorf("tile %s layer %s: version %d extent %d", id, name, l.Version, l.Extent)
		}
	}
	want := []string{"border", "countries"}
	if id.Z >= 2 {
		want = append(want, "provinces")
	}
	if districts && id.Z >= 6 {
		want = append(want, "districts")
	}
	for _, n := range want {
		if layers[n] == nil || len(layers[n].Features) == 0 {
			t.Errorf("tile %s: no %s (layers %v)", id, n, keys(layers))
		}
	}
}

// TestTilesDecodeWithGDAL reads every tile of zooms 0 to 8 along the
// border of the real atlas (districts installed) with GDAL's MVT driver:
// the same layers and feature counts as orb decodes (CLIP=NO keeps the
// features that lie only in the buffer), and every polygon valid by GEOS
// (ST_IsValid through GDAL's SQLite dialect).
//
// Validity is checked in tile units, the integer coordinates the tile
// holds: MVT 2.1 allows an exterior ring to touch a hole at a point, and
// where that point is a vertex of one ring on the inside of a segment of
// the other, it is exact on the integer grid but can fall a hair to either
// side once GDAL turns tile units into Web Mercator metres in floating
// point, which GEOS then reports as a self-intersection.
func TestTilesDecodeWithGDAL(t *testing.T) {
	geotest.Long(t, "GDAL decodes and validates the tiles of the real atlas zoom by zoom")
	ogrinfo := geotest.RequireTool(t, "ogrinfo")
	a := realAtlas(t)
	s, err := newServer(Config{Atlas: a})
	if err != nil {
		t.Fatal(err)
	}
	s.tiles.noDeferred = true // the zones take long to tile; they are not along every part of the border
	ids := borderTiles(t, s, 8)
	files, decoded := tileFiles(t, s, ids, t.TempDir(), true)
	t.Logf("%d tiles of zooms 0-8 along the border", len(ids))

	row := regexp.MustCompile(`(?m)^\s+(layer|n|valid) \(\w+\) = (.*)$`)
	var mu sync.Mutex
	polygons := 0
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, f := range files {
		checkLayerNames(t, s, ids[i], decoded[i], true)
		var parts []string
		for _, name := range keys(decoded[i]) {
			parts = append(parts, fmt.Sprintf("SELECT '%s' AS layer, count(*) AS n, sum(CASE WHEN ST_GeometryType(geometry) LIKE '%%POLYGON%%' THEN ST_IsValid(geometry) ELSE 1 END) AS valid FROM \"%s\"", name, name))
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, ogrinfo, "-ro", "-q", "-oo", "CLIP=NO", "-dialect", "SQLite", "-sql", strings.Join(parts, " UNION ALL "), f).CombinedOutput()
			if err != nil {
				t.Errorf("ogrinfo %s: %v\n%s", f, err, out)
				return
			}
			got := map[string][2]int{}
			var layer string
			var n int
			for _, m := range row.FindAllStringSubmatch(string(out), -1) {
				switch m[1] {
				case "layer":
					layer = m[2]
				case "n":
					n, _ = strconv.Atoi(m[2])
				case "valid":
					v, _ := strconv.Atoi(m[2])
					got[layer] = [2]int{n, v}
				}
			}
			for name, l := range decoded[i] {
				g, ok := got[name]
				if !ok {
					t.Errorf("tile %s: GDAL does not read layer %s:\n%s", ids[i], name, out)
					continue
				}
				if g[0] != len(l.Features) {
					t.Errorf("tile %s layer %s: GDAL reads %d features, orb %d", ids[i], name, g[0], len(l.Features))
				}
				if g[1] != g[0] {
					t.Errorf("tile %s layer %s: %d of %d features invalid (ST_IsValid)", ids[i], name, g[0]-g[1], g[0])
				}
				if l.Features != nil && strings.HasSuffix(fmt.Sprint(l.Features[0].Geometry.GeoJSONType()), "Polygon") {
					mu.Lock()
					polygons += g[0]
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	t.Logf("GDAL read %d tiles; %d polygon features, all valid", len(files), polygons)
}

// TestTilesDecodeWithNode decodes the same tiles with node's
// @mapbox/vector-tile: the same layers and feature counts as orb, version
// 2, every polygon feature starting with an exterior ring, and every
// feature convertible to GeoJSON.
func TestTilesDecodeWithNode(t *testing.T) {
	node, _ := requireNodeModules(t, "@mapbox/vector-tile", "pbf")
	t.Parallel() // waits on node; its own server over the shared atlas
	a := realAtlas(t)
	s, err := newServer(Config{Atlas: a})
	if err != nil {
		t.Fatal(err)
	}
	s.tiles.noDeferred = true // the zones take long to tile; they are not along every part of the border
	ids := borderTiles(t, s, 8)
	files, decoded := tileFiles(t, s, ids, t.TempDir(), false)
	out := runNode(t, node, 2*time.Minute, "decode.mjs", files...)
	type layerInfo struct {
		Version, Extent, Count int
		Types                  map[string]int
		BadRings               int `json:"badRings"`
		GeoJSONErrors          int `json:"geojsonErrors"`
	}
	var res map[string]map[string]layerInfo
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output: %v\n%.500s", err, out)
	}
	for i, f := range files {
		got := res[f]
		if !slices.Equal(keys(got), keys(decoded[i])) {
			t.Errorf("tile %s: node reads layers %v, orb %v", ids[i], keys(got), keys(decoded[i]))
		}
		for name, l := range decoded[i] {
			g := got[name]
			if g.Count != len(l.Features) || g.Version != 2 || g.Extent != 4096 || g.BadRings != 0 || g.GeoJSONErrors != 0 {
				t.Errorf("tile %s layer %s: node %+v, orb %d features", ids[i], name, g, len(l.Features))
			}
		}
	}
	t.Logf("node read %d tiles", len(files))
}
