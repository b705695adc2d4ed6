package geo

import (
	"maps"

	"github.com/durandline/durand/geo/geojsonio"
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
	if prev == nil || prev == a || a.border == nil || prev.border == nil || !geojsonio.SamePoints(a.border.Line, prev.border.Line) {
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
