package tiles

import (
	"cmp"
	"math"
	"slices"
)

// Step 1 of polygonize (see planar.go): noding by iterated snap rounding,
// and hot-pixel snap rounding where that does not converge.

// maxNodingRounds bounds the plain snap-rounding iteration, which rounds
// each new crossing point on its own. Real data converges in one to three
// rounds; fans of nearly parallel segments can make each round's rounded
// points create new crossings for dozens of rounds, and such input goes to
// hot-pixel snap rounding (hotPixelNode) instead.
const maxNodingRounds = 8

// maxHotPixelRounds bounds the rounds of hot-pixel snap rounding, each of
// which adds the rounded crossings still left to the hot pixels. By
// Hobby's theorem one round leaves no crossing; the bound guards against
// the ties of pixel boundaries.
const maxHotPixelRounds = 64

// iseg is a directed segment of integer points with the index of the
// input segment it is a piece of.
type iseg struct {
	a, b   ipt
	origin int32
}

func orient(a, b, p ipt) int64 {
	return int64(b.x-a.x)*int64(p.y-a.y) - int64(p.x-a.x)*int64(b.y-a.y)
}

type split struct {
	seg int32
	p   ipt
}

// node splits segs until no two of them intersect except at common
// endpoints. It reports false if that did not happen.
func node(segs []iseg) ([]iseg, bool) {
	var splits []split
	var g segGrid
	orig := segs
	for range maxNodingRounds {
		splits = g.findSplits(segs, splits[:0])
		if len(splits) == 0 {
			return segs, true
		}
		segs = applySplits(segs, splits)
	}
	return hotPixelNode(orig, &g)
}

// hotPixelNode nodes segs by hot-pixel snap rounding (Hobby 1999;
// Guibas and Marimont 1998). The hot pixels are the unit squares around
// every endpoint and every rounded crossing; each segment is replaced by
// the path through the centres of the hot pixels it meets, in order along
// it. Two such paths never cross, so what is left to split are touches at
// existing vertices and collinear overlaps, which splitting at existing
// points resolves exactly. Crossings that remain all the same (ties on
// pixel boundaries) become hot pixels of a next round.
func hotPixelNode(segs []iseg, g *segGrid) ([]iseg, bool) {
	hot := make(map[ipt]struct{}, 2*len(segs))
	for _, s := range segs {
		hot[s.a] = struct{}{}
		hot[s.b] = struct{}{}
	}
	var splits []split
	splits = g.findSplits(segs, splits)
	for _, sp := range splits {
		hot[sp.p] = struct{}{}
	}
	for range maxHotPixelRounds {
		out := snapToHotPixels(segs, hot)
		grew := false
		for range maxNodingRounds {
			splits = g.findSplits(out, splits[:0])
			if len(splits) == 0 {
				return out, true
			}
			for _, sp := range splits {
				if _, ok := hot[sp.p]; !ok {
					hot[sp.p] = struct{}{}
					grew = true
				}
			}
			if grew {
				break // route the input through the new pixels too
			}
			// only touches at hot pixel centres: split exactly
			out = applySplits(out, splits)
		}
		if !grew {
			return out, false
		}
	}
	return nil, false
}

// hotCell is the side, in tile units, of the cells that bucket hot pixels.
const hotCell = 32

// snapToHotPixels routes every segment through the centres of the hot
// pixels whose closed unit square it meets, ordered along the segment.
func snapToHotPixels(segs []iseg, hot map[ipt]struct{}) []iseg {
	cells := make(map[ipt][]ipt)
	for h := range hot {
		c := ipt{floorDiv(h.x, hotCell), floorDiv(h.y, hotCell)}
		cells[c] = append(cells[c], h)
	}
	type cand struct {
		t int64
		p ipt
	}
	var cands []cand
	out := make([]iseg, 0, len(segs))
	for _, s := range segs {
		cands = cands[:0]
		// cells whose pixels may meet the segment: those of its bounding
		// box widened by one unit
		cx0, cx1 := floorDiv(min(s.a.x, s.b.x)-1, hotCell), floorDiv(max(s.a.x, s.b.x)+1, hotCell)
		cy0, cy1 := floorDiv(min(s.a.y, s.b.y)-1, hotCell), floorDiv(max(s.a.y, s.b.y)+1, hotCell)
		for cy := cy0; cy <= cy1; cy++ {
			for cx := cx0; cx <= cx1; cx++ {
				for _, h := range cells[ipt{cx, cy}] {
					if h != s.a && h != s.b && segMeetsPixel(s, h) {
						cands = append(cands, cand{param(s, h), h})
					}
				}
			}
		}
		if len(cands) == 0 {
			out = append(out, s)
			continue
		}
		slices.SortFunc(cands, func(x, y cand) int {
			if c := cmp.Compare(x.t, y.t); c != 0 {
				return c
			}
			return cmp.Compare(pack(x.p), pack(y.p))
		})
		from := s.a
		for _, c := range cands {
			if c.p != from {
				out = append(out, iseg{from, c.p, s.origin})
				from = c.p
			}
		}
		if from != s.b {
			out = append(out, iseg{from, s.b, s.origin})
		}
	}
	return out
}

// segMeetsPixel reports whether segment s meets the closed unit square
// centred on h, exactly (coordinates doubled so that the square's corners
// are integers).
func segMeetsPixel(s iseg, h ipt) bool {
	ax, ay := 2*int64(s.a.x), 2*int64(s.a.y)
	bx, by := 2*int64(s.b.x), 2*int64(s.b.y)
	hx, hy := 2*int64(h.x), 2*int64(h.y)
	if min(ax, bx) > hx+1 || max(ax, bx) < hx-1 || min(ay, by) > hy+1 || max(ay, by) < hy-1 {
		return false
	}
	neg, pos := false, false
	for _, c := range [4][2]int64{{hx - 1, hy - 1}, {hx + 1, hy - 1}, {hx - 1, hy + 1}, {hx + 1, hy + 1}} {
		o := (bx-ax)*(c[1]-ay) - (c[0]-ax)*(by-ay)
		if o == 0 {
			return true
		}
		if o < 0 {
			neg = true
		} else {
			pos = true
		}
	}
	return neg && pos
}

func floorDiv(a, b int32) int32 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// segGrid buckets segments by the grid cells their bounding boxes cover.
type segGrid struct {
	box          []sbox
	start, items []int32
	fill         []int32
	big          []int32 // segments covering too many cells, tested against all
}

type sbox struct{ x0, y0, x1, y1 int32 }

func (b sbox) overlaps(c sbox) bool {
	return b.x0 <= c.x1 && c.x0 <= b.x1 && b.y0 <= c.y1 && c.y0 <= b.y1
}

// maxCellsPerSeg is the number of cells from which a segment is tested
// against all others instead of being bucketed.
const maxCellsPerSeg = 256

// findSplits finds the points at which segments must be split. Every pair
// of segments whose bounding boxes overlap is tested once, in the cell
// holding the lower corner of the overlap.
func (g *segGrid) findSplits(segs []iseg, out []split) []split {
	n := len(segs)
	if n < 2 {
		return out
	}
	g.box = g.box[:0]
	all := sbox{segs[0].a.x, segs[0].a.y, segs[0].a.x, segs[0].a.y}
	for _, s := range segs {
		b := sbox{min(s.a.x, s.b.x), min(s.a.y, s.b.y), max(s.a.x, s.b.x), max(s.a.y, s.b.y)}
		g.box = append(g.box, b)
		all = sbox{min(all.x0, b.x0), min(all.y0, b.y0), max(all.x1, b.x1), max(all.y1, b.y1)}
	}
	side := int32(max(1, min(512, int(math.Sqrt(float64(n))))))
	cell := max(1, (max(all.x1-all.x0, all.y1-all.y0)+side)/side)
	nx := (all.x1-all.x0)/cell + 1
	ny := (all.y1-all.y0)/cell + 1
	cells := int(nx) * int(ny)
	cellRange := func(b sbox) (x0, y0, x1, y1 int32) {
		return (b.x0 - all.x0) / cell, (b.y0 - all.y0) / cell, (b.x1 - all.x0) / cell, (b.y1 - all.y0) / cell
	}
	g.start = slices.Grow(g.start[:0], cells+1)[:cells+1]
	clear(g.start)
	g.big = g.big[:0]
	for i, b := range g.box {
		x0, y0, x1, y1 := cellRange(b)
		if int(x1-x0+1)*int(y1-y0+1) > maxCellsPerSeg {
			g.big = append(g.big, int32(i))
			continue
		}
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				g.start[int(y)*int(nx)+int(x)+1]++
			}
		}
	}
	for c := 1; c <= cells; c++ {
		g.start[c] += g.start[c-1]
	}
	total := g.start[cells]
	g.items = slices.Grow(g.items[:0], int(total))[:total]
	g.fill = append(g.fill[:0], g.start[:cells]...)
	for i, b := range g.box {
		x0, y0, x1, y1 := cellRange(b)
		if int(x1-x0+1)*int(y1-y0+1) > maxCellsPerSeg {
			continue
		}
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				c := int(y)*int(nx) + int(x)
				g.items[g.fill[c]] = int32(i)
				g.fill[c]++
			}
		}
	}
	for c := range cells {
		list := g.items[g.start[c]:g.start[c+1]]
		if len(list) < 2 {
			continue
		}
		// cell bounds: an overlap's lower corner must fall in here
		cx0 := all.x0 + int32(c%int(nx))*cell
		cy0 := all.y0 + int32(c/int(nx))*cell
		cx1, cy1 := cx0+cell, cy0+cell
		for a, i := range list {
			bi := g.box[i]
			for _, j := range list[a+1:] {
				bj := g.box[j]
				if !bi.overlaps(bj) {
					continue
				}
				ox, oy := max(bi.x0, bj.x0), max(bi.y0, bj.y0)
				if ox < cx0 || ox >= cx1 || oy < cy0 || oy >= cy1 {
					continue // tested in another cell
				}
				out = intersect(segs, i, j, out)
			}
		}
	}
	for k, i := range g.big {
		bi := g.box[i]
		for j, bj := range g.box {
			if j == int(i) || !bi.overlaps(bj) || slices.Contains(g.big[:k], int32(j)) {
				continue
			}
			out = intersect(segs, i, int32(j), out)
		}
	}
	return out
}

// inBox reports whether p lies in the bounding box of s and is not one of
// its endpoints; for p collinear with s that means p is inside s.
func inBox(p ipt, s iseg) bool {
	if p == s.a || p == s.b {
		return false
	}
	return p.x >= min(s.a.x, s.b.x) && p.x <= max(s.a.x, s.b.x) &&
		p.y >= min(s.a.y, s.b.y) && p.y <= max(s.a.y, s.b.y)
}

func intersect(segs []iseg, i, j int32, out []split) []split {
	s, t := segs[i], segs[j]
	// Segments sharing an endpoint (ring neighbours, mostly) can only
	// overlap beyond it if they leave it in the same direction.
	var p, u, w ipt // shared point, other end of s, other end of t
	shared := true
	switch {
	case s.a == t.a:
		p, u, w = s.a, s.b, t.b
	case s.a == t.b:
		p, u, w = s.a, s.b, t.a
	case s.b == t.a:
		p, u, w = s.b, s.a, t.b
	case s.b == t.b:
		p, u, w = s.b, s.a, t.a
	default:
		shared = false
	}
	if shared {
		if u == w || orient(p, u, w) != 0 {
			return out // identical segments or not collinear
		}
		du := int64(u.x-p.x)*int64(w.x-p.x) + int64(u.y-p.y)*int64(w.y-p.y)
		if du <= 0 {
			return out // opposite directions
		}
		// collinear overlap: split the longer one at the other's end
		if inBox(w, s) {
			out = append(out, split{i, w})
		}
		if inBox(u, t) {
			out = append(out, split{j, u})
		}
		return out
	}
	d1, d2 := orient(t.a, t.b, s.a), orient(t.a, t.b, s.b)
	if (d1 > 0 && d2 > 0) || (d1 < 0 && d2 < 0) {
		return out
	}
	d3, d4 := orient(s.a, s.b, t.a), orient(s.a, s.b, t.b)
	if (d3 > 0 && d4 > 0) || (d3 < 0 && d4 < 0) {
		return out
	}
	touched := false
	if d1 == 0 && inBox(s.a, t) {
		out = append(out, split{j, s.a})
		touched = true
	}
	if d2 == 0 && inBox(s.b, t) {
		out = append(out, split{j, s.b})
		touched = true
	}
	if d3 == 0 && inBox(t.a, s) {
		out = append(out, split{i, t.a})
		touched = true
	}
	if d4 == 0 && inBox(t.b, s) {
		out = append(out, split{i, t.b})
		touched = true
	}
	if touched || d1 == 0 || d2 == 0 || d3 == 0 || d4 == 0 {
		return out
	}
	// Proper crossing: round the intersection point to the grid.
	dx, dy := int64(s.b.x-s.a.x), int64(s.b.y-s.a.y)
	ex, ey := int64(t.b.x-t.a.x), int64(t.b.y-t.a.y)
	den := dx*ey - dy*ex
	num := int64(t.a.x-s.a.x)*ey - int64(t.a.y-s.a.y)*ex
	x := ipt{s.a.x + int32(roundDiv(dx*num, den)), s.a.y + int32(roundDiv(dy*num, den))}
	if x != s.a && x != s.b {
		out = append(out, split{i, x})
	}
	if x != t.a && x != t.b {
		out = append(out, split{j, x})
	}
	return out
}

// roundDiv returns n/d rounded to the nearest integer, halves upwards.
func roundDiv(n, d int64) int64 {
	if d < 0 {
		n, d = -n, -d
	}
	q, r := n/d, n%d
	if r < 0 {
		q--
		r += d
	}
	if 2*r >= d {
		q++
	}
	return q
}

// applySplits replaces every segment that has split points by its pieces.
func applySplits(segs []iseg, splits []split) []iseg {
	slices.SortFunc(splits, func(a, b split) int {
		if c := cmp.Compare(a.seg, b.seg); c != 0 {
			return c
		}
		s := segs[a.seg]
		return cmp.Compare(param(s, a.p), param(s, b.p))
	})
	out := make([]iseg, 0, len(segs)+len(splits))
	k := 0
	for i, s := range segs {
		if k >= len(splits) || splits[k].seg != int32(i) {
			out = append(out, s)
			continue
		}
		from := s.a
		for ; k < len(splits) && splits[k].seg == int32(i); k++ {
			p := splits[k].p
			if p == from || p == s.b {
				continue
			}
			out = append(out, iseg{from, p, s.origin})
			from = p
		}
		out = append(out, iseg{from, s.b, s.origin})
	}
	return out
}

// param orders points along a segment (a projection, not normalised).
func param(s iseg, p ipt) int64 {
	return int64(p.x-s.a.x)*int64(s.b.x-s.a.x) + int64(p.y-s.a.y)*int64(s.b.y-s.a.y)
}
