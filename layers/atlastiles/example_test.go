package atlastiles_test

import (
	"fmt"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/layers/atlastiles"
	"github.com/durandline/durand/tiles"
)

// Build a tileset of the embedded atlas and list its tile layers.
func ExampleNew() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, err := atlastiles.New(a, tiles.Options{MaxZoom: 6})
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
func ExampleLayers() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	ls, err := atlastiles.Layers(a)
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
