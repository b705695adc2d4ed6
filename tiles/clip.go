package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// Clipping works in float tile units of the tile being built (origin at the
// tile's top-left corner, y down) against the square [lo, hi]², where
// lo = -buffer and hi = extent + buffer. Polygons are clipped ring by ring
// with Sutherland-Hodgman against the four edges in a fixed order; lines
// are cut against the same edges in the same order. Crossing points are
// computed from the segment's endpoints in a canonical order, so a segment
// shared by several features (or by a polygon and a line) is cut at
// bit-identical points in all of them.

// crossX returns the point where segment ab crosses the vertical line x.
func crossX(a, b orb.Point, x float64) orb.Point {
	if lessPoint(b, a) {
		a, b = b, a
	}
	t := (x - a[0]) / (b[0] - a[0])
	return orb.Point{x, a[1] + t*(b[1]-a[1])}
}

// crossY returns the point where segment ab crosses the horizontal line y.
func crossY(a, b orb.Point, y float64) orb.Point {
	if lessPoint(b, a) {
		a, b = b, a
	}
	t := (y - a[1]) / (b[1] - a[1])
	return orb.Point{a[0] + t*(b[0]-a[0]), y}
}

// clipEdge describes one clip half-plane: axis 0 (x) or 1 (y), keep values
// >= v (lower edge) or <= v (upper edge).
type clipEdge struct {
	axis  int
	v     float64
	upper bool
}

func (e clipEdge) inside(p orb.Point) bool {
	if e.upper {
		return p[e.axis] <= e.v
	}
	return p[e.axis] >= e.v
}

func (e clipEdge) cross(a, b orb.Point) orb.Point {
	if e.axis == 0 {
		return crossX(a, b, e.v)
	}
	return crossY(a, b, e.v)
}

func clipEdges(lo, hi float64) [4]clipEdge {
	return [4]clipEdge{{0, lo, false}, {0, hi, true}, {1, lo, false}, {1, hi, true}}
}

// clipRing clips a closed ring (stored open) to [lo, hi]². The passes
// alternate between the two scratch buffers a and b; the result and the
// other buffer are returned for reuse.
func clipRing(ring []orb.Point, lo, hi float64, a, b []orb.Point) (out, spare []orb.Point) {
	in := ring
	bufs := [2][]orb.Point{a, b}
	for k, e := range clipEdges(lo, hi) {
		dst := bufs[k%2][:0]
		if n := len(in); n > 0 {
			prev := in[n-1]
			prevIn := e.inside(prev)
			for _, cur := range in {
				curIn := e.inside(cur)
				if curIn != prevIn {
					dst = append(dst, e.cross(prev, cur))
				}
				if curIn {
					dst = append(dst, cur)
				}
				prev, prevIn = cur, curIn
			}
		}
		bufs[k%2] = dst
		in = dst
	}
	return bufs[1], bufs[0]
}

// clipLine cuts a line to [lo, hi]², appending the pieces to out.
func clipLine(line []orb.Point, lo, hi float64, out [][]orb.Point) [][]orb.Point {
	parts := [][]orb.Point{line}
	for _, e := range clipEdges(lo, hi) {
		var next [][]orb.Point
		for _, l := range parts {
			var cur []orb.Point
			for i, p := range l {
				pIn := e.inside(p)
				if i > 0 {
					q := l[i-1]
					qIn := e.inside(q)
					if qIn != pIn {
						x := e.cross(q, p)
						cur = append(cur, x)
						if qIn {
							next = append(next, cur)
							cur = nil
						}
					}
				}
				if pIn {
					cur = append(cur, p)
				}
			}
			if len(cur) > 0 {
				next = append(next, cur)
			}
		}
		parts = next
	}
	return append(out, parts...)
}

// ipt is a point in integer tile units.
type ipt struct{ x, y int32 }

func (p ipt) less(q ipt) bool { return p.x < q.x || (p.x == q.x && p.y < q.y) }

func cmpIpt(p, q ipt) int {
	switch {
	case p.x != q.x:
		if p.x < q.x {
			return -1
		}
		return 1
	case p.y != q.y:
		if p.y < q.y {
			return -1
		}
		return 1
	}
	return 0
}

// roundHalfUp rounds to the nearest integer, halves upwards. Local tile
// coordinates are global ones minus an integer origin, computed exactly, and
// rounding halves upwards (not away from zero) makes rounding commute with
// that shift: every tile rounds a shared vertex to the same global unit.
func roundHalfUp(v float64) float64 { return math.Floor(v + 0.5) }

// quantise rounds float tile units to integers and drops repeated points.
func quantise(pts []orb.Point, dst []ipt) []ipt {
	dst = dst[:0]
	for _, p := range pts {
		q := ipt{int32(roundHalfUp(p[0])), int32(roundHalfUp(p[1]))}
		if len(dst) > 0 && dst[len(dst)-1] == q {
			continue
		}
		dst = append(dst, q)
	}
	return dst
}
