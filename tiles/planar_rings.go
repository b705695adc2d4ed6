package tiles

import (
	"cmp"
	"slices"
)

// Steps 2 to 5 of polygonize (see planar.go): net edge windings, the
// boundary by plane sweep, chaining into rings and assembling polygons.

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
