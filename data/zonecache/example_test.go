package zonecache_test

import (
	"fmt"
	"log"
	"os"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

// A buffer put in the directory by one program is read back, bit for bit,
// by another.
func ExampleDir() {
	root, err := os.MkdirTemp("", "zonecache-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	stretch := orb.MultiLineString{{{66.1, 30.2}, {66.4, 30.9}}}
	key := geo.BufferKey(stretch, geo.ReachKm*1000)

	first, err := zonecache.Open(root, zonecache.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := first.Put(key, []orb.Ring{{{66, 30}, {67, 30}, {67, 31}, {66, 30}}}); err != nil {
		log.Fatal(err)
	}

	second, err := zonecache.Open(root, zonecache.Options{})
	if err != nil {
		log.Fatal(err)
	}
	rings, ok := second.Buffer(key)
	fmt.Println(ok, rings[0][1])
	// Output: true [67 30]
}

// An atlas takes its zone buffers from the cache of the durand command
// ($DURAND_CACHE_DIR, else the user's cache directory; the tests point it
// at a directory of their own): the first program traces them, the next
// ones read them.
func ExampleDefault() {
	atlas, err := data.Default()
	if err != nil {
		log.Fatal(err)
	}
	if c := zonecache.Default(); c != nil { // nil when $DURAND_CACHE_DIR is "off"
		atlas.UseBufferCache(c) // before the zones are computed
	}
	zones, err := atlas.Zones()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(zones), "zones")
	// Output: 28 zones
}
