package mbtiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
	"github.com/durandline/durand/tiles/mbtiles"
	"github.com/durandline/durand/tiles/pmtiles"
)

type tile struct {
	id   tiles.TileID
	data []byte
}

var (
	fixtureOnce  sync.Once
	fixtureTS    *tiles.Tileset
	fixtureTiles []tile
	fixtureErr   error
)

// torkham is the area the test tilesets cover: the Khyber Pass.
var torkham = orb.Bound{Min: orb.Point{70.6, 33.8}, Max: orb.Point{71.6, 34.4}}

// fixture returns the tiles of the real embedded atlas for zooms 0–8 over
// the Khyber Pass.
func fixture(t *testing.T) (*tiles.Tileset, []tile) {
	t.Helper()
	fixtureOnce.Do(func() {
		a, err := data.Default()
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureTS, fixtureErr = layers.NewAtlasTileset(a, tiles.Options{MaxZoom: 8})
		if fixtureErr != nil {
			return
		}
		_, fixtureErr = fixtureTS.Walk(context.Background(), tiles.WalkOptions{Bound: torkham}, func(id tiles.TileID, b []byte) error {
			fixtureTiles = append(fixtureTiles, tile{id, b})
			return nil
		})
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureTS, fixtureTiles
}

func metadata(ts *tiles.Tileset) mbtiles.Metadata {
	return mbtiles.Metadata{
		Name: "durand test", Description: "test", Attribution: "test attribution", Type: "overlay", Version: "1.0.0",
		MinZoom: 0, MaxZoom: 8,
		Bounds:       [4]float64{torkham.Min[0], torkham.Min[1], torkham.Max[0], torkham.Max[1]},
		Center:       [3]float64{71.09, 34.11, 6},
		VectorLayers: layers.VectorLayers(ts, 0, 8),
		TileStats:    layers.TileStats(ts, 0, 8),
	}
}

func write(t *testing.T) (string, []tile) {
	t.Helper()
	ts, tl := fixture(t)
	path := filepath.Join(t.TempDir(), "test.mbtiles")
	w, err := mbtiles.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tl {
		if err := w.Put(uint8(x.id.Z), x.id.X, x.id.Y, x.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(metadata(ts)); err != nil {
		t.Fatal(err)
	}
	if w.Tiles != len(tl) || w.Images > w.Tiles {
		t.Errorf("%d tiles, %d images for %d tiles put", w.Tiles, w.Images, len(tl))
	}
	return path, tl
}

func TestWriteSchema(t *testing.T) {
	path, tl := write(t)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var appID int
	if err := db.QueryRow("PRAGMA application_id").Scan(&appID); err != nil || appID != mbtiles.ApplicationID {
		t.Errorf("application_id %x, %v", appID, err)
	}
	md := map[string]string{}
	rows, err := db.Query("SELECT name, value FROM metadata")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		md[k] = v
	}
	rows.Close()
	for k, want := range map[string]string{
		"name": "durand test", "format": "pbf", "bounds": "70.6,33.8,71.6,34.4", "center": "71.09,34.11,6",
		"minzoom": "0", "maxzoom": "8", "attribution": "test attribution", "type": "overlay", "version": "1.0.0",
	} {
		if md[k] != want {
			t.Errorf("metadata %s = %q, want %q", k, md[k], want)
		}
	}
	var js struct {
		VectorLayers []struct {
			ID      string            `json:"id"`
			Fields  map[string]string `json:"fields"`
			MinZoom int               `json:"minzoom"`
			MaxZoom int               `json:"maxzoom"`
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal([]byte(md["json"]), &js); err != nil {
		t.Fatalf("json row: %v", err)
	}
	var ids []string
	for _, l := range js.VectorLayers {
		ids = append(ids, l.ID)
	}
	if strings.Join(ids, ",") != "border,countries,countries_label,provinces,provinces_label,crossings" {
		t.Errorf("vector_layers %v", ids)
	}

	// Every tile is at its TMS row, gzip-compressed.
	for _, x := range tl {
		row := (1 << x.id.Z) - 1 - int(x.id.Y)
		var blob []byte
		err := db.QueryRow("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", x.id.Z, x.id.X, row).Scan(&blob)
		if err != nil {
			t.Fatalf("tile %v (row %d): %v", x.id, row, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(blob))
		if err != nil {
			t.Fatalf("tile %v not gzip: %v", x.id, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, x.data) {
			t.Fatalf("tile %v differs (%v)", x.id, err)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM tiles").Scan(&n); err != nil || n != len(tl) {
		t.Errorf("%d rows in tiles, want %d (%v)", n, len(tl), err)
	}
}

// TestGDAL opens the file with GDAL's MBTiles driver, which reads the
// vector tiles with its MVT driver and the layers from the json metadata.
func TestGDAL(t *testing.T) {
	ogrinfo := geotest.RequireTool(t, "ogrinfo")
	path, tl := write(t)
	out, err := exec.Command(ogrinfo, "-ro", "-so", "-oo", "ZOOM_LEVEL=8", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "using driver `MBTiles'") {
		t.Errorf("not opened as MBTiles:\n%s", out)
	}
	// Geometry types come from the tilestats in the json metadata.
	for _, l := range []string{"border (Multi Line String)", "countries (Multi Polygon)", "countries_label (Multi Point)",
		"provinces (Multi Polygon)", "provinces_label (Multi Point)", "crossings (Multi Point)"} {
		if !strings.Contains(string(out), l) {
			t.Errorf("ogrinfo lacks layer %q:\n%s", l, out)
		}
	}
	// Crossings in the zoom-8 tiles written: counted from the tiles
	// themselves, each point once (GDAL clips features to their tile).
	want := 0
	for _, x := range tl {
		if x.id.Z == 8 {
			want += strings.Count(string(x.data), "torkham") // id attribute values
		}
	}
	if want == 0 {
		t.Fatal("no Torkham crossing in the zoom-8 tiles")
	}
	out, err = exec.Command(ogrinfo, "-ro", "-al", "-oo", "ZOOM_LEVEL=8", "-where", "id = 'torkham'", path, "crossings").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, w := range []string{"name (String) = Torkham", "uncertainty_m (Real) = 500", "chainage_km (Real) = 1912.227", "MULTIPOINT ((79"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("Torkham as read by GDAL lacks %q:\n%s", w, out)
		}
	}
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(out))
	if m == nil || m[1] != "1" {
		t.Errorf("GDAL found %v Torkham features, want 1:\n%s", m, out)
	}
	// Provinces: the polygons GDAL assembles are valid geometries with the
	// typed attributes.
	out, err = exec.Command(ogrinfo, "-ro", "-al", "-so", "-oo", "ZOOM_LEVEL=6", path, "provinces").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, w := range []string{"alt_names: String", "iso_3166_2: String", "Feature Count:"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("provinces at zoom 6 lack %q:\n%s", w, out)
		}
	}
}

// TestPMTilesConvert converts the file with `pmtiles convert`, an
// independent MBTiles reader that flips TMS rows back, and checks every
// tile at its XYZ address.
func TestPMTilesConvert(t *testing.T) {
	cli := geotest.RequireTool(t, "pmtiles", "go-pmtiles")
	path, tl := write(t)
	out := filepath.Join(t.TempDir(), "converted.pmtiles")
	if b, err := exec.Command(cli, "convert", "--tmpdir", t.TempDir(), path, out).CombinedOutput(); err != nil {
		t.Fatalf("pmtiles convert: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	r, err := pmtiles.NewReader(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header(); h.MinZoom != 0 || h.MaxZoom != 8 || h.AddressedTiles != uint64(len(tl)) {
		t.Errorf("converted header %+v, want %d tiles", h, len(tl))
	}
	for _, x := range tl {
		stored, err := r.Tile(uint8(x.id.Z), x.id.X, x.id.Y)
		if err != nil {
			t.Fatalf("%v: %v", x.id, err)
		}
		got, err := r.Decompress(stored)
		if err != nil || !bytes.Equal(got, x.data) {
			t.Fatalf("%v differs after conversion (%v)", x.id, err)
		}
	}
}

func TestErrors(t *testing.T) {
	ts, tl := fixture(t)
	dir := t.TempDir()
	good := metadata(ts)
	t.Run("exists", func(t *testing.T) {
		p := filepath.Join(dir, "exists.mbtiles")
		os.WriteFile(p, []byte("x"), 0o644)
		if _, err := mbtiles.Create(p); !errors.Is(err, mbtiles.ErrExists) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad address", func(t *testing.T) {
		w, err := mbtiles.Create(filepath.Join(dir, "addr.mbtiles"))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		if err := w.Put(2, 4, 0, []byte("x")); !errors.Is(err, mbtiles.ErrTileAddress) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("duplicate tile", func(t *testing.T) {
		w, err := mbtiles.Create(filepath.Join(dir, "dup.mbtiles"))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		w.Put(1, 0, 0, []byte("x"))
		if err := w.Put(1, 0, 0, []byte("y")); err == nil || !strings.Contains(err.Error(), "1/0/0") {
			t.Errorf("err = %v", err)
		}
	})
	for i, tc := range []struct {
		name string
		edit func(*mbtiles.Metadata)
	}{
		{"no name", func(m *mbtiles.Metadata) { m.Name = " " }},
		{"zoom range", func(m *mbtiles.Metadata) { m.MinZoom = 9 }},
		{"bounds", func(m *mbtiles.Metadata) { m.Bounds = [4]float64{10, 0, 5, 1} }},
		{"no vector layers", func(m *mbtiles.Metadata) { m.VectorLayers = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "md"+strconv.Itoa(i)+".mbtiles")
			w, err := mbtiles.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			w.Put(uint8(tl[0].id.Z), tl[0].id.X, tl[0].id.Y, tl[0].data)
			md := good
			tc.edit(&md)
			if err := w.Close(md); !errors.Is(err, mbtiles.ErrMetadata) {
				t.Errorf("err = %v", err)
			}
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("file left behind after a failed Close: %v", err)
			}
			if err := w.Put(0, 0, 0, []byte("x")); !errors.Is(err, mbtiles.ErrClosed) {
				t.Errorf("Put after Close: %v", err)
			}
		})
	}
}

func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "mbtiles-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "example.mbtiles")
	w, err := mbtiles.Create(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	// XYZ addresses; stored at TMS rows.
	w.Put(0, 0, 0, []byte("tile"))
	w.Put(1, 1, 0, []byte("tile"))
	err = w.Close(mbtiles.Metadata{
		Name: "example", MinZoom: 0, MaxZoom: 1,
		Bounds: [4]float64{60.5, 23.6, 77.8, 38.5}, Center: [3]float64{69, 31, 1},
		VectorLayers: []map[string]any{{"id": "border", "fields": map[string]string{}}},
	})
	fmt.Println(w.Tiles, "tiles,", w.Images, "distinct", err)
	// Output:
	// 2 tiles, 1 distinct <nil>
}
