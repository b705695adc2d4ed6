package layers_test

import (
	"fmt"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
)

// Build a tileset of the embedded atlas and list its tile layers.
func ExampleNewAtlasTileset() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, err := layers.NewAtlasTileset(a, tiles.Options{MaxZoom: 6})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range ts.Layers() {
		fmt.Printf("%s %s z%d–%d\n", l.Name, l.Geometry, l.MinZoom, l.MaxZoom)
	}
	// Output:
	// border line z0–6
	// countries polygon z0–6
	// countries_label point z0–6
	// provinces polygon z2–6
	// provinces_label point z2–6
	// crossings point z0–6
}

// Convert the crossings layer and look at one feature's typed attributes.
func ExampleAtlasTileLayers() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	ls, err := layers.AtlasTileLayers(a)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range ls {
		if l.Name != "crossings" {
			continue
		}
		p := l.Features[0].Properties
		fmt.Printf("%s: uncertainty_m %T, chainage_km %T, alt_names %T\n", p["id"], p["uncertainty_m"], p["chainage_km"], p["alt_names"])
	}
	// Output:
	// chaman: uncertainty_m int64, chainage_km float64, alt_names string
}

// The tiles the server serves and `durand tiles` writes: the layers
// available at once, then the zones, composed tile by tile.
func ExampleTileLayers() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	now, err := layers.TileLayers(a, layers.TileOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	deferred, err := layers.TileLayers(a, layers.TileOptions{Deferred: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, err := layers.NewTiles(now, deferred, tiles.Options{MaxZoom: 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(layers.TileLayerNames(now), layers.TileLayerNames(deferred))
	tile, err := ts.Tile(0, 0, 0)
	fmt.Println(len(tile) > 0, err)
	// Output:
	// [border countries provinces crossings events events_lines events_areas crossing_status] [zones]
	// true <nil>
}

// A catalogue layer: its metadata, schema and features.
func ExampleFromAtlas() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := layers.FromAtlas(a, "crossings")
	if err != nil {
		fmt.Println(err)
		return
	}
	f, _ := l.Field("uncertainty_m")
	fmt.Println(l.Title, "|", len(l.Features) > 0, "|", f.Kind, "|", l.Tiles.MinZoom)
	// Output:
	// Border crossings | true | int | 0
}
