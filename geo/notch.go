package geo

import "github.com/paulmach/orb"

// notches returns, for a country's polygons, the rings that close the
// notches its outline makes along the border. Where a land outline leaves
// the border line to go round inland water that touches the border (as
// Pakistan's does twice in Chagai), the border goes straight across the
// water's mouth while the outline takes a detour, and the water between
// them belongs to no land polygon. For a border segment that is not an edge
// of the country's outline but whose two ends are vertices of the same ring,
// the shorter way round that ring between them, closed by the segment, is
// such a notch; sovereignty counts it as the country's.
func notches(mp orb.MultiPolygon, border orb.LineString) []orb.Ring {
	type at struct{ poly, ring, idx int }
	// Where each border vertex first occurs in the outline (only border
	// vertices are looked up, so only they are recorded).
	where := make(map[orb.Point]at, len(border))
	for _, p := range border {
		where[p] = at{-1, -1, -1}
	}
	for pi, poly := range mp {
		for ri, ring := range poly {
			for i, p := range ring {
				if w, ok := where[p]; ok && w.poly < 0 {
					where[p] = at{pi, ri, i}
				}
			}
		}
	}
	var out []orb.Ring
	for i := 0; i+1 < len(border); i++ {
		a, b := where[border[i]], where[border[i+1]]
		if a.poly < 0 || b.poly < 0 || a.poly != b.poly || a.ring != b.ring {
			continue
		}
		ring := mp[a.poly][a.ring]
		n := len(ring) - 1 // closed ring: last point repeats the first
		if n < 3 {
			continue
		}
		fwd := ((b.idx-a.idx)%n + n) % n // steps from a to b going forward
		if fwd == 1 || fwd == n-1 || fwd == 0 {
			continue // the segment is an edge of the outline
		}
		// Walk the shorter way from a to b, then close along the border.
		step, steps := 1, fwd
		if n-fwd < fwd {
			step, steps = -1, n-fwd
		}
		notch := make(orb.Ring, 0, steps+2)
		for k := 0; k <= steps; k++ {
			notch = append(notch, ring[((a.idx+step*k)%n+n)%n])
		}
		notch = append(notch, ring[a.idx])
		out = append(out, notch)
	}
	return out
}
