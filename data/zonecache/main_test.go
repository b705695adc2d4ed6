package zonecache_test

import (
	"os"
	"testing"

	"github.com/durandline/durand/geo/geotest"
)

// TestMain points $DURAND_CACHE_DIR at the go test run's directory
// (geotest.Main): the examples never touch the user's cache.
func TestMain(m *testing.M) { os.Exit(geotest.Main(m)) }
