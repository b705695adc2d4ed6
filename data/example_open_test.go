package data_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// OpenDefault is how a Go program gets the atlas: the embedded layers plus
// the districts installed with `durand data install`, if any. Here the
// default data directory is pointed at an empty place, so the atlas is the
// embedded one, without an error.
func ExampleOpenDefault() {
	tmp, err := os.MkdirTemp("", "durand-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)
	os.Setenv("DURAND_DATA_DIR", filepath.Join(tmp, "nothing-installed"))
	defer os.Unsetenv("DURAND_DATA_DIR")

	atlas, err := data.OpenDefault()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("districts installed:", atlas.HasDistricts())
	crossings, _ := atlas.Features(geo.LayerCrossings)
	fmt.Println("crossings:", len(crossings) > 0)
	// Output:
	// districts installed: false
	// crossings: true
}
