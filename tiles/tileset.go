package tiles

import (
	"fmt"
	"hash/fnv"
	"hash/maphash"
	"maps"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Defaults applied by NewTileset to zero Options fields.
const (
	DefaultExtent       = 4096
	DefaultBuffer       = 64
	DefaultMaxZoom      = 14
	DefaultTolerance    = 4.0
	DefaultMaxTileBytes = 500 * 1024
)

// Options configures a Tileset. The zero value selects every default.
type Options struct {
	// Extent is the tile width and height in tile units (default 4096).
	Extent uint32
	// Buffer is how far geometries extend past each tile edge, in tile
	// units (default 64).
	Buffer uint32
	// MaxZoom is the highest zoom generated (default 14, at most 20).
	// Tiles exist for zooms 0 to MaxZoom.
	MaxZoom int
	// Tolerance is the Douglas-Peucker simplification tolerance in tile
	// units of the zoom being simplified (default 4; 4096 units span a
	// tile, so 4 units are half a pixel of a 512-pixel tile). A negative
	// value disables simplification.
	Tolerance float64
	// MaxTileBytes is the budget for one encoded (uncompressed) tile in
	// bytes (default 500 KiB); see the package documentation for what is
	// dropped to meet it. A negative value disables the budget.
	MaxTileBytes int
}

func (o Options) withDefaults() (Options, error) {
	if o.Extent == 0 {
		o.Extent = DefaultExtent
	}
	if o.Buffer == 0 {
		o.Buffer = DefaultBuffer
	}
	if o.MaxZoom == 0 {
		o.MaxZoom = DefaultMaxZoom
	}
	if o.Tolerance == 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.MaxTileBytes == 0 {
		o.MaxTileBytes = DefaultMaxTileBytes
	}
	switch {
	case o.Extent < 16 || o.Extent > 1<<16:
		return o, fmt.Errorf("%w: extent %d outside [16, 65536]", ErrOptions, o.Extent)
	case o.Buffer > o.Extent:
		return o, fmt.Errorf("%w: buffer %d larger than extent %d", ErrOptions, o.Buffer, o.Extent)
	case o.MaxZoom < 0 || o.MaxZoom > maxSupportedZoom:
		return o, fmt.Errorf("%w: max zoom %d outside [0, %d]", ErrOptions, o.MaxZoom, maxSupportedZoom)
	case math.IsNaN(o.Tolerance) || math.IsInf(o.Tolerance, 0):
		return o, fmt.Errorf("%w: tolerance %v", ErrOptions, o.Tolerance)
	}
	return o, nil
}

// Feature is one input feature.
type Feature struct {
	// ID is the MVT feature id; 0 means the feature has no id. Use StringID
	// to derive one from a string identifier.
	ID uint64
	// Geometry in WGS84 longitude/latitude degrees: orb.Point,
	// orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Ring,
	// orb.Polygon, orb.MultiPolygon or orb.Bound. Ring orientation does not
	// matter: the first ring of each polygon is its exterior.
	Geometry orb.Geometry
	// Properties become the feature's MVT tags; see Layer for the types.
	Properties map[string]any
}

// Layer is one named input layer. All features of a layer must be of one
// kind: points (Point, MultiPoint), lines (LineString, MultiLineString) or
// polygons (Ring, Polygon, MultiPolygon, Bound).
//
// Property values may be string, bool, any Go integer or float type, or a
// slice or map (encoded as JSON text); nil values are left out. Signed
// integers are written as MVT sint values, unsigned ones as uint, float32 as
// float, float64 as double.
type Layer struct {
	Name     string
	Features []Feature
	// MinZoom and MaxZoom bound the zooms at which the layer appears. A
	// zero MaxZoom means Options.MaxZoom.
	MinZoom, MaxZoom int
	// Labels adds, for a polygon layer, a point layer named Name+"_label"
	// with one point per feature placed at its pole of inaccessibility
	// (the interior point farthest from the boundary). Each label is
	// written to exactly one tile per zoom, so labels never repeat at tile
	// edges.
	Labels bool
	// LabelFields restricts the properties copied to the label points;
	// nil copies all of them.
	LabelFields []string
}

// LayerInfo describes an output layer (for TileJSON vector_layers).
type LayerInfo struct {
	Name             string
	Geometry         string            // "point", "line" or "polygon"
	MinZoom, MaxZoom int               // zoom range in which the layer appears
	Fields           map[string]string // property name -> FieldString, FieldNumber, FieldBoolean
}

type geomKind uint8

const (
	kindNone geomKind = iota
	kindPoint
	kindLine
	kindPolygon
)

func (k geomKind) String() string {
	switch k {
	case kindPoint:
		return "point"
	case kindLine:
		return "line"
	case kindPolygon:
		return "polygon"
	}
	return "none"
}

// path is a ring (stored open, oriented so that exterior rings have a
// positive shoelace area in y-down world/tile coordinates) or a line, in
// world coordinates.
type path struct {
	pts    []orb.Point
	bound  orb.Bound
	ring   bool
	levels [][]orb.Bound // run index of long paths, finest level first
}

type prepared struct {
	id        uint64
	tags      []tag
	labelTags []tag
	bound     orb.Bound                        // world coordinates, full resolution
	points    []orb.Point                      // point features, world coordinates
	zoom      [][]path                         // line and polygon features: paths per zoom 0..layer max
	pindex    []*rtree.RTreeGN[float64, int32] // per zoom, over the paths of features with many
	label     orb.Point                        // world coordinates (layers with labels)
	area      float64                          // world units², polygons
	seqs      [][]seqRef                       // topology sequences per polygon part or line
}

type layerData struct {
	name             string
	kind             geomKind
	minZoom, maxZoom int
	labels           bool
	fields           map[string]string
	labelFields      map[string]string
	features         []prepared
	index            rtree.RTreeGN[float64, int32]
}

// Tileset holds preprocessed layers and produces Mapbox Vector Tiles.
// It is immutable and safe for concurrent use.
type Tileset struct {
	opt    Options
	layers []*layerData
	bound  orb.Bound // WGS84 bounds of all features
	empty  bool      // no features at all
	topo   *topology // kept for tests of shared-boundary preservation
	// topoBound is the WGS84 bound of the line and polygon features, and
	// topoDigest a hash (with seed) of their input: what NewTilesetFrom
	// compares to reuse them.
	topoBound  orb.Bound
	topoDigest uint64
	seed       maphash.Seed
	reused     bool // the line and polygon layers come from an earlier tileset
}

// StringID derives a stable feature id from a string identifier: the
// 64-bit FNV-1a hash of s reduced to 53 bits, so that JavaScript clients
// (which read ids as float64) see it exactly. It never returns 0.
func StringID(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	id := h.Sum64() & (1<<53 - 1)
	if id == 0 {
		id = 1
	}
	return id
}

// NewTileset validates and preprocesses the layers: it projects every
// vertex to Web Mercator, builds a topology of shared boundaries across all
// line and polygon layers, simplifies every shared arc once per zoom,
// rebuilds each feature per zoom from the simplified arcs, places label
// points and indexes features in an R-tree. The layers are not retained.
func NewTileset(layers []Layer, opt Options) (*Tileset, error) {
	return NewTilesetFrom(nil, layers, opt)
}

// NewTilesetFrom is NewTileset reusing the work of prev, a tileset of an
// earlier version of the layers: when the line and polygon layers (which
// share one topology) have, in order, the same geometries as prev's (and
// the same names, zoom ranges and label settings) and the options equal
// prev's, their geometric preprocessing (topology, simplified paths,
// labels, index) is taken from prev; their ids and properties, and the
// point layers, are prepared anew. The tiles are byte for byte those
// NewTileset would make. A nil prev builds everything.
func NewTilesetFrom(prev *Tileset, layers []Layer, opt Options) (*Tileset, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	lds, err := newLayers(layers, opt)
	if err != nil {
		return nil, err
	}
	t := &Tileset{opt: opt, seed: maphash.MakeSeed(), bound: noBound(), topoBound: noBound()}
	if prev != nil {
		t.seed = prev.seed
	}
	t.topoDigest = topologyDigest(t.seed, layers, lds)
	var reused []*layerData
	if prev != nil && prev.opt == opt && prev.topoDigest == t.topoDigest {
		reused = prev.topologyLayers()
		t.topo, t.topoBound, t.reused = prev.topo, prev.topoBound, true
	}
	b := &topoBuild{tb: newTopoBuilder(), featSeqs: make([][][][]seqRef, len(layers))}
	fresh := make([]bool, len(layers))
	for li, l := range layers {
		ld := lds[li]
		if ld.topological() && t.reused {
			if err := retag(ld, reused[0], l); err != nil {
				return nil, err
			}
			reused = reused[1:]
		} else {
			if err := b.prepareLayer(t, ld, l, li); err != nil {
				return nil, err
			}
			fresh[li] = true
		}
		t.layers = append(t.layers, ld)
	}
	if !t.reused {
		t.topo = b.tb.build()
		b.simplify(t, b.orientation(t))
	}
	for li, ld := range t.layers {
		if fresh[li] {
			finishLayer(ld, layers[li])
		}
	}
	t.bound = t.bound.Union(t.topoBound)
	if t.bound.Min[0] > t.bound.Max[0] {
		t.bound, t.empty = orb.Bound{}, true
	}
	return t, nil
}

// Reused reports whether NewTilesetFrom took the geometry of the line
// and polygon layers from the earlier tileset.
func (t *Tileset) Reused() bool { return t.reused }

// noBound is the bound that any union replaces: empty, inside out.
func noBound() orb.Bound {
	return orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
}

// newLayers checks the layers (names unique, label layers included; zoom
// ranges; one kind of geometry each) and returns their empty layer data.
func newLayers(layers []Layer, opt Options) ([]*layerData, error) {
	names := make(map[string]bool)
	lds := make([]*layerData, len(layers))
	for li, l := range layers {
		ld, err := newLayerData(l, opt)
		if err != nil {
			return nil, err
		}
		for _, n := range []string{ld.name, ld.name + "_label"} {
			if names[n] {
				return nil, fmt.Errorf("%w: duplicate layer name %q", ErrLayer, n)
			}
		}
		names[ld.name] = true
		if ld.labels {
			names[ld.name+"_label"] = true
		}
		lds[li] = ld
	}
	return lds, nil
}

// topological reports whether the layer's features go into the topology
// (lines and polygons).
func (ld *layerData) topological() bool { return ld.kind == kindLine || ld.kind == kindPolygon }

// topologyLayers returns the line and polygon layers, in order.
func (t *Tileset) topologyLayers() []*layerData {
	var out []*layerData
	for _, ld := range t.layers {
		if ld.topological() {
			out = append(out, ld)
		}
	}
	return out
}

// topoBuild is the state of a tileset's topology while it is built.
type topoBuild struct {
	tb *topoBuilder
	// featSeqs holds, for each polygon or line feature, its sequences
	// grouped per polygon part (the first sequence of a part is its
	// exterior): layer, feature, part, ring.
	featSeqs [][][][]seqRef
}

// prepareLayer checks and prepares the features of layer li: tags, label
// tags, projected points, topology sequences and bounds.
func (b *topoBuild) prepareLayer(t *Tileset, ld *layerData, l Layer, li int) error {
	b.featSeqs[li] = make([][][]seqRef, len(l.Features))
	for fi, f := range l.Features {
		p, err := b.prepareFeature(ld, l, f, li, fi)
		if err != nil {
			return &FeatureError{Layer: l.Name, Index: fi, Err: err}
		}
		gb := f.Geometry.Bound()
		if ld.topological() {
			t.topoBound = t.topoBound.Union(gb)
		} else {
			t.bound = t.bound.Union(gb)
		}
		ld.features = append(ld.features, p)
	}
	return nil
}

// prepareFeature prepares feature fi of layer li.
func (b *topoBuild) prepareFeature(ld *layerData, l Layer, f Feature, li, fi int) (prepared, error) {
	if err := checkGeometry(f.Geometry); err != nil {
		return prepared{}, err
	}
	var p prepared
	if err := tagFeature(ld, l, f, &p); err != nil {
		return prepared{}, err
	}
	switch ld.kind {
	case kindPoint:
		var pts []orb.Point
		switch g := f.Geometry.(type) {
		case orb.Point:
			pts = []orb.Point{g}
		case orb.MultiPoint:
			pts = g
		}
		for _, q := range pts {
			x, y := lonLatToWorld(q[0], q[1])
			p.points = append(p.points, orb.Point{x, y})
		}
	case kindLine:
		var lines []orb.LineString
		switch g := f.Geometry.(type) {
		case orb.LineString:
			lines = []orb.LineString{g}
		case orb.MultiLineString:
			lines = g
		}
		for _, ls := range lines {
			if s := b.tb.add(ls, false); s >= 0 {
				b.featSeqs[li][fi] = append(b.featSeqs[li][fi], []seqRef{{seq: s}})
			}
		}
	case kindPolygon:
		for _, poly := range polygonsOf(f.Geometry) {
			if part := b.addPolygon(poly); len(part) > 0 {
				b.featSeqs[li][fi] = append(b.featSeqs[li][fi], part)
			}
		}
	}
	gb := f.Geometry.Bound()
	x0, y0 := lonLatToWorld(gb.Min[0], gb.Max[1])
	x1, y1 := lonLatToWorld(gb.Max[0], gb.Min[1])
	p.bound = orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	return p, nil
}

// tagFeature sets the id, tags and label tags of p from f and records
// the fields in ld.
func tagFeature(ld *layerData, l Layer, f Feature, p *prepared) error {
	tags, err := encodeProperties(f.Properties)
	if err != nil {
		return err
	}
	p.id, p.tags, p.labelTags = f.ID, tags, nil
	for _, tg := range tags {
		ld.fields[tg.key] = mergeField(ld.fields[tg.key], fieldType(tg.val.kind))
	}
	if ld.labels {
		p.labelTags = tags
		if l.LabelFields != nil {
			p.labelTags = nil
			for _, tg := range tags {
				if slices.Contains(l.LabelFields, tg.key) {
					p.labelTags = append(p.labelTags, tg)
					ld.labelFields[tg.key] = mergeField(ld.labelFields[tg.key], fieldType(tg.val.kind))
				}
			}
		}
	}
	return nil
}

// retag fills ld, the layer data of l, with the geometric preprocessing of
// old (the same layer of an earlier tileset, with the same geometries)
// and the ids and tags of l's features.
func retag(ld, old *layerData, l Layer) error {
	ld.features = slices.Clone(old.features)
	ld.index = old.index // read only, shared
	for fi, f := range l.Features {
		if err := tagFeature(ld, l, f, &ld.features[fi]); err != nil {
			return &FeatureError{Layer: l.Name, Index: fi, Err: err}
		}
	}
	if ld.labels && l.LabelFields == nil {
		ld.labelFields = maps.Clone(ld.fields)
	}
	return nil
}

// addPolygon adds the rings of a polygon to the topology: its sequences,
// exterior first, or none when the exterior is degenerate.
func (b *topoBuild) addPolygon(poly orb.Polygon) []seqRef {
	var part []seqRef
	for ri, r := range poly {
		s := b.tb.add(r, true)
		if s < 0 {
			if ri == 0 {
				return nil // degenerate exterior: drop the part
			}
			continue
		}
		part = append(part, seqRef{seq: s, hole: ri > 0})
	}
	return part
}

// orientation decides, once at full resolution, which sequences to
// reverse so that exterior rings are positive (clockwise on screen, y
// down) and holes negative.
func (b *topoBuild) orientation(t *Tileset) []bool {
	reverse := make([]bool, len(b.tb.seqs))
	for li, feats := range b.featSeqs {
		if t.layers[li].kind != kindPolygon {
			continue
		}
		for _, parts := range feats {
			for _, part := range parts {
				for _, r := range part {
					s := b.tb.seqs[r.seq]
					a := signedArea(t.topo.world, b.tb.ids[s.start:s.end])
					reverse[r.seq] = (a > 0) == r.hole
				}
			}
		}
	}
	return reverse
}

// simplify simplifies the arcs per zoom, finest first, and rebuilds the
// line and polygon features of every zoom from them.
func (b *topoBuild) simplify(t *Tileset, reverse []bool) {
	var prev [][]orb.Point
	var prevIdx [][]int32
	var buf []orb.Point
	for z := t.opt.MaxZoom; z >= 0; z-- {
		arcs, idx := t.topo.simplifyArcs(t.tolerance(z), prev, prevIdx)
		for li, ld := range t.layers {
			if !ld.topological() || z > ld.maxZoom {
				continue
			}
			for fi := range ld.features {
				f := &ld.features[fi]
				if f.zoom == nil {
					f.zoom = make([][]path, ld.maxZoom+1)
					f.pindex = make([]*rtree.RTreeGN[float64, int32], ld.maxZoom+1)
				}
				parts := b.featSeqs[li][fi]
				f.seqs = parts
				if z < ld.maxZoom && arcsUnchanged(t.topo, parts, arcs, prev) {
					f.zoom[z] = f.zoom[z+1]
					f.pindex[z] = f.pindex[z+1]
					continue
				}
				f.zoom[z], buf = rebuildFeature(t.topo, arcs, parts, ld.kind, reverse, buf)
				f.pindex[z] = indexPaths(f.zoom[z])
			}
		}
		prev, prevIdx = arcs, idx
	}
}

// rebuildFeature rebuilds the paths of a feature's parts from the arcs of
// one zoom, dropping collapsed rings (and the holes of a collapsed
// exterior) and lines. buf is scratch space, returned for reuse.
func rebuildFeature(topo *topology, arcs [][]orb.Point, parts [][]seqRef, kind geomKind, reverse []bool, buf []orb.Point) ([]path, []orb.Point) {
	var paths []path
	for _, part := range parts {
		for ri, r := range part {
			buf = rebuild(arcs, topo.seqs[r.seq], kind == kindPolygon, buf)
			if kind == kindPolygon && len(buf) < 3 {
				if ri == 0 {
					break // exterior collapsed: drop its holes too
				}
				continue
			}
			if kind == kindLine && len(buf) < 2 {
				continue
			}
			pts := slices.Clone(buf)
			if reverse[r.seq] {
				slices.Reverse(pts)
			}
			paths = append(paths, newPath(pts, kind == kindPolygon))
		}
	}
	return paths, buf
}

// indexPaths returns an R-tree over the paths of a feature with many of
// them, else nil.
func indexPaths(paths []path) *rtree.RTreeGN[float64, int32] {
	if len(paths) <= pathIndexMin {
		return nil
	}
	idx := &rtree.RTreeGN[float64, int32]{}
	for i, p := range paths {
		idx.Insert(p.bound.Min, p.bound.Max, int32(i))
	}
	return idx
}

// finishLayer places the labels, computes the areas and indexes the
// features of a prepared layer.
func finishLayer(ld *layerData, l Layer) {
	for fi := range ld.features {
		f := &ld.features[fi]
		if ld.kind == kindPolygon && len(f.zoom) > 0 {
			full := f.zoom[len(f.zoom)-1]
			f.area = pathsArea(full)
			if ld.labels {
				f.label = labelPoint(full)
			}
		}
		ld.index.Insert(f.bound.Min, f.bound.Max, int32(fi))
	}
	if ld.labels && l.LabelFields == nil {
		ld.labelFields = maps.Clone(ld.fields)
	}
}

// pathIndexMin is the number of paths (parts and holes) from which a
// feature gets an R-tree over them.
const pathIndexMin = 8

// pathsNear returns the indices, in order, of the feature's paths at zoom
// z whose bounds may meet q (world coordinates).
func (f *prepared) pathsNear(z int, q orb.Bound, dst []int32) []int32 {
	dst = dst[:0]
	if idx := f.pindex[z]; idx != nil {
		idx.Search(q.Min, q.Max, func(_, _ [2]float64, i int32) bool {
			dst = append(dst, i)
			return true
		})
		slices.Sort(dst)
		return dst
	}
	for i := range f.zoom[z] {
		dst = append(dst, int32(i))
	}
	return dst
}

// tolerance is the simplification tolerance for zoom z in world units
// (negative: keep every vertex).
func (t *Tileset) tolerance(z int) float64 {
	if t.opt.Tolerance <= 0 {
		return -1
	}
	return t.opt.Tolerance / worldScale(uint32(z), t.opt.Extent)
}

// seqRef is one ring or line of a feature in the topology builder.
type seqRef struct {
	seq  int
	hole bool
}

// arcsUnchanged reports whether every arc used by the feature kept the same
// vertices as at the previous (finer) zoom.
func arcsUnchanged(topo *topology, parts [][]seqRef, arcs, prev [][]orb.Point) bool {
	for _, part := range parts {
		for _, r := range part {
			for _, a := range topo.seqs[r.seq] {
				if a < 0 {
					a = ^a
				}
				if len(arcs[a]) != len(prev[a]) {
					return false
				}
			}
		}
	}
	return true
}

func newLayerData(l Layer, opt Options) (*layerData, error) {
	if l.Name == "" {
		return nil, fmt.Errorf("%w: empty name", ErrLayer)
	}
	ld := &layerData{name: l.Name, minZoom: l.MinZoom, maxZoom: l.MaxZoom, labels: l.Labels, fields: map[string]string{}, labelFields: map[string]string{}}
	if ld.maxZoom == 0 {
		ld.maxZoom = opt.MaxZoom
	}
	if ld.minZoom < 0 || ld.minZoom > ld.maxZoom || ld.maxZoom > opt.MaxZoom {
		return nil, fmt.Errorf("%w: layer %q zoom range %d–%d outside 0–%d", ErrLayer, l.Name, l.MinZoom, l.MaxZoom, opt.MaxZoom)
	}
	for i, f := range l.Features {
		k := kindOf(f.Geometry)
		if k == kindNone {
			continue // reported by checkGeometry with the feature index
		}
		if ld.kind == kindNone {
			ld.kind = k
		} else if k != ld.kind {
			return nil, fmt.Errorf("%w: layer %q mixes %s and %s features (feature %d)", ErrLayer, l.Name, ld.kind, k, i)
		}
	}
	if ld.labels && ld.kind != kindPolygon && ld.kind != kindNone {
		return nil, fmt.Errorf("%w: layer %q: labels need a polygon layer, not %s", ErrLayer, l.Name, ld.kind)
	}
	return ld, nil
}

func kindOf(g orb.Geometry) geomKind {
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		return kindPoint
	case orb.LineString, orb.MultiLineString:
		return kindLine
	case orb.Ring, orb.Polygon, orb.MultiPolygon, orb.Bound:
		return kindPolygon
	}
	return kindNone
}

func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Ring:
		return []orb.Polygon{{g}}
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	case orb.Bound:
		return []orb.Polygon{g.ToPolygon()}
	}
	return nil
}

// checkGeometry rejects nil and unsupported geometries and coordinates that
// are not finite or lie outside ±180° longitude, ±90° latitude.
func checkGeometry(g orb.Geometry) error {
	if g == nil {
		return fmt.Errorf("%w: nil geometry", ErrGeometry)
	}
	if kindOf(g) == kindNone {
		return fmt.Errorf("%w: unsupported geometry type %s", ErrGeometry, g.GeoJSONType())
	}
	var bad error
	check := func(p orb.Point) {
		if bad != nil {
			return
		}
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			bad = fmt.Errorf("%w: coordinate %v outside WGS84 lon/lat range", ErrGeometry, p)
		}
	}
	switch g := g.(type) {
	case orb.Point:
		check(g)
	case orb.MultiPoint:
		for _, p := range g {
			check(p)
		}
	case orb.LineString:
		for _, p := range g {
			check(p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			for _, p := range l {
				check(p)
			}
		}
	case orb.Bound:
		check(g.Min)
		check(g.Max)
	default:
		for _, poly := range polygonsOf(g) {
			for _, r := range poly {
				for _, p := range r {
					check(p)
				}
			}
		}
	}
	return bad
}

func mergeField(old, typ string) string {
	if old == "" || old == typ {
		return typ
	}
	return FieldString // mixed types: describe as string
}

// signedArea is twice the shoelace area of a ring of vertex ids in world
// coordinates (positive = clockwise on screen, y down).
func signedArea(world []orb.Point, ids []int32) float64 {
	var s float64
	n := len(ids)
	for i := range n {
		a, b := world[ids[i]], world[ids[(i+1)%n]]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return s
}

func ringArea2(pts []orb.Point) float64 {
	var s float64
	n := len(pts)
	for i := range n {
		a, b := pts[i], pts[(i+1)%n]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return s
}

// pathsArea is the signed area of oriented rings (exteriors minus holes).
func pathsArea(ps []path) float64 {
	var a float64
	for _, p := range ps {
		a += ringArea2(p.pts) / 2
	}
	return a
}

// Options returns the options in effect (with defaults filled in).
func (t *Tileset) Options() Options { return t.opt }

// Bound returns the WGS84 bounding box of all input features (the zero
// Bound if there are none).
func (t *Tileset) Bound() orb.Bound { return t.bound }

// Layers describes the output layers in order, label layers directly after
// their polygon layer.
func (t *Tileset) Layers() []LayerInfo {
	var out []LayerInfo
	for _, ld := range t.layers {
		kind := ld.kind
		if kind == kindNone {
			kind = kindPoint
		}
		out = append(out, LayerInfo{Name: ld.name, Geometry: kind.String(), MinZoom: ld.minZoom, MaxZoom: ld.maxZoom, Fields: maps.Clone(ld.fields)})
		if ld.labels {
			out = append(out, LayerInfo{Name: ld.name + "_label", Geometry: kindPoint.String(), MinZoom: ld.minZoom, MaxZoom: ld.maxZoom, Fields: maps.Clone(ld.labelFields)})
		}
	}
	return out
}
