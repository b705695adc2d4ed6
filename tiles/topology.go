package tiles

import (
	"hash/fnv"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// This file builds a TopoJSON-style topology over every ring and line of
// every polygon and line layer, so that a boundary shared by several
// features (two neighbouring provinces, a province and its country, the
// border line and the country edges it follows) is stored once as an arc
// and simplified once per zoom. Rebuilding the features from the simplified
// arcs keeps shared boundaries vertex-for-vertex identical at every zoom.
//
// Vertex identity is exact float64 equality of the input longitude/latitude.

// arcRef refers to an arc: a >= 0 is arc a traversed forwards, ^a (< 0) is
// arc a traversed backwards.
type arcRef = int32

// topoBuilder collects the input sequences (rings and lines) as vertex ids.
type topoBuilder struct {
	index  map[orb.Point]int32
	lonlat []orb.Point // unique input vertices
	ids    []int32     // all sequences, concatenated
	seqs   []topoSeq
}

type topoSeq struct {
	start, end int32 // ids[start:end]
	ring       bool  // rings are stored open (no closing vertex)
}

func newTopoBuilder() *topoBuilder {
	return &topoBuilder{index: make(map[orb.Point]int32)}
}

// add registers a ring (closing vertex optional) or a line and returns its
// sequence number, or -1 if it is degenerate: a ring with fewer than three
// distinct vertices or a line with fewer than two.
func (b *topoBuilder) add(pts []orb.Point, ring bool) int {
	start := int32(len(b.ids))
	for _, p := range pts {
		id, ok := b.index[p]
		if !ok {
			id = int32(len(b.lonlat))
			b.index[p] = id
			b.lonlat = append(b.lonlat, p)
		}
		if n := len(b.ids); n > int(start) && b.ids[n-1] == id {
			continue // repeated vertex
		}
		b.ids = append(b.ids, id)
	}
	if ring {
		for len(b.ids) > int(start)+1 && b.ids[len(b.ids)-1] == b.ids[start] {
			b.ids = b.ids[:len(b.ids)-1] // closing vertex
		}
	}
	n := len(b.ids) - int(start)
	if (ring && n < 3) || (!ring && n < 2) {
		b.ids = b.ids[:start]
		return -1
	}
	b.seqs = append(b.seqs, topoSeq{start: start, end: int32(len(b.ids)), ring: ring})
	return len(b.seqs) - 1
}

// topology is the result: arcs over projected vertices, and for every
// sequence registered with add the arcs that rebuild it.
type topology struct {
	world []orb.Point // vertex positions in world coordinates
	arcs  [][]int32   // vertex ids; a closed arc repeats its first vertex last
	imp   [][]float64 // Douglas-Peucker importance of every arc vertex (world units)
	seqs  [][]arcRef  // per sequence
}

// build finds junctions, cuts sequences into arcs, deduplicates arcs,
// projects the vertices and ranks every arc vertex for simplification.
func (b *topoBuilder) build() *topology {
	junction := b.junctions()
	t := &topology{seqs: make([][]arcRef, len(b.seqs))}
	arcs := &arcSet{t: t, dedupe: make(map[uint64][]int32)}
	var buf []int32
	for si, s := range b.seqs {
		seq := b.ids[s.start:s.end]
		if s.ring {
			t.seqs[si], buf = b.ringArcs(seq, junction, arcs, buf)
		} else {
			t.seqs[si] = lineArcs(seq, junction, arcs)
		}
	}

	t.world = make([]orb.Point, len(b.lonlat))
	for i, p := range b.lonlat {
		x, y := lonLatToWorld(p[0], p[1])
		t.world[i] = orb.Point{x, y}
	}
	t.imp = make([][]float64, len(t.arcs))
	for i, a := range t.arcs {
		t.imp[i] = dpImportance(t.world, a)
	}
	return t
}

// junctions marks the vertices where arcs must break: the ends of lines
// and the vertices whose neighbours differ between two sequences.
func (b *topoBuilder) junctions() []bool {
	nv := len(b.lonlat)
	nb1 := make([]int32, nv)
	nb2 := make([]int32, nv)
	for i := range nb1 {
		nb1[i] = -1
	}
	junction := make([]bool, nv)
	record := func(v, p, n int32) {
		if p > n {
			p, n = n, p
		}
		switch {
		case nb1[v] == -1:
			nb1[v], nb2[v] = p, n
		case nb1[v] != p || nb2[v] != n:
			junction[v] = true
		}
	}
	for _, s := range b.seqs {
		seq := b.ids[s.start:s.end]
		n := len(seq)
		for i, v := range seq {
			switch {
			case s.ring:
				record(v, seq[(i+n-1)%n], seq[(i+1)%n])
			case i == 0 || i == n-1:
				junction[v] = true
			default:
				record(v, seq[i-1], seq[i+1])
			}
		}
	}
	return junction
}

// arcSet holds the arcs of a topology, each stored once in its canonical
// direction (smaller end vertex first).
type arcSet struct {
	t      *topology
	dedupe map[uint64][]int32
}

// add returns the reference of arc a, adding it when it is new; a
// reference to an arc stored reversed is its complement.
func (s *arcSet) add(a []int32) arcRef {
	rev := a[0] > a[len(a)-1] || (a[0] == a[len(a)-1] && a[1] > a[len(a)-2])
	canon := a
	if rev {
		canon = slices.Clone(a)
		slices.Reverse(canon)
	}
	h := hashIDs(canon)
	for _, c := range s.dedupe[h] {
		if slices.Equal(s.t.arcs[c], canon) {
			if rev {
				return ^c
			}
			return c
		}
	}
	c := int32(len(s.t.arcs))
	if !rev {
		canon = slices.Clone(a)
	}
	s.t.arcs = append(s.t.arcs, canon)
	s.dedupe[h] = append(s.dedupe[h], c)
	if rev {
		return ^c
	}
	return c
}

// lineArcs cuts a line sequence into arcs at its junctions.
func lineArcs(seq []int32, junction []bool, arcs *arcSet) []arcRef {
	var refs []arcRef
	start := 0
	for i := 1; i < len(seq); i++ {
		if junction[seq[i]] || i == len(seq)-1 {
			refs = append(refs, arcs.add(seq[start:i+1]))
			start = i
		}
	}
	return refs
}

// ringArcs cuts a ring sequence into arcs at its junctions, starting at
// the first; a ring without a junction is one arc. buf is scratch space,
// returned for reuse.
func (b *topoBuilder) ringArcs(seq []int32, junction []bool, arcs *arcSet, buf []int32) ([]arcRef, []int32) {
	n := len(seq)
	var refs []arcRef
	first := -1
	for i, v := range seq {
		if junction[v] {
			first = i
			break
		}
	}
	if first < 0 {
		// No junction: rotate to the smallest vertex so that equal
		// rings (a hole and the enclave filling it) get equal arcs.
		first = 0
		for i, v := range seq {
			if lessPoint(b.lonlat[v], b.lonlat[seq[first]]) {
				first = i
			}
		}
		buf = buf[:0]
		for k := 0; k <= n; k++ {
			buf = append(buf, seq[(first+k)%n])
		}
		return append(refs, arcs.add(buf)), buf
	}
	buf = append(buf[:0], seq[first])
	for k := 1; k <= n; k++ {
		v := seq[(first+k)%n]
		buf = append(buf, v)
		if junction[v] {
			refs = append(refs, arcs.add(buf))
			buf = append(buf[:0], v)
		}
	}
	return refs, buf
}

func lessPoint(a, b orb.Point) bool {
	return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1])
}

func hashIDs(ids []int32) uint64 {
	h := fnv.New64a()
	var b [4]byte
	for _, v := range ids {
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		h.Write(b[:])
	}
	return h.Sum64()
}

// dpImportance ranks the vertices of one arc for Douglas-Peucker
// simplification: a vertex survives simplification with tolerance tol
// exactly when its importance exceeds tol. Douglas-Peucker recursion splits
// at the same vertices whatever the tolerance, so a vertex's importance is
// the smallest split distance on its path from the root of the recursion;
// the end vertices (junctions) are kept at every tolerance.
func dpImportance(world []orb.Point, arc []int32) []float64 {
	n := len(arc)
	imp := make([]float64, n)
	imp[0], imp[n-1] = math.Inf(1), math.Inf(1)
	type span struct {
		i, j int
		cap  float64
	}
	stack := []span{{0, n - 1, math.Inf(1)}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.j-s.i < 2 {
			continue
		}
		a, b := world[arc[s.i]], world[arc[s.j]]
		best, bestD := -1, -1.0
		for k := s.i + 1; k < s.j; k++ {
			if d := segDist(world[arc[k]], a, b); d > bestD {
				best, bestD = k, d
			}
		}
		d := min(bestD, s.cap)
		imp[best] = d
		stack = append(stack, span{s.i, best, d}, span{best, s.j, d})
	}
	return imp
}

// segDist is the distance from p to the segment ab.
func segDist(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	px, py := p[0]-a[0], p[1]-a[1]
	if l := dx*dx + dy*dy; l > 0 {
		t := (px*dx + py*dy) / l
		if t > 1 {
			px, py = p[0]-b[0], p[1]-b[1]
		} else if t > 0 {
			px -= t * dx
			py -= t * dy
		}
	}
	return math.Sqrt(px*px + py*py)
}

// simplifyArcs returns every arc simplified with tolerance tol (world units)
// as world points. prev, if not nil, is the result for a smaller tolerance;
// since simplification results are nested it is filtered instead of the
// full arcs, and arcs that lose nothing share prev's slice.
func (t *topology) simplifyArcs(tol float64, prev [][]orb.Point, prevIdx [][]int32) ([][]orb.Point, [][]int32) {
	out := make([][]orb.Point, len(t.arcs))
	outIdx := make([][]int32, len(t.arcs))
	for a, arc := range t.arcs {
		imp := t.imp[a]
		var src []int32
		if prevIdx != nil {
			src = prevIdx[a]
		}
		if src == nil {
			// all vertex positions of the arc
			keep := 0
			for _, v := range imp {
				if v > tol {
					keep++
				}
			}
			idx := make([]int32, 0, keep)
			pts := make([]orb.Point, 0, keep)
			for k, v := range imp {
				if v > tol {
					idx = append(idx, int32(k))
					pts = append(pts, t.world[arc[k]])
				}
			}
			out[a], outIdx[a] = pts, idx
			continue
		}
		keep := 0
		for _, k := range src {
			if imp[k] > tol {
				keep++
			}
		}
		if keep == len(src) {
			out[a], outIdx[a] = prev[a], src
			continue
		}
		idx := make([]int32, 0, keep)
		pts := make([]orb.Point, 0, keep)
		for _, k := range src {
			if imp[k] > tol {
				idx = append(idx, k)
				pts = append(pts, t.world[arc[k]])
			}
		}
		out[a], outIdx[a] = pts, idx
	}
	return out, outIdx
}

// rebuild concatenates arcs into one sequence (a ring is returned open:
// the closing vertex is not repeated).
func rebuild(arcs [][]orb.Point, refs []arcRef, ring bool, dst []orb.Point) []orb.Point {
	dst = dst[:0]
	for _, r := range refs {
		a := r
		rev := a < 0
		if rev {
			a = ^a
		}
		pts := arcs[a]
		for k := range pts {
			p := pts[k]
			if rev {
				p = pts[len(pts)-1-k]
			}
			if len(dst) > 0 && dst[len(dst)-1] == p {
				continue // junction shared with the previous arc
			}
			dst = append(dst, p)
		}
	}
	if ring {
		for len(dst) > 1 && dst[len(dst)-1] == dst[0] {
			dst = dst[:len(dst)-1]
		}
	}
	return dst
}
