package tiles_test

import (
	"os"
	"testing"

	"github.com/durandline/durand/geo/geotest"
)

// TestMain runs the tests through geotest.Main (the collector's setting,
// the line on what was skipped).
func TestMain(m *testing.M) { os.Exit(geotest.Main(m)) }
