package geo

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Files read by Load. The first four and provenance.json are required.
const (
	FileBorder     = "border.geojson"
	FileCountries  = "countries.geojson"
	FileProvinces  = "provinces.geojson"
	FileCrossings  = "crossings.geojson"
	FileDistricts  = "districts.geojson"
	FileProvenance = "provenance.json"
	// FileAltNames is an optional CSV (columns layer,name,alt_name) of
	// further spellings under which a feature can be looked up.
	FileAltNames = "altnames.csv"
	// FileDistrictsProvenance is written next to installed districts.
	FileDistrictsProvenance = "districts.provenance.json"
)

// Provenance lists, for every layer, where it comes from and under which
// licence it may be used.
type Provenance struct {
	Layers []LayerProvenance `json:"layers"`
}

// LayerProvenance is the provenance of one layer: the one schema of
// provenance.json (written by data/build) and districts.provenance.json
// (written by data.Install, which fills the fields marked "installed").
type LayerProvenance struct {
	Layer string `json:"layer"`
	// Country is the country of an installed layer's entry (installed:
	// one entry per country).
	Country string `json:"country,omitempty"`
	Source  string `json:"source"`
	Package string `json:"package"`
	// Commit is the pinned commit of Package (installed).
	Commit      string `json:"commit,omitempty"`
	Input       string `json:"input"`
	InputSHA256 string `json:"input_sha256"`
	// Files are the files read, with their checksums (installed).
	Files []InputFile `json:"files,omitempty"`
	// Features is the number of features written (installed).
	Features       int    `json:"features,omitempty"`
	Licence        string `json:"licence"`
	Attribution    string `json:"attribution"`
	Transformation string `json:"transformation"`
	// AlsoUsed lists the secondary inputs of a layer, if any.
	AlsoUsed []OtherInput `json:"also_used,omitempty"`
	// ProvincesSHA256 is the checksum of the provinces the districts
	// were assigned to, ProvinceAssignment the rule, ProvinceCorrections
	// the exceptions (installed districts).
	ProvincesSHA256     string   `json:"provinces_sha256,omitempty"`
	ProvinceAssignment  string   `json:"province_assignment,omitempty"`
	ProvinceCorrections []string `json:"province_corrections,omitempty"`
}

// InputFile is one file an installed layer was read from.
type InputFile struct {
	Path   string `json:"path"`
	URL    string `json:"url,omitempty"` // pinned upstream URL; empty for local conversions
	SHA256 string `json:"sha256"`
	// Pin says whether the file matched its pinned checksum: verified,
	// mismatch, or unpinned (no pin known).
	Pin string `json:"pin"`
}

// OtherInput is a secondary input of a layer: one that shaped it (the
// districts that place a derived crossing, say) without being its source.
type OtherInput struct {
	Source      string `json:"source"`
	Input       string `json:"input"`
	InputSHA256 string `json:"input_sha256"`
	Licence     string `json:"licence"`
	Use         string `json:"use"`
}

// Attribution returns the attribution text of a layer, or of every layer
// joined when layer is empty.
func (p Provenance) Attribution(layer string) string {
	var parts []string
	seen := map[string]bool{}
	for _, l := range p.Layers {
		if layer != "" && l.Layer != layer {
			continue
		}
		for _, part := range strings.Split(l.Attribution, "; ") {
			if part = strings.TrimSpace(part); part != "" && !seen[part] {
				seen[part] = true
				parts = append(parts, part)
			}
		}
	}
	return strings.Join(parts, "; ")
}

// Load reads an atlas from the root of fsys: border.geojson,
// countries.geojson, provinces.geojson, crossings.geojson and
// provenance.json (required), districts.geojson and
// districts.provenance.json (optional, installed by `durand data install`)
// and altnames.csv (optional), and the optional crisis files events.csv,
// crossing-status.csv and places.csv (see FileEvents; their zones are
// computed lazily, see Atlas.Zones). The file formats are described in the
// repository's data/SCHEMA.md. Errors are *DataError values naming the
// file; nothing is returned half-loaded.
func Load(fsys fs.FS) (*Atlas, error) {
	files := []string{FileBorder, FileCountries, FileProvinces, FileCrossings, FileDistricts}
	fcs := make([]*geojson.FeatureCollection, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, name := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fcs[i], errs[i] = readCollection(fsys, name, name != FileDistricts)
		}()
	}
	prov, perr := readProvenance(fsys)
	alt, aerr := readAltNames(fsys)
	wg.Wait()
	if err := errors.Join(append(errs, perr, aerr)...); err != nil {
		return nil, err
	}
	a := &Atlas{layers: map[string]*layer{}, provenance: prov}
	if err := a.build(fcs[0], fcs[1], fcs[2], fcs[3], fcs[4]); err != nil {
		return nil, err
	}
	a.indexNames(alt)
	if err := a.loadCrisis(fsys); err != nil {
		return nil, err
	}
	return a, nil
}

func readCollection(fsys fs.FS, name string, required bool) (*geojson.FeatureCollection, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		if !required && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, &DataError{File: name, Err: err}
	}
	fc, err := decodeCollection(data)
	if err != nil {
		return nil, &DataError{File: name, Err: fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)}
	}
	for i, f := range fc.Features {
		if f.Geometry == nil {
			return nil, &DataError{File: name, Err: fmt.Errorf("feature %d has no geometry", i)}
		}
		if err := checkGeometry(f.Geometry); err != nil {
			return nil, &DataError{File: name, Err: fmt.Errorf("feature %d: %w", i, err)}
		}
		id := geojsonio.FeatureID(f)
		if id == "" {
			return nil, &DataError{File: name, Err: fmt.Errorf("feature %d has no id", i)}
		}
		f.ID = id
	}
	return fc, nil
}

func readProvenance(fsys fs.FS) (Provenance, error) {
	var p Provenance
	data, err := fs.ReadFile(fsys, FileProvenance)
	if err != nil {
		return p, &DataError{File: FileProvenance, Err: err}
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, &DataError{File: FileProvenance, Err: err}
	}
	if extra, err := fs.ReadFile(fsys, FileDistrictsProvenance); err == nil {
		var dp Provenance
		if err := json.Unmarshal(extra, &dp); err != nil {
			return p, &DataError{File: FileDistrictsProvenance, Err: err}
		}
		// Installed districts replace the template entry of the default data.
		p.Layers = slicesDeleteLayer(p.Layers, LayerDistricts)
		p.Layers = append(p.Layers, dp.Layers...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return p, &DataError{File: FileDistrictsProvenance, Err: err}
	}
	return p, nil
}

func slicesDeleteLayer(ls []LayerProvenance, name string) []LayerProvenance {
	out := ls[:0:0]
	for _, l := range ls {
		if l.Layer != name {
			out = append(out, l)
		}
	}
	return out
}

// openOptional opens file of fsys: nil and no error when there is no such
// file, a DataError when it cannot be opened.
func openOptional(fsys fs.FS, file string) (fs.File, error) {
	f, err := fsys.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &DataError{File: file, Err: err}
	}
	return f, nil
}

// altName is one row of altnames.csv.
type altName struct{ layer, name, alt string }

func readAltNames(fsys fs.FS) ([]altName, error) {
	f, err := openOptional(fsys, FileAltNames)
	if f == nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	r.Comment = '#'
	var out []altName
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, &DataError{File: FileAltNames, Err: err}
		}
		if line == 1 && rec[0] == "layer" {
			continue
		}
		out = append(out, altName{rec[0], rec[1], rec[2]})
	}
}

func checkGeometry(g orb.Geometry) error {
	var err error
	visit := func(p orb.Point) {
		if err == nil {
			err = checkPoint(p)
		}
	}
	switch g := g.(type) {
	case orb.Point:
		visit(g)
	case orb.LineString:
		for _, p := range g {
			visit(p)
		}
	case orb.Polygon:
		for _, r := range g {
			for _, p := range r {
				visit(p)
			}
		}
	case orb.MultiPolygon:
		for _, poly := range g {
			for _, r := range poly {
				for _, p := range r {
					visit(p)
				}
			}
		}
	case orb.MultiPoint:
		for _, p := range g {
			visit(p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			for _, p := range l {
				visit(p)
			}
		}
	default:
		return fmt.Errorf("unsupported geometry type %s", g.GeoJSONType())
	}
	return err
}

func multiPolygon(g orb.Geometry) (orb.MultiPolygon, error) {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	case orb.MultiPolygon:
		return g, nil
	}
	return nil, fmt.Errorf("geometry is %s, want Polygon or MultiPolygon", g.GeoJSONType())
}

func str(f *geojson.Feature, key string) string {
	s, _ := f.Properties[key].(string)
	return s
}

func num(f *geojson.Feature, key string) (float64, bool) {
	v, ok := f.Properties[key].(float64)
	return v, ok && !math.IsNaN(v) && !math.IsInf(v, 0)
}

func strs(f *geojson.Feature, key string) []string {
	var out []string
	switch v := f.Properties[key].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	case string:
		for _, s := range strings.Split(v, "|") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (a *Atlas) addLayer(name string, fc *geojson.FeatureCollection) *layer {
	l := newLayer(name, fc)
	a.layers[name] = l
	a.order = append(a.order, name)
	return l
}

func (a *Atlas) build(border, countries, provinces, crossings, districts *geojson.FeatureCollection) error {
	// Border.
	if len(border.Features) != 1 {
		return &DataError{File: FileBorder, Err: fmt.Errorf("%d features, want exactly 1", len(border.Features))}
	}
	bf := border.Features[0]
	line, ok := bf.Geometry.(orb.LineString)
	if !ok {
		return &DataError{File: FileBorder, Err: fmt.Errorf("geometry is %s, want LineString", bf.Geometry.GeoJSONType())}
	}
	// The border's chainage and search structure are built while the
	// polygon layers are read.
	var (
		b    *Border
		berr error
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		b, berr = newBorder(geojsonio.FeatureID(bf), str(bf, "name"), line)
	}()
	defer wg.Wait() // on an early return
	a.addLayer(LayerBorder, border)

	if err := a.buildCountries(countries, line, &wg); err != nil {
		return err
	}
	if err := a.buildProvinces(provinces); err != nil {
		return err
	}
	if err := a.buildDistricts(districts); err != nil {
		return err
	}
	if err := a.buildCrossings(crossings); err != nil {
		return err
	}
	wg.Wait()
	if berr != nil {
		return &DataError{File: FileBorder, Err: berr}
	}
	a.border = b
	return nil
}

// buildCountries reads the countries and their sovereign area (the polygons
// with their holes filled, and the notches along the border line), and
// starts indexing them on wg.
func (a *Atlas) buildCountries(countries *geojson.FeatureCollection, line orb.LineString, wg *sync.WaitGroup) error {
	cl := a.addLayer(LayerCountries, countries)
	mps, err := polygonFeatures(countries, FileCountries)
	if err != nil {
		return err
	}
	filled := make([]orb.MultiPolygon, len(countries.Features))
	for i, f := range countries.Features {
		mp := mps[i]
		a.countries = append(a.countries, &Country{ID: geojsonio.FeatureID(f), Name: str(f, "name"), Geometry: mp})
		for _, poly := range mp {
			if len(poly) > 0 {
				filled[i] = append(filled[i], orb.Polygon{poly[0]})
			}
		}
		for _, r := range notches(mp, line) {
			filled[i] = append(filled[i], orb.Polygon{r})
		}
	}
	a.sovereign = newPolygonSet(cl, filled)
	// Every Locate needs the countries: index them now, beside the rest.
	for i := range filled {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.sovereign.at(i)
		}()
	}
	return nil
}

// buildProvinces reads the provinces and their polygon set.
func (a *Atlas) buildProvinces(provinces *geojson.FeatureCollection) error {
	var err error
	a.provinces, a.provSet, err = polygonLayer(a, LayerProvinces, FileProvinces, provinces,
		func(f *geojson.Feature, mp orb.MultiPolygon) *Province {
			return &Province{
				ID: geojsonio.FeatureID(f), Name: str(f, "name"), AltNames: strs(f, "alt_names"),
				Country: str(f, "country"), ISO: str(f, "iso_3166_2"),
				Note: str(f, "note"), History: str(f, "history"), Geometry: mp,
			}
		})
	return err
}

// buildDistricts reads the districts, when they are installed.
func (a *Atlas) buildDistricts(districts *geojson.FeatureCollection) error {
	if districts == nil {
		return nil
	}
	var err error
	a.districts, a.distSet, err = polygonLayer(a, LayerDistricts, FileDistricts, districts,
		func(f *geojson.Feature, mp orb.MultiPolygon) *District {
			return &District{
				ID: geojsonio.FeatureID(f), Name: str(f, "name"), AltNames: strs(f, "alt_names"),
				Province: str(f, "province"), Country: str(f, "country"),
				Source: str(f, "source"), SourceID: str(f, "source_id"), Geometry: mp,
			}
		})
	return err
}

// polygonLayer adds layer name, read from file as fc, and returns one value
// per feature (made by mk from the feature and its geometry) and the
// polygon set of the layer.
func polygonLayer[T any](a *Atlas, name, file string, fc *geojson.FeatureCollection, mk func(*geojson.Feature, orb.MultiPolygon) T) ([]T, *polygonSet, error) {
	l := a.addLayer(name, fc)
	mps, err := polygonFeatures(fc, file)
	if err != nil {
		return nil, nil, err
	}
	var out []T
	for i, f := range fc.Features {
		out = append(out, mk(f, mps[i]))
	}
	return out, newPolygonSet(l, mps), nil
}

// polygonFeatures returns the MultiPolygon of every feature of fc (a
// Polygon is one polygon of it), or the DataError of file for the first
// feature that has neither.
func polygonFeatures(fc *geojson.FeatureCollection, file string) ([]orb.MultiPolygon, error) {
	out := make([]orb.MultiPolygon, len(fc.Features))
	for i, f := range fc.Features {
		mp, err := multiPolygon(f.Geometry)
		if err != nil {
			return nil, &DataError{File: file, Err: fmt.Errorf("feature %s: %w", geojsonio.FeatureID(f), err)}
		}
		out[i] = mp
	}
	return out, nil
}

// buildCrossings reads the crossings, in border order.
func (a *Atlas) buildCrossings(crossings *geojson.FeatureCollection) error {
	sort.SliceStable(crossings.Features, func(i, j int) bool {
		ci, _ := num(crossings.Features[i], "chainage_km")
		cj, _ := num(crossings.Features[j], "chainage_km")
		return ci < cj
	})
	a.addLayer(LayerCrossings, crossings)
	for _, f := range crossings.Features {
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			return &DataError{File: FileCrossings, Err: fmt.Errorf("feature %s: geometry is %s, want Point", geojsonio.FeatureID(f), f.Geometry.GeoJSONType())}
		}
		c := &Crossing{
			ID: geojsonio.FeatureID(f), Name: str(f, "name"), AltNames: strs(f, "alt_names"),
			AFGProvince: str(f, "afg_province"), AFGDistrict: str(f, "afg_district"),
			PAKProvince: str(f, "pak_province"), PAKDistrict: str(f, "pak_district"),
			Point: pt, Method: str(f, "method"), Sources: strs(f, "sources"), Description: str(f, "description"),
		}
		c.ChainageKm, _ = num(f, "chainage_km")
		c.UncertaintyM, _ = num(f, "uncertainty_m")
		lon, okx := num(f, "source_lon")
		lat, oky := num(f, "source_lat")
		if okx && oky {
			sp := orb.Point{lon, lat}
			if err := checkPoint(sp); err != nil {
				return &DataError{File: FileCrossings, Err: fmt.Errorf("feature %s: source point: %w", c.ID, err)}
			}
			c.SourcePoint = &sp
		}
		a.crossings = append(a.crossings, c)
		a.crossVec = append(a.crossVec, toVec(c.Point))
	}
	return nil
}
