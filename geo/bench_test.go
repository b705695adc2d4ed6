package geo_test

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/paulmach/orb"
)

func geotestShared(b *testing.B) string { return geotest.SharedData(b) }

// benchPoints are seeded random points over the border region.
func benchPoints(n int) []orb.Point {
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{60 + r.Float64()*15.5, 29 + r.Float64()*8.5}
	}
	return pts
}

func benchAtlas(b *testing.B) *geo.Atlas {
	b.Helper()
	a, err := data.Default()
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func BenchmarkLoad(b *testing.B) {
	fsys := data.FS()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := geo.Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// warm runs f over pts once, so that the lazily built structures (polygon
// indexes, the border search's grid cells; see BenchmarkLoadAndLocate for
// that first cost) are in place before the timing starts.
func warm(pts []orb.Point, f func(orb.Point)) {
	for _, p := range pts {
		f(p)
	}
}

func BenchmarkLocate(b *testing.B) {
	a := benchAtlas(b)
	pts := benchPoints(1024)
	warm(pts, func(p orb.Point) { _, _ = a.Locate(p) })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := a.Locate(pts[i%len(pts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkDistanceToBorder(b *testing.B) {
	a := benchAtlas(b)
	pts := benchPoints(1024)
	warm(pts, func(p orb.Point) { _, _ = a.DistanceToBorder(p) })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := a.DistanceToBorder(pts[i%len(pts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// bruteDistance is the baseline: the geodesic distance to every vertex and
// to the foot point of every segment, no index.
func bruteDistance(line orb.LineString, p orb.Point) float64 {
	best := math.Inf(1)
	k := math.Cos(p[1] * math.Pi / 180)
	for i := 1; i < len(line); i++ {
		a, c := line[i-1], line[i]
		dx, dy := (c[0]-a[0])*k, c[1]-a[1]
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = math.Max(0, math.Min(1, ((p[0]-a[0])*k*dx+(p[1]-a[1])*dy)/l))
		}
		f := orb.Point{a[0] + t*(c[0]-a[0]), a[1] + t*(c[1]-a[1])}
		best = math.Min(best, geo.Distance(p, f))
	}
	return best
}

func BenchmarkDistanceToBorderBruteForce(b *testing.B) {
	a := benchAtlas(b)
	pts := benchPoints(64)
	line := a.Border().Line
	i := 0
	for b.Loop() {
		_ = bruteDistance(line, pts[i%len(pts)])
		i++
	}
}

// bruteCountry is the baseline point-in-polygon: orb's planar ring test on
// every country polygon, no index.
func bruteCountry(cs []*geo.Country, p orb.Point) string {
	for _, c := range cs {
		for _, poly := range c.Geometry {
			if ringContains(poly[0], p) {
				return c.ID
			}
		}
	}
	return ""
}

func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, c := r[i], r[j]
		if (a[1] > p[1]) != (c[1] > p[1]) && p[0] < (c[0]-a[0])*(p[1]-a[1])/(c[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func BenchmarkCountryAt(b *testing.B) {
	a := benchAtlas(b)
	pts := benchPoints(1024)
	warm(pts, func(p orb.Point) { _, _ = a.CountryAt(p) })
	i := 0
	for b.Loop() {
		_, _ = a.CountryAt(pts[i%len(pts)])
		i++
	}
}

func BenchmarkCountryAtBruteForce(b *testing.B) {
	a := benchAtlas(b)
	cs := a.Countries()
	pts := benchPoints(1024)
	i := 0
	for b.Loop() {
		_ = bruteCountry(cs, pts[i%len(pts)])
		i++
	}
}

// BenchmarkLoadAndLocate is BenchmarkLoad followed by one Locate: the
// difference is the cost of the first query (polygon indexes and a grid
// cell built on first use).
func BenchmarkLoadAndLocate(b *testing.B) {
	fsys := data.FS()
	b.ReportAllocs()
	for b.Loop() {
		a, err := geo.Load(fsys)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Locate(orb.Point{66.39, 31.00}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadWithDistricts loads the whole atlas: embedded files plus the
// 558 districts installed from ../shared/data. It reports the live heap
// the loaded atlas holds (MB-live).
func BenchmarkLoadWithDistricts(b *testing.B) {
	fsys, err := data.Merged(installBenchDistricts(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err = geo.Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep, _ := geo.Load(fsys)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "MB-live")
	runtime.KeepAlive(keep)
}

// installBenchDistricts installs the 558 districts from ../shared/data into
// a temporary data directory and returns it.
func installBenchDistricts(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	if _, err := data.Install(context.Background(), data.InstallOptions{From: geotestShared(b), Dir: dir, Provinces: data.FS()}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// districtBenchAtlas loads the atlas with the 558 districts installed from
// ../shared/data.
func districtBenchAtlas(b *testing.B) *geo.Atlas {
	b.Helper()
	a, err := data.Open(installBenchDistricts(b))
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkLocateWithDistricts is BenchmarkLocate (region) and
// BenchmarkLocateNearBorder (near) with the districts installed, so that
// Locate also finds the district (or the nearest within 5 km).
func BenchmarkLocateWithDistricts(b *testing.B) {
	a := districtBenchAtlas(b)
	for _, bc := range []struct {
		name string
		pts  []orb.Point
	}{{"region", benchPoints(1024)}, {"near", nearPoints(b, 1024)}} {
		b.Run(bc.name, func(b *testing.B) {
			warm(bc.pts, func(p orb.Point) { _, _ = a.Locate(p) })
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := a.Locate(bc.pts[i%len(bc.pts)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
