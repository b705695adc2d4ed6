package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/durandline/durand/geo/geotest"
	"github.com/paulmach/orb"
)

var embedded struct {
	once sync.Once
	a    *Atlas
	err  error
}

// embeddedAtlas loads the repository's default data files (data/).
func embeddedAtlas(t testing.TB) *Atlas {
	t.Helper()
	root := geotest.RepoRoot(t)
	embedded.once.Do(func() {
		embedded.a, embedded.err = Load(os.DirFS(filepath.Join(root, "data")))
	})
	if embedded.err != nil {
		t.Fatal(embedded.err)
	}
	return embedded.a
}

// metresPerRadian bounds the ratio of the ellipsoidal distance to the
// angle on the geodetic sphere: between the smallest radius of curvature
// (the meridian radius at the equator, a(1−e²)) and the largest (the polar
// radius, a/√(1−e²)), with a little slack.
const (
	metresPerRadianMin = 6335439.327 * 0.9999 // a(1−e²)
	metresPerRadianMax = 6399593.626 * 1.0001 // a/√(1−e²)
)

// bruteWinners measures every segment of the border (the closest point of
// its great-circle edge) and returns, with arcMetres, the candidates that
// can be nearest: those whose angle is within the ratio of the bounds
// above of the smallest.
func (b *Border) bruteWinners(pv vec3) []arcCand {
	feet := make([]arcCand, len(b.vec)-1)
	bestAng := math.Inf(1)
	for i := range feet {
		foot, ang := closestOnArc(pv, b.vec[i], b.vec[i+1])
		feet[i] = arcCand{seg: int32(i), foot: foot, ang: ang}
		bestAng = math.Min(bestAng, ang)
	}
	var out []arcCand
	for _, c := range feet {
		if c.ang <= bestAng*metresPerRadianMax/metresPerRadianMin+1e-12 {
			c.metres = arcMetres(pv, c.foot)
			out = append(out, c)
		}
	}
	return out
}

// bruteNearest is nearest by measuring every segment (bruteWinners), then
// the final ranking of pick.
func (b *Border) bruteNearest(p orb.Point) BorderDistance {
	return b.pick(b.bruteWinners(toVec(p)))
}

// TestMetresPerRadian checks the bounds bruteWinners prunes with.
func TestMetresPerRadian(t *testing.T) {
	if m, n := wgs84A*(1-wgs84E2), wgs84A/math.Sqrt(1-wgs84E2); math.Abs(m-6335439.327) > 1e-3 || math.Abs(n-6399593.626) > 1e-3 {
		t.Errorf("radii %.3f and %.3f, want 6335439.327 and 6399593.626", m, n)
	}
	r := rand.New(rand.NewPCG(21, 22))
	for range 10000 {
		p := orb.Point{-180 + r.Float64()*360, -90 + r.Float64()*180}
		q := orb.Point{-180 + r.Float64()*360, -90 + r.Float64()*180}
		if r.IntN(2) == 0 {
			q = Destination(p, r.Float64()*360, r.Float64()*5000)
		}
		pv, qv := toVec(p), toVec(q)
		ang := angle(pv, qv)
		if ang < 1e-9 {
			continue
		}
		if k := arcMetres(pv, qv) / ang; k < metresPerRadianMin || k > metresPerRadianMax {
			t.Errorf("%v–%v: %.1f m per radian outside [%.1f, %.1f]", p, q, k, metresPerRadianMin, metresPerRadianMax)
		}
	}
}

// nearestTestPoints returns seeded random points: over the region, near the
// line, far away (up to the other side of the globe), border vertices,
// points on border segments, and points on a 0.05° lattice (cell edges).
func nearestTestPoints(b *Border, n int) map[string][]orb.Point {
	r := rand.New(rand.NewPCG(11, 12))
	out := map[string][]orb.Point{}
	for range n {
		out["region"] = append(out["region"], orb.Point{60 + r.Float64()*15.5, 29 + r.Float64()*8.5})
		v := b.Line[r.IntN(len(b.Line))]
		d := math.Pow(10, -6+r.Float64()*6) // 1e-6 to 1 degree
		out["near"] = append(out["near"], orb.Point{v[0] + d*(2*r.Float64()-1), v[1] + d*(2*r.Float64()-1)})
		out["far"] = append(out["far"], orb.Point{-180 + r.Float64()*360, -89 + r.Float64()*178})
		out["vertex"] = append(out["vertex"], v)
		i := r.IntN(len(b.Line) - 1)
		t := r.Float64()
		a, c := b.vec[i], b.vec[i+1]
		on := vec3{a.x + t*(c.x-a.x), a.y + t*(c.y-a.y), a.z + t*(c.z-a.z)}
		out["on segment"] = append(out["on segment"], on.scale(1/on.norm()).point())
		out["lattice"] = append(out["lattice"], orb.Point{60 + float64(r.IntN(311))*0.05, 29 + float64(r.IntN(171))*0.05})
	}
	// Points of a few grid cells: corners, side midpoints and random
	// points, so that an entry computed for one point serves the others.
	if g := b.grid; g != nil {
		for range n / 10 {
			i, j := r.IntN(g.nx), r.IntN(g.ny)
			x0, y0 := g.lon0+float64(i)*gridStep, g.lat0+float64(j)*gridStep
			for _, d := range [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0.5, 0}, {0, 0.5}, {r.Float64(), r.Float64()}, {r.Float64(), r.Float64()}, {1 - 1e-12, 1 - 1e-12}} {
				out["cell"] = append(out["cell"], orb.Point{x0 + d[0]*gridStep, y0 + d[1]*gridStep})
			}
		}
	}
	return out
}

// TestNearestConcurrent queries a fresh atlas (empty grid) from several
// goroutines at once over the same cells; run with -race.
func TestNearestConcurrent(t *testing.T) {
	a, err := Load(os.DirFS(filepath.Join(geotest.RepoRoot(t), "data")))
	if err != nil {
		t.Fatal(err)
	}
	b := a.border
	r := rand.New(rand.NewPCG(15, 16))
	pts := make([]orb.Point, 64)
	want := make([]BorderDistance, len(pts))
	for i := range pts {
		pts[i] = orb.Point{66 + r.Float64()*0.3, 31 + r.Float64()*0.3}
		want[i] = b.bruteNearest(pts[i])
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(pts))
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range pts {
				i := (k + w*16) % len(pts)
				if got := b.nearest(pts[i]); !sameDistance(got, want[i]) {
					errs <- fmt.Sprintf("%v: got %+v, want %+v", pts[i], got, want[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestNearestMatchesBruteForce compares the indexed nearest border point
// with the measurement of every segment.
func TestNearestMatchesBruteForce(t *testing.T) {
	a := embeddedAtlas(t)
	b := a.border
	n := 150
	if testing.Short() {
		n = 30
	}
	for name, pts := range nearestTestPoints(b, n) {
		t.Run(name, func(t *testing.T) {
			bad := 0
			for _, p := range pts {
				want := b.bruteNearest(p)
				got := b.nearest(p)
				if !sameDistance(got, want) {
					bad++
					if bad <= 5 {
						t.Errorf("%v: got %+v, want %+v", p, got, want)
					}
				}
			}
		})
	}
}

// sameDistance reports whether two answers agree: the same distance (the
// same computation on the same winning segment gives the same bits), and
// the same point and chainage (two parts of the line tied to the bit would
// be ranked in segment order by both).
func sameDistance(got, want BorderDistance) bool {
	return got.Metres == want.Metres && got.Point == want.Point && got.ChainageKm == want.ChainageKm
}

// TestConformalBand measures, over the region and far beyond, how far
// (relative to the nearest) on the conformal sphere the segment lies that
// the final ranking picks (the smallest arcMetres): it must stay well
// inside confTie.
func TestConformalBand(t *testing.T) {
	a := embeddedAtlas(t)
	b := a.border
	r := rand.New(rand.NewPCG(13, 14))
	n := 300
	if testing.Short() {
		n = 60
	}
	var worstNear, worstFar float64
	for i := range n {
		var p orb.Point
		switch i % 3 {
		case 0:
			p = orb.Point{60 + r.Float64()*15.5, 29 + r.Float64()*8.5}
		case 1:
			p = orb.Point{-180 + r.Float64()*360, -89 + r.Float64()*178}
		default:
			v := b.Line[r.IntN(len(b.Line))]
			d := math.Pow(10, -3+r.Float64()*3) // 0.001° to 1°
			p = orb.Point{v[0] + d*(2*r.Float64()-1), v[1] + d*(2*r.Float64()-1)}
		}
		pv, cv := toVecs(p)
		bestConf := math.Inf(1)
		for s := 0; s+1 < len(b.cvec); s++ {
			_, ang := closestOnArc(cv, b.cvec[s], b.cvec[s+1])
			bestConf = math.Min(bestConf, ang)
		}
		cands := b.bruteWinners(pv)
		bestMetres := math.Inf(1)
		for _, c := range cands {
			bestMetres = math.Min(bestMetres, c.metres)
		}
		for _, c := range cands {
			if c.metres != bestMetres {
				continue
			}
			_, conf := closestOnArc(cv, b.cvec[c.seg], b.cvec[c.seg+1])
			need := (conf-b.band.add)/bestConf - 1
			if bestConf <= confNear {
				worstNear = math.Max(worstNear, need)
			} else {
				worstFar = math.Max(worstFar, need)
			}
		}
	}
	t.Logf("largest band needed up to %.1f rad %.2e (confTie-1 = %.0e), beyond %.2e (confFar-1 = %.0e); additive %.2e rad (%.3f m)",
		confNear, worstNear, confTie-1, worstFar, confFar-1, b.band.add, b.band.add*meanRadius)
	if worstNear > (confTie-1)/3 {
		t.Errorf("band needed %.2e is not well inside confTie-1 = %.0e", worstNear, confTie-1)
	}
	if worstFar > (confFar-1)/3 {
		t.Errorf("band needed beyond confNear %.2e is not well inside confFar-1 = %.0e", worstFar, confFar-1)
	}
}

// TestConformalLatitude checks the series against the closed form
// χ = gd(atanh(sin φ) − e·atanh(e·sin φ)).
func TestConformalLatitude(t *testing.T) {
	e := math.Sqrt(wgs84E2)
	for lat := -89.5; lat <= 89.5; lat += 0.25 {
		phi := lat * math.Pi / 180
		s := math.Sin(phi)
		want := math.Asin(math.Tanh(math.Atanh(s) - e*math.Atanh(e*s)))
		c := toConfVec(orb.Point{10, lat})
		got := math.Atan2(c.z, math.Hypot(c.x, c.y))
		if math.Abs(got-want) > 1e-10 {
			t.Errorf("latitude %v: conformal %.15f, want %.15f", lat, got, want)
		}
		if g, _ := toVecs(orb.Point{10, lat}); g != toVec(orb.Point{10, lat}) {
			d := g.sub(toVec(orb.Point{10, lat})).norm()
			if d > 1e-15 {
				t.Errorf("latitude %v: geodetic vector differs from toVec by %g", lat, d)
			}
		}
	}
}

// bruteApproxDistance is polyIndex.approxDistance over every edge.
func bruteApproxDistance(ix *polyIndex, p orb.Point) float64 {
	k := math.Cos(p[1] * math.Pi / 180)
	best := math.Inf(1)
	for _, e := range ix.edges {
		best = math.Min(best, e.dist2(p, k))
	}
	return math.Sqrt(best) * math.Pi / 180 * meanRadius
}

// TestApproxDistanceBands compares the band walk of approxDistance with
// measuring every edge, for points inside, near and far from provinces.
func TestApproxDistanceBands(t *testing.T) {
	a := embeddedAtlas(t)
	r := rand.New(rand.NewPCG(17, 18))
	for i, pr := range a.provinces {
		ix := a.provSet.at(i)
		bd := ix.bound
		for range 20 {
			p := orb.Point{
				bd.Min[0] - 1 + r.Float64()*(bd.Max[0]-bd.Min[0]+2),
				bd.Min[1] - 1 + r.Float64()*(bd.Max[1]-bd.Min[1]+2),
			}
			if r.IntN(4) == 0 { // on a vertex
				ring := pr.Geometry[0][0]
				p = ring[r.IntN(len(ring))]
			}
			if got, want := ix.approxDistance(p), bruteApproxDistance(ix, p); got != want {
				t.Errorf("%s, %v: %v, want %v", pr.ID, p, got, want)
			}
		}
	}
}

// TestContainingGrid compares the grid lookup of polygonSet.containing with
// testing every polygon in file order, for points over the region, on
// polygon vertices and on the grid's cell edges.
func TestContainingGrid(t *testing.T) {
	a := embeddedAtlas(t)
	r := rand.New(rand.NewPCG(19, 20))
	for name, s := range map[string]*polygonSet{"countries": a.sovereign, "provinces": a.provSet} {
		t.Run(name, func(t *testing.T) {
			g := &s.cells
			var pts []orb.Point
			for range 2000 {
				pts = append(pts, orb.Point{58 + r.Float64()*21, 22 + r.Float64()*18})
				mp := s.geoms[r.IntN(len(s.geoms))]
				ring := mp[r.IntN(len(mp))][0]
				pts = append(pts, ring[r.IntN(len(ring))])
				pts = append(pts, orb.Point{g.x0 + float64(r.IntN(g.n+1))*g.dx, g.y0 + float64(r.IntN(g.n+1))*g.dy})
			}
			for _, p := range pts {
				want := -1
				for i := range s.geoms {
					if s.l.bounds[i].Contains(p) && s.at(i).contains(p) {
						want = i
						break
					}
				}
				if got := s.containing(p, nil); got != want {
					t.Errorf("%v: got %d, want %d", p, got, want)
				}
			}
		})
	}
}
