package tiles_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/durandline/durand/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// exampleLayers are two neighbouring provinces sharing an edge, the border
// line along part of it and a crossing point on it.
func exampleLayers() []tiles.Layer {
	west := orb.Polygon{{{70, 33}, {71, 33}, {71, 34.5}, {70, 34.5}, {70, 33}}}
	east := orb.Polygon{{{71, 33}, {72, 33}, {72, 34.5}, {71, 34.5}, {71, 33}}}
	return []tiles.Layer{
		{Name: "provinces", Labels: true, Features: []tiles.Feature{
			{ID: tiles.StringID("west"), Geometry: west, Properties: map[string]any{"name": "West", "area_km2": 15000}},
			{ID: tiles.StringID("east"), Geometry: east, Properties: map[string]any{"name": "East", "area_km2": 15000}},
		}},
		{Name: "border", Features: []tiles.Feature{
			{ID: 1, Geometry: orb.LineString{{71, 33}, {71, 34.5}}, Properties: map[string]any{"name": "Border"}},
		}},
		{Name: "crossings", Features: []tiles.Feature{
			{ID: 1, Geometry: orb.Point{71, 34.11}, Properties: map[string]any{"name": "Torkham", "open": true}},
		}},
	}
}

func Example() {
	ts, err := tiles.NewTileset(exampleLayers(), tiles.Options{})
	if err != nil {
		log.Fatal(err)
	}
	id := ts.TileAt(71, 34.11, 8) // the tile holding the crossing at zoom 8
	data, err := ts.Tile(id.Z, id.X, id.Y)
	if err != nil {
		log.Fatal(err)
	}
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tile", id)
	for _, l := range layers {
		fmt.Printf("%s: version %d, extent %d, %d features\n", l.Name, l.Version, l.Extent, len(l.Features))
	}
	// Output:
	// tile 8/178/102
	// provinces: version 2, extent 4096, 2 features
	// provinces_label: version 2, extent 4096, 2 features
	// border: version 2, extent 4096, 1 features
	// crossings: version 2, extent 4096, 1 features
}

func ExampleTileset_Tile_empty() {
	ts, err := tiles.NewTileset(exampleLayers(), tiles.Options{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = ts.Tile(8, 0, 0) // far from the data
	fmt.Println(errors.Is(err, tiles.ErrEmpty))
	_, err = ts.Tile(15, 0, 0) // above the maximum zoom
	fmt.Println(errors.Is(err, tiles.ErrTileAddress))
	// Output:
	// true
	// true
}

func ExampleTileset_Walk() {
	ts, err := tiles.NewTileset(exampleLayers(), tiles.Options{})
	if err != nil {
		log.Fatal(err)
	}
	perZoom := map[uint32]int{}
	stats, err := ts.Walk(context.Background(), tiles.WalkOptions{Zooms: tiles.ZoomRange(0, 8)}, func(id tiles.TileID, data []byte) error {
		perZoom[id.Z]++ // a PMTiles or MBTiles writer would store data here
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tiles:", stats.Tiles)
	fmt.Println("z0:", perZoom[0], "z8:", perZoom[8])
	// Output:
	// tiles: 20
	// z0: 1 z8: 9
}

func ExampleTileset_Layers() {
	ts, err := tiles.NewTileset(exampleLayers(), tiles.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range ts.Layers() {
		fmt.Println(l.Name, l.Geometry, l.MinZoom, l.MaxZoom, l.Fields)
	}
	// Output:
	// provinces polygon 0 14 map[area_km2:Number name:String]
	// provinces_label point 0 14 map[area_km2:Number name:String]
	// border line 0 14 map[name:String]
	// crossings point 0 14 map[name:String open:Boolean]
}

func ExampleStringID() {
	id := tiles.StringID("AFG-1753")
	fmt.Println(id, id < 1<<53)
	// Output:
	// 7059313354521066 true
}

func ExampleTileID_Bound() {
	b := tiles.TileID{Z: 1, X: 1, Y: 0}.Bound()
	fmt.Printf("%.0f %.4f %.0f %.4f\n", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	// Output:
	// 0 0.0000 180 85.0511
}

func ExampleTileset_TileJSON() {
	ts, err := tiles.NewTileset(exampleLayers()[1:], tiles.Options{MaxZoom: 12})
	if err != nil {
		log.Fatal(err)
	}
	doc, err := ts.TileJSON(tiles.TileJSONOptions{
		Tiles:             []string{"https://example.org/tiles/{z}/{x}/{y}.mvt"},
		Name:              "Border",
		LayerDescriptions: map[string]string{"crossings": "Border crossings"},
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))
	// Output:
	// {
	//  "tilejson": "3.0.0",
	//  "tiles": [
	//   "https://example.org/tiles/{z}/{x}/{y}.mvt"
	//  ],
	//  "vector_layers": [
	//   {
	//    "id": "border",
	//    "minzoom": 0,
	//    "maxzoom": 12,
	//    "fields": {
	//     "name": "String"
	//    }
	//   },
	//   {
	//    "id": "crossings",
	//    "description": "Border crossings",
	//    "minzoom": 0,
	//    "maxzoom": 12,
	//    "fields": {
	//     "name": "String",
	//     "open": "Boolean"
	//    }
	//   }
	//  ],
	//  "name": "Border",
	//  "scheme": "xyz",
	//  "minzoom": 0,
	//  "maxzoom": 12,
	//  "bounds": [
	//   71,
	//   33,
	//   71,
	//   34.5
	//  ],
	//  "center": [
	//   71,
	//   33.75,
	//   7
	//  ]
	// }
}
