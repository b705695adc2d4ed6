package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// The border's nearest-segment search ranks segments on the conformal
// sphere: latitude φ is replaced by the conformal latitude χ, which maps the
// WGS84 ellipsoid onto the sphere preserving angles, so that a small step
// has the same scale factor in every direction. On the geodetic sphere
// (φ taken as spherical latitude) north and east steps scale by M and N,
// which differ by up to 0.67 %, and a search there must keep every
// segment within that factor of the nearest. On the conformal sphere the
// ratio of ellipsoidal to spherical distance varies only with latitude
// (about 3e-3 per radian), so the segments that can be nearest on the
// ellipsoid lie within a far narrower band (confTie) of the nearest one.
// The candidates are then measured on the ellipsoid: the closest point of
// each great-circle edge on the geodetic sphere, at its arcMetres.

// Coefficients of the series χ = φ + Σ c_k sin(2kφ) for the conformal
// latitude χ of geodetic latitude φ, in the third flattening n = f/(2−f)
// (Karney 2011, "Transverse Mercator with an accuracy of a few
// nanometers", eq. 11), to n³: the n⁴ terms are below 1e-10 rad. The search
// needs a map close to conformal, used the same way for the vertices and
// the query, not an exact one.
const (
	confN  = wgs84F / (2 - wgs84F)
	confC2 = -2*confN + 2.0/3*confN*confN + 4.0/3*confN*confN*confN
	confC4 = 5.0/3*confN*confN - 16.0/15*confN*confN*confN
	confC6 = -26.0 / 15 * confN * confN * confN
)

// toVecs returns the unit vectors of p on the geodetic sphere (see toVec)
// and on the conformal sphere.
func toVecs(p orb.Point) (g, c vec3) {
	sinLon, cosLon := math.Sincos(p[0] * math.Pi / 180)
	sinLat, cosLat := math.Sincos(p[1] * math.Pi / 180)
	g = vec3{cosLat * cosLon, cosLat * sinLon, sinLat}
	// sin 2φ, sin 4φ, sin 6φ and cos 2φ from sin φ and cos φ.
	s2, c2 := 2*sinLat*cosLat, cosLat*cosLat-sinLat*sinLat
	s4, c4 := 2*s2*c2, c2*c2-s2*s2
	s6 := s4*c2 + c4*s2
	d := confC2*s2 + confC4*s4 + confC6*s6 // χ − φ, below 0.0034 rad
	// sin and cos of d to fifth order (error below 1e-14).
	d2 := d * d
	sd := d * (1 - d2/6*(1-d2/20))
	cd := 1 - d2/2*(1-d2/12)
	sinChi := sinLat*cd + cosLat*sd
	cosChi := cosLat*cd - sinLat*sd
	c = vec3{cosChi * cosLon, cosChi * sinLon, sinChi}
	return g, c
}

// toConfVec returns the unit vector of p on the conformal sphere.
func toConfVec(p orb.Point) vec3 {
	_, c := toVecs(p)
	return c
}

// Band of the conformal search. A segment is kept when its angle on the
// conformal sphere is within confTie of the nearest one's plus confAdd
// radians plus twice the largest gap between a geodetic edge mapped onto
// the conformal sphere and the conformal edge between the same vertices.
// The candidates are ranked by arcMetres (within 1e-7 of the ellipsoidal
// geodesic), so the band has to cover only how far the conformal angle of
// the ellipsoidal nearest can exceed the smallest one: the conformal scale
// over the candidates' spread in latitude and the offset of the spherical
// foot points from the ellipsoidal ones. TestConformalBand measures it over
// the region, near the line and worldwide: up to confNear, below 1e-6 in
// 3,000 points (a thirtieth of confTie-1). confAdd (about 6 cm) covers
// rounding for points on the line.
//
// Beyond confNear (about 3,200 km) the band is confFar. The ratio of a
// geodesic's length to the conformal angle between its ends lies between
// the smallest and the largest of the map's 1/scale over the globe, which
// differ by about 0.34 % (the flattening), so confFar covers any pair of
// points whatever the measurements show; near the antipodes of the border
// they show bands up to 4e-4.
const (
	confTie  = 1.00003
	confNear = 0.5 // radians (about 3,200 km)
	confFar  = 1.005
	confAdd  = 1e-8
)

// arcGap returns an upper bound, in radians on the conformal sphere, of how
// far the geodetic-sphere edge a–b (unit vectors ga, gb) strays, once mapped
// onto the conformal sphere, from the conformal edge between ca and cb. The
// gap is a smooth bump, zero at the ends and largest near the middle (its
// shape is close to t(1−t) along the edge); it is measured at the middle and
// doubled.
func arcGap(ga, gb, ca, cb vec3) float64 {
	g := vec3{ga.x + gb.x, ga.y + gb.y, ga.z + gb.z}
	n := g.norm()
	if n < 1e-12 {
		return math.Pi // antipodal ends: no bound
	}
	_, c := toVecs(g.scale(1 / n).point())
	_, d := closestOnArc(c, ca, cb)
	return 2*d + 1e-15
}
