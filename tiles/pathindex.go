package tiles

import "github.com/paulmach/orb"

// Large rings and lines are indexed by a hierarchy of bounding boxes over
// runs of consecutive segments, so that building a tile only touches the
// vertices near it. A run of segments whose box does not meet the tile's
// clip square can be replaced by the straight chord between its end points:
// the chord lies inside the same box, so it does not meet the square
// either, and (the box being convex and disjoint from the square) the
// replacement does not change how the path winds around any point of the
// square. Clipping the reduced path therefore yields the same region (for
// rings) or the same pieces (for lines) as clipping the full path.

// chunkSize is the number of segments per run at the finest level; each
// coarser level groups chunkSize runs of the level below.
const chunkSize = 32

// indexMin is the number of vertices from which a path gets an index.
const indexMin = 4 * chunkSize

// newPath builds a path (ring or line) with its bounds and, for long
// paths, its run index.
func newPath(pts []orb.Point, ring bool) path {
	p := path{pts: pts, bound: orb.MultiPoint(pts).Bound(), ring: ring}
	if len(pts) < indexMin {
		return p
	}
	m := p.segments()
	// level 0: runs of chunkSize segments
	var lvl []orb.Bound
	for s := 0; s < m; s += chunkSize {
		e := min(s+chunkSize, m)
		b := orb.Bound{Min: pts[s], Max: pts[s]}
		for i := s + 1; i <= e; i++ {
			b = b.Extend(pts[i%len(pts)])
		}
		lvl = append(lvl, b)
	}
	p.levels = append(p.levels, lvl)
	for len(lvl) > chunkSize {
		var up []orb.Bound
		for s := 0; s < len(lvl); s += chunkSize {
			b := lvl[s]
			for _, c := range lvl[s+1 : min(s+chunkSize, len(lvl))] {
				b = b.Union(c)
			}
			up = append(up, b)
		}
		p.levels = append(p.levels, up)
		lvl = up
	}
	return p
}

// segments is the number of segments: a ring is stored open and closes
// back to its first vertex.
func (p *path) segments() int {
	if p.ring {
		return len(p.pts)
	}
	return len(p.pts) - 1
}

// reduce appends to dst the vertices of the path needed to clip it to the
// world-coordinate box q, transformed by fr.local. Rings come out open,
// lines with their last vertex.
func (p *path) reduce(q orb.Bound, fr tileFrame, dst []orb.Point) []orb.Point {
	dst = dst[:0]
	if p.levels == nil {
		for _, v := range p.pts {
			dst = append(dst, fr.local(v))
		}
		return dst
	}
	top := len(p.levels) - 1
	for c := range p.levels[top] {
		dst = p.visit(top, c, q, fr, dst)
	}
	if !p.ring {
		dst = append(dst, fr.local(p.pts[len(p.pts)-1]))
	}
	return dst
}

func (p *path) visit(level, c int, q orb.Bound, fr tileFrame, dst []orb.Point) []orb.Point {
	span := chunkSize
	for range level {
		span *= chunkSize
	}
	start := c * span
	if !p.levels[level][c].Intersects(q) {
		return append(dst, fr.local(p.pts[start]))
	}
	if level == 0 {
		end := min(start+chunkSize, p.segments())
		for i := start; i < end; i++ {
			dst = append(dst, fr.local(p.pts[i]))
		}
		return dst
	}
	first := c * chunkSize
	last := min(first+chunkSize, len(p.levels[level-1]))
	for k := first; k < last; k++ {
		dst = p.visit(level-1, k, q, fr, dst)
	}
	return dst
}
