// The files Install writes: the districts GeoJSON and its provenance.

package data

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geojsonio"
)

// encodeDistricts writes the FeatureCollection, one feature per line, with
// the coordinates as they are (rounded by normalise) in as few digits as
// give them exactly. administration is left out where it is empty: it is
// AdministrationNote for the districts of Azad Kashmir and
// Gilgit-Baltistan.
func encodeDistricts(ds []*district) []byte {
	fs := make([]geojsonio.Feature, len(ds))
	for i, d := range ds {
		props := []geojsonio.Prop{
			{Key: "id", Value: d.id}, {Key: "name", Value: d.name}, {Key: "province", Value: d.province},
			{Key: "country", Value: d.country}, {Key: "source", Value: d.source}, {Key: "source_id", Value: d.sourceID},
		}
		if d.administration != "" {
			props = append(props, geojsonio.Prop{Key: "administration", Value: d.administration})
		}
		fs[i] = geojsonio.Feature{ID: d.id, Props: props, Geom: d.geom}
	}
	b, _ := geojsonio.FeatureCollection(fs, -1) // strings and MultiPolygons cannot fail
	return b
}

// provenance returns districts.provenance.json: one geo.LayerProvenance
// per country, with the installed fields (country, commit, files,
// features, the province assignment) filled.
func (in *installer) provenance(set *inputSet, provSum string, nAFG, nPAK int, corrections []string) ([]byte, error) {
	pf := func(f *inputFile) geo.InputFile {
		out := geo.InputFile{Path: f.name, SHA256: f.sum, Pin: "unpinned"}
		if f.pin != nil {
			out.URL = f.pin.URL("")
			out.Path = f.pin.Path
			out.Pin = "verified"
			if f.pin.SHA256 != f.sum {
				out.Pin = "mismatch"
			}
		}
		return out
	}
	afg := geo.LayerProvenance{
		Layer:   "districts",
		Country: "AFG",
		Source: "geoBoundaries gbOpen AFG ADM2 (boundaryID AFG-ADM2-17698898, build 2023-12-12), boundaries of 2014 by " +
			"Afghanistan Information Management Services and Esri Disaster Response Program",
		Package:  "https://github.com/" + afgRepo + "/tree/" + afgCommit,
		Commit:   afgCommit,
		Features: nAFG,
		Licence: "geoBoundaries data products: CC BY 4.0; this boundary's own licence per its geoBoundaries metadata: " +
			"Public Domain",
		Attribution: "Administrative boundaries courtesy of geoBoundaries (www.geoboundaries.org): Runfola, D. et al. (2020) " +
			"geoBoundaries: A global database of political administrative boundaries. PLoS ONE 15(4): e0231866. " +
			"Boundary source: Afghanistan Information Management Services, Esri Disaster Response Program.",
		ProvincesSHA256: provSum,
		ProvinceAssignment: "the AFG province of provinces.geojson with the largest overlap area (horizontal scan lines at most " +
			strconv.FormatFloat(scanMaxStep, 'f', -1, 64) + " degrees apart, at least " + strconv.Itoa(scanMinLines) +
			" per district, interval lengths weighted by cos(latitude)), except where corrected (see province_corrections)",
		ProvinceCorrections: corrections,
	}
	if set.afgGeoJSON != nil {
		afg.Input, afg.InputSHA256 = set.afgGeoJSON.name, set.afgGeoJSON.sum
		afg.Files = []geo.InputFile{pf(set.afgGeoJSON)}
		afg.Transformation = "Read " + afgGeoJSONName + " (a GeoJSON conversion of the full-resolution shapefile " +
			"made outside this program; it has no upstream checksum). "
	} else {
		afg.Input, afg.InputSHA256 = set.afgShp.name, set.afgShp.sum
		afg.Files = []geo.InputFile{pf(set.afgShp), pf(set.afgDbf)}
		afg.Transformation = "Read the full-resolution shapefile (" + afgShpName + " with " + afgDbfName + "); " +
			"rings grouped into polygons (each hole to the smallest outer ring containing it). "
	}
	afg.Transformation += "Coordinates rounded to 7 decimals and repeated points removed; rings re-oriented per RFC 7946 " +
		"(exterior counter-clockwise, holes clockwise); every geometry written as a MultiPolygon. " +
		"id = \"AFG-\" + shapeID, name = shapeName, source_id = shapeID, province by overlap (see province_assignment). " +
		"Other properties dropped; features sorted by id."
	pak := geo.LayerProvenance{
		Layer:   "districts",
		Country: "PAK",
		Source: "OCHA Common Operational Dataset – Administrative Boundaries (COD-AB) Pakistan, admin level 2, layer " +
			"pak_admbnda_adm2_wfp_20220909, as simplified (about 5 % of vertices) in GitHub repository " + pakRepo,
		Package:     "https://github.com/" + pakRepo + "/tree/" + pakCommit,
		Commit:      pakCommit,
		Input:       set.pak.name,
		InputSHA256: set.pak.sum,
		Files:       []geo.InputFile{pf(set.pak)},
		Features:    nPAK,
		Licence: "OCHA COD-AB via HDX: normally CC BY-IGO (unverified for this layer); the simplifying repository " +
			"is CC0 1.0",
		Attribution: "Administrative boundaries: OCHA, WFP, via the Humanitarian Data Exchange (HDX) COD-AB Pakistan; " +
			"simplified by the tiimaar-assets project.",
		ProvincesSHA256: provSum,
		ProvinceAssignment: "ADM1_EN matched by name to the PAK provinces of provinces.geojson (name or alt_names; " +
			"\"Gilgit Baltistan\" is Gilgit-Baltistan)",
		Transformation: "Coordinates rounded to 7 decimals and repeated points removed; rings re-oriented per RFC 7946; " +
			"every geometry written as a MultiPolygon. id = \"PAK-\" + ADM2_PCODE, name = ADM2_EN, source_id = that P-code. " +
			"The unit with ADM1_PCODE " + IndianAdministeredPCode + " (\"Jammu & Kashmir\", Indian-administered, with Srinagar " +
			"and Jammu) is left out: it is not administered by Pakistan. Districts of Azad Kashmir and Gilgit Baltistan " +
			"(ADM1_PCODE PK1, PK3) carry an administration property: " + AdministrationNote + " Other properties " +
			"(including the repository owner's added columns) dropped; features sorted by id.",
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(geo.Provenance{Layers: []geo.LayerProvenance{afg, pak}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type namedData struct {
	name string
	data []byte
}

// writeFiles writes each file to a temporary file in dir, then renames them
// into place in order. Temporary files are removed on failure.
func writeFiles(dir string, files []namedData) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &InstallError{File: dir, Err: err}
	}
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // no-op once renamed
		}
	}()
	for _, f := range files {
		t, err := os.CreateTemp(dir, "."+f.name+".*.tmp")
		if err != nil {
			return &InstallError{File: filepath.Join(dir, f.name), Err: err}
		}
		tmps = append(tmps, t.Name())
		_, err = t.Write(f.data)
		if err == nil {
			err = t.Sync()
		}
		if cerr := t.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(t.Name(), 0o644)
		}
		if err != nil {
			return &InstallError{File: filepath.Join(dir, f.name), Err: err}
		}
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], filepath.Join(dir, f.name)); err != nil {
			return &InstallError{File: filepath.Join(dir, f.name), Err: err}
		}
	}
	return nil
}
