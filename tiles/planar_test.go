package tiles

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

func ip(x, y int32) ipt { return ipt{x, y} }

// toIpoints converts polygons for the strict checker.
func toIpoints(polys [][][]ipt) [][][]ipoint {
	var out [][][]ipoint
	for _, p := range polys {
		var rs [][]ipoint
		for _, r := range p {
			var q []ipoint
			for _, v := range r {
				q = append(q, ipoint{int64(v.x), int64(v.y)})
			}
			rs = append(rs, q)
		}
		out = append(out, rs)
	}
	return out
}

func polysArea(polys [][][]ipt) float64 {
	var a int64
	for _, p := range polys {
		for _, r := range p {
			a += area2(r)
		}
	}
	return float64(a) / 2
}

// checkPolys checks the output of polygonize for one feature: exterior
// rings positive, holes negative, no repeated points, OGC-valid.
func checkPolys(t *testing.T, polys [][][]ipt) {
	t.Helper()
	for _, p := range polys {
		for i, r := range p {
			if len(r) < 3 {
				t.Fatalf("ring with %d points", len(r))
			}
			a := area2(r)
			if (i == 0) != (a > 0) || a == 0 {
				t.Fatalf("ring %d has area2 %d", i, a)
			}
			seen := map[ipt]bool{}
			for _, v := range r {
				if seen[v] {
					t.Fatalf("ring repeats %v", v)
				}
				seen[v] = true
			}
		}
	}
	if err := toSF(toIpoints(polys)).Validate(); err != nil {
		t.Fatalf("OGC-invalid: %v\n%v", err, polys)
	}
}

func square(x0, y0, x1, y1 int32) []ipt {
	// positive shoelace area in y-down tile coordinates
	return []ipt{ip(x0, y0), ip(x1, y0), ip(x1, y1), ip(x0, y1)}
}

// pos and neg orient a ring as an exterior (positive shoelace area in
// y-down tile coordinates) or a hole (negative).
func pos(r []ipt) []ipt {
	if area2(r) < 0 {
		return reversed(r)
	}
	return r
}

func neg(r []ipt) []ipt {
	if area2(r) > 0 {
		return reversed(r)
	}
	return r
}

func reversed(r []ipt) []ipt {
	out := make([]ipt, len(r))
	for i, v := range r {
		out[len(r)-1-i] = v
	}
	return out
}

func TestPolygonizeCases(t *testing.T) {
	tests := []struct {
		name  string
		rings [][]ipt
		area  float64
		polys int
		holes int
	}{
		{"square", [][]ipt{square(0, 0, 10, 10)}, 100, 1, 0},
		{"square with hole", [][]ipt{square(0, 0, 10, 10), reversed(square(2, 2, 4, 4))}, 96, 1, 1},
		// the lobes of a bow-tie wind +1 and -1: only the positive one stays
		{"bow-tie", [][]ipt{{ip(0, 0), ip(0, 10), ip(10, 0), ip(10, 10)}}, 25, 1, 0},
		{"spike", [][]ipt{pos([]ipt{ip(0, 0), ip(0, 10), ip(10, 10), ip(10, 5), ip(20, 5), ip(10, 5), ip(10, 0)})}, 100, 1, 0},
		{"collinear backtrack", [][]ipt{pos([]ipt{ip(0, 0), ip(0, 10), ip(5, 10), ip(3, 10), ip(10, 10), ip(10, 0)})}, 100, 1, 0},
		{"hole touching exterior at a point", [][]ipt{square(0, 0, 10, 10), neg([]ipt{ip(0, 5), ip(3, 7), ip(3, 3)})}, 100 - 6, 1, 1},
		{"self-touching ring (inverted hole)", [][]ipt{pos([]ipt{ip(0, 0), ip(0, 10), ip(10, 10), ip(10, 0), ip(5, 0), ip(7, 4), ip(3, 4), ip(5, 0)})}, 100 - 8, 1, 1},
		{"hole splitting the interior", [][]ipt{square(0, 0, 10, 10), neg([]ipt{ip(5, 0), ip(2, 5), ip(5, 10), ip(8, 5)})}, 70, 2, 0},
		{"overlapping parts merge", [][]ipt{square(0, 0, 10, 10), square(5, 5, 15, 15)}, 175, 1, 0},
		{"nested exteriors merge", [][]ipt{square(0, 0, 10, 10), square(2, 2, 4, 4)}, 100, 1, 0},
		{"stray hole vanishes", [][]ipt{square(0, 0, 10, 10), reversed(square(20, 20, 30, 30))}, 100, 1, 0},
		{"ring and its reverse cancel", [][]ipt{square(0, 0, 10, 10), reversed(square(0, 0, 10, 10))}, 0, 0, 0},
		{"zero area", [][]ipt{{ip(0, 0), ip(5, 5), ip(10, 10)}}, 0, 0, 0},
		{"island in lake", [][]ipt{square(0, 0, 10, 10), reversed(square(2, 2, 8, 8)), square(4, 4, 6, 6)}, 100 - 36 + 4, 2, 1},
		{"shared corner squares", [][]ipt{square(0, 0, 5, 5), square(5, 5, 10, 10)}, 50, 2, 0},
		{"two holes touching", [][]ipt{square(0, 0, 10, 10), reversed(square(2, 2, 5, 5)), reversed(square(5, 5, 8, 8))}, 100 - 18, 1, 2},
		{"crossing needs rounding", [][]ipt{{ip(0, 0), ip(3, 7), ip(7, 2), ip(1, 5), ip(6, 8), ip(9, 0)}}, -1, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, ok := polygonize([][][]ipt{tt.rings})
			if !ok {
				t.Fatal("noding did not converge")
			}
			polys := res[0]
			checkPolys(t, polys)
			if tt.area >= 0 {
				if got := polysArea(polys); got != tt.area {
					t.Errorf("area %v, want %v", got, tt.area)
				}
			}
			holes := 0
			for _, p := range polys {
				holes += len(p) - 1
			}
			if tt.polys >= 0 && (len(polys) != tt.polys || holes != tt.holes) {
				t.Errorf("%d polygons %d holes, want %d and %d: %v", len(polys), holes, tt.polys, tt.holes, polys)
			}
		})
	}
}

// TestPolygonizeSharedEdges checks that a vertex created by snap rounding
// on an edge shared by two features appears in both, so no gap or overlap
// opens between them.
func TestPolygonizeSharedEdges(t *testing.T) {
	// a and b share the diagonal edge (0,0)-(10,3); a's hole crosses it at
	// (4.7, 1.4) and (3.6, 1.1), which round to (5,1) and (4,1), off the
	// diagonal.
	a := pos([]ipt{ip(0, 0), ip(10, 3), ip(10, 10), ip(0, 10)})
	b := pos([]ipt{ip(0, 0), ip(10, -7), ip(10, 3)})
	hole := neg([]ipt{ip(4, 0), ip(6, 4), ip(3, 3)})
	res, ok := polygonize([][][]ipt{{a, hole}, {b}})
	if !ok {
		t.Fatal("not noded")
	}
	has := func(polys [][][]ipt, v ipt) bool {
		for _, p := range polys {
			for _, r := range p {
				for _, q := range r {
					if q == v {
						return true
					}
				}
			}
		}
		return false
	}
	for _, v := range []ipt{ip(4, 1), ip(5, 1)} {
		if !has(res[0], v) || !has(res[1], v) {
			t.Errorf("vertex %v missing: a=%v b=%v", v, res[0], res[1])
		}
	}
	for _, p := range res {
		checkPolys(t, p)
	}
	// No overlap: the output areas add up to the area of their union.
	var all [][]ipt
	for _, f := range res {
		for _, p := range f {
			all = append(all, p...)
		}
	}
	union, _ := polygonize([][][]ipt{all})
	if got, want := polysArea(res[0])+polysArea(res[1]), polysArea(union[0]); got != want {
		t.Errorf("area a+b = %v, union %v", got, want)
	}
}

// windingF is the winding number of float point (x, y) with respect to
// integer rings (positive shoelace area = +1 inside).
func windingF(x, y float64, rs [][]ipt) int {
	w := 0
	for _, r := range rs {
		n := len(r)
		for i := range n {
			ax, ay := float64(r[i].x), float64(r[i].y)
			bx, by := float64(r[(i+1)%n].x), float64(r[(i+1)%n].y)
			c := (bx-ax)*(y-ay) - (x-ax)*(by-ay)
			if ay <= y {
				if by > y && c > 0 {
					w++
				}
			} else if by <= y && c < 0 {
				w--
			}
		}
	}
	return w
}

func distToRings(x, y float64, rs [][]ipt) float64 {
	d := math.Inf(1)
	for _, r := range rs {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			d = min(d, segDistF(x, y, float64(a.x), float64(a.y), float64(b.x), float64(b.y)))
		}
	}
	return d
}

func segDistF(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = max(0, min(1, ((px-ax)*dx+(py-ay)*dy)/l))
	}
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}

// TestPolygonizeOracle compares the repaired region with the positive
// winding region of random self-intersecting rings at points more than
// 1.5 units from any input edge (snap rounding moves edges by less).
func TestPolygonizeOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for iter := range oracleIters() {
		size := int32(4 + r.IntN(60))
		var rs [][]ipt
		for range 1 + r.IntN(3) {
			n := 3 + r.IntN(12)
			var ring []ipt
			for range n {
				ring = append(ring, ip(r.Int32N(size), r.Int32N(size)))
			}
			rs = append(rs, ring)
		}
		res, ok := polygonize([][][]ipt{rs})
		if !ok {
			t.Fatalf("iter %d: not noded: %v", iter, rs)
		}
		polys := res[0]
		checkPolys(t, polys)
		var out [][]ipt
		for _, p := range polys {
			out = append(out, p...)
		}
		for range 200 {
			x, y := r.Float64()*float64(size), r.Float64()*float64(size)
			if distToRings(x, y, rs) < 1.5 {
				continue
			}
			want := windingF(x, y, rs) > 0
			got := windingF(x, y, out) > 0
			if want != got {
				t.Fatalf("iter %d: point (%.2f, %.2f) inside=%v, want %v\ninput %v\noutput %v", iter, x, y, got, want, rs, polys)
			}
		}
	}
}

func oracleIters() int {
	if testing.Short() {
		return 100
	}
	if os.Getenv("TILES_ORACLE_LONG") != "" {
		return 50000
	}
	return 400
}

// TestHotPixelNode runs the hot-pixel snap rounding on its own over seeded
// fans of nearly parallel segments, the input that makes plain iterated
// rounding go on for dozens of rounds, and over random tangles. The
// pieces must be noded, each input segment must become a path of pieces
// from its start to its end, and every new vertex must lie in a pixel the
// segment meets.
func TestHotPixelNode(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 200 {
		var segs []iseg
		n := 3 + rng.IntN(20)
		for i := range n {
			var a, b ipt
			if trial%2 == 0 { // fan
				a = ipt{int32(rng.IntN(5)), int32(rng.IntN(5))}
				b = ipt{int32(1000 + rng.IntN(40)), int32(990 + rng.IntN(40))}
			} else { // tangle
				a = ipt{int32(rng.IntN(200) - 100), int32(rng.IntN(200) - 100)}
				b = ipt{int32(rng.IntN(200) - 100), int32(rng.IntN(200) - 100)}
			}
			if a != b {
				segs = append(segs, iseg{a, b, int32(i)})
			}
		}
		var g segGrid
		out, ok := hotPixelNode(segs, &g)
		if !ok {
			t.Fatalf("trial %d: did not converge: %v", trial, segs)
		}
		if sp := g.findSplits(out, nil); len(sp) != 0 {
			t.Fatalf("trial %d: %d splits left", trial, len(sp))
		}
		byOrigin := map[int32][]iseg{}
		for _, p := range out {
			byOrigin[p.origin] = append(byOrigin[p.origin], p)
		}
		for _, s := range segs {
			path := byOrigin[s.origin]
			if len(path) == 0 || path[0].a != s.a || path[len(path)-1].b != s.b {
				t.Fatalf("trial %d: segment %v became %v", trial, s, path)
			}
			for k, p := range path {
				if k > 0 && path[k-1].b != p.a {
					t.Fatalf("trial %d: broken path %v", trial, path)
				}
				if !segMeetsPixel(s, p.a) {
					t.Fatalf("trial %d: vertex %v of %v is not in a pixel it meets", trial, p.a, s)
				}
			}
		}
	}
}
