package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

// Reference values on the WGS84 ellipsoid (a = 6378137 m,
// f = 1/298.257223563).
const (
	// quarterMeridian is the distance from the equator to a pole.
	quarterMeridian = 10001965.729312724
	// equatorDegree is one degree of longitude along the equator, a*pi/180.
	equatorDegree = 6378137 * math.Pi / 180
)

func TestGeodesicKnownValues(t *testing.T) {
	tests := []struct {
		name    string
		a, b    orb.Point
		metres  float64
		azimuth float64 // initial azimuth at a; NaN where it is not unique
		tol     float64 // metres
	}{
		{
			// GeographicLib's documented example (GeodSolve -i
			// 40.6 -73.8 51.6 -0.5): s12 = 5551759.400319 m,
			// azi1 = 51.198882845579824 deg.
			name: "JFK to Heathrow", a: orb.Point{-73.8, 40.6}, b: orb.Point{-0.5, 51.6},
			metres: 5551759.400318679, azimuth: 51.198882845579824, tol: 1e-6,
		},
		{
			// The nearly antipodal example of Karney, "Algorithms for
			// geodesics" (2013), section 5: s12 = 19989832.827610 m,
			// alpha1 = 161.890524736 deg.
			name: "Karney near-antipodal", a: orb.Point{0, -30}, b: orb.Point{179.8, 29.9},
			metres: 19989832.827610, azimuth: 161.890524736, tol: 1e-6,
		},
		{
			name: "identical points", a: orb.Point{69.2, 34.5}, b: orb.Point{69.2, 34.5},
			metres: 0, azimuth: math.NaN(), tol: 0,
		},
		{
			name: "one degree along the equator", a: orb.Point{0, 0}, b: orb.Point{1, 0},
			metres: equatorDegree, azimuth: 90, tol: 1e-8,
		},
		{
			name: "equator westward across the antimeridian", a: orb.Point{179.5, 0}, b: orb.Point{-179.5, 0},
			metres: equatorDegree, azimuth: 90, tol: 1e-8,
		},
		{
			name: "equator to north pole", a: orb.Point{0, 0}, b: orb.Point{0, 90},
			metres: quarterMeridian, azimuth: 0, tol: 1e-6,
		},
		{
			name: "north pole to south pole", a: orb.Point{0, 90}, b: orb.Point{0, -90},
			metres: 2 * quarterMeridian, azimuth: 180, tol: 1e-6,
		},
		{
			// Points at a pole are the same whatever the longitude.
			name: "north pole, two longitudes", a: orb.Point{0, 90}, b: orb.Point{123, 90},
			metres: 0, azimuth: math.NaN(), tol: 1e-9,
		},
		{
			// Exactly antipodal on the equator: the shortest path runs
			// over a pole, half a meridian.
			name: "antipodal on the equator", a: orb.Point{0, 0}, b: orb.Point{180, 0},
			metres: 2 * quarterMeridian, azimuth: math.NaN(), tol: 1e-6,
		},
		{
			name: "antipodal off the equator", a: orb.Point{100, 20}, b: orb.Point{-80, -20},
			metres: 2 * quarterMeridian, azimuth: math.NaN(), tol: 1e-6,
		},
		{
			// Along the equator up to (1-f)*180 deg of longitude the
			// equator itself is the geodesic.
			name: "long equatorial geodesic", a: orb.Point{0, 0}, b: orb.Point{179.3, 0},
			metres: 179.3 * equatorDegree, azimuth: 90, tol: 1e-6,
		},
		{
			// Beyond (1-f)*180 deg the geodesic leaves the equator and is
			// shorter than the equatorial arc.
			name: "near-antipodal on the equator", a: orb.Point{0, 0}, b: orb.Point{179.5, 0},
			metres: 19980861.908890963, azimuth: 55.966495140159, tol: 1e-6,
		},
		{
			name: "one millimetre", a: orb.Point{70, 33}, b: orb.Point{70, 33 + 1e-8},
			metres: 0.0011092, azimuth: 0, tol: 1e-6,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := geo.Distance(tc.a, tc.b)
			if math.Abs(got-tc.metres) > tc.tol {
				t.Errorf("Distance(%v, %v) = %.9f m, want %.9f m ± %g", tc.a, tc.b, got, tc.metres, tc.tol)
			}
			s, az := geo.Geodesic(tc.a, tc.b)
			if s != got {
				t.Errorf("Geodesic distance %.9f differs from Distance %.9f", s, got)
			}
			if !math.IsNaN(tc.azimuth) && math.Abs(angleDiff(az, tc.azimuth)) > 1e-8 {
				t.Errorf("azimuth = %.12f deg, want %.12f", az, tc.azimuth)
			}
			if back := geo.Distance(tc.b, tc.a); math.Abs(back-got) > 1e-6 {
				t.Errorf("Distance is not symmetric: %.9f one way, %.9f back", got, back)
			}
		})
	}
}

// angleDiff returns a-b reduced to (-180, 180].
func angleDiff(a, b float64) float64 {
	d := math.Mod(a-b, 360)
	switch {
	case d > 180:
		d -= 360
	case d <= -180:
		d += 360
	}
	return d
}

func TestDestinationKnownValues(t *testing.T) {
	tests := []struct {
		name    string
		from    orb.Point
		azimuth float64
		metres  float64
		want    orb.Point
		tol     float64 // degrees
	}{
		{
			// GeographicLib's documented direct example
			// (GeodSolve 40.6 -73.8 51 5.5e6): 51.884565 -1.141173.
			name: "GeographicLib direct example", from: orb.Point{-73.8, 40.6}, azimuth: 51, metres: 5.5e6,
			want: orb.Point{-1.141173, 51.884565}, tol: 1e-6,
		},
		{
			name: "north along a meridian to the pole", from: orb.Point{10, 0}, azimuth: 0, metres: quarterMeridian,
			want: orb.Point{10, 90}, tol: 1e-9,
		},
		{
			name: "east along the equator", from: orb.Point{0, 0}, azimuth: 90, metres: 10 * equatorDegree,
			want: orb.Point{10, 0}, tol: 1e-9,
		},
		{
			name: "west across the antimeridian", from: orb.Point{-179.5, 0}, azimuth: 270, metres: equatorDegree,
			want: orb.Point{179.5, 0}, tol: 1e-9,
		},
		{
			name: "zero distance", from: orb.Point{69.2, 34.5}, azimuth: 123, metres: 0,
			want: orb.Point{69.2, 34.5}, tol: 1e-12,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := geo.Destination(tc.from, tc.azimuth, tc.metres)
			// At a pole every longitude names the same point.
			atPole := math.Abs(tc.want[1]) == 90
			if (!atPole && math.Abs(angleDiff(got[0], tc.want[0])) > tc.tol) || math.Abs(got[1]-tc.want[1]) > tc.tol {
				t.Errorf("Destination(%v, %v, %v) = %.9f, want %.9f", tc.from, tc.azimuth, tc.metres, got, tc.want)
			}
		})
	}
}

// TestDestinationDistanceRoundTrip walks a random distance in a random
// direction and measures the way back.
func TestDestinationDistanceRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	for i := 0; i < 2000; i++ {
		from := orb.Point{-180 + 360*rng.Float64(), -89 + 178*rng.Float64()}
		az := -180 + 360*rng.Float64()
		// Up to 19,000 km: shorter than half a meridian, so the path
		// walked is the shortest one and Distance must give it back.
		metres := 19e6 * rng.Float64() * rng.Float64()
		to := geo.Destination(from, az, metres)
		got, gotAz := geo.Geodesic(from, to)
		if math.Abs(got-metres) > 1e-6 {
			t.Fatalf("#%d: Destination(%v, %.6f, %.3f) = %v, Distance back = %.9f (error %.3g m)",
				i, from, az, metres, to, got, got-metres)
		}
		if metres > 1 && math.Abs(angleDiff(gotAz, az)) > 1e-6 {
			t.Fatalf("#%d: azimuth %.9f, walked %.9f", i, gotAz, az)
		}
	}
}

func TestLineLength(t *testing.T) {
	kabul := orb.Point{69.1723, 34.5281}
	torkham := orb.Point{71.0962, 34.1098}
	peshawar := orb.Point{71.5249, 34.0151}
	tests := []struct {
		name string
		line orb.LineString
		want float64
	}{
		{"nil", nil, 0},
		{"one point", orb.LineString{kabul}, 0},
		{"repeated point", orb.LineString{kabul, kabul, kabul}, 0},
		{"equator, ten one-degree steps", equatorSteps(10), 10 * equatorDegree},
		{"Kabul–Torkham–Peshawar", orb.LineString{kabul, torkham, peshawar},
			geo.Distance(kabul, torkham) + geo.Distance(torkham, peshawar)},
		{"there and back", orb.LineString{kabul, peshawar, kabul}, 2 * geo.Distance(kabul, peshawar)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := geo.LineLength(tc.line); math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("LineLength = %.9f, want %.9f", got, tc.want)
			}
		})
	}
}

func equatorSteps(n int) orb.LineString {
	ls := make(orb.LineString, n+1)
	for i := range ls {
		ls[i] = orb.Point{float64(i), 0}
	}
	return ls
}

// TestLineLengthSplitting checks that inserting the points of a geodesic
// into a segment does not change its length.
func TestLineLengthSplitting(t *testing.T) {
	a, b := orb.Point{61.5, 29.8}, orb.Point{74.9, 37.0} // across the region
	s, az := geo.Geodesic(a, b)
	line := orb.LineString{a}
	for i := 1; i < 100; i++ {
		line = append(line, geo.Destination(a, az, s*float64(i)/100))
	}
	line = append(line, b)
	if got := geo.LineLength(line); math.Abs(got-s) > 1e-6 {
		t.Errorf("LineLength of a split geodesic = %.9f, want %.9f", got, s)
	}
}

func ExampleDistance() {
	kabul := orb.Point{69.1723, 34.5281} // lon, lat
	islamabad := orb.Point{73.0479, 33.6844}
	fmt.Printf("%.1f km\n", geo.Distance(kabul, islamabad)/1000)
	// Output: 369.6 km
}

func ExampleGeodesic() {
	jfk, lhr := orb.Point{-73.8, 40.6}, orb.Point{-0.5, 51.6}
	metres, azimuth := geo.Geodesic(jfk, lhr)
	fmt.Printf("%.3f m at %.6f°\n", metres, azimuth)
	// Output: 5551759.400 m at 51.198883°
}

func ExampleDestination() {
	p := geo.Destination(orb.Point{-73.8, 40.6}, 51, 5.5e6)
	fmt.Printf("%.6f %.6f\n", p[0], p[1])
	// Output: -1.141173 51.884565
}

func ExampleLineLength() {
	line := orb.LineString{{0, 0}, {1, 0}, {2, 0}}
	fmt.Printf("%.3f m\n", geo.LineLength(line))
	// Output: 222638.982 m
}
