package main

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// borderResult is the Durand Line extracted from the AFG and PAK polygons.
type borderResult struct {
	Line orb.LineString
	// Runs are the chains of shared edges found, in line order, with their
	// vertex counts.
	Runs []int
	// SharedVertices is the number of distinct coordinates that are
	// vertices of both polygons.
	SharedVertices int
	// DroppedVertices are shared vertices that lie on no shared edge
	// (isolated touches), which are not part of the border.
	DroppedVertices int
	// Bridges are the lengths in metres of the segments that join one
	// chain to the next where the two polygons briefly diverge.
	Bridges []float64
	// MaxSharedSegment is the longest segment (metres) of any shared edge.
	MaxSharedSegment float64
	LengthM          float64
}

type edgeKey struct{ a, b orb.Point }

func undirected(a, b orb.Point) edgeKey {
	if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
		a, b = b, a
	}
	return edgeKey{a, b}
}

// ringEdges calls fn for each edge of every ring of mp.
func ringEdges(mp orb.MultiPolygon, fn func(a, b orb.Point)) {
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				if ring[i] != ring[i-1] {
					fn(ring[i-1], ring[i])
				}
			}
		}
	}
}

// extractBorder returns the line made of the edges shared by afg and pak,
// as one LineString from the vertex nearest irn to the vertex nearest chn.
func extractBorder(afg, pak, irn, chn orb.MultiPolygon) (borderResult, error) {
	var res borderResult
	adj, order, err := sharedEdges(afg, pak, &res)
	if err != nil {
		return res, err
	}
	chains, err := walkChains(adj, order)
	if err != nil {
		return res, err
	}
	line, best := joinChains(chains, irn, &res)
	res.Line = line
	res.LengthM = lineLength(line)
	for _, b := range res.Bridges {
		if b > res.MaxSharedSegment {
			return res, fmt.Errorf("border: gap of %.0f m between shared runs is longer than the longest shared segment (%.0f m)", b, res.MaxSharedSegment)
		}
	}
	if d := distToMultiPolygonBoundary(line[len(line)-1], chn); d > 1 {
		return res, fmt.Errorf("border: north-eastern end %v is %.0f m from the Chinese polygon", line[len(line)-1], d)
	}
	if best > 1 {
		return res, fmt.Errorf("border: south-western end %v is %.0f m from the Iranian polygon", line[0], best)
	}
	return res, nil
}

// sharedEdges returns the graph of the edges that afg and pak share: the
// neighbours of each vertex and the vertices in AFG ring order. It fills
// the shared-vertex counts and the longest shared segment of res.
func sharedEdges(afg, pak orb.MultiPolygon, res *borderResult) (map[orb.Point][]orb.Point, []orb.Point, error) {
	pakVerts := map[orb.Point]bool{}
	for _, poly := range pak {
		for _, ring := range poly {
			for _, p := range ring {
				pakVerts[p] = true
			}
		}
	}
	shared := map[orb.Point]bool{}
	for _, poly := range afg {
		for _, ring := range poly {
			for _, p := range ring {
				if pakVerts[p] {
					shared[p] = true
				}
			}
		}
	}
	res.SharedVertices = len(shared)
	pakEdges := map[edgeKey]bool{}
	ringEdges(pak, func(a, b orb.Point) {
		if shared[a] && shared[b] {
			pakEdges[undirected(a, b)] = true
		}
	})
	// Shared edges, in AFG ring order (deterministic).
	adj := map[orb.Point][]orb.Point{}
	seen := map[edgeKey]bool{}
	var order []orb.Point // vertices in first-seen order, for determinism
	ringEdges(afg, func(a, b orb.Point) {
		k := undirected(a, b)
		if !pakEdges[k] || seen[k] {
			return
		}
		seen[k] = true
		for _, p := range []orb.Point{a, b} {
			if _, ok := adj[p]; !ok {
				order = append(order, p)
			}
		}
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
		if d := distance(a, b); d > res.MaxSharedSegment {
			res.MaxSharedSegment = d
		}
	})
	res.DroppedVertices = len(shared) - len(adj)
	for _, p := range order {
		if len(adj[p]) > 2 {
			return nil, nil, fmt.Errorf("border: shared edges branch at %v (%d edges)", p, len(adj[p]))
		}
	}
	return adj, order, nil
}

// walkChains walks the shared-edge graph into chains, each from one end.
func walkChains(adj map[orb.Point][]orb.Point, order []orb.Point) ([]orb.LineString, error) {
	used := map[orb.Point]bool{}
	var chains []orb.LineString
	for _, p := range order {
		if used[p] || len(adj[p]) != 1 {
			continue
		}
		chain := orb.LineString{p}
		used[p] = true
		prev, cur := orb.Point{math.NaN(), math.NaN()}, p
		for {
			var next orb.Point
			found := false
			for _, q := range adj[cur] {
				if q != prev && !used[q] {
					next, found = q, true
					break
				}
			}
			if !found {
				break
			}
			chain = append(chain, next)
			used[next] = true
			prev, cur = cur, next
		}
		chains = append(chains, chain)
	}
	for _, p := range order {
		if !used[p] {
			return nil, fmt.Errorf("border: shared edges form a closed loop at %v", p)
		}
	}
	if len(chains) == 0 {
		return nil, fmt.Errorf("border: AFG and PAK share no edge")
	}
	return chains, nil
}

// joinChains joins the chains into one line: from the chain end nearest
// the Iranian polygon, each time to the nearest end of a chain not used
// yet. It fills the runs and bridges of res and returns the line and the
// distance of its start from irn.
func joinChains(chains []orb.LineString, irn orb.MultiPolygon, res *borderResult) (orb.LineString, float64) {
	start, startRev := -1, false
	best := math.Inf(1)
	for i, c := range chains {
		for _, rev := range []bool{false, true} {
			p := c[0]
			if rev {
				p = c[len(c)-1]
			}
			if d := distToMultiPolygonBoundary(p, irn); d < best {
				best, start, startRev = d, i, rev
			}
		}
	}
	line := orb.LineString{}
	usedChain := make([]bool, len(chains))
	appendChain := func(i int, rev bool) {
		c := append(orb.LineString(nil), chains[i]...)
		if rev {
			reverse(c)
		}
		if len(line) > 0 {
			res.Bridges = append(res.Bridges, distance(line[len(line)-1], c[0]))
		}
		line = append(line, c...)
		usedChain[i] = true
		res.Runs = append(res.Runs, len(c))
	}
	// The chain starting at the IRN end is walked from that end.
	appendChain(start, startRev)
	for n := 1; n < len(chains); n++ {
		end := line[len(line)-1]
		bi, brev, bd := -1, false, math.Inf(1)
		for i, c := range chains {
			if usedChain[i] {
				continue
			}
			if d := distance(end, c[0]); d < bd {
				bi, brev, bd = i, false, d
			}
			if d := distance(end, c[len(c)-1]); d < bd {
				bi, brev, bd = i, true, d
			}
		}
		appendChain(bi, brev)
	}
	return line, best
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// distToMultiPolygonBoundary returns the distance in metres from p to the
// nearest ring of mp (0 if p is a vertex or on an edge). Segments are
// ranked by a planar estimate; the geodesic distance is computed only for
// those that may be nearest.
func distToMultiPolygonBoundary(p orb.Point, mp orb.MultiPolygon) float64 {
	const degM = 111320.0
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				if planarDist(p, ring[i-1], ring[i])*degM > best*1.05+10 {
					continue
				}
				q, _ := closestOnSegment(p, ring[i-1], ring[i])
				if d := distance(p, q); d < best {
					best = d
				}
			}
		}
	}
	return best
}

// closestOnSegment returns the point of segment ab (a straight line in
// lon/lat) nearest p, using a local equirectangular projection, and its
// parameter t in [0, 1].
func closestOnSegment(p, a, b orb.Point) (orb.Point, float64) {
	k := math.Cos((a[1] + b[1]) / 2 * math.Pi / 180)
	dx, dy := (b[0]-a[0])*k, b[1]-a[1]
	px, py := (p[0]-a[0])*k, p[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = (px*dx + py*dy) / l2
	}
	t = math.Max(0, math.Min(1, t))
	return lerp(a, b, t), t
}

func lerp(a, b orb.Point, t float64) orb.Point {
	if t == 0 {
		return a
	}
	if t == 1 {
		return b
	}
	return orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
