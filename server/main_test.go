package server

import (
	"os"
	"testing"

	"github.com/durandline/durand/geo/geotest"
)

// browser is the one headless Chromium of this package's browser tests,
// started by the first of them and stopped after the last (TestMain).
var browser geotest.Chromium

// TestMain runs the tests, stops the shared browser, then says in one line
// which real-client tests were skipped for a missing tool and how to
// install it (geotest.Main).
func TestMain(m *testing.M) {
	code := geotest.Main(m)
	browser.Close()
	os.Exit(code)
}
