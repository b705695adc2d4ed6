package geo_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

func ExampleDataVersion() {
	v, err := geo.DataVersion(data.FS())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(v, "sha256:"), len(v))
	// Output: true 71
}
