package tiles

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

// snapRings quantises the clipped rings of the polygon features of one
// layer in one tile (float tile units) to the integer grid with hot-pixel
// snap rounding: every vertex rounds to the centre of its pixel (the unit
// square [x-½, x+½) × [y-½, y+½) around an integer point), and every segment
// that passes through the pixel of some other vertex is routed through that
// pixel's centre. Two features whose boundaries run within half a unit of
// each other's vertices (neighbours that share a boundary without sharing
// its vertices exactly) thus come out with the same integer vertices along
// it instead of independently rounded ones that would open slivers.
// Crossings are left to the integer noding that follows.
func snapRings(rings [][][]orb.Point) [][][]ipt {
	// Rounded vertices (hot pixels) and their bounds.
	var hp []ipt
	first := true
	var gx0, gy0, gx1, gy1 int32
	for _, rs := range rings {
		for _, r := range rs {
			for _, v := range r {
				p := roundPt(v)
				hp = append(hp, p)
				if first {
					gx0, gy0, gx1, gy1, first = p.x, p.y, p.x, p.y, false
				}
				gx0, gy0 = min(gx0, p.x), min(gy0, p.y)
				gx1, gy1 = max(gx1, p.x), max(gy1, p.y)
			}
		}
	}
	if first {
		return make([][][]ipt, len(rings))
	}
	// Dense grid of cells of 2^bits units, hot pixels in CSR form, with
	// about as many cells as hot pixels.
	bits := uint(0)
	for int(((gx1-gx0)>>bits)+1)*int(((gy1-gy0)>>bits)+1) > max(len(hp), 16) {
		bits++
	}
	nx := int((gx1-gx0)>>bits) + 1
	ny := int((gy1-gy0)>>bits) + 1
	cellOf := func(x, y int32) int { return int((y-gy0)>>bits)*nx + int((x-gx0)>>bits) }
	start := make([]int32, nx*ny+1)
	for _, p := range hp {
		start[cellOf(p.x, p.y)+1]++
	}
	for c := 1; c <= nx*ny; c++ {
		start[c] += start[c-1]
	}
	grid := make([]ipt, len(hp))
	fill := slices.Clone(start[:nx*ny])
	for _, p := range hp {
		c := cellOf(p.x, p.y)
		grid[fill[c]] = p
		fill[c]++
	}

	type cand struct {
		t float64
		p ipt
	}
	var cands []cand
	out := make([][][]ipt, len(rings))
	k := 0 // index into hp, which holds the rounded vertices in ring order
	for f, rs := range rings {
		for _, r := range rs {
			n := len(r)
			rounded := hp[k : k+n]
			k += n
			var q []ipt
			for i := range n {
				a, b := r[i], r[(i+1)%n]
				pa, pb := rounded[i], rounded[(i+1)%n]
				if len(q) == 0 || q[len(q)-1] != pa {
					q = append(q, pa)
				}
				// pixels whose square may meet the segment
				bx0, bx1 := min(pa.x, pb.x), max(pa.x, pb.x)
				by0, by1 := min(pa.y, pb.y), max(pa.y, pb.y)
				cands = cands[:0]
				test := func(c int) {
					for _, h := range grid[start[c]:start[c+1]] {
						if h.x < bx0 || h.x > bx1 || h.y < by0 || h.y > by1 || h == pa || h == pb {
							continue
						}
						if t, ok := segHitsPixel(a, b, h); ok {
							cands = append(cands, cand{t, h})
						}
					}
				}
				cx0, cx1 := int((bx0-gx0)>>bits), int((bx1-gx0)>>bits)
				cy0, cy1 := int((by0-gy0)>>bits), int((by1-gy0)>>bits)
				if cx0 == cx1 && cy0 == cy1 {
					test(cy0*nx + cx0)
				} else {
					for cy := cy0; cy <= cy1; cy++ {
						for cx := cx0; cx <= cx1; cx++ {
							if segNearCell(a, b, gx0, gy0, cx, cy, bits) {
								test(cy*nx + cx)
							}
						}
					}
				}
				if len(cands) == 0 {
					continue
				}
				slices.SortFunc(cands, func(x, y cand) int {
					if c := cmp.Compare(x.t, y.t); c != 0 {
						return c
					}
					return cmp.Compare(pack(x.p), pack(y.p))
				})
				for _, c := range cands {
					if q[len(q)-1] != c.p {
						q = append(q, c.p)
					}
				}
			}
			for len(q) > 1 && q[len(q)-1] == q[0] {
				q = q[:len(q)-1]
			}
			if len(q) >= 3 {
				out[f] = append(out[f], q)
			}
		}
	}
	return out
}

// segNearCell reports whether segment ab may meet the pixels of cell
// (cx, cy): it clips the segment to the cell's square widened by one unit.
func segNearCell(a, b orb.Point, gx0, gy0 int32, cx, cy int, bits uint) bool {
	size := float64(int(1) << bits)
	x0 := float64(gx0) + float64(cx)*size - 1
	y0 := float64(gy0) + float64(cy)*size - 1
	t0, t1 := 0.0, 1.0
	lo := [2]float64{x0, y0}
	for k := range 2 {
		d := b[k] - a[k]
		l, h := lo[k], lo[k]+size+2
		if d == 0 {
			if a[k] < l || a[k] > h {
				return false
			}
			continue
		}
		ta, tb := (l-a[k])/d, (h-a[k])/d
		if ta > tb {
			ta, tb = tb, ta
		}
		t0, t1 = max(t0, ta), min(t1, tb)
		if t0 > t1 {
			return false
		}
	}
	return true
}

func roundPt(v orb.Point) ipt {
	return ipt{int32(roundHalfUp(v[0])), int32(roundHalfUp(v[1]))}
}

// segHitsPixel reports whether segment ab meets the pixel of p (the square
// of side 1 centred on p) and where (parameter along ab), by clipping the
// segment to the square.
func segHitsPixel(a, b orb.Point, p ipt) (float64, bool) {
	t0, t1 := 0.0, 1.0
	d := [2]float64{b[0] - a[0], b[1] - a[1]}
	for k := range 2 {
		lo := float64([2]int32{p.x, p.y}[k]) - 0.5
		hi := lo + 1
		if d[k] == 0 {
			if a[k] < lo || a[k] >= hi {
				return 0, false
			}
			continue
		}
		ta, tb := (lo-a[k])/d[k], (hi-a[k])/d[k]
		if ta > tb {
			ta, tb = tb, ta
		}
		t0, t1 = max(t0, ta), min(t1, tb)
		if t0 > t1 {
			return 0, false
		}
	}
	return (t0 + t1) / 2, true
}
