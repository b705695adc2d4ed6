package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// CitedBorderLengthKm is the length of the Durand Line commonly cited in
// reference works and the press (2,611 km).
const CitedBorderLengthKm = 2611

// BorderLengthNote explains why a measured length differs from the cited one.
const BorderLengthNote = "A measured border length depends on the map it is measured on: the more detailed the line, " +
	"the more of its bends are counted, so a 1:10m line, a survey line and the commonly cited 2,611 km all differ."

// Border is the Durand Line as one LineString from the Iran–Afghanistan–
// Pakistan tripoint (south-west) to the China–Afghanistan–Pakistan tripoint
// (north-east), with its chainage.
type Border struct {
	ID   string
	Name string
	Line orb.LineString

	cum  []float64 // geodesic metres from the start to each vertex
	vec  []vec3    // unit vectors of the vertices
	tree rtree.RTreeG[int32]
}

func newBorder(id, name string, line orb.LineString) (*Border, error) {
	if len(line) < 2 {
		return nil, fmt.Errorf("border has %d vertices, want at least 2", len(line))
	}
	b := &Border{ID: id, Name: name, Line: line, cum: make([]float64, len(line)), vec: make([]vec3, len(line))}
	for i, p := range line {
		if err := checkPoint(p); err != nil {
			return nil, fmt.Errorf("border vertex %d: %w", i, err)
		}
		b.vec[i] = toVec(p)
		if i > 0 {
			b.cum[i] = b.cum[i-1] + Distance(line[i-1], p)
			lo := orb.Point{math.Min(line[i-1][0], p[0]), math.Min(line[i-1][1], p[1])}
			hi := orb.Point{math.Max(line[i-1][0], p[0]), math.Max(line[i-1][1], p[1])}
			b.tree.Insert(lo, hi, int32(i-1))
		}
	}
	return b, nil
}

// Length returns the geodesic length in metres.
func (b *Border) Length() float64 { return b.cum[len(b.cum)-1] }

// Vertices returns the number of vertices.
func (b *Border) Vertices() int { return len(b.Line) }

// ChainageOfVertex returns the distance in metres along the border from the
// start to vertex i.
func (b *Border) ChainageOfVertex(i int) float64 { return b.cum[i] }

func (b *Border) checkKm(km float64) (float64, error) {
	if math.IsNaN(km) || math.IsInf(km, 0) {
		return 0, fmt.Errorf("%w: chainage %v km is not a number", ErrOutOfRange, km)
	}
	m := km * 1000
	if m < 0 || m > b.Length()+1e-6 {
		return 0, fmt.Errorf("%w: chainage %v km outside [0, %.3f]", ErrOutOfRange, km, b.Length()/1000)
	}
	return math.Min(m, b.Length()), nil
}

// at returns the point at m metres and the index of the segment it is on.
func (b *Border) at(m float64) (orb.Point, int) {
	i := sort.SearchFloat64s(b.cum, m) // first vertex with cum >= m
	if i == 0 {
		return b.Line[0], 0
	}
	if i >= len(b.cum) {
		return b.Line[len(b.Line)-1], len(b.Line) - 2
	}
	seg := b.cum[i] - b.cum[i-1]
	if seg <= 0 {
		return b.Line[i], i - 1
	}
	// Walk the geodesic from vertex i-1 towards vertex i.
	_, az := Geodesic(b.Line[i-1], b.Line[i])
	return Destination(b.Line[i-1], az, m-b.cum[i-1]), i - 1
}

// PointAt returns the point of the border at km kilometres from the
// south-west tripoint.
func (b *Border) PointAt(km float64) (orb.Point, error) {
	m, err := b.checkKm(km)
	if err != nil {
		return orb.Point{}, err
	}
	p, _ := b.at(m)
	return p, nil
}

// Between returns the part of the border between two chainages in km,
// ordered from the smaller to the larger.
func (b *Border) Between(fromKm, toKm float64) (orb.LineString, error) {
	from, err := b.checkKm(fromKm)
	if err != nil {
		return nil, err
	}
	to, err := b.checkKm(toKm)
	if err != nil {
		return nil, err
	}
	if from > to {
		from, to = to, from
	}
	p0, i0 := b.at(from)
	p1, i1 := b.at(to)
	out := orb.LineString{p0}
	for i := i0 + 1; i <= i1; i++ {
		if b.Line[i] != out[len(out)-1] {
			out = append(out, b.Line[i])
		}
	}
	if p1 != out[len(out)-1] || len(out) == 1 {
		out = append(out, p1)
	}
	return out, nil
}

// BorderDistance is the answer to "how far is this point from the border".
type BorderDistance struct {
	Metres     float64   `json:"distance_m"`
	Point      orb.Point `json:"border_point"` // nearest point on the border
	ChainageKm float64   `json:"chainage_km"`  // its chainage
}

// nearest finds the point of the border nearest to p. Candidates are ranked
// on the sphere (great-circle arcs between vertices, as PostGIS geography
// does) and the final distance is the ellipsoidal geodesic to the foot point.
func (b *Border) nearest(p orb.Point) BorderDistance {
	pv := toVec(p)
	k := cosDeg(p[1])
	bestAng := math.Inf(1)
	type cand struct {
		seg  int32
		foot vec3
		ang  float64
	}
	var cands [8]cand
	nc := 0
	b.tree.Nearby(
		func(min, max [2]float64, seg int32, item bool) float64 {
			if item {
				return segAngle(p, k, b.Line[seg], b.Line[seg+1])
			}
			return boxAngle(p, k, min, max)
		},
		func(_, _ [2]float64, seg int32, approx float64) bool {
			// Items come out in increasing order of their approximate
			// (equirectangular) distance; stop once that exceeds the best
			// exact spherical distance by a margin that covers the
			// approximation.
			if approx > bestAng*1.02+1e-9 {
				return false
			}
			foot, ang := closestOnArc(pv, b.vec[seg], b.vec[seg+1])
			if ang < bestAng {
				bestAng = ang
			}
			if nc < len(cands) {
				cands[nc] = cand{seg, foot, ang}
				nc++
			} else {
				worst := 0
				for j := 1; j < nc; j++ {
					if cands[j].ang > cands[worst].ang {
						worst = j
					}
				}
				if ang < cands[worst].ang {
					cands[worst] = cand{seg, foot, ang}
				}
			}
			return true
		},
	)
	// Resolve near-ties on the ellipsoid.
	best := BorderDistance{Metres: math.Inf(1)}
	for j := 0; j < nc; j++ {
		c := cands[j]
		if c.ang > bestAng*1.006+1e-9 {
			continue
		}
		fp := c.foot.point()
		d := Distance(p, fp)
		if d < best.Metres {
			seg := int(c.seg)
			best = BorderDistance{
				Metres:     d,
				Point:      fp,
				ChainageKm: (b.cum[seg] + Distance(b.Line[seg], fp)) / 1000,
			}
		}
	}
	return best
}

// boxAngle is a lower-bound estimate, in radians, of the angular distance
// from p to a lon/lat box, using the smaller cosine of latitude of the two.
func boxAngle(p orb.Point, kp float64, min, max [2]float64) float64 {
	var dx, dy float64
	switch {
	case p[0] < min[0]:
		dx = min[0] - p[0]
	case p[0] > max[0]:
		dx = p[0] - max[0]
	}
	switch {
	case p[1] < min[1]:
		dy = min[1] - p[1]
	case p[1] > max[1]:
		dy = p[1] - max[1]
	}
	k := kp
	if kb := math.Min(cosDeg(min[1]), cosDeg(max[1])); kb < k {
		k = kb
	}
	return math.Hypot(dx*k, dy) * math.Pi / 180
}

// segAngle is the equirectangular distance, in radians, from p to the
// segment a–b, with longitudes scaled by k.
func segAngle(p orb.Point, k float64, a, b orb.Point) float64 {
	ax, ay := (a[0]-p[0])*k, a[1]-p[1]
	dx, dy := (b[0]-a[0])*k, b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	return math.Hypot(ax+t*dx, ay+t*dy) * math.Pi / 180
}

func cosDeg(d float64) float64 { return math.Cos(d * math.Pi / 180) }
