package geo

import (
	"math"
)

// segTree is a bounding-capsule hierarchy over the border's segments in 3D
// unit-vector space. Each node bounds a run of consecutive segments (great-
// circle arcs) by the chord from the run's first to its last vertex and the
// largest distance r of any point of the run from that chord; the Euclidean
// (chord) distance from a query to anything in the run is at least its
// distance to the chord minus r. Chord length grows with the angle, so a
// branch-and-bound search over these bounds finds the nearest segment on the
// sphere exactly, at any distance. Capsules fit a border's nearly straight
// runs far more tightly than balls, which keeps the search to a few dozen
// nodes even for points hundreds of km away.
type segTree struct {
	nodes []segNode
}

type segNode struct {
	a, ab       vec3    // the chord from the run's first vertex a to a+ab
	inv         float64 // 1/|ab|², 0 for a chord of length 0
	r           float64
	lo, hi      int32 // segments [lo, hi)
	left, right int32 // child nodes, -1 for a leaf
}

func newSegTree(v []vec3) *segTree {
	t := &segTree{nodes: make([]segNode, 0, 2*len(v))}
	if len(v) >= 2 {
		// The bulge of each arc beyond its own chord: 1 − cos(θ/2) for an
		// arc of angle θ.
		bulge := make([]float64, len(v)-1)
		for i := range bulge {
			bulge[i] = 1 - math.Cos(angle(v[i], v[i+1])/2)
		}
		t.build(v, bulge, 0, int32(len(v)-1))
	}
	return t
}

// build adds the node for segments [lo, hi) and returns its index and the
// largest bulge of its arcs.
func (t *segTree) build(v []vec3, bulge []float64, lo, hi int32) (int32, float64) {
	// Capsule around the run: the chord from its first to its last vertex,
	// radius to the farthest vertex, plus the largest bulge of an arc beyond
	// its own chord.
	a, b := v[lo], v[hi]
	r := 0.0
	for i := lo + 1; i < hi; i++ {
		r = math.Max(r, segDist(v[i], a, b))
	}
	idx := int32(len(t.nodes))
	nd := segNode{a: a, ab: b.sub(a), lo: lo, hi: hi, left: -1, right: -1}
	if l := nd.ab.dot(nd.ab); l > 0 {
		nd.inv = 1 / l
	}
	t.nodes = append(t.nodes, nd)
	bmax := bulge[lo]
	if hi-lo > 1 {
		mid := (lo + hi) / 2
		l, bl := t.build(v, bulge, lo, mid)
		rt, br := t.build(v, bulge, mid, hi)
		t.nodes[idx].left, t.nodes[idx].right = l, rt
		bmax = math.Max(bl, br)
	}
	t.nodes[idx].r = r + bmax + 1e-12
	return idx, bmax
}

// stackItem is a node and the lower bound of its chord distance.
type stackItem struct {
	lb   float64
	node int32
}

// arcCand is a segment, its closest point to the query and the angle to it.
type arcCand struct {
	seg    int32
	foot   vec3
	ang    float64
	metres float64 // arcMetres to foot, filled in by the caller
}

// band is how far beyond the smallest angle a search keeps segments: its
// limit for the smallest angle best.
type band struct {
	tie     float64 // factor on best up to nearAng
	nearAng float64 // radians
	farTie  float64 // factor on best beyond nearAng
	add     float64 // radians added
}

func (bd band) limit(best float64) float64 {
	if best > bd.nearAng {
		return best*bd.farTie + bd.add
	}
	return best*bd.tie + bd.add
}

// chordOf returns the chord length of an angle in radians (up to π).
func chordOf(ang float64) float64 { return 2 * math.Sin(math.Min(math.Pi, ang)/2) }

// nearest appends to cands every segment whose spherical distance to p is
// within the band of the smallest (and possibly some beyond it, found
// before the smallest), and returns that smallest angle.
func (t *segTree) nearest(p vec3, v []vec3, bd band, cands []arcCand) ([]arcCand, float64) {
	root := [1]int32{0}
	return t.search(p, v, bd, root[:], -1, cands)
}

// search is nearest with the search started from the nodes start instead
// of the root (they must hold every segment the answer can need) and, when
// seed >= 0, with segment seed measured first to bound the search.
func (t *segTree) search(p vec3, v []vec3, bd band, start []int32, seed int32, cands []arcCand) ([]arcCand, float64) {
	if len(t.nodes) == 0 {
		return cands, math.Inf(1)
	}
	bestAng := math.Inf(1)
	limit := math.Inf(1) // chord length of bd.limit(bestAng)
	if seed >= 0 {
		foot, ang := closestOnArc(p, v[seed], v[seed+1])
		cands = append(cands, arcCand{seg: seed, foot: foot, ang: ang})
		bestAng = ang
		limit = chordOf(bd.limit(bestAng))
	}
	// Depth first, the nearer child first; a node is pushed with its lower
	// bound and dropped when that exceeds the limit by the time it is
	// popped. With the seed's limit from the start, this visits about the
	// nodes a best-first search would, without keeping a heap.
	var buf [64]stackItem
	stack := buf[:0]
	for _, ni := range start {
		if lb, ok := t.nodes[ni].within(p, limit); ok {
			stack = append(stack, stackItem{lb: lb, node: ni})
		}
	}
	// The start nodes nearest first: sorted by decreasing bound, as they
	// are popped from the end.
	for i := 1; i < len(stack); i++ {
		for j := i; j > 0 && stack[j].lb > stack[j-1].lb; j-- {
			stack[j], stack[j-1] = stack[j-1], stack[j]
		}
	}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.lb > limit {
			continue
		}
		n := &t.nodes[it.node]
		if n.left < 0 {
			if n.lo == seed {
				continue // measured first
			}
			foot, ang := closestOnArc(p, v[n.lo], v[n.lo+1])
			if ang <= bd.limit(bestAng) {
				cands = append(cands, arcCand{seg: n.lo, foot: foot, ang: ang})
			}
			if ang < bestAng {
				bestAng = ang
				limit = chordOf(bd.limit(bestAng))
			}
			continue
		}
		lbL, okL := t.nodes[n.left].within(p, limit)
		lbR, okR := t.nodes[n.right].within(p, limit)
		switch {
		case okL && okR:
			if lbL <= lbR {
				stack = append(stack, stackItem{lb: lbR, node: n.right}, stackItem{lb: lbL, node: n.left})
			} else {
				stack = append(stack, stackItem{lb: lbL, node: n.left}, stackItem{lb: lbR, node: n.right})
			}
		case okL:
			stack = append(stack, stackItem{lb: lbL, node: n.left})
		case okR:
			stack = append(stack, stackItem{lb: lbR, node: n.right})
		}
	}
	return cands, bestAng
}

// within returns lowerBound(p) and whether it is at most limit, without
// the square root when it is not. The clamp uses plain comparisons rather
// than math.Min and math.Max, which handle NaN and signed zeros and cost
// more: this is the search's inner loop, and its inputs are finite.
func (n *segNode) within(p vec3, limit float64) (float64, bool) {
	ap := p.sub(n.a)
	t := ap.dot(n.ab) * n.inv
	if t < 0 {
		t = 0
	} else if t > 1 {
		t = 1
	}
	d := ap.sub(n.ab.scale(t))
	d2 := d.dot(d)
	if r := limit + n.r; d2 > r*r {
		return 0, false
	}
	return max(0, math.Sqrt(d2)-n.r), true
}

// lowerBound is a lower bound of the chord distance from p to any point of
// the node's run.
func (n *segNode) lowerBound(p vec3) float64 {
	lb, _ := n.within(p, math.Inf(1))
	return lb
}

// segDist is the Euclidean distance from p to the 3D segment a–b.
func segDist(p, a, b vec3) float64 {
	ab := b.sub(a)
	ap := p.sub(a)
	t := 0.0
	if l := ab.dot(ab); l > 0 {
		t = math.Max(0, math.Min(1, ap.dot(ab)/l))
	}
	return ap.sub(ab.scale(t)).norm()
}
