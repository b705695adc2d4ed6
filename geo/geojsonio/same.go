package geojsonio

import (
	"math"

	"github.com/paulmach/orb"
)

// SamePoints reports whether two point lists have the same points, bit
// for bit (so -0 differs from 0, and a NaN equals the same NaN): the test
// for "unchanged" that lets a reload reuse work done on earlier data.
func SamePoints[P ~[]orb.Point](a, b P) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i][0]) != math.Float64bits(b[i][0]) || math.Float64bits(a[i][1]) != math.Float64bits(b[i][1]) {
			return false
		}
	}
	return true
}
