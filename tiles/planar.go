package tiles

import "slices"

// polygonize (this file; its steps in planar_node.go and planar_rings.go)
// turns the clipped, quantised rings of the polygon features of one layer
// in one tile into OGC-valid polygons with integer coordinates:
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
