package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Paths of the district layers within the shared data folder.
const (
	afgDistrictsPath = "geoboundaries-afg-adm2/geoBoundaries-AFG-ADM2.geojson"
	afgDistrictName  = "shapeName"
	pakDistrictsPath = "ocha-cod-ab-pak-adm2/districts_simplified_5p.geojson"
	pakDistrictName  = "ADM2_EN"
)

// Placement methods.
const (
	methodSourced   = "sourced"
	methodCorrected = "corrected"
	methodDerived   = "derived"
)

// Uncertainties fixed by the placement rules, in metres.
const (
	minUncertaintyM       = 500
	correctedUncertaintyM = 5000
)

// crossingRow is one row of data/crossings.csv.
type crossingRow struct {
	ID, Name                 string
	AltNames                 []string
	SourceLon, SourceLat     *float64
	AfgProvince, AfgDistrict string
	PakProvince, PakDistrict string
	Method                   string
	Sources                  []string
	Description              string
}

// crossingColumns returns the header of data/crossings.csv.
func crossingColumns() []string {
	return []string{"id", "name", "alt_names", "source_lon", "source_lat", "afg_province", "afg_district", "pak_province", "pak_district", "method", "sources", "description"}
}

// ErrBadCrossings is matched by every error about data/crossings.csv.
var ErrBadCrossings = errors.New("bad crossings table")

func splitList(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, "|") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseCrossings reads the curated crossings table.
func parseCrossings(r io.Reader) ([]crossingRow, error) {
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCrossings, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrBadCrossings)
	}
	if strings.Join(recs[0], ",") != strings.Join(crossingColumns(), ",") {
		return nil, fmt.Errorf("%w: header is %q, want %q", ErrBadCrossings, recs[0], crossingColumns())
	}
	var out []crossingRow
	seen := map[string]bool{}
	for i, rec := range recs[1:] {
		line := i + 2
		row := crossingRow{
			ID: rec[0], Name: rec[1], AltNames: splitList(rec[2]),
			AfgProvince: rec[5], AfgDistrict: rec[6], PakProvince: rec[7], PakDistrict: rec[8],
			Method: rec[9], Sources: splitList(rec[10]), Description: rec[11],
		}
		if row.ID == "" || row.Name == "" {
			return nil, fmt.Errorf("%w: line %d: empty id or name", ErrBadCrossings, line)
		}
		if seen[row.ID] {
			return nil, fmt.Errorf("%w: line %d: duplicate id %q", ErrBadCrossings, line, row.ID)
		}
		seen[row.ID] = true
		if (rec[3] == "") != (rec[4] == "") {
			return nil, fmt.Errorf("%w: line %d: %s: source_lon and source_lat must both be set or both be empty", ErrBadCrossings, line, row.ID)
		}
		if rec[3] != "" {
			lon, err1 := strconv.ParseFloat(rec[3], 64)
			lat, err2 := strconv.ParseFloat(rec[4], 64)
			if err1 != nil || err2 != nil || math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
				return nil, fmt.Errorf("%w: line %d: %s: bad coordinate %q %q", ErrBadCrossings, line, row.ID, rec[3], rec[4])
			}
			row.SourceLon, row.SourceLat = &lon, &lat
		}
		switch row.Method {
		case methodSourced, methodCorrected:
			if row.SourceLon == nil {
				return nil, fmt.Errorf("%w: line %d: %s: method %s needs a coordinate", ErrBadCrossings, line, row.ID, row.Method)
			}
		case methodDerived:
			if row.SourceLon != nil {
				return nil, fmt.Errorf("%w: line %d: %s: a derived crossing has no source coordinate", ErrBadCrossings, line, row.ID)
			}
			if row.AfgDistrict == "" && row.PakDistrict == "" && row.AfgProvince == "" {
				return nil, fmt.Errorf("%w: line %d: %s: a derived crossing needs a district or an Afghan province", ErrBadCrossings, line, row.ID)
			}
		default:
			return nil, fmt.Errorf("%w: line %d: %s: unknown method %q", ErrBadCrossings, line, row.ID, row.Method)
		}
		if row.Description == "" || len(row.Sources) == 0 {
			return nil, fmt.Errorf("%w: line %d: %s: description and sources are required", ErrBadCrossings, line, row.ID)
		}
		out = append(out, row)
	}
	return out, nil
}

// chainLine is the border with cumulative geodesic chainage.
type chainLine struct {
	Pts orb.LineString
	Cum []float64 // metres from the first vertex
}

func newChainLine(ls orb.LineString) chainLine {
	c := chainLine{Pts: ls, Cum: make([]float64, len(ls))}
	for i := 1; i < len(ls); i++ {
		c.Cum[i] = c.Cum[i-1] + distance(ls[i-1], ls[i])
	}
	return c
}

// snap returns the point of the line nearest p, its chainage in metres
// and its distance from p in metres.
func (c chainLine) snap(p orb.Point) (orb.Point, float64, float64) {
	best := math.Inf(1)
	var bq orb.Point
	var bc float64
	for i := 1; i < len(c.Pts); i++ {
		a, b := c.Pts[i-1], c.Pts[i]
		// Cheap rejection: skip segments whose box is far from p.
		if p[0] < math.Min(a[0], b[0])-0.5 || p[0] > math.Max(a[0], b[0])+0.5 ||
			p[1] < math.Min(a[1], b[1])-0.5 || p[1] > math.Max(a[1], b[1])+0.5 {
			continue
		}
		q, _ := closestOnSegment(p, a, b)
		if d := distance(p, q); d < best {
			best, bq, bc = d, q, c.Cum[i-1]+distance(a, q)
		}
	}
	return bq, bc, best
}

// at returns the point of the line at chainage m metres.
func (c chainLine) at(m float64) orb.Point {
	i := sort.SearchFloat64s(c.Cum, m)
	if i == 0 {
		return c.Pts[0]
	}
	if i >= len(c.Pts) {
		return c.Pts[len(c.Pts)-1]
	}
	seg := c.Cum[i] - c.Cum[i-1]
	if seg == 0 {
		return c.Pts[i]
	}
	return lerp(c.Pts[i-1], c.Pts[i], (m-c.Cum[i-1])/seg)
}

// district is one district polygon.
type district struct {
	Name string
	Geom orb.MultiPolygon
	Box  orb.Bound
}

func readDistricts(path, nameKey string) ([]district, string, error) {
	var names []string
	feats, sum, err := scanFeatures(path, func(props json.RawMessage) (bool, error) {
		var p map[string]any
		if err := json.Unmarshal(props, &p); err != nil {
			return false, err
		}
		name, _ := p[nameKey].(string)
		if name == "" {
			return false, fmt.Errorf("feature %d has no %s", len(names), nameKey)
		}
		names = append(names, name)
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]district, 0, len(feats))
	for i, f := range feats {
		mp, err := f.Geometry.multiPolygon()
		if err != nil {
			return nil, "", fmt.Errorf("%s: %s: %w", path, names[i], err)
		}
		out = append(out, district{Name: names[i], Geom: mp, Box: mp.Bound()})
	}
	return out, sum, nil
}

func inMultiPolygon(p orb.Point, mp orb.MultiPolygon) bool {
	for _, poly := range mp {
		if len(poly) == 0 || !planar.RingContains(poly[0], p) {
			continue
		}
		inHole := false
		for _, h := range poly[1:] {
			if planar.RingContains(h, p) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// boxDist is a lower bound, in scaled degrees, of the distance from p to
// anything inside b.
func boxDist(p orb.Point, b orb.Bound) float64 {
	k := math.Cos(p[1] * math.Pi / 180)
	dx := math.Max(0, math.Max(b.Min[0]-p[0], p[0]-b.Max[0])) * k
	dy := math.Max(0, math.Max(b.Min[1]-p[1], p[1]-b.Max[1]))
	return math.Hypot(dx, dy)
}

// districtOf returns the name of the district containing p or, if none
// does, the nearest one.
func districtOf(p orb.Point, ds []district) string {
	type cand struct {
		i int
		d float64
	}
	var cands []cand
	for i, d := range ds {
		bd := boxDist(p, d.Box)
		if bd == 0 && inMultiPolygon(p, d.Geom) {
			return d.Name
		}
		cands = append(cands, cand{i, bd})
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].d < cands[b].d })
	best, bi := math.Inf(1), -1
	for _, c := range cands {
		if c.d > best {
			break
		}
		ringEdges(ds[c.i].Geom, func(a, b orb.Point) {
			if d := planarDist(p, a, b); d < best {
				best, bi = d, c.i
			}
		})
	}
	if bi < 0 {
		return ""
	}
	return ds[bi].Name
}

// placed is a crossing placed on the border.
type placed struct {
	Row          crossingRow
	Point        orb.Point
	ChainageM    float64
	UncertaintyM float64
	// StretchM is the chainage range used for a derived crossing, and
	// Runs the number of separate stretches that matched (the longest is
	// used).
	StretchM [2]float64
	Runs     int
}

// stretch returns the longest run of consecutive border vertices for which
// match is true, as a chainage range in metres.
func stretch(c chainLine, match func(i int) bool) ([2]float64, bool) {
	r, n := stretches(c, match)
	return r, n > 0
}

// stretches is stretch, also returning how many separate runs matched.
func stretches(c chainLine, match func(i int) bool) ([2]float64, int) {
	var best [2]float64
	found := false
	runs := 0
	for i := 0; i < len(c.Pts); {
		if !match(i) {
			i++
			continue
		}
		j := i
		for j+1 < len(c.Pts) && match(j+1) {
			j++
		}
		r := [2]float64{c.Cum[i], c.Cum[j]}
		runs++
		if !found || r[1]-r[0] > best[1]-best[0] {
			best, found = r, true
		}
		i = j + 1
	}
	return best, runs
}

// sideInfo gives, for each border vertex, the district on each side and
// the Afghan province.
type sideInfo struct {
	AfgDistrict, PakDistrict, AfgProvince []string
}

// placeCrossings places every crossing on the border by the rules of the
// project (sourced, corrected, derived).
func placeCrossings(rows []crossingRow, c chainLine, side func() (sideInfo, error)) ([]placed, error) {
	var out []placed
	var si *sideInfo
	for _, r := range rows {
		pl := placed{Row: r}
		switch r.Method {
		case methodSourced, methodCorrected:
			src := orb.Point{*r.SourceLon, *r.SourceLat}
			q, ch, d := c.snap(src)
			pl.Point, pl.ChainageM = q, ch
			pl.UncertaintyM = math.Max(minUncertaintyM, d)
			if r.Method == methodCorrected {
				pl.UncertaintyM = math.Max(correctedUncertaintyM, d)
			}
		case methodDerived:
			if si == nil {
				s, err := side()
				if err != nil {
					return nil, fmt.Errorf("crossing %s: %w", r.ID, err)
				}
				si = &s
			}
			var match func(i int) bool
			switch {
			case r.AfgDistrict != "" && r.PakDistrict != "":
				match = func(i int) bool { return si.AfgDistrict[i] == r.AfgDistrict && si.PakDistrict[i] == r.PakDistrict }
			case r.AfgDistrict != "":
				match = func(i int) bool { return si.AfgDistrict[i] == r.AfgDistrict }
			case r.PakDistrict != "":
				match = func(i int) bool { return si.PakDistrict[i] == r.PakDistrict }
			default:
				match = func(i int) bool { return si.AfgProvince[i] == r.AfgProvince }
			}
			st, runs := stretches(c, match)
			pl.Runs = runs
			if runs == 0 {
				return nil, fmt.Errorf("crossing %s: no stretch of border matches %q/%q/%q", r.ID, r.AfgProvince, r.AfgDistrict, r.PakDistrict)
			}
			pl.StretchM = st
			pl.ChainageM = (st[0] + st[1]) / 2
			pl.Point = c.at(pl.ChainageM)
			pl.UncertaintyM = math.Max(minUncertaintyM, (st[1]-st[0])/2)
		}
		out = append(out, pl)
	}
	return out, nil
}

// afgProvinceOf returns, for each border vertex, the name of the Afghan
// province whose boundary is nearest to it.
func afgProvinceOf(c chainLine, provs []province) []string {
	var afg []province
	var mps []orb.MultiPolygon
	for _, p := range provs {
		if p.Country == "AFG" {
			afg = append(afg, p)
			mps = append(mps, p.Geom)
		}
	}
	idx := newSegIndex(mps, 0.02)
	out := make([]string, len(c.Pts))
	for i, p := range c.Pts {
		best, bi := math.Inf(1), -1
		for _, s := range idx.cells[[2]int{idx.key(p[0]), idx.key(p[1])}] {
			if d := planarDist(p, s.a, s.b); d < best || (d == best && s.owner < bi) {
				best, bi = d, s.owner
			}
		}
		if bi >= 0 {
			out[i] = afg[bi].Info.Name
		}
	}
	return out
}

func crossingFeatures(ps []placed) []feature {
	var out []feature
	for _, p := range ps {
		r := p.Row
		var lon, lat any
		if r.SourceLon != nil {
			lon, lat = *r.SourceLon, *r.SourceLat
		}
		out = append(out, feature{
			ID: r.ID,
			Props: []prop{
				{Key: "id", Value: r.ID}, {Key: "name", Value: r.Name}, {Key: "alt_names", Value: r.AltNames},
				{Key: "afg_province", Value: r.AfgProvince}, {Key: "afg_district", Value: r.AfgDistrict},
				{Key: "pak_province", Value: r.PakProvince}, {Key: "pak_district", Value: r.PakDistrict},
				{Key: "source_lon", Value: lon}, {Key: "source_lat", Value: lat},
				{Key: "chainage_km", Value: fixed3(p.ChainageM / 1000)},
				{Key: "method", Value: r.Method},
				{Key: "uncertainty_m", Value: math.Round(p.UncertaintyM)},
				{Key: "sources", Value: r.Sources}, {Key: "description", Value: r.Description},
			},
			Geom: geojsonio.RoundPoint(p.Point),
		})
	}
	return out
}

// borderSides computes sideInfo for the border from the shared district
// layers and the provinces.
func borderSides(c chainLine, shared string, provs []province) (sideInfo, []string, error) {
	afgD, afgSum, err := readDistricts(filepath.Join(shared, filepath.FromSlash(afgDistrictsPath)), afgDistrictName)
	if err != nil {
		return sideInfo{}, nil, fmt.Errorf("derived crossings need the district layers (-shared): %w", err)
	}
	pakD, pakSum, err := readDistricts(filepath.Join(shared, filepath.FromSlash(pakDistrictsPath)), pakDistrictName)
	if err != nil {
		return sideInfo{}, nil, fmt.Errorf("derived crossings need the district layers (-shared): %w", err)
	}
	si := sideInfo{
		AfgDistrict: make([]string, len(c.Pts)),
		PakDistrict: make([]string, len(c.Pts)),
		AfgProvince: afgProvinceOf(c, provs),
	}
	for i, p := range c.Pts {
		si.AfgDistrict[i] = districtOf(p, afgD)
		si.PakDistrict[i] = districtOf(p, pakD)
	}
	return si, []string{afgSum, pakSum}, nil
}
