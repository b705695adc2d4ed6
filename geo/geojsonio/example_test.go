package geojsonio_test

import (
	"fmt"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
)

func ExampleFeatureCollection() {
	b, err := geojsonio.FeatureCollection([]geojsonio.Feature{
		{ID: "torkham", Props: []geojsonio.Prop{{Key: "name", Value: "Torkham"}, {Key: "open", Value: true}},
			Geom: orb.Point{71.0966012345678, 34.1098}},
		{ID: "none", Geom: nil},
	}, 7)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(b))
	// Output:
	// {"type":"FeatureCollection","features":[
	// {"type":"Feature","id":"torkham","properties":{"name":"Torkham","open":true},"geometry":{"type":"Point","coordinates":[71.0966012,34.1098000]}},
	// {"type":"Feature","id":"none","properties":{},"geometry":null}
	// ]}
}

func ExampleRoundRing() {
	r := orb.Ring{{66, 31}, {66.00000001, 31}, {66.1, 31}, {66.1, 31.1}}
	fmt.Println(geojsonio.RoundRing(r))
	fmt.Println(geojsonio.Round7(-1e-9))
	// Output:
	// [[66 31] [66.1 31] [66.1 31.1] [66 31]]
	// 0
}

func ExampleOriented() {
	cw := orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}
	fmt.Println(geojsonio.Oriented(cw, true).Orientation() == orb.CCW)
	fmt.Println(geojsonio.Oriented(cw, false).Orientation() == orb.CW)
	// Output:
	// true
	// true
}

func ExamplePolygons() {
	mp, err := geojsonio.Polygons("Polygon", []byte(`[[[66,31,1200],[66.1,31],[66.1,31.1],[66,31]]]`))
	fmt.Println(mp, err)
	_, err = geojsonio.Polygons("Polygon", []byte(`[[[66],[66.1,31],[66.1,31.1],[66]]]`))
	fmt.Println(err)
	_, err = geojsonio.Polygons("Point", []byte(`[66,31]`))
	fmt.Println(err)
	// Output:
	// [[[[66 31] [66.1 31] [66.1 31.1] [66 31]]]] <nil>
	// polygon 0 ring 0 position 0 has 1 numbers, want at least 2
	// geometry type is "Point", want Polygon or MultiPolygon
}
