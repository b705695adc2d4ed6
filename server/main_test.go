package server

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/durandline/durand/geo/geotest"
)

// browser is the one headless Chromium of this package's browser tests,
// started by the first of them and stopped after the last (TestMain).
var browser geotest.Chromium

// parallelTests is how many parallel tests run at once unless -parallel
// is given: at least 4. Most of this package's parallel tests wait on
// other processes (Chromium, QGIS, GDAL, node), whose work the default
// (GOMAXPROCS, 2 on the project's test machine) does not count, so with 2
// the cores sit partly idle; with 4 the package took 90 s instead of 107 s
// on that machine.
func parallelTests() int { return max(4, runtime.GOMAXPROCS(0)) }

// TestMain runs the tests, stops the shared browser, then says in one line
// which real-client tests were skipped for a missing tool and how to
// install it (geotest.Main).
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(parallelTests())); err != nil {
			panic(err)
		}
	}
	code := geotest.Main(m)
	browser.Close()
	os.Exit(code)
}
