package geo_test

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// nearPoints are seeded random points within about 1° of the border line.
func nearPoints(b *testing.B, n int) []orb.Point {
	a := benchAtlas(b)
	r := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, n)
	for i := range pts {
		p, _ := a.PointAt(r.Float64() * a.BorderLength() / 1000)
		pts[i] = orb.Point{p[0] + r.Float64()*2 - 1, p[1] + r.Float64()*2 - 1}
	}
	return pts
}

func BenchmarkLocateNearBorder(b *testing.B) {
	a := benchAtlas(b)
	pts := nearPoints(b, 1024)
	warm(pts, func(p orb.Point) { _, _ = a.Locate(p) })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = a.Locate(pts[i%len(pts)])
		i++
	}
}

func BenchmarkDistanceToBorderNearBorder(b *testing.B) {
	a := benchAtlas(b)
	pts := nearPoints(b, 1024)
	warm(pts, func(p orb.Point) { _, _ = a.DistanceToBorder(p) })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = a.DistanceToBorder(pts[i%len(pts)])
		i++
	}
}
