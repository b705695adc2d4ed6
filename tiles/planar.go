package tiles

import (
	"cmp"
	"math"
	"slices"
)

// This file turns the clipped, quantised rings of the polygon features of
// one layer in one tile into OGC-valid polygons with integer coordinates:
//
//  1. Noding (iterated snap rounding): every pair of segments that
//     intersects other than at a shared endpoint is split at the
//     intersection, rounded to the integer grid; segments touching another
//     segment's interior are split at the touching vertex; collinear
//     overlaps are split at each other's endpoints. Rounding can create new
//     intersections, so this repeats until none are left. All features of
//     the layer are noded together, so an edge shared by two features gets
//     identical vertices in both and no gap or overlap opens between them.
//  2. Every feature's pieces are merged into undirected edges carrying the
//     net number of times its rings traverse them (opposite traversals,
//     such as a spike or a clip artefact running along the tile buffer edge
//     and back, cancel out).
//  3. A plane sweep assigns every edge the winding number of the regions on
//     either side. The feature is the region of positive winding number
//     (rings oriented exterior-positive, so overlapping parts merge and
//     stray holes vanish); boundary edges are those separating positive
//     from non-positive winding.
//  4. Boundary edges are chained into rings, turning at each vertex into
//     the same face, and rings that visit a vertex twice are split there,
//     so rings never self-touch; collinear vertices are removed.
//  5. Rings of positive area are exteriors; each ring of negative area (a
//     hole) is assigned to the smallest exterior containing it.
//
// All arithmetic is exact integer arithmetic.

// polygonize repairs the rings of several features of one layer in one
// tile (rings[f] are feature f's rings, exteriors of positive and holes of
// negative shoelace area, in any state of validity) and returns every
// feature's valid polygons, each an exterior followed by its holes. It
// reports false if noding did not converge.
func polygonize(rings [][][]ipt) ([][][][]ipt, bool) {
	// Segments of every ring, in ring direction. Segments shared by several
	// features stay separate: identical segments receive identical split
	// points, because a rounded crossing is floor(x + 1/2) of the exact
	// rational intersection whichever endpoint the computation starts from.
	var segs []iseg
	var segFeat []int32
	for f, rs := range rings {
		for _, r := range rs {
			for i := range r {
				a, b := r[i], r[(i+1)%len(r)]
				if a != b {
					segs = append(segs, iseg{a, b, int32(len(segs))})
					segFeat = append(segFeat, int32(f))
				}
			}
		}
	}
	pieces, ok := node(segs)
	if !ok {
		return nil, false
	}

	// Features none of whose segments were split, made of one positive ring
	// without repeated vertices, are valid as they are.
	full := make([]bool, len(rings))
	if len(pieces) != len(segs) {
		count := make([]int32, len(segs))
		for _, p := range pieces {
			count[p.origin]++
		}
		for i, c := range count {
			if c != 1 {
				full[segFeat[i]] = true
			}
		}
	}
	out := make([][][][]ipt, len(rings))
	var keys []uint64
	for f, rs := range rings {
		if full[f] {
			continue
		}
		if len(rs) != 1 || area2(rs[0]) <= 0 {
			full[f] = true
			continue
		}
		keys = keys[:0]
		for _, p := range rs[0] {
			keys = append(keys, pack(p))
		}
		slices.Sort(keys)
		for i := 1; i < len(keys); i++ {
			if keys[i] == keys[i-1] {
				full[f] = true
				break
			}
		}
		if !full[f] {
			out[f] = [][][]ipt{{slices.Clone(rs[0])}}
		}
	}

	// The others are rebuilt from the noded pieces.
	perFeat := make([][]dedge, len(rings))
	for _, p := range pieces {
		if f := segFeat[p.origin]; full[f] {
			perFeat[f] = append(perFeat[f], dedge{p.a, p.b})
		}
	}
	var merged []wedge
	var bnd []dedge
	for f := range rings {
		if !full[f] {
			continue
		}
		merged = mergeEdges(perFeat[f], merged)
		bnd = boundary(merged, bnd)
		out[f] = assemble(chainRings(bnd))
	}
	return out, true
}

// pack maps a point to an integer key with the same order as cmpIpt.
func pack(p ipt) uint64 {
	return uint64(uint32(p.x)^0x80000000)<<32 | uint64(uint32(p.y)^0x80000000)
}

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

// wedge is an undirected edge a < b with the net number of traversals from
// a to b minus those from b to a.
type wedge struct {
	a, b ipt
	w    int32
}

// dedge is a directed edge.
type dedge struct{ from, to ipt }

// mergeEdges sums directed edges into undirected edges with net windings,
// dropping those that cancel out. The input is reordered.
func mergeEdges(in []dedge, out []wedge) []wedge {
	out = out[:0]
	for _, e := range in {
		if e.to.less(e.from) {
			out = append(out, wedge{e.to, e.from, -1})
		} else {
			out = append(out, wedge{e.from, e.to, 1})
		}
	}
	slices.SortFunc(out, func(p, q wedge) int {
		if c := cmpIpt(p.a, q.a); c != 0 {
			return c
		}
		return cmpIpt(p.b, q.b)
	})
	k := 0
	for i := 0; i < len(out); {
		j, w := i, int32(0)
		for ; j < len(out) && out[j].a == out[i].a && out[j].b == out[i].b; j++ {
			w += out[j].w
		}
		if w != 0 {
			out[k] = wedge{out[i].a, out[i].b, w}
			k++
		}
		i = j
	}
	return out[:k]
}

// boundary runs the winding sweep over non-crossing edges and returns the
// edges separating positive from non-positive winding, directed with the
// positive side on their left (in the x-right, y-down tile frame that
// makes exterior rings clockwise on screen, i.e. of positive shoelace
// area).
func boundary(edges []wedge, out []dedge) []dedge {
	out = out[:0]
	var nonVert, vert []int32
	for i, e := range edges {
		if e.a.x == e.b.x {
			vert = append(vert, int32(i))
		} else {
			nonVert = append(nonVert, int32(i))
		}
	}
	// Insertion order: by left endpoint, then bottom (smaller y) first.
	slices.SortFunc(nonVert, func(i, j int32) int {
		p, q := edges[i], edges[j]
		if c := cmpIpt(p.a, q.a); c != 0 {
			return c
		}
		// same left endpoint: the edge turning clockwise (lower) first
		o := orient(p.a, p.b, q.b)
		switch {
		case o > 0:
			return -1
		case o < 0:
			return 1
		}
		return 0
	})
	slices.SortFunc(vert, func(i, j int32) int { return cmpIpt(edges[i].a, edges[j].a) })

	windAbove := make([]int32, len(edges))
	var status []int32
	// above reports whether status edge t lies above the new edge s just
	// right of s's left endpoint (s.a.x = current sweep position).
	above := func(t, s wedge) bool {
		if t.a == s.a {
			return orient(s.a, s.b, t.b) > 0
		}
		return orient(t.a, t.b, s.a) < 0
	}
	i, v := 0, 0
	for i < len(nonVert) || v < len(vert) {
		var x int32
		switch {
		case i >= len(nonVert):
			x = edges[vert[v]].a.x
		case v >= len(vert):
			x = edges[nonVert[i]].a.x
		default:
			x = min(edges[nonVert[i]].a.x, edges[vert[v]].a.x)
		}
		// Remove edges ending at or before x.
		k := 0
		for _, e := range status {
			if edges[e].b.x > x {
				status[k] = e
				k++
			}
		}
		status = status[:k]
		// Insert edges starting at x.
		for ; i < len(nonVert) && edges[nonVert[i]].a.x == x; i++ {
			e := nonVert[i]
			s := edges[e]
			pos, _ := slices.BinarySearchFunc(status, s, func(t int32, s wedge) int {
				if above(edges[t], s) {
					return 1
				}
				return -1
			})
			var below int32
			if pos > 0 {
				below = windAbove[status[pos-1]]
			}
			windAbove[e] = below + s.w
			status = slices.Insert(status, pos, e)
			if (below > 0) != (windAbove[e] > 0) {
				if windAbove[e] > 0 {
					out = append(out, dedge{s.a, s.b})
				} else {
					out = append(out, dedge{s.b, s.a})
				}
			}
		}
		// Vertical edges at x: winding just right of their midpoint.
		for ; v < len(vert) && edges[vert[v]].a.x == x; v++ {
			s := edges[vert[v]]
			q := ipt{2 * s.a.x, s.a.y + s.b.y} // doubled midpoint
			pos, _ := slices.BinarySearchFunc(status, q, func(t int32, q ipt) int {
				e := edges[t]
				if orient(ipt{2 * e.a.x, 2 * e.a.y}, ipt{2 * e.b.x, 2 * e.b.y}, q) > 0 {
					return -1 // e is below q
				}
				return 1
			})
			var right int32
			if pos > 0 {
				right = windAbove[status[pos-1]]
			}
			left := right + s.w
			if (left > 0) != (right > 0) {
				if left > 0 {
					out = append(out, dedge{s.a, s.b})
				} else {
					out = append(out, dedge{s.b, s.a})
				}
			}
		}
	}
	return out
}

// cwBefore reports whether direction c1 comes before c2 when turning
// clockwise (in the y-down tile frame: counter-clockwise on screen... see
// halfOf) from direction r.
func cwBefore(r, c1, c2 ipt) bool {
	h1, h2 := halfOf(r, c1), halfOf(r, c2)
	if h1 != h2 {
		return h1 < h2
	}
	return cross2(c1, c2) < 0
}

func cross2(a, b ipt) int64 { return int64(a.x)*int64(b.y) - int64(a.y)*int64(b.x) }

// halfOf classifies the angle from r to c measured in the negative
// rotation sense of the raw coordinates: 0 for (0, π), 1 for exactly π,
// 2 for (π, 2π), 3 for 0 (same direction).
func halfOf(r, c ipt) int {
	cr := cross2(r, c)
	switch {
	case cr < 0:
		return 0
	case cr > 0:
		return 2
	}
	if int64(r.x)*int64(c.x)+int64(r.y)*int64(c.y) < 0 {
		return 1
	}
	return 3
}

// chainRings chains directed boundary edges into simple rings: at a
// vertex with several outgoing edges, an edge continues with the first
// outgoing edge clockwise from its own reverse direction, which bounds the
// same face; walks that still visit a vertex twice are split there.
func chainRings(edges []dedge) [][]ipt {
	n := len(edges)
	slices.SortFunc(edges, func(p, q dedge) int {
		if c := cmp.Compare(pack(p.from), pack(q.from)); c != 0 {
			return c
		}
		return cmp.Compare(pack(p.to), pack(q.to))
	})
	in := make([]int32, n) // edges ordered by their end vertex
	for i := range in {
		in[i] = int32(i)
	}
	slices.SortFunc(in, func(a, b int32) int { return cmp.Compare(pack(edges[a].to), pack(edges[b].to)) })
	next := make([]int32, n)
	multi := make([]bool, n) // the edge starts at a vertex with several outgoing edges
	lo := 0
	for j := 0; j < n; {
		v := edges[in[j]].to
		kv := pack(v)
		for lo < n && pack(edges[lo].from) < kv {
			lo++
		}
		hi := lo
		for hi < n && edges[hi].from == v {
			hi++
		}
		je := j
		for je < n && edges[in[je]].to == v {
			je++
		}
		for _, k := range in[j:je] {
			switch hi - lo {
			case 0:
				next[k] = -1 // cannot happen for a consistent boundary
			case 1:
				next[k] = int32(lo)
			default:
				r := ipt{edges[k].from.x - v.x, edges[k].from.y - v.y}
				best := lo
				for c := lo + 1; c < hi; c++ {
					dc := ipt{edges[c].to.x - v.x, edges[c].to.y - v.y}
					db := ipt{edges[best].to.x - v.x, edges[best].to.y - v.y}
					if cwBefore(r, dc, db) {
						best = c
					}
				}
				next[k] = int32(best)
			}
		}
		if hi-lo > 1 {
			for c := lo; c < hi; c++ {
				multi[c] = true
			}
		}
		j = je
	}
	used := make([]bool, n)
	var out [][]ipt
	var walk []ipt
	for e0 := range edges {
		if used[e0] {
			continue
		}
		walk = walk[:0]
		repeats := false
		ok := true
		for e := int32(e0); ; {
			used[e] = true
			walk = append(walk, edges[e].from)
			repeats = repeats || multi[e]
			e = next[e]
			if e == int32(e0) {
				break
			}
			if e < 0 || used[e] {
				ok = false // cannot happen for a consistent boundary
				break
			}
		}
		if !ok {
			continue
		}
		if repeats {
			out = splitLoops(walk, out)
		} else if r := dropCollinear(slices.Clone(walk)); len(r) >= 3 {
			out = append(out, r)
		}
	}
	return out
}

// splitLoops splits a closed walk that visits a vertex more than once into
// loops that do not, appending them (with collinear vertices removed) to out.
func splitLoops(walk []ipt, out [][]ipt) [][]ipt {
	pos := make(map[ipt]int, len(walk))
	var stack []ipt
	for _, p := range walk {
		if k, seen := pos[p]; seen {
			if r := dropCollinear(slices.Clone(stack[k:])); len(r) >= 3 {
				out = append(out, r)
			}
			for _, q := range stack[k+1:] {
				delete(pos, q)
			}
			stack = stack[:k+1]
			continue
		}
		pos[p] = len(stack)
		stack = append(stack, p)
	}
	if r := dropCollinear(stack); len(r) >= 3 {
		out = append(out, r)
	}
	return out
}

// dropCollinear removes vertices lying on the straight line through their
// neighbours. Boundaries never double back, so this keeps the point set.
func dropCollinear(r []ipt) []ipt {
	for changed := true; changed && len(r) >= 3; {
		changed = false
		k := 0
		n := len(r)
		for i := range n {
			prev := r[(i+n-1)%n]
			if k > 0 {
				prev = r[k-1]
			}
			next := r[(i+1)%n]
			if orient(prev, r[i], next) == 0 {
				changed = true
				continue
			}
			r[k] = r[i]
			k++
		}
		r = r[:k]
	}
	return r
}

func area2(r []ipt) int64 {
	var s int64
	n := len(r)
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		s += int64(a.x)*int64(b.y) - int64(b.x)*int64(a.y)
	}
	return s
}

// assemble groups rings into polygons: each exterior (positive area)
// followed by the holes (negative area) it directly contains.
func assemble(rs [][]ipt) [][][]ipt {
	type ring struct {
		pts        []ipt
		area       int64
		minx, miny int32
		maxx, maxy int32
	}
	var ext, holes []ring
	for _, r := range rs {
		a := area2(r)
		if a == 0 {
			continue
		}
		rg := ring{pts: r, area: a, minx: r[0].x, maxx: r[0].x, miny: r[0].y, maxy: r[0].y}
		for _, p := range r {
			rg.minx, rg.maxx = min(rg.minx, p.x), max(rg.maxx, p.x)
			rg.miny, rg.maxy = min(rg.miny, p.y), max(rg.maxy, p.y)
		}
		if a > 0 {
			ext = append(ext, rg)
		} else {
			holes = append(holes, rg)
		}
	}
	polys := make([][][]ipt, len(ext))
	for i, e := range ext {
		polys[i] = [][]ipt{e.pts}
	}
	for _, h := range holes {
		q := ipt{h.pts[0].x + h.pts[1].x, h.pts[0].y + h.pts[1].y} // doubled midpoint
		best := -1
		for i, e := range ext {
			if h.minx < e.minx || h.maxx > e.maxx || h.miny < e.miny || h.maxy > e.maxy {
				continue
			}
			if best >= 0 && e.area >= ext[best].area {
				continue
			}
			if insideDoubled(q, e.pts) {
				best = i
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], h.pts)
		}
	}
	return polys
}

// insideDoubled reports whether q (in doubled coordinates) is inside ring r
// (winding number; q never lies on r).
func insideDoubled(q ipt, r []ipt) bool {
	w := 0
	n := len(r)
	for i := range n {
		a := ipt{2 * r[i].x, 2 * r[i].y}
		b := ipt{2 * r[(i+1)%n].x, 2 * r[(i+1)%n].y}
		if a.y <= q.y {
			if b.y > q.y && orient(a, b, q) > 0 {
				w++
			}
		} else if b.y <= q.y && orient(a, b, q) < 0 {
			w--
		}
	}
	return w != 0
}
