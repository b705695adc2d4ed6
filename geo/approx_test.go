package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// TestApproxMetres measures Euler's radius-of-curvature estimate against
// Karney's geodesic for seeded random pairs over the region, by distance.
func TestApproxMetres(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	limits := []struct {
		maxKm  float64
		maxRel float64
	}{{10, 1e-8}, {50, 1e-7}, {100, 2e-7}, {300, 2e-6}}
	for _, lim := range limits {
		worst := 0.0
		for i := 0; i < 5000; i++ {
			p := orb.Point{60 + r.Float64()*15.5, 29 + r.Float64()*8.5}
			q := Destination(p, r.Float64()*360, r.Float64()*lim.maxKm*1000)
			exact := Distance(p, q)
			if exact < 1 {
				continue
			}
			rel := math.Abs(approxMetres(toVec(p), toVec(q))-exact) / exact
			worst = math.Max(worst, rel)
		}
		t.Logf("up to %3.0f km: worst relative error %.2e", lim.maxKm, worst)
		if worst > lim.maxRel {
			t.Errorf("up to %.0f km: worst relative error %.2e > %.0e", lim.maxKm, worst, lim.maxRel)
		}
	}
}
