package crs_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/durandline/durand/layers/crs"
)

func Example() {
	utm42, err := crs.Lookup("EPSG:32642")
	if err != nil {
		fmt.Println(err)
		return
	}
	torkham := orb.Point{71.0967, 34.1118} // longitude, latitude
	p := utm42.Forward(torkham)
	fmt.Printf("%s: E %.1f N %.1f\n", utm42, p[0], p[1])
	back := utm42.Inverse(p)
	fmt.Printf("back: %.6f %.6f\n", back[0], back[1])
	wgs, _ := crs.Lookup("EPSG:4326")
	fmt.Println(wgs.Forward(torkham)) // latitude first
	// Output:
	// EPSG:32642: E 693387.8 N 3776537.2
	// back: 71.096700 34.111800
	// [34.1118 71.0967]
}
