package tiles

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
)

// labelPoint returns the pole of inaccessibility of a polygon feature given
// as oriented rings in world coordinates: the point inside the feature
// farthest from its boundary, searched within the largest exterior ring
// (the "polylabel" quadtree search, to 1/1000 of that ring's size).
func labelPoint(rings []path) orb.Point {
	var best path
	bestArea := 0.0
	for _, r := range rings {
		if a := ringArea2(r.pts); a > bestArea {
			best, bestArea = r, a
		}
	}
	if bestArea == 0 {
		if len(rings) > 0 && len(rings[0].pts) > 0 {
			return rings[0].pts[0]
		}
		return orb.Point{}
	}
	b := best.bound
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	size := min(w, h)
	precision := max(w, h) / 1000

	dist := func(p orb.Point) float64 { return signedBoundaryDist(p, rings) }
	newCell := func(x, y, half float64) *plCell {
		d := dist(orb.Point{x, y})
		return &plCell{x: x, y: y, h: half, d: d, max: d + half*math.Sqrt2}
	}

	q := &plQueue{}
	half := size / 2
	for x := b.Min[0]; x < b.Max[0]; x += size {
		for y := b.Min[1]; y < b.Max[1]; y += size {
			heap.Push(q, newCell(x+half, y+half, half))
		}
	}
	bestCell := newCell(centroid(best.pts)[0], centroid(best.pts)[1], 0)
	if c := newCell(b.Min[0]+w/2, b.Min[1]+h/2, 0); c.d > bestCell.d {
		bestCell = c
	}
	for steps := 0; q.Len() > 0 && steps < 20000; steps++ {
		c := heap.Pop(q).(*plCell)
		if c.d > bestCell.d {
			bestCell = c
		}
		if c.max-bestCell.d <= precision {
			continue
		}
		hh := c.h / 2
		heap.Push(q, newCell(c.x-hh, c.y-hh, hh))
		heap.Push(q, newCell(c.x+hh, c.y-hh, hh))
		heap.Push(q, newCell(c.x-hh, c.y+hh, hh))
		heap.Push(q, newCell(c.x+hh, c.y+hh, hh))
	}
	if bestCell.d <= 0 {
		// No interior point found (a sliver): fall back to a vertex.
		return best.pts[0]
	}
	return orb.Point{bestCell.x, bestCell.y}
}

// signedBoundaryDist is the distance from p to the nearest ring edge,
// positive inside the feature (positive winding number), negative outside.
func signedBoundaryDist(p orb.Point, rings []path) float64 {
	minD := math.Inf(1)
	wind := 0
	for _, r := range rings {
		n := len(r.pts)
		for i := range n {
			a, b := r.pts[i], r.pts[(i+1)%n]
			if d := segDist(p, a, b); d < minD {
				minD = d
			}
			// winding number (y down: count consistently with ring area sign)
			if a[1] <= p[1] {
				if b[1] > p[1] && cross(a, b, p) > 0 {
					wind++
				}
			} else if b[1] <= p[1] && cross(a, b, p) < 0 {
				wind--
			}
		}
	}
	if wind > 0 {
		return minD
	}
	return -minD
}

func cross(a, b, p orb.Point) float64 {
	return (b[0]-a[0])*(p[1]-a[1]) - (p[0]-a[0])*(b[1]-a[1])
}

func centroid(pts []orb.Point) orb.Point {
	var cx, cy, a float64
	n := len(pts)
	for i := range n {
		p, q := pts[i], pts[(i+1)%n]
		f := p[0]*q[1] - q[0]*p[1]
		cx += (p[0] + q[0]) * f
		cy += (p[1] + q[1]) * f
		a += f
	}
	if a == 0 {
		return pts[0]
	}
	return orb.Point{cx / (3 * a), cy / (3 * a)}
}

type plCell struct {
	x, y, h, d, max float64
}

type plQueue []*plCell

func (q plQueue) Len() int           { return len(q) }
func (q plQueue) Less(i, j int) bool { return q[i].max > q[j].max }
func (q plQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *plQueue) Push(x any)        { *q = append(*q, x.(*plCell)) }
func (q *plQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}
