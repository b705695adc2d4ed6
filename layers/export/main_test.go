package export

import (
	"os"
	"testing"

	"github.com/durandline/durand/geo/geotest"
)

// TestMain runs the tests, then says in one line which real-client tests
// were skipped for a missing tool and how to install it (geotest.Main).
func TestMain(m *testing.M) { os.Exit(geotest.Main(m)) }
