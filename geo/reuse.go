package geo

import (
	"maps"
	"math"

	"github.com/paulmach/orb"
)

// ReuseFrom takes from prev, an atlas of an earlier version of the data,
// the derived data a can share with it, so that a reload after a small
// edit does not compute them again: the buffers of border stretches that
// the zones are cut from (most of their cost), when both atlases have the
// same border line, coordinates bit for bit (a buffer depends on the
// border and the stretch only). Call it before a's zones are computed;
// prev may be in use meanwhile.
func (a *Atlas) ReuseFrom(prev *Atlas) {
	if prev == nil || prev == a || a.border == nil || prev.border == nil || !sameLine(a.border.Line, prev.border.Line) {
		return
	}
	pc := &prev.crisis.buffers
	pc.mu.Lock()
	shared := maps.Clone(pc.buffers)
	pc.mu.Unlock()
	zc := &a.crisis.buffers
	zc.mu.Lock()
	defer zc.mu.Unlock()
	if zc.buffers == nil {
		zc.buffers = map[string][]orb.Ring{}
	}
	for k, r := range shared {
		if _, ok := zc.buffers[k]; !ok {
			zc.buffers[k] = r
		}
	}
}

// sameLine reports whether two lines have the same vertices, bit for bit.
func sameLine[L ~[]P, P ~[2]float64](a, b L) bool {
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
