package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"

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
