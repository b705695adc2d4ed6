package export_test

import (
	"fmt"
	"os"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/layers/export"
)

func ExampleWrite() {
	f := geojson.NewFeature(orb.Point{71.0935, 34.1165})
	f.ID = "torkham"
	f.Properties = geojson.Properties{"id": "torkham", "name": "Torkham", "chainage_km": 2005.5}
	l := layers.Layer{Name: "crossings", Attribution: "example data", Features: []*geojson.Feature{f}}
	if err := export.Write(os.Stdout, l, export.CSV); err != nil {
		fmt.Println(err)
	}
	// Output:
	// WKT,id,name,chainage_km,attribution
	// POINT (71.0935 34.1165),torkham,Torkham,2005.5,example data
}

func ExampleParseFormat() {
	f, err := export.ParseFormat("GeoPackage")
	fmt.Println(f, f.ContentType(), export.FileName("provinces", f), err)
	_, err = export.ParseFormat("shp")
	fmt.Println(err)
	// Output:
	// gpkg application/geopackage+sqlite3 durand-provinces.gpkg <nil>
	// export: unknown format "shp" (want one of geojson, gpkg, kml, csv)
}
