package geo_test

import (
	"github.com/durandline/durand/geo/geotest"
	"os"
	"testing"
)

func mkdirTemp() (string, error) { return os.MkdirTemp("", "durand-districts-") }

func TestMain(m *testing.M) {
	code := geotest.Main(m) // runs the tests, then says what was skipped
	if installed.dir != "" {
		os.RemoveAll(installed.dir)
	}
	os.Exit(code)
}
