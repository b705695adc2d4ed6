package geo

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/paulmach/orb"
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

	cum []float64 // geodesic metres from the start to each vertex
	vec []vec3    // unit vectors of the vertices

	cvec []vec3    // unit vectors of the vertices on the conformal sphere
	segs *segTree  // over cvec
	grid *cellGrid // where to start the search, by cell (see grid.go)
	// band of the conformal search: confTie, confFar beyond confNear, and
	// confAdd plus twice the largest gap between a mapped geodetic edge and
	// its conformal edge (see arcGap).
	band band
}

func newBorder(id, name string, line orb.LineString) (*Border, error) {
	if len(line) < 2 {
		return nil, fmt.Errorf("border has %d vertices, want at least 2", len(line))
	}
	b := &Border{ID: id, Name: name, Line: line, cum: make([]float64, len(line)), vec: make([]vec3, len(line)), cvec: make([]vec3, len(line))}
	for i, p := range line {
		if err := checkPoint(p); err != nil {
			return nil, fmt.Errorf("border vertex %d: %w", i, err)
		}
		b.vec[i], b.cvec[i] = toVecs(p)
	}
	// The chainage (Karney's geodesic per segment) and the search structure
	// are independent: build them side by side.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i < len(line); i++ {
			b.cum[i] = b.cum[i-1] + Distance(line[i-1], line[i])
		}
	}()
	b.segs = newSegTree(b.cvec)
	b.grid = newCellGrid(line)
	gap := 0.0
	for i := 1; i < len(line); i++ {
		gap = math.Max(gap, arcGap(b.vec[i-1], b.vec[i], b.cvec[i-1], b.cvec[i]))
	}
	b.band = band{tie: confTie, nearAng: confNear, farTie: confFar, add: confAdd + 2.01*gap}
	wg.Wait()
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

// nearest finds the point of the border nearest to p: the closest points of
// the great-circle edges (as in PostGIS geography), measured on the
// ellipsoid (arcMetres). Candidates come from the conformal search (see
// confTie).
func (b *Border) nearest(p orb.Point) BorderDistance {
	var buf [64]arcCand
	pv, cv := toVecs(p)
	cands := b.candidates(p, pv, cv, buf[:0])
	return b.pick(cands)
}

// candidates appends to cands the segments that can be nearest to p (with
// unit vectors pv and cv on the geodetic and conformal spheres, toVecs) on
// the ellipsoid, with the closest point of each on the geodetic sphere and
// its distance in metres (arcMetres).
func (b *Border) candidates(p orb.Point, pv, cv vec3, cands []arcCand) []arcCand {
	var bestConf float64
	if e := b.entry(p); e != nil {
		cands, bestConf = b.segs.search(cv, b.cvec, b.band, e.start, e.seed, cands)
	} else {
		cands, bestConf = b.segs.nearest(cv, b.cvec, b.band, cands)
	}
	limit := b.band.limit(bestConf)
	n := 0
	for _, c := range cands {
		if c.ang > limit {
			continue // found before the nearest
		}
		foot, ang := closestOnArc(pv, b.vec[c.seg], b.vec[c.seg+1])
		c.foot, c.ang = foot, ang
		c.metres = arcMetres(pv, foot)
		cands[n] = c
		n++
	}
	return cands[:n]
}

// pick returns the nearest of the candidates.
func (b *Border) pick(cands []arcCand) BorderDistance {
	best := BorderDistance{Metres: math.Inf(1)}
	bestSeg := int32(-1)
	for _, c := range cands {
		// Exact ties (a vertex shared by two segments) go to the first
		// segment, whatever order the candidates come in.
		if m := c.metres; m < best.Metres || (m == best.Metres && c.seg < bestSeg) {
			seg := int(c.seg)
			bestSeg = c.seg
			best = BorderDistance{
				Metres:     m,
				Point:      c.foot.point(),
				ChainageKm: (b.cum[seg] + arcMetres(b.vec[seg], c.foot)) / 1000,
			}
		}
	}
	return best
}

func cosDeg(d float64) float64 { return math.Cos(d * math.Pi / 180) }
