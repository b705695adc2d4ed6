package geo_test

import (
	"sync"
	"testing"

	"github.com/durandline/durand/geo"
)

var zoneAtlasOnce struct {
	once sync.Once
	a    *geo.Atlas
}

// zoneAtlas returns one atlas with the districts installed, shared by the
// zone tests so that the zones are computed once.
func zoneAtlas(t *testing.T) *geo.Atlas {
	t.Helper()
	zoneAtlasOnce.once.Do(func() { zoneAtlasOnce.a = districtAtlas(t) })
	if zoneAtlasOnce.a == nil {
		t.Skip("districts could not be installed (see the first test that asked)")
	}
	return zoneAtlasOnce.a
}
