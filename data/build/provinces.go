package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/peterstace/simplefeatures/geom"
)

// neProvince is one Natural Earth admin-1 feature.
type neProvince struct {
	Adm1   string
	ISO    string
	Name   string
	Adm0   string
	Geom   orb.MultiPolygon
	NEName string
}

// province is one output province.
type province struct {
	ID      string
	Country string
	Info    provinceInfo
	Geom    orb.MultiPolygon
}

func readProvinces(nodeModules string) ([]neProvince, string, error) {
	path := filepath.Join(nodeModules, placesPackage, filepath.FromSlash(placesInput))
	type props struct {
		Adm1 string `json:"adm1_code"`
		ISO  string `json:"iso_3166_2"`
		Name string `json:"name"`
		Adm0 string `json:"adm0_a3"`
	}
	feats, sum, err := scanFeatures(path, func(raw json.RawMessage) (bool, error) {
		var p props
		if err := json.Unmarshal(raw, &p); err != nil {
			return false, err
		}
		return p.Adm0 == "AFG" || p.Adm0 == "PAK", nil
	})
	if err != nil {
		return nil, "", err
	}
	var out []neProvince
	for _, f := range feats {
		var p props
		if err := json.Unmarshal(f.Properties, &p); err != nil {
			return nil, "", err
		}
		mp, err := f.Geometry.multiPolygon()
		if err != nil {
			return nil, "", fmt.Errorf("%s: %s: %w", path, p.Adm1, err)
		}
		out = append(out, neProvince{Adm1: p.Adm1, ISO: p.ISO, Name: p.Name, Adm0: p.Adm0, Geom: mp, NEName: p.Name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Adm1 < out[j].Adm1 })
	return out, sum, nil
}

// fillHoles returns mp without its interior rings.
func fillHoles(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		out[i] = orb.Polygon{p[0]}
	}
	return out
}

// sovereignArea returns the country's area including inland water: its
// polygons with holes filled, less the polygons (islands in lakes and
// rivers) that then lie inside another filled polygon. The result is a
// valid MultiPolygon.
func sovereignArea(mp orb.MultiPolygon) (orb.MultiPolygon, error) {
	filled := fillHoles(mp)
	var out orb.MultiPolygon
	for i, p := range filled {
		probe := interiorProbe(p[0])
		inside := false
		for j, q := range filled {
			if i != j && q.Bound().Contains(probe) && planar.RingContains(q[0], probe) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, p)
		}
	}
	if err := validate(out); err != nil {
		return nil, fmt.Errorf("sovereign area: %w", err)
	}
	return out, nil
}

// provinceStats reports what buildProvinces did.
type provinceStats struct {
	Slivers       int     // residual pieces assigned to a province
	SliverAreaKm2 float64 // their total area
	Cuts          int     // junctions at which slivers were cut
	DroppedNodes  int     // overlay nodes removed from straight edges
	InsertedNodes int     // vertices added to close T-junctions
}

// buildProvinces clips the Natural Earth provinces of each country to the
// country's sovereign area (polygons with holes filled), merges F.A.T.A.
// into Khyber Pakhtunkhwa and assigns every part of the country covered by
// no province to the province it shares the longest boundary with (or,
// failing that, the nearest), so that the provinces of a country tile it.
func buildProvinces(ne []neProvince, countries map[string]orb.MultiPolygon, logf func(string, ...any)) ([]province, provinceStats, error) {
	var st provinceStats
	byID, order, err := curateProvinces(ne)
	if err != nil {
		return nil, st, err
	}
	var out []province
	for _, country := range []string{"AFG", "PAK"} {
		ps, err := countryProvinces(country, countries[country], byID, order, &st, logf)
		if err != nil {
			return nil, st, err
		}
		out = append(out, ps...)
	}
	return out, st, nil
}

// curateProvinces names the Natural Earth provinces from the curation
// table and merges those it merges (F.A.T.A. into Khyber Pakhtunkhwa). It
// returns them by id and their ids in order.
func curateProvinces(ne []neProvince) (map[string]*province, []string, error) {
	curation := provinceNames()
	byID := map[string]*province{}
	var order []string
	for _, p := range ne {
		info, ok := curation[p.Adm1]
		if !ok {
			return nil, nil, fmt.Errorf("provinces: no curated name for %s (%s)", p.Adm1, p.Name)
		}
		id := p.Adm1
		if info.MergeInto != "" {
			id = info.MergeInto
		}
		pr, ok := byID[id]
		if !ok {
			pr = &province{ID: id, Country: p.Adm0}
			byID[id] = pr
			order = append(order, id)
		}
		if info.MergeInto == "" {
			pr.Info = info
		}
		pr.Geom = append(pr.Geom, p.Geom...)
	}
	sort.Strings(order)
	if len(order) != len(curation)-1 {
		return nil, nil, fmt.Errorf("provinces: %d features after merging, want %d", len(order), len(curation)-1)
	}
	return byID, order, nil
}

// countryProvinces makes the provinces of one country: clipped to its
// sovereign area, with the residual pieces assigned, overlay nodes
// dropped and T-junctions closed, rounded and validated.
func countryProvinces(country string, cgeom orb.MultiPolygon, byID map[string]*province, order []string, st *provinceStats, logf func(string, ...any)) ([]province, error) {
	var out []province
	sov, err := sovereignArea(cgeom)
	if err != nil {
		return nil, fmt.Errorf("provinces: %s: %w", country, err)
	}
	c := toSF(sov).AsGeometry()
	var ids []string
	var neGeoms []geom.Geometry
	for _, id := range order {
		if byID[id].Country != country {
			continue
		}
		u, err := geom.UnaryUnion(toSF(byID[id].Geom).AsGeometry())
		if err != nil {
			return nil, fmt.Errorf("provinces: %s: union: %w", id, err)
		}
		ids = append(ids, id)
		neGeoms = append(neGeoms, u)
	}
	neAll, err := geom.UnionMany(neGeoms)
	if err != nil {
		return nil, fmt.Errorf("provinces: %s: union of provinces: %w", country, err)
	}
	clipped := make([]orb.MultiPolygon, len(ids))
	for i, g := range neGeoms {
		x, err := geom.Intersection(g, c)
		if err != nil {
			return nil, fmt.Errorf("provinces: %s: clipping: %w", ids[i], err)
		}
		clipped[i] = fromSF(x)
	}
	resid, err := geom.Difference(c, neAll)
	if err != nil {
		return nil, fmt.Errorf("provinces: %s: residual: %w", country, err)
	}
	pieces := splitMulti(fromSF(resid))
	ncut := 0
	pieces, ncut, err = cutAtJunctions(pieces, neGeoms, neAll, sov)
	if err != nil {
		return nil, fmt.Errorf("provinces: %s: %w", country, err)
	}
	idx := newSegIndex(clipped, 0.02)
	extra := make([][]orb.Polygon, len(ids))
	for _, piece := range pieces {
		k := idx.assign(piece)
		extra[k] = append(extra[k], piece)
		st.Slivers++
		st.SliverAreaKm2 += polygonAreaKm2(piece)
	}
	st.Cuts += ncut
	merged := make([]orb.MultiPolygon, len(ids))
	for i, id := range ids {
		g := clipped[i]
		if len(extra[i]) > 0 {
			gs := []geom.Geometry{toSF(g).AsGeometry()}
			for _, e := range extra[i] {
				gs = append(gs, toSF(orb.MultiPolygon{e}).AsGeometry())
			}
			u, err := geom.UnionMany(gs)
			if err != nil {
				return nil, fmt.Errorf("provinces: %s: adding slivers: %w", id, err)
			}
			g = fromSF(u)
		}
		merged[i] = g
	}
	// Vertices that exist in the inputs: Natural Earth's and the
	// country's. Others are overlay nodes.
	keep := vertexSetOf(cgeom)
	for _, id := range ids {
		for q := range vertexSetOf(byID[id].Geom) {
			keep[q] = true
		}
	}
	var removed, inserted int
	merged, removed = dropNodingVertices(merged, keep)
	merged, inserted = fixTJunctions(merged)
	st.DroppedNodes += removed
	st.InsertedNodes += inserted
	for i, id := range ids {
		g := roundMultiPolygon(merged[i])
		if err := validate(g); err != nil {
			return nil, fmt.Errorf("provinces: %s: invalid result: %w", id, err)
		}
		pr := byID[id]
		pr.Geom = g
		out = append(out, *pr)
	}
	logf("provinces %s: %d provinces, %d residual pieces (cut at %d junctions) assigned", country, len(ids), len(pieces), ncut)

	return out, nil
}

// polygonAreaKm2 is an approximate area (equirectangular at the
// polygon's latitude), used only for reporting.
func polygonAreaKm2(p orb.Polygon) float64 {
	if len(p) == 0 || len(p[0]) == 0 {
		return 0
	}
	k := math.Cos(p[0][0][1] * math.Pi / 180)
	a := 0.0
	for i, r := range p {
		s := planar.Area(r)
		if i > 0 {
			s = -s
		}
		a += s
	}
	return a * k * 111.32 * 111.32
}

// segRef points to one segment of one province.
type segRef struct {
	owner int
	a, b  orb.Point
}

// segIndex is a uniform grid over the boundary segments of a set of
// multipolygons.
type segIndex struct {
	cell  float64
	cells map[[2]int][]segRef
	all   []segRef
	n     int
}

func newSegIndex(mps []orb.MultiPolygon, cell float64) *segIndex {
	idx := &segIndex{cell: cell, cells: map[[2]int][]segRef{}, n: len(mps)}
	for i, mp := range mps {
		ringEdges(mp, func(a, b orb.Point) {
			s := segRef{owner: i, a: a, b: b}
			idx.all = append(idx.all, s)
			x0, x1 := idx.key(math.Min(a[0], b[0])), idx.key(math.Max(a[0], b[0]))
			y0, y1 := idx.key(math.Min(a[1], b[1])), idx.key(math.Max(a[1], b[1]))
			for x := x0; x <= x1; x++ {
				for y := y0; y <= y1; y++ {
					idx.cells[[2]int{x, y}] = append(idx.cells[[2]int{x, y}], s)
				}
			}
		})
	}
	return idx
}

func (idx *segIndex) key(v float64) int { return int(math.Floor(v / idx.cell)) }

// planarDist is the distance in degrees (longitude scaled by the cosine
// of the latitude) from p to segment ab.
func planarDist(p, a, b orb.Point) float64 {
	q, _ := closestOnSegment(p, a, b)
	k := math.Cos(p[1] * math.Pi / 180)
	return math.Hypot((q[0]-p[0])*k, q[1]-p[1])
}

// assign returns the index of the multipolygon that shares the longest
// boundary with piece or, when none touches it, the nearest one. Ties go
// to the lower index.
func (idx *segIndex) assign(piece orb.Polygon) int {
	k, _ := idx.assignShares(piece)
	return k
}

// assignShares is assign, also returning the shared boundary length in
// metres with each multipolygon.
func (idx *segIndex) assignShares(piece orb.Polygon) (int, []float64) {
	const touch = 1e-7 // degrees, about 1 cm
	shared := make([]float64, idx.n)
	any := false
	for _, r := range piece {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			m := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
			best, bestOwner := math.Inf(1), -1
			for _, s := range idx.cells[[2]int{idx.key(m[0]), idx.key(m[1])}] {
				if d := planarDist(m, s.a, s.b); d < best || (d == best && s.owner < bestOwner) {
					best, bestOwner = d, s.owner
				}
			}
			if bestOwner >= 0 && best < touch {
				shared[bestOwner] += distance(a, b)
				any = true
			}
		}
	}
	if any {
		bi := 0
		for i, v := range shared {
			if v > shared[bi] {
				bi = i
			}
		}
		return bi, shared
	}
	best, bi := math.Inf(1), 0
	for _, r := range piece {
		for _, p := range r {
			for _, s := range idx.all {
				if d := planarDist(p, s.a, s.b); d < best || (d == best && s.owner < bi) {
					best, bi = d, s.owner
				}
			}
		}
	}
	return bi, shared
}

// provinceFeatures turns provinces into output features.
func provinceFeatures(ps []province) []feature {
	var out []feature
	for _, p := range ps {
		alt := p.Info.AltNames
		if alt == nil {
			alt = []string{}
		}
		out = append(out, feature{
			ID: p.ID,
			Props: []prop{
				{Key: "id", Value: p.ID}, {Key: "name", Value: p.Info.Name}, {Key: "alt_names", Value: alt}, {Key: "country", Value: p.Country},
				{Key: "iso_3166_2", Value: p.Info.ISO}, {Key: "note", Value: p.Info.Note}, {Key: "history", Value: p.Info.History},
			},
			Geom: p.Geom,
		})
	}
	return out
}

func splitMulti(mp orb.MultiPolygon) []orb.Polygon { return []orb.Polygon(mp) }

// junctions returns the points where the boundary between two provinces
// meets the outer outline of all of them, in a deterministic order.
func junctions(provs []geom.Geometry, outline geom.Geometry) []orb.Point {
	onOutline := map[orb.Point]bool{}
	for _, p := range fromSF(outline) {
		for _, r := range p {
			for _, q := range r {
				onOutline[q] = true
			}
		}
	}
	owners := map[orb.Point]int{}
	var order []orb.Point
	for _, g := range provs {
		seen := map[orb.Point]bool{}
		for _, p := range fromSF(g) {
			for _, r := range p {
				for _, q := range r {
					if seen[q] || !onOutline[q] {
						continue
					}
					seen[q] = true
					if owners[q] == 0 {
						order = append(order, q)
					}
					owners[q]++
				}
			}
		}
	}
	var out []orb.Point
	for _, q := range order {
		if owners[q] >= 2 {
			out = append(out, q)
		}
	}
	return out
}

// nearestOnBoundary returns the point of the rings of mp nearest p.
func nearestOnBoundary(p orb.Point, mp orb.MultiPolygon) orb.Point {
	best := math.Inf(1)
	var bq orb.Point
	ringEdges(mp, func(a, b orb.Point) {
		q, _ := closestOnSegment(p, a, b)
		k := math.Cos(p[1] * math.Pi / 180)
		if d := math.Hypot((q[0]-p[0])*k, q[1]-p[1]); d < best {
			best, bq = d, q
		}
	})
	return bq
}

// cutAtJunctions splits the uncovered pieces of a country where a boundary
// between two provinces, prolonged from the provinces' outline J to the
// nearest point K of the country outline, would cross them, so that each
// piece ends up beside one province. The cutter is a rectangle with one
// side on the line J–K, reaching a little past both ends.
func cutAtJunctions(pieces []orb.Polygon, provs []geom.Geometry, outline geom.Geometry, country orb.MultiPolygon) ([]orb.Polygon, int, error) {
	cuts := 0
	for _, j := range junctions(provs, outline) {
		k := nearestOnBoundary(j, country)
		dx, dy := k[0]-j[0], k[1]-j[1]
		l := math.Hypot(dx, dy)
		if l < 1e-6 {
			continue
		}
		ux, uy := dx/l, dy/l
		e := l
		w := math.Max(2*l, 0.01)
		a := orb.Point{j[0] - ux*e, j[1] - uy*e}
		b := orb.Point{k[0] + ux*e, k[1] + uy*e}
		c := orb.Point{b[0] - uy*w, b[1] + ux*w}
		d := orb.Point{a[0] - uy*w, a[1] + ux*w}
		rect := orb.Polygon{orb.Ring{a, b, c, d, a}}
		rect[0] = geojsonio.Oriented(rect[0], true)
		hb := rect.Bound()
		h := toSF(orb.MultiPolygon{rect}).AsGeometry()
		var next []orb.Polygon
		hit := false
		for _, p := range pieces {
			if !p.Bound().Intersects(hb) {
				next = append(next, p)
				continue
			}
			g := toSF(orb.MultiPolygon{p}).AsGeometry()
			in, err := geom.Intersection(g, h)
			if err != nil {
				return nil, cuts, fmt.Errorf("cutting at %v: %w", j, err)
			}
			out, err := geom.Difference(g, h)
			if err != nil {
				return nil, cuts, fmt.Errorf("cutting at %v: %w", j, err)
			}
			ip, op := fromSF(in), fromSF(out)
			if len(ip) > 0 && len(op) > 0 {
				hit = true
			}
			next = append(next, ip...)
			next = append(next, op...)
		}
		if hit {
			cuts++
		}
		pieces = next
	}
	return pieces, cuts, nil
}

func vertexSetOf(mp orb.MultiPolygon) map[orb.Point]bool {
	s := map[orb.Point]bool{}
	for _, p := range mp {
		for _, r := range p {
			for _, q := range r {
				s[q] = true
			}
		}
	}
	return s
}

// onSegment reports whether p lies on segment ab (within about 0.1 mm),
// strictly between its ends.
func onSegment(p, a, b orb.Point) bool {
	const eps = 1e-9
	if p == a || p == b {
		return false
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return false
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
	if t <= 0 || t >= 1 {
		return false
	}
	qx, qy := a[0]+t*dx, a[1]+t*dy
	return math.Hypot(p[0]-qx, p[1]-qy) < eps
}

// dropNodingVertices removes from every ring the vertices that are in
// none of the inputs (nodes the overlay added, for example where its
// internal "ghost" edges crossed an edge) and lie on the straight line
// between their neighbours, so they change no shape.
func dropNodingVertices(mps []orb.MultiPolygon, keep map[orb.Point]bool) ([]orb.MultiPolygon, int) {
	removed := 0
	out := make([]orb.MultiPolygon, len(mps))
	for i, mp := range mps {
		for _, p := range mp {
			var np orb.Polygon
			for _, r := range p {
				pts, n := dropCollinear(r[:len(r)-1], keep)
				removed += n
				np = append(np, append(orb.Ring(pts), pts[0]))
			}
			out[i] = append(out[i], np)
		}
	}
	return out, removed
}

// dropCollinear removes from the open ring pts the points not in keep that
// lie on the segment joining their neighbours, keeping at least three.
func dropCollinear(pts []orb.Point, keep map[orb.Point]bool) ([]orb.Point, int) {
	total := 0
	for {
		n := len(pts)
		var kept []orb.Point
		dropped := 0
		for j := 0; j < n; j++ {
			prev := pts[(j+n-1)%n]
			if len(kept) > 0 {
				prev = kept[len(kept)-1]
			}
			next := pts[(j+1)%n]
			if n-dropped > 3 && !keep[pts[j]] && onSegment(pts[j], prev, next) {
				dropped++
				continue
			}
			kept = append(kept, pts[j])
		}
		total += dropped
		pts = kept
		if dropped == 0 {
			return pts, total
		}
	}
}

// fixTJunctions inserts into every edge the vertices of the other
// multipolygons that lie on it, so that edges shared by two provinces have
// the same vertices on both sides.
func fixTJunctions(mps []orb.MultiPolygon) ([]orb.MultiPolygon, int) {
	const cell = 0.02
	key := func(v float64) int { return int(math.Floor(v / cell)) }
	type vref struct {
		p     orb.Point
		owner int
	}
	grid := map[[2]int][]vref{}
	for i, mp := range mps {
		for q := range vertexSetOf(mp) {
			k := [2]int{key(q[0]), key(q[1])}
			grid[k] = append(grid[k], vref{q, i})
		}
	}
	// Deterministic order within cells.
	for k, vs := range grid {
		sort.Slice(vs, func(a, b int) bool {
			if vs[a].p[0] != vs[b].p[0] {
				return vs[a].p[0] < vs[b].p[0]
			}
			if vs[a].p[1] != vs[b].p[1] {
				return vs[a].p[1] < vs[b].p[1]
			}
			return vs[a].owner < vs[b].owner
		})
		grid[k] = vs
	}
	inserted := 0
	out := make([]orb.MultiPolygon, len(mps))
	for i, mp := range mps {
		for _, p := range mp {
			var np orb.Polygon
			for _, r := range p {
				ring := orb.Ring{r[0]}
				for j := 1; j < len(r); j++ {
					a, b := r[j-1], r[j]
					type hit struct {
						p orb.Point
						t float64
					}
					var hits []hit
					seen := map[orb.Point]bool{}
					for x := key(math.Min(a[0], b[0])); x <= key(math.Max(a[0], b[0])); x++ {
						for y := key(math.Min(a[1], b[1])); y <= key(math.Max(a[1], b[1])); y++ {
							for _, v := range grid[[2]int{x, y}] {
								if v.owner == i || seen[v.p] || !onSegment(v.p, a, b) {
									continue
								}
								seen[v.p] = true
								dx, dy := b[0]-a[0], b[1]-a[1]
								hits = append(hits, hit{v.p, ((v.p[0]-a[0])*dx + (v.p[1]-a[1])*dy) / (dx*dx + dy*dy)})
							}
						}
					}
					sort.Slice(hits, func(x, y int) bool { return hits[x].t < hits[y].t })
					for _, h := range hits {
						ring = append(ring, h.p)
						inserted++
					}
					ring = append(ring, b)
				}
				np = append(np, ring)
			}
			out[i] = append(out[i], np)
		}
	}
	return out, inserted
}
