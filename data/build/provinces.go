package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/paulmach/orb"
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

// provinceStats reports what buildProvinces did.
type provinceStats struct {
	Slivers       int     // residual pieces assigned to a province
	SliverAreaKm2 float64 // their total area
}

// buildProvinces clips the Natural Earth provinces of each country to the
// country's sovereign area (polygons with holes filled), merges F.A.T.A.
// into Khyber Pakhtunkhwa and assigns every part of the country covered by
// no province to the province it shares the longest boundary with (or,
// failing that, the nearest), so that the provinces of a country tile it.
func buildProvinces(ne []neProvince, countries map[string]orb.MultiPolygon, logf func(string, ...any)) ([]province, provinceStats, error) {
	var st provinceStats
	// Curate and merge.
	byID := map[string]*province{}
	var order []string
	for _, p := range ne {
		info, ok := provinceNames[p.Adm1]
		if !ok {
			return nil, st, fmt.Errorf("provinces: no curated name for %s (%s)", p.Adm1, p.Name)
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
	if len(order) != len(provinceNames)-1 {
		return nil, st, fmt.Errorf("provinces: %d features after merging, want %d", len(order), len(provinceNames)-1)
	}
	var out []province
	for _, country := range []string{"AFG", "PAK"} {
		c := toSF(fillHoles(countries[country])).AsGeometry()
		var ids []string
		var neGeoms []geom.Geometry
		for _, id := range order {
			if byID[id].Country != country {
				continue
			}
			u, err := geom.UnaryUnion(toSF(byID[id].Geom).AsGeometry())
			if err != nil {
				return nil, st, fmt.Errorf("provinces: %s: union: %w", id, err)
			}
			ids = append(ids, id)
			neGeoms = append(neGeoms, u)
		}
		neAll, err := geom.UnionMany(neGeoms)
		if err != nil {
			return nil, st, fmt.Errorf("provinces: %s: union of provinces: %w", country, err)
		}
		clipped := make([]orb.MultiPolygon, len(ids))
		for i, g := range neGeoms {
			x, err := geom.Intersection(g, c)
			if err != nil {
				return nil, st, fmt.Errorf("provinces: %s: clipping: %w", ids[i], err)
			}
			clipped[i] = fromSF(x)
		}
		resid, err := geom.Difference(c, neAll)
		if err != nil {
			return nil, st, fmt.Errorf("provinces: %s: residual: %w", country, err)
		}
		pieces := fromSF(resid)
		idx := newSegIndex(clipped, 0.02)
		extra := make([][]orb.Polygon, len(ids))
		for _, piece := range pieces {
			k := idx.assign(piece)
			extra[k] = append(extra[k], piece)
			st.Slivers++
			st.SliverAreaKm2 += polygonAreaKm2(piece)
		}
		for i, id := range ids {
			g := clipped[i]
			if len(extra[i]) > 0 {
				gs := []geom.Geometry{toSF(g).AsGeometry()}
				for _, e := range extra[i] {
					gs = append(gs, toSF(orb.MultiPolygon{e}).AsGeometry())
				}
				u, err := geom.UnionMany(gs)
				if err != nil {
					return nil, st, fmt.Errorf("provinces: %s: adding slivers: %w", id, err)
				}
				g = fromSF(u)
			}
			g = roundMultiPolygon(g)
			if err := validate(g); err != nil {
				return nil, st, fmt.Errorf("provinces: %s: invalid result: %w", id, err)
			}
			pr := byID[id]
			pr.Geom = g
			out = append(out, *pr)
		}
		logf("provinces %s: %d provinces, %d residual pieces assigned", country, len(ids), len(pieces))
	}
	return out, st, nil
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
		s := math.Abs(signedArea(r))
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
		return bi
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
	return bi
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
				{"id", p.ID}, {"name", p.Info.Name}, {"alt_names", alt}, {"country", p.Country},
				{"iso_3166_2", p.Info.ISO}, {"note", p.Info.Note}, {"history", p.Info.History},
			},
			Geom: p.Geom,
		})
	}
	return out
}
