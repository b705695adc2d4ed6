package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// pairsWithin returns n seeded random pairs of points up to maxKm apart:
// from points over the region, or worldwide (latitudes up to the poles).
func pairsWithin(r *rand.Rand, n int, maxKm float64, worldwide bool) [][2]orb.Point {
	out := make([][2]orb.Point, 0, n)
	for range n {
		p := orb.Point{60 + r.Float64()*15.5, 29 + r.Float64()*8.5}
		if worldwide {
			p = orb.Point{-180 + r.Float64()*360, -90 + r.Float64()*180}
		}
		q := Destination(p, r.Float64()*360, r.Float64()*maxKm*1000)
		out = append(out, [2]orb.Point{p, q})
	}
	return out
}

// worstRelative returns the worst relative error of f against Karney's
// geodesic over pairs more than a metre apart.
func worstRelative(pairs [][2]orb.Point, f func(p, q vec3) float64) float64 {
	worst := 0.0
	for _, pq := range pairs {
		exact := Distance(pq[0], pq[1])
		if exact < 1 {
			continue
		}
		worst = math.Max(worst, math.Abs(f(toVec(pq[0]), toVec(pq[1]))-exact)/exact)
	}
	return worst
}

// TestArcMetres measures the three-point quadrature (Karney beyond
// arcMaxAngle) against Karney's geodesic, over the region and worldwide,
// from a metre to the other side of the globe.
func TestArcMetres(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, lim := range []struct {
		maxKm     float64
		worldwide bool
		maxRel    float64
	}{
		{0.01, false, 1e-8}, {10, false, 1e-8}, {300, false, 1e-8}, {1000, false, 3e-8}, {3000, false, 2e-7},
		{1000, true, 3e-8}, {3000, true, 2e-7}, {20000, true, 2e-7},
	} {
		worst := worstRelative(pairsWithin(r, 5000, lim.maxKm, lim.worldwide), arcMetres)
		t.Logf("up to %g km (worldwide %v): worst relative error %.2e", lim.maxKm, lim.worldwide, worst)
		if worst > lim.maxRel {
			t.Errorf("up to %.0f km (worldwide %v): worst relative error %.2e > %.0e", lim.maxKm, lim.worldwide, worst, lim.maxRel)
		}
	}
	// Coincident, antipodal and polar points.
	for _, pq := range [][2]orb.Point{
		{{66, 31}, {66, 31}}, {{0, 0}, {180, 0}}, {{10, 90}, {-50, 89.9}}, {{0, -90}, {0, 90}}, {{20, 89}, {-160, 89}},
	} {
		want := Distance(pq[0], pq[1])
		if got := arcMetres(toVec(pq[0]), toVec(pq[1])); math.Abs(got-want) > 2e-7*want+1e-9 {
			t.Errorf("arcMetres(%v, %v) = %.6f, Karney %.6f", pq[0], pq[1], got, want)
		}
	}
}

func BenchmarkArcMetres(b *testing.B) {
	p, q := toVec(orb.Point{66, 31}), toVec(orb.Point{70, 34})
	for b.Loop() {
		arcMetres(p, q)
	}
}

// BenchmarkKarney is the reference arcMetres replaces up to 3,200 km.
func BenchmarkKarney(b *testing.B) {
	p, q := orb.Point{66, 31}, orb.Point{70, 34}
	for b.Loop() {
		Distance(p, q)
	}
}

// TestNearestCrossing compares the pre-ranked nearest crossing with
// measuring every crossing with Karney's geodesic, over the region, near
// each crossing and worldwide, and NearestCrossings' distances with
// Karney's.
func TestNearestCrossing(t *testing.T) {
	a := embeddedAtlas(t)
	r := rand.New(rand.NewPCG(41, 42))
	var pts []orb.Point
	for range 2000 {
		pts = append(pts, orb.Point{60 + r.Float64()*15.5, 29 + r.Float64()*8.5})
		pts = append(pts, orb.Point{-180 + r.Float64()*360, -90 + r.Float64()*180})
		c := a.crossings[r.IntN(len(a.crossings))].Point
		d := math.Pow(10, -6+r.Float64()*6)
		pts = append(pts, orb.Point{c[0] + d*(2*r.Float64()-1), c[1] + d*(2*r.Float64()-1)})
	}
	for _, c := range a.crossings {
		pts = append(pts, c.Point)
	}
	for _, p := range pts {
		got, ok := a.nearestCrossing(p)
		if !ok {
			t.Fatal("no crossings")
		}
		want, wantM := "", math.Inf(1)
		for _, c := range a.crossings {
			if d := Distance(p, c.Point); d < wantM {
				want, wantM = c.ID, d
			}
		}
		// A different crossing only at a tie within the measurements'
		// error.
		if math.Abs(got.Metres-wantM) > 2e-7*wantM+1e-6 || (got.ID != want && math.Abs(Distance(p, got.Crossing.Point)-wantM) > 2e-7*wantM+1e-6) {
			t.Errorf("%v: nearest %s at %.6f m, Karney says %s at %.6f m", p, got.ID, got.Metres, want, wantM)
		}
		all, err := a.NearestCrossings(p, len(a.crossings))
		if err != nil {
			t.Fatal(err)
		}
		for _, cd := range all {
			if k := Distance(p, cd.Crossing.Point); math.Abs(cd.Metres-k) > 2e-7*k+1e-6 {
				t.Errorf("%v: NearestCrossings gives %s at %.6f m, Karney %.6f m", p, cd.ID, cd.Metres, k)
			}
		}
	}
}
