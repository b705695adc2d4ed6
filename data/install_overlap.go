// Area overlap of a district with candidate provinces (scan lines over an
// edge index), to assign each district its province.

package data

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

type overlap struct {
	p     *province
	share float64 // of the district's area
}

// overlaps returns the candidates that overlap mp, largest overlap first
// (ties in candidate order).
func overlaps(mp orb.MultiPolygon, cands []*province) []overlap {
	b := mp.Bound()
	var near []*province
	for _, p := range cands {
		if p.index.bound.Intersects(b) {
			near = append(near, p)
		}
	}
	if len(near) == 0 {
		return nil
	}
	di := newScanIndex(mp)
	h := b.Max[1] - b.Min[1]
	n := max(scanMinLines, int(math.Ceil(h/scanMaxStep)))
	step := h / float64(n)
	areas := make([]float64, len(near))
	var total float64
	var dx, px []float64
	for k := 0; k < n; k++ {
		y := b.Min[1] + (float64(k)+0.5)*step
		dx = di.crossings(y, dx)
		if len(dx) == 0 {
			continue
		}
		w := math.Cos(y * math.Pi / 180)
		total += spanLength(dx) * w
		for i, p := range near {
			px = p.index.crossings(y, px)
			areas[i] += overlapLength(dx, px) * w
		}
	}
	var out []overlap
	for i, a := range areas {
		if a > 0 && total > 0 {
			out = append(out, overlap{near[i], a / total})
		}
	}
	slices.SortStableFunc(out, func(a, b overlap) int {
		switch {
		case a.share > b.share:
			return -1
		case a.share < b.share:
			return 1
		}
		return 0
	})
	return out
}

type edge struct{ x0, y0, x1, y1 float64 } // y0 < y1

// scanIndex buckets the non-horizontal edges of a MultiPolygon by latitude
// band, for fast scan-line crossings.
type scanIndex struct {
	bound orb.Bound
	bands [][]edge
}

func newScanIndex(mp orb.MultiPolygon) *scanIndex {
	b := mp.Bound()
	ix := &scanIndex{bound: b}
	n := int((b.Max[1]-b.Min[1])/scanBand) + 1
	ix.bands = make([][]edge, n)
	band := func(y float64) int { return min(n-1, max(0, int((y-b.Min[1])/scanBand))) }
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				p, q := r[i], r[i+1]
				if p[1] == q[1] {
					continue
				}
				if p[1] > q[1] {
					p, q = q, p
				}
				e := edge{p[0], p[1], q[0], q[1]}
				for k := band(e.y0); k <= band(e.y1); k++ {
					ix.bands[k] = append(ix.bands[k], e)
				}
			}
		}
	}
	return ix
}

// crossings returns the sorted x coordinates where the line at latitude y
// crosses the edges; consecutive pairs are inside intervals (even-odd).
func (ix *scanIndex) crossings(y float64, xs []float64) []float64 {
	xs = xs[:0]
	if y < ix.bound.Min[1] || y >= ix.bound.Max[1] {
		return xs
	}
	k := min(len(ix.bands)-1, int((y-ix.bound.Min[1])/scanBand))
	for _, e := range ix.bands[k] {
		if e.y0 <= y && y < e.y1 {
			xs = append(xs, e.x0+(y-e.y0)*(e.x1-e.x0)/(e.y1-e.y0))
		}
	}
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		xs = xs[:len(xs)-1]
	}
	return xs
}

func spanLength(xs []float64) float64 {
	var s float64
	for i := 0; i+1 < len(xs); i += 2 {
		s += xs[i+1] - xs[i]
	}
	return s
}

// overlapLength is the total length of the intersection of two sorted
// lists of disjoint intervals (pairs of x).
func overlapLength(a, b []float64) float64 {
	var s float64
	for i, j := 0, 0; i+1 < len(a) && j+1 < len(b); {
		lo, hi := max(a[i], b[j]), min(a[i+1], b[j+1])
		if hi > lo {
			s += hi - lo
		}
		if a[i+1] < b[j+1] {
			i += 2
		} else {
			j += 2
		}
	}
	return s
}
