package geo

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// The buffering kernel: the land within N metres (geodesic) of a line,
// traced as the level line d = N of the distance d to the line.
//
// Why not an overlay library's buffer: the pure-Go overlay library of the
// module (github.com/peterstace/simplefeatures) has union and intersection
// but no buffer (its buffer is in the cgo GEOS binding), and building the
// buffer as the union of the quadrilaterals and round joins of a
// 17,000-vertex line took 7–40 s there. The level line is therefore traced
// with marching squares on a lon/lat grid of cells about N/8 wide. Only the
// cells the line can pass through are visited: d is 1-Lipschitz (it changes
// by at most the distance moved), so a block of cells whose centre is
// farther than its half-diagonal from the level N is skipped whole. Every
// vertex of the traced line is found by root finding on a cell edge; then
// every edge between two vertices whose quarter, middle or three-quarter
// point is more than contourRefine · N off the level is split at the level
// point on the chord's normal through the worst of them, recursively. So
// every point of the outline is N ± 0.3 % from the line. d is the distance
// to the nearest point of the line's great-circle edges (as PostGIS
// geography and DistanceToBorder measure it), on the ellipsoid with Euler's
// radius of curvature (1e-4 relative). A limit of any grid method: a pocket
// where d exceeds N that is narrower than a cell and touches no grid node is
// not traced (points in it are within N + N/10 of the line).
//
// Rings are lon/lat; exterior rings are counter-clockwise, holes clockwise,
// as in RFC 7946.

// Tuning of the geometry; see the comment above.
const (
	contourCells   = 8.0    // grid cells per N
	contourRoot    = 1e-4   // root-finding tolerance on a cell edge, fraction of N
	contourRefine  = 0.0025 // mid-point tolerance of an outline edge, fraction of N
	contourDepth   = 10     // maximum splits of one outline edge
	metresPerDegUB = 111700 // upper bound of metres per degree (latitude, or longitude at the equator)
)

// ErrGeometry is returned when a zone's geometry cannot be computed: an
// overlay met a degenerate configuration it could not resolve, or a level
// line did not close.
var ErrGeometry = errors.New("geo: degenerate geometry")

// approxNearest returns the nearest point of the border's great-circle
// edges to p and its distance in metres (arcMetres), without the chainage.
func (b *Border) approxNearest(p orb.Point) (vec3, float64) {
	var buf [64]arcCand
	pv, cv := toVecs(p)
	cands := b.candidates(p, pv, cv, buf[:0])
	best, foot := math.Inf(1), vec3{}
	for _, c := range cands {
		if c.metres < best {
			best, foot = c.metres, c.foot
		}
	}
	return foot, best
}

// contour traces the level line d = level of the distance to the border.
type contour struct {
	d          func(orb.Point) float64 // metres to the line
	level      float64
	lon0, lat0 float64
	dlon, dlat float64
	nx, ny     int // cells
	nodes      map[int64]float64
	crossings  map[int64]orb.Point
	margin     float64
	rootTol    float64
	refineTol  float64
}

func (c *contour) dist(p orb.Point) float64 { return c.d(p) }

func (c *contour) node(i, j int) float64 {
	k := int64(j)*int64(c.nx+1) + int64(i)
	if v, ok := c.nodes[k]; ok {
		return v
	}
	v := c.dist(c.at(i, j))
	c.nodes[k] = v
	return v
}

func (c *contour) at(i, j int) orb.Point {
	return orb.Point{c.lon0 + float64(i)*c.dlon, c.lat0 + float64(j)*c.dlat}
}

// halfDiagonal bounds, in metres, the distance from the centre of the block
// of cells [i0,i1)×[j0,j1) to any point of it.
func (c *contour) halfDiagonal(i0, j0, i1, j1 int) float64 {
	lat := math.Min(math.Abs(c.lat0+float64(j0)*c.dlat), math.Abs(c.lat0+float64(j1)*c.dlat))
	if c.lat0+float64(j0)*c.dlat < 0 && c.lat0+float64(j1)*c.dlat > 0 {
		lat = 0
	}
	w := float64(i1-i0) * c.dlon * metresPerDegUB * math.Cos(lat*math.Pi/180)
	h := float64(j1-j0) * c.dlat * metresPerDegUB
	return 0.5 * math.Hypot(w, h)
}

// candidates collects the cells of [i0,i1)×[j0,j1) the level line may pass
// through.
func (c *contour) candidates(i0, j0, i1, j1 int, out *[][2]int) {
	if i1 <= i0 || j1 <= j0 {
		return
	}
	if i1-i0 == 1 && j1-j0 == 1 {
		// One cell: marching squares draws a segment in it only when its
		// corners are not all on one side of the level, so keep exactly
		// those. The corners are the nodes march reads anyway (cached);
		// a cell the test below would keep but whose corners agree adds
		// nothing, so the outline is the same.
		in := c.node(i0, j0) < c.level
		if (c.node(i1, j0) < c.level) != in || (c.node(i1, j1) < c.level) != in || (c.node(i0, j1) < c.level) != in {
			*out = append(*out, [2]int{i0, j0})
		}
		return
	}
	centre := orb.Point{c.lon0 + (float64(i0+i1)/2)*c.dlon, c.lat0 + (float64(j0+j1)/2)*c.dlat}
	hd := c.halfDiagonal(i0, j0, i1, j1)
	var d float64
	if (i0+i1)%2 == 0 && (j0+j1)%2 == 0 {
		d = c.node((i0+i1)/2, (j0+j1)/2) // the centre is a grid node: the same point, cached for march
	} else {
		d = c.dist(centre)
	}
	if d-hd > c.level+c.margin || d+hd < c.level-c.margin {
		return
	}
	im, jm := (i0+i1)/2, (j0+j1)/2
	if i1-i0 == 1 {
		im = i1
	}
	if j1-j0 == 1 {
		jm = j1
	}
	c.candidates(i0, j0, im, jm, out)
	c.candidates(im, j0, i1, jm, out)
	c.candidates(i0, jm, im, j1, out)
	c.candidates(im, jm, i1, j1, out)
}

// crossing returns the point of the grid edge between nodes (i0,j0) and
// (i1,j1) where the distance equals the level (Illinois regula falsi).
func (c *contour) crossing(key int64, i0, j0, i1, j1 int) orb.Point {
	if p, ok := c.crossings[key]; ok {
		return p
	}
	p0, p1 := c.at(i0, j0), c.at(i1, j1)
	f0, f1 := c.node(i0, j0)-c.level, c.node(i1, j1)-c.level
	t0, t1 := 0.0, 1.0
	lerp := func(t float64) orb.Point {
		return orb.Point{p0[0] + t*(p1[0]-p0[0]), p0[1] + t*(p1[1]-p0[1])}
	}
	t := t0 - f0*(t1-t0)/(f1-f0)
	side := 0
	for it := 0; it < 30; it++ {
		f := c.dist(lerp(t)) - c.level
		if math.Abs(f) <= c.rootTol {
			break
		}
		if (f < 0) == (f0 < 0) {
			t0, f0 = t, f
			if side == -1 {
				f1 /= 2
			}
			side = -1
		} else {
			t1, f1 = t, f
			if side == 1 {
				f0 /= 2
			}
			side = 1
		}
		t = t0 - f0*(t1-t0)/(f1-f0)
	}
	p := lerp(t)
	c.crossings[key] = p
	return p
}

// levelRings traces the rings of the region {d < level} of the distance
// to the border line, with the region on the left (exterior rings
// counter-clockwise, holes clockwise).
func (b *Border) levelRings(level float64) ([]orb.Ring, error) {
	return traceLevel(func(p orb.Point) float64 {
		_, d := b.approxNearest(p)
		return d
	}, b.Line.Bound(), level)
}

// traceLevel traces the rings of the region {d < level}, where d is the
// distance in metres to a set of lines within bound (see above).
func traceLevel(d func(orb.Point) float64, bound orb.Bound, level float64) ([]orb.Ring, error) {
	h := level / contourCells
	latMax := math.Max(math.Abs(bound.Min[1]), math.Abs(bound.Max[1]))
	padLat := (level + 3*h) / 110000
	padLon := (level + 3*h) / (111000 * math.Cos(math.Min(89, latMax+padLat)*math.Pi/180))
	c := &contour{
		d: d, level: level,
		lon0: bound.Min[0] - padLon, lat0: bound.Min[1] - padLat,
		dlat:      h / 110950,
		nodes:     map[int64]float64{},
		crossings: map[int64]orb.Point{},
		margin:    1e-3*level + 1,
		rootTol:   contourRoot * level,
		refineTol: contourRefine * level,
	}
	c.dlon = h / (111320 * math.Cos((bound.Min[1]+bound.Max[1])/2*math.Pi/180))
	c.nx = int(math.Ceil((bound.Max[0] + padLon - c.lon0) / c.dlon))
	c.ny = int(math.Ceil((bound.Max[1] + padLat - c.lat0) / c.dlat))
	// A square grid of a power of two cells a side: every block the search
	// below splits has an even size, so its centre is a grid node, whose
	// distance march reuses. The cells added lie beyond the padding, where
	// the distance exceeds the level: they hold no part of the line.
	side := 1
	for side < max(c.nx, c.ny) {
		side *= 2
	}
	c.nx, c.ny = side, side

	var cells [][2]int
	c.candidates(0, 0, c.nx, c.ny, &cells)

	next := c.march(cells)
	return c.chain(next)
}

// march runs marching squares over cells. A segment joins two crossing
// points, keyed by the grid edge they lie on; it runs with the region on
// its left. The result maps each segment's start edge to its end edge.
func (c *contour) march(cells [][2]int) map[int64]int64 {
	next := map[int64]int64{}
	hKey := func(i, j int) int64 { return (int64(j)*int64(c.nx+1) + int64(i)) * 2 }
	vKey := func(i, j int) int64 { return (int64(j)*int64(c.nx+1)+int64(i))*2 + 1 }
	for _, cell := range cells {
		i, j := cell[0], cell[1]
		// Corners counter-clockwise from bottom-left, and the edge after each.
		ci := [4][2]int{{i, j}, {i + 1, j}, {i + 1, j + 1}, {i, j + 1}}
		edges := [4]int64{hKey(i, j), vKey(i+1, j), hKey(i, j+1), vKey(i, j)}
		var in [4]bool
		n := 0
		for k, q := range ci {
			in[k] = c.node(q[0], q[1]) < c.level
			if in[k] {
				n++
			}
		}
		if n == 0 || n == 4 {
			continue
		}
		pt := func(k int) orb.Point { // crossing on the edge after corner k
			a, z := ci[k], ci[(k+1)%4]
			return c.crossing(edges[k], a[0], a[1], z[0], z[1])
		}
		link := func(e1, e2, corner int) {
			// The segment between the crossings on edges e1 and e2 cuts
			// off corner; orient it so that the region is on its left.
			p, q := pt(e1), pt(e2)
			cp := c.at(ci[corner][0], ci[corner][1])
			left := (q[0]-p[0])*(cp[1]-p[1])-(q[1]-p[1])*(cp[0]-p[0]) > 0
			if left == in[corner] {
				next[edges[e1]] = edges[e2]
			} else {
				next[edges[e2]] = edges[e1]
			}
		}
		// Edges with a crossing: edge k joins corners k and k+1.
		var xs []int
		for k := 0; k < 4; k++ {
			if in[k] != in[(k+1)%4] {
				xs = append(xs, k)
			}
		}
		if len(xs) == 2 {
			// Every inside corner lies on the same side of the segment.
			corner := 0
			for !in[corner] {
				corner++
			}
			link(xs[0], xs[1], corner)
			continue
		}
		// Saddle: four crossings. Decide with the value at the centre.
		centre := orb.Point{c.lon0 + (float64(i)+0.5)*c.dlon, c.lat0 + (float64(j)+0.5)*c.dlat}
		cin := c.dist(centre) < c.level
		for k := 0; k < 4; k++ {
			if in[k] != cin { // corner k is cut off from the centre
				link((k+3)%4, k, k)
			}
		}
	}
	return next
}

// chain joins the segments of march into rings, refined onto the level
// line, in the order of their smallest edge key.
func (c *contour) chain(next map[int64]int64) ([]orb.Ring, error) {
	var rings []orb.Ring
	used := map[int64]bool{}
	keys := make([]int64, 0, len(next))
	for k := range next {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, start := range keys {
		if used[start] {
			continue
		}
		var r orb.Ring
		k := start
		for {
			if used[k] {
				if k != start {
					return nil, fmt.Errorf("%w: level line of %.0f m does not close", ErrGeometry, c.level)
				}
				break
			}
			used[k] = true
			p, ok := c.crossings[k]
			if !ok {
				return nil, fmt.Errorf("%w: level line of %.0f m has a dangling edge", ErrGeometry, c.level)
			}
			r = append(r, p)
			nk, ok := next[k]
			if !ok {
				return nil, fmt.Errorf("%w: level line of %.0f m is open", ErrGeometry, c.level)
			}
			k = nk
		}
		if len(r) < 3 {
			continue
		}
		rings = append(rings, c.refine(r))
	}
	return rings, nil
}

// refine splits the edges of a traced ring until the points at a quarter,
// half and three quarters of each edge are within refineTol of the level,
// and closes it.
func (c *contour) refine(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r)+len(r)/4+1)
	var split func(p, q orb.Point, depth int)
	split = func(p, q orb.Point, depth int) {
		var worst orb.Point
		worstErr := -1.0
		for _, f := range [3]float64{0.5, 0.25, 0.75} {
			m := orb.Point{p[0] + f*(q[0]-p[0]), p[1] + f*(q[1]-p[1])}
			d := c.dist(m)
			if e := math.Abs(d - c.level); e > worstErr {
				worst, worstErr = m, e
			}
		}
		if worstErr <= c.refineTol || depth >= contourDepth {
			out = append(out, q)
			return
		}
		x, ok := c.levelOnNormal(p, q, worst)
		if !ok {
			out = append(out, q)
			return
		}
		split(p, x, depth+1)
		split(x, q, depth+1)
	}
	out = append(out, r[0])
	for i := range r {
		split(r[i], r[(i+1)%len(r)], 0)
	}
	return out // the last point appended is r[0]: closed
}

// levelOnNormal finds the point of the level line on the line through m
// perpendicular to the chord p–q (in a local metric), between the lines
// through p and q; the level is searched on the side m's distance calls for.
// Splitting there keeps the refined outline a graph over the chord, also at
// the sharp corners where two branches of the level line meet.
func (c *contour) levelOnNormal(p, q, m orb.Point) (orb.Point, bool) {
	k := math.Cos(m[1] * math.Pi / 180)
	dx, dy := (q[0]-p[0])*k, q[1]-p[1]
	l := math.Hypot(dx, dy)
	if l == 0 {
		return orb.Point{}, false
	}
	nx, ny := -dy/l/k, dx/l // left normal, in degrees per unit of scaled length
	at := func(s float64) orb.Point { return orb.Point{m[0] + s*nx, m[1] + s*ny} }
	f0 := c.dist(m) - c.level
	dir := 1.0 // the region lies on the left of the ring: go left when outside
	if f0 < 0 {
		dir = -1
	}
	s0, s1, f1 := 0.0, 0.0, f0
	for _, frac := range [6]float64{0.125, 0.25, 0.5, 1, 2, 4} {
		s1 = dir * frac * l
		f1 = c.dist(at(s1)) - c.level
		if (f1 < 0) != (f0 < 0) {
			break
		}
		s0, f0 = s1, f1
	}
	if (f1 < 0) == (f0 < 0) {
		return orb.Point{}, false
	}
	side := 0
	s := s0 - f0*(s1-s0)/(f1-f0)
	for it := 0; it < 40; it++ {
		f := c.dist(at(s)) - c.level
		if math.Abs(f) <= c.rootTol {
			break
		}
		if (f < 0) == (f0 < 0) {
			s0, f0 = s, f
			if side == -1 {
				f1 /= 2
			}
			side = -1
		} else {
			s1, f1 = s, f
			if side == 1 {
				f0 /= 2
			}
			side = 1
		}
		s = s0 - f0*(s1-s0)/(f1-f0)
	}
	return at(s), true
}
