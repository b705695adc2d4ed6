package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// meanRadius is the WGS84 mean radius R1 = (2a+b)/3 in metres. It is used only
// to rank candidates before the exact ellipsoidal computation.
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

// approxMetres estimates the ellipsoidal geodesic distance between two unit
// vectors (built from geodetic latitude and longitude): their angle, split
// into its north and east parts at the mid-point, scaled by the meridian
// radius M and the prime-vertical radius N there. It is used to rank
// candidates, and the winner is then measured exactly (TestApproxMetres
// gives its accuracy).
func approxMetres(p, q vec3) float64 {
	ang := angle(p, q)
	if ang == 0 {
		return 0
	}
	m := vec3{p.x + q.x, p.y + q.y, p.z + q.z}
	mn := m.norm()
	if mn < 1e-12 {
		return ang * meanRadius
	}
	m = m.scale(1 / mn)
	sinLat := m.z
	// Direction of travel at m, split into north and east components.
	d := q.sub(p)
	horiz := math.Hypot(m.x, m.y)
	var north, east float64
	if horiz > 1e-12 {
		ex, ey := -m.y/horiz, m.x/horiz // east unit vector
		nx, ny, nz := -m.z*m.x/horiz, -m.z*m.y/horiz, horiz
		east = d.x*ex + d.y*ey
		north = d.x*nx + d.y*ny + d.z*nz
	} else {
		north = 1
	}
	h2 := north*north + east*east
	if h2 == 0 {
		return ang * meanRadius
	}
	cos2, sin2 := north*north/h2, east*east/h2
	w := 1 - wgs84E2*sinLat*sinLat
	mer := wgs84A * (1 - wgs84E2) / (w * math.Sqrt(w)) // meridian radius M
	pv := wgs84A / math.Sqrt(w)                        // prime vertical radius N
	// North and east displacements scale by M and N respectively.
	return ang * math.Sqrt(mer*mer*cos2+pv*pv*sin2)
}
