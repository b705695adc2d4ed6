package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// meanRadius is the WGS84 mean radius R1 = (2a+b)/3 in metres. It serves
// approximate distances only: degree margins, offsets of a few metres, and
// the equirectangular distance to the nearest district when none contains
// a point (Location.DistrictDistanceM).
const meanRadius = 6371008.8

// vec3 is a unit vector on the sphere (geodetic latitude taken as spherical
// latitude, as PostGIS geography does for edge computations).
type vec3 struct{ x, y, z float64 }

func toVec(p orb.Point) vec3 {
	lon := p[0] * math.Pi / 180
	lat := p[1] * math.Pi / 180
	cl := math.Cos(lat)
	return vec3{cl * math.Cos(lon), cl * math.Sin(lon), math.Sin(lat)}
}

func (v vec3) point() orb.Point {
	return orb.Point{
		math.Atan2(v.y, v.x) * 180 / math.Pi,
		math.Atan2(v.z, math.Hypot(v.x, v.y)) * 180 / math.Pi,
	}
}

func (a vec3) dot(b vec3) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }
func (a vec3) cross(b vec3) vec3 {
	return vec3{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}
func (a vec3) scale(s float64) vec3 { return vec3{a.x * s, a.y * s, a.z * s} }
func (a vec3) sub(b vec3) vec3      { return vec3{a.x - b.x, a.y - b.y, a.z - b.z} }
func (a vec3) norm() float64        { return math.Sqrt(a.dot(a)) }

// angle returns the angle in radians between unit vectors a and b.
func angle(a, b vec3) float64 { return math.Atan2(a.cross(b).norm(), a.dot(b)) }

// closestOnArc returns the point of the great-circle arc a–b closest to p and
// the angle in radians between p and that point.
func closestOnArc(p, a, b vec3) (vec3, float64) {
	n := a.cross(b)
	nn := n.norm()
	if nn < 1e-15 { // degenerate arc
		return a, angle(p, a)
	}
	nu := n.scale(1 / nn)
	s := p.dot(nu)
	proj := p.sub(nu.scale(s))
	if pn := proj.norm(); pn > 1e-15 {
		proj = proj.scale(1 / pn)
		if a.cross(proj).dot(n) >= 0 && proj.cross(b).dot(n) >= 0 {
			return proj, angle(p, proj)
		}
	}
	da, db := angle(p, a), angle(p, b)
	if da <= db {
		return a, da
	}
	return b, db
}

// WGS84 ellipsoid.
const (
	wgs84A  = 6378137.0
	wgs84F  = 1 / 298.257223563
	wgs84E2 = wgs84F * (2 - wgs84F)
)

// The ellipsoid's metric on the geodetic sphere: a step of angle dθ whose
// north part is cos α·dθ and east part sin α·dθ has length
// sqrt(M² cos²α + N² sin²α)·dθ, with M and N the meridian and prime-vertical
// radii of curvature at its latitude. Integrated along a great-circle arc
// this is the length on the ellipsoid of the curve over the arc; the
// geodesic between the same ends is shorter only by a term of second order
// in the curve's offset from it (a few hundred metres at 1,000 km), so
// the two agree to about 1e-8 at 1,000 km and 1e-7 at 3,000 km
// (TestArcMetres).

// metricScale returns sqrt(M² cos²α + N² sin²α)/a at a point of the arc
// with z component z whose unit tangent has z component tz: for a unit
// tangent orthogonal to the point, cos α = tz/cos φ and sin φ = z.
func metricScale(z, tz float64) float64 {
	h2 := 1 - z*z // cos²φ
	n2 := 1.0     // cos²α; at a pole every direction is north and M = N
	if h2 > 1e-300 {
		n2 = math.Min(1, tz*tz/h2)
	}
	w := 1 - wgs84E2*z*z
	k := (1 - wgs84E2) / w // M/N
	return math.Sqrt((k*k*n2 + 1 - n2) / w)
}

// arcFrame returns the angle between unit vectors p and q and the z
// components of the arc's mid-point m and of its unit tangent there; ok is
// false for coincident or antipodal points.
func arcFrame(p, q vec3) (ang, mz, ez float64, ok bool) {
	s := vec3{p.x + q.x, p.y + q.y, p.z + q.z}
	d := q.sub(p)
	sn, dn := s.norm(), d.norm()
	if dn == 0 || sn < 1e-12 {
		return 0, 0, 0, false
	}
	return 2 * math.Atan2(dn, sn), s.z / sn, d.z / dn, true
}

// arcMaxAngle is the longest arc arcMetres measures itself (about
// 3,200 km); longer ones are measured with Karney's geodesic.
const arcMaxAngle = 0.5

// Nodes and weights of three-point Gauss–Legendre quadrature on [-1, 1].
const (
	gl3Node  = 0.7745966692414834 // sqrt(3/5)
	gl3Outer = 5.0 / 9
	gl3Mid   = 8.0 / 9
)

// arcMetres returns the geodesic distance in metres between two points,
// given as unit vectors on the geodetic sphere, within 1e-7 of Karney's
// geodesic: up to arcMaxAngle the metric integrated along their great-circle
// arc by three-point Gauss–Legendre quadrature, beyond it Karney's
// algorithm.
func arcMetres(p, q vec3) float64 {
	ang, mz, ez, ok := arcFrame(p, q)
	if !ok || ang > arcMaxAngle {
		if p == q {
			return 0
		}
		return Distance(p.point(), q.point())
	}
	// The nodes at ±δ from the mid-point m along the arc: u = cos δ·m ± sin δ·e
	// with tangent ∓sin δ·m + cos δ·e (e the unit tangent at m).
	sd, cd := math.Sincos(ang / 2 * gl3Node)
	sum := gl3Mid*metricScale(mz, ez) +
		gl3Outer*(metricScale(cd*mz+sd*ez, cd*ez-sd*mz)+metricScale(cd*mz-sd*ez, cd*ez+sd*mz))
	return ang / 2 * wgs84A * sum
}
