package geo

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/tidwall/rtree"
)

// Layer names, as used in file names, OGC API collection ids and tile layers.
const (
	LayerBorder    = "border"
	LayerCountries = "countries"
	LayerProvinces = "provinces"
	LayerDistricts = "districts"
	LayerCrossings = "crossings"
)

// Country is one of the two countries on either side of the border, as land
// polygons (inland water cut out as holes). Sovereignty tests use the
// polygons with their holes filled.
type Country struct {
	ID       string // ISO 3166-1 alpha-3: AFG or PAK
	Name     string
	Geometry orb.MultiPolygon
}

// Province is a first-level administrative unit (Natural Earth admin-1,
// corrected; see data/README.md).
type Province struct {
	ID       string // Natural Earth adm1_code, e.g. AFG-1741
	Name     string
	AltNames []string
	Country  string // ISO3
	ISO      string // ISO 3166-2 code
	Note     string // what the data pipeline corrected, if anything
	History  string // for merged units: what was merged and when
	Geometry orb.MultiPolygon
}

// District is a second-level administrative unit, installed at run time
// from geoBoundaries (Afghanistan) or OCHA COD-AB (Pakistan).
type District struct {
	ID       string
	Name     string
	AltNames []string
	Province string
	Country  string // ISO3
	Source   string
	SourceID string
	Geometry orb.MultiPolygon
}

// Crossing is a border crossing, placed on the border line.
type Crossing struct {
	ID          string
	Name        string
	AltNames    []string
	AFGProvince string
	AFGDistrict string
	PAKProvince string
	PAKDistrict string
	// SourcePoint is the coordinate a public source gives, if any.
	SourcePoint *orb.Point
	// Point is the crossing's position snapped onto the border line.
	Point        orb.Point
	ChainageKm   float64 // km along the border from the south-west tripoint
	Method       string  // sourced, corrected or derived
	UncertaintyM float64 // metres
	Sources      []string
	Description  string
}

// layer holds the features of one layer with a bounding-box index.
type layer struct {
	name     string
	features []*geojson.Feature
	bounds   []orb.Bound
	tree     rtree.RTreeG[int]
}

func newLayer(name string, fc *geojson.FeatureCollection) *layer {
	l := &layer{name: name, features: fc.Features, bounds: make([]orb.Bound, len(fc.Features))}
	for i, f := range fc.Features {
		b := f.Geometry.Bound()
		l.bounds[i] = b
		l.tree.Insert(b.Min, b.Max, i)
	}
	return l
}

// search returns the indexes, in file order, of the features whose bounding
// box intersects b.
func (l *layer) search(b orb.Bound) []int {
	var out []int
	l.tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int) bool {
		out = append(out, i)
		return true
	})
	sort.Ints(out)
	return out
}

// polygonSet answers "which polygon contains p" for a polygon layer. The
// index of each polygon is built on the first query that reaches it (after
// the layer's bounding-box search), so that loading stays fast; the first
// Locate in a new area pays for a few polygons (well under 10 ms in all).
type polygonSet struct {
	l     *layer
	geoms []orb.MultiPolygon
	index []lazyIndex
	cells bboxGrid // which bounding boxes meet each cell, for containing
}

// bboxGrid lists, for each cell of a grid over the union of a layer's
// bounding boxes, the features (in file order) whose box meets the cell.
type bboxGrid struct {
	x0, y0, dx, dy float64
	n              int
	cells          [][]int32
}

const bboxGridSize = 64 // cells along each side

func newBBoxGrid(bounds []orb.Bound) bboxGrid {
	if len(bounds) == 0 {
		return bboxGrid{}
	}
	u := bounds[0]
	for _, b := range bounds[1:] {
		u = u.Union(b)
	}
	g := bboxGrid{x0: u.Min[0], y0: u.Min[1], n: bboxGridSize}
	g.dx = math.Max(u.Max[0]-u.Min[0], 1e-9) / float64(g.n)
	g.dy = math.Max(u.Max[1]-u.Min[1], 1e-9) / float64(g.n)
	g.cells = make([][]int32, g.n*g.n)
	for i, b := range bounds {
		i0, j0 := g.clamp(b.Min)
		i1, j1 := g.clamp(b.Max)
		for j := j0; j <= j1; j++ {
			for k := i0; k <= i1; k++ {
				g.cells[j*g.n+k] = append(g.cells[j*g.n+k], int32(i))
			}
		}
	}
	return g
}

// clamp returns the cell of p, clamped to the grid.
func (g *bboxGrid) clamp(p orb.Point) (int, int) {
	c := func(v float64) int {
		return max(0, min(g.n-1, int(v)))
	}
	return c((p[0] - g.x0) / g.dx), c((p[1] - g.y0) / g.dy)
}

// at returns the features whose box may contain p; ok is false when p is
// outside the grid.
func (g *bboxGrid) at(p orb.Point) (ids []int32, ok bool) {
	if g.n == 0 {
		return nil, false
	}
	fx, fy := (p[0]-g.x0)/g.dx, (p[1]-g.y0)/g.dy
	if !(fx >= 0 && fy >= 0 && fx <= float64(g.n) && fy <= float64(g.n)) {
		return nil, false
	}
	i, j := g.clamp(p)
	return g.cells[j*g.n+i], true
}

type lazyIndex struct {
	once sync.Once
	ix   *polyIndex
}

func newPolygonSet(l *layer, geoms []orb.MultiPolygon) *polygonSet {
	return &polygonSet{l: l, geoms: geoms, index: make([]lazyIndex, len(geoms)), cells: newBBoxGrid(l.bounds)}
}

// at returns the index of polygon i, building it on first use.
func (s *polygonSet) at(i int) *polyIndex {
	e := &s.index[i]
	e.once.Do(func() { e.ix = newPolyIndexBound(s.geoms[i], s.l.bounds[i]) })
	return e.ix
}

// containing returns the index of the first polygon (in file order) that
// contains p and satisfies keep, or -1.
func (s *polygonSet) containing(p orb.Point, keep func(int) bool) int {
	if ids, ok := s.cells.at(p); ok {
		// A box on a cell's edge is listed in both cells, so the list of
		// p's cell holds every box containing p, in file order.
		for _, id := range ids {
			i := int(id)
			if s.l.bounds[i].Contains(p) && (keep == nil || keep(i)) && s.at(i).contains(p) {
				return i
			}
		}
		return -1
	}
	found := -1
	s.l.tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		if (found == -1 || i < found) && (keep == nil || keep(i)) && s.at(i).contains(p) {
			found = i
		}
		return true
	})
	return found
}

// nearest returns the polygon satisfying keep whose boundary is nearest to
// p within maxMetres, with that approximate distance, or -1.
func (s *polygonSet) nearest(p orb.Point, maxMetres float64, keep func(int) bool) (int, float64) {
	deg := maxMetres / meanRadius * 180 / 3.141592653589793
	k := cosDeg(p[1])
	if k < 0.01 {
		k = 0.01
	}
	b := orb.Bound{Min: orb.Point{p[0] - deg/k, p[1] - deg}, Max: orb.Point{p[0] + deg/k, p[1] + deg}}
	best, bestD := -1, maxMetres
	for _, i := range s.l.search(b) {
		if keep != nil && !keep(i) {
			continue
		}
		if d := s.at(i).approxDistance(p); d <= bestD {
			if d < bestD || best == -1 || i < best {
				best, bestD = i, d
			}
		}
	}
	return best, bestD
}

// Atlas is the border, the countries, provinces, districts and crossings,
// with the indexes that answer questions about them. It is immutable and
// safe for concurrent use.
type Atlas struct {
	border    *Border
	countries []*Country
	provinces []*Province
	districts []*District
	crossings []*Crossing
	crossVec  []vec3 // unit vectors of the crossings' points

	layers     map[string]*layer
	order      []string
	provenance Provenance

	sovereign *polygonSet // countries with holes filled
	provSet   *polygonSet
	distSet   *polygonSet
	names     map[string]map[string][]int // layer -> folded name/id -> feature indexes

	shares shareCache

	crisis crisis // events, crossing status and zones (events.go, status.go, zones.go)
}

// Layers returns the names of the layers present, in a fixed order.
func (a *Atlas) Layers() []string { return slices.Clone(a.order) }

// Features returns the features of a layer as loaded (GeoJSON, WGS84). The
// returned features are shared and must not be modified.
func (a *Atlas) Features(name string) ([]*geojson.Feature, error) {
	l, ok := a.layers[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownLayer, name)
	}
	return l.features, nil
}

// Search returns the features of a layer whose bounding box intersects b,
// in file order.
func (a *Atlas) Search(name string, b orb.Bound) ([]*geojson.Feature, error) {
	l, ok := a.layers[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownLayer, name)
	}
	idx := l.search(b)
	out := make([]*geojson.Feature, len(idx))
	for k, i := range idx {
		out[k] = l.features[i]
	}
	return out, nil
}

// Bound returns the bounding box of a layer.
func (a *Atlas) Bound(name string) (orb.Bound, error) {
	l, ok := a.layers[name]
	if !ok {
		return orb.Bound{}, fmt.Errorf("%w: %q", ErrUnknownLayer, name)
	}
	if len(l.bounds) == 0 {
		return orb.Bound{}, nil
	}
	b := l.bounds[0]
	for _, x := range l.bounds[1:] {
		b = b.Union(x)
	}
	return b, nil
}

// Border returns the border line.
func (a *Atlas) Border() *Border { return a.border }

// Countries returns the countries (AFG, PAK).
func (a *Atlas) Countries() []*Country { return slices.Clone(a.countries) }

// Provinces returns the provinces of both countries.
func (a *Atlas) Provinces() []*Province { return slices.Clone(a.provinces) }

// Districts returns the installed districts (empty when none are installed).
func (a *Atlas) Districts() []*District { return slices.Clone(a.districts) }

// Crossings returns the border crossings in border order (by chainage).
func (a *Atlas) Crossings() []*Crossing { return slices.Clone(a.crossings) }

// HasDistricts reports whether districts are installed.
func (a *Atlas) HasDistricts() bool { return len(a.districts) > 0 }

// Provenance returns the sources, licences and transformations of the layers.
func (a *Atlas) Provenance() Provenance { return a.provenance }

// BorderLength returns the geodesic length of the border in metres.
func (a *Atlas) BorderLength() float64 { return a.border.Length() }

// PointAt returns the point of the border at km kilometres from the
// south-west tripoint.
func (a *Atlas) PointAt(km float64) (orb.Point, error) { return a.border.PointAt(km) }

// BorderBetween returns the part of the border between two chainages in km.
func (a *Atlas) BorderBetween(fromKm, toKm float64) (orb.LineString, error) {
	return a.border.Between(fromKm, toKm)
}
