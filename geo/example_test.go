package geo_test

import (
	"fmt"
	"log"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom/encoding/wkt"
)

func ExampleLoad() {
	// data.FS() holds the embedded default files; any fs.FS with the same
	// files (os.DirFS, fstest.MapFS) works.
	atlas, err := geo.Load(data.FS())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(atlas.Layers())
	fmt.Printf("border: %d vertices, %.0f km\n", atlas.Border().Vertices(), atlas.BorderLength()/1000)
	// Output:
	// [border countries provinces crossings]
	// border: 17015 vertices, 2762 km
}

func ExampleAtlas_Locate() {
	atlas, err := data.Default()
	if err != nil {
		log.Fatal(err)
	}
	loc, err := atlas.Locate(orb.Point{66.39, 31.00}) // Spin Boldak town
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loc.Country, loc.Province)
	fmt.Printf("%.1f km from the border, at km %.0f of it\n", loc.Border.Metres/1000, loc.Border.ChainageKm)
	fmt.Printf("nearest crossing: %s, %.1f km\n", loc.NearestCrossing.Name, loc.NearestCrossing.Metres/1000)
	// Output:
	// AFG Kandahar
	// 6.2 km from the border, at km 746 of it
	// nearest crossing: Chaman, 6.8 km
}

func ExampleAtlas_DistanceToBorder() {
	atlas, _ := data.Default()
	d, err := atlas.DistanceToBorder(orb.Point{71.57, 34.01}) // Peshawar
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.1f km\n", d.Metres/1000)
	_, err = atlas.DistanceToBorder(orb.Point{71.57, 134.01})
	fmt.Println(err)
	// Output:
	// 44.1 km
	// geo: invalid coordinate (71.57, 134.01): latitude outside [-90, 90]
}

func ExampleAtlas_NearestCrossings() {
	atlas, _ := data.Default()
	cs, err := atlas.NearestCrossings(orb.Point{70.45, 34.43}, 2) // Jalalabad
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range cs {
		fmt.Printf("%s %.0f km\n", c.Name, c.Metres/1000)
	}
	// Output:
	// Gursal 52 km
	// Torkham 68 km
}

func ExampleAtlas_Crossing() {
	atlas, _ := data.Default()
	c, err := atlas.Crossing("Tūrkham") // names fold case and diacritics
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %s, km %.1f, ±%.0f m\n", c.ID, c.Method, c.ChainageKm, c.UncertaintyM)
	// Output:
	// torkham: sourced, km 1912.2, ±500 m
}

func ExampleAtlas_PointAt() {
	atlas, _ := data.Default()
	p, err := atlas.PointAt(1000)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f %.4f\n", p[0], p[1])
	// Output:
	// 67.6074 31.4455
}

func ExampleAtlas_BorderBetween() {
	atlas, _ := data.Default()
	c, _ := atlas.Crossing("torkham")
	seg, err := atlas.BorderBetween(c.ChainageKm-5, c.ChainageKm+5)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f km\n", geo.LineLength(seg)/1000)
	// Output:
	// 10.000 km
}

func ExampleAtlas_BorderShare() {
	atlas, _ := data.Default()
	shares, err := atlas.BorderShare(geo.LayerProvinces)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range shares[:3] {
		fmt.Printf("%s (%s): %.0f km\n", s.Name, s.Country, s.Km)
	}
	// Output:
	// Balochistan (PAK): 1336 km
	// Khyber Pakhtunkhwa (PAK): 1297 km
	// Kandahar (AFG): 635 km
}

func ExampleFold() {
	fmt.Println(geo.Fold("Spīn Būldak"))
	// Output: spin buldak
}

func ExampleToGeom() {
	atlas, _ := data.Default()
	c, _ := atlas.Crossing("chaman")
	g, err := geo.ToGeom(c.Point)
	if err != nil {
		log.Fatal(err)
	}
	s, _ := wkt.Marshal(g)
	fmt.Println(s, g.SRID())
	// Output:
	// POINT (66.4378132 30.9547363) 4326
}
