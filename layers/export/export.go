package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
)

// Format is an output file format.
type Format string

// The formats written by Write.
const (
	GeoJSON    Format = "geojson"
	GeoPackage Format = "gpkg"
	KML        Format = "kml"
	CSV        Format = "csv"
)

// ErrUnknownFormat is returned by ParseFormat for a name that is not a format.
var ErrUnknownFormat = errors.New("export: unknown format")

// Formats returns the formats in a fixed order.
func Formats() []Format { return []Format{GeoJSON, GeoPackage, KML, CSV} }

// ParseFormat returns the format named s (case-insensitive), accepting the
// file extensions "json" and "geopackage" as aliases.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "geojson", "json":
		return GeoJSON, nil
	case "gpkg", "geopackage":
		return GeoPackage, nil
	case "kml":
		return KML, nil
	case "csv":
		return CSV, nil
	}
	names := make([]string, 0, 4)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, s, strings.Join(names, ", "))
}

// Ext returns the file extension, without the dot.
func (f Format) Ext() string { return string(f) }

// ContentType returns the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case GeoJSON:
		return "application/geo+json"
	case GeoPackage:
		return "application/geopackage+sqlite3"
	case KML:
		return "application/vnd.google-earth.kml+xml"
	case CSV:
		return "text/csv; charset=utf-8"
	}
	return "application/octet-stream"
}

// Layer is what is written: a named set of features and its metadata.
type Layer struct {
	// Name is the layer (and GeoPackage table) name, e.g. "provinces".
	Name        string
	Title       string
	Description string
	// Attribution is the credit line every format carries.
	Attribution string
	// Licence names the licences the data are used under (from the
	// atlas's provenance); every format carries it beside Attribution.
	Licence string
	// Features are GeoJSON features in WGS84 lon/lat; each has a string
	// or numeric ID. They are not modified.
	Features []*geojson.Feature
	// Updated is written as the GeoPackage last_change; zero writes
	// 1970-01-01T00:00:00.000Z (not the time of writing, so that the same
	// layer always gives the same bytes).
	Updated time.Time
}

// Info is the title and description of an atlas layer.
type Info struct {
	Title       string
	Description string
}

// Describe returns the title and description of an atlas layer name; a
// name it does not know gets its own name as title.
func Describe(layer string) Info {
	switch layer {
	case geo.LayerBorder:
		return Info{"Durand Line (Afghanistan–Pakistan border)",
			"The Afghanistan–Pakistan border as one line from the Iran–Afghanistan–Pakistan tripoint " +
				"(south-west) to the China–Afghanistan–Pakistan tripoint (north-east)."}
	case geo.LayerCountries:
		return Info{"Countries", "Afghanistan and Pakistan as land polygons, inland water cut out as holes."}
	case geo.LayerProvinces:
		return Info{"Provinces", "First-level administrative units of Afghanistan and Pakistan " +
			"(Natural Earth admin-1, corrected by the data pipeline; see the note and history properties)."}
	case geo.LayerDistricts:
		return Info{"Districts", "Second-level administrative units, installed with `durand data install` " +
			"from geoBoundaries (Afghanistan) and OCHA COD-AB (Pakistan)."}
	case geo.LayerCrossings:
		return Info{"Border crossings", "Crossings of the Afghanistan–Pakistan border, placed on the border line, " +
			"with their chainage (km from the south-west tripoint), method and sources."}
	case LayerEvents:
		return Info{"Crisis events", "Dated, sourced events of the Afghanistan–Pakistan border crisis of October 2025 – " +
			"February 2026: clashes, airstrikes, closures and reopenings of crossings, ceasefires, talks and displacement. " +
			"start_date and end_date are the first and last day (UTC calendar days, both included). Each event is located " +
			"by the most precise rule its facts allow, never at an arbitrary interior point " +
			"(location_precision: exact, crossing, site, border_stretch (a line), district or province (the polygon, " +
			"approximate), none (null geometry); location_rule says which rule placed it). Casualty " +
			"figures are as reported (null: not reported), conflicting figures as a min–max range with their sources; " +
			"severity (0–5) is the weight of the kind plus the order of magnitude of the people killed or injured."}
	case LayerCrossingStatus:
		return Info{"Crossing status history", "Every status period of every border crossing as the crisis record dates " +
			"it: status (open, closed, refugees_only, trade_only, pedestrians_only), start_date and end_date (first and last " +
			"day, both included; null when the period began before the record or has no known end; from_text and to_text " +
			"keep the record's own precision, a month or a year), a note and the source, at the crossing's point."}
	case LayerZones:
		return Info{"Affected zones", "Stretches of the border affected by the crisis, day by day: one zone per " +
			"harmful event and side, the land within 10 km of the stretch of border the event affects (its location " +
			"rule and the stretch are in rule, event_ids, border_km, from_km, to_km), active from the event's first " +
			"day to 7 days after its last (start_date, end_date: UTC days, both included), with the event's severity " +
			"(0–5, from its kind and reported casualties); area_km2 is its area. The rules and why are in geo/ZONES.md."}
	}
	return Info{Title: layer}
}

// FromAtlas returns the layer name of an atlas with its title, description
// and attribution: a layer of the atlas, or one of the crisis layers
// events and zones (see Layers), the zones being computed on the first
// call for the atlas (about a second with the districts installed).
func FromAtlas(a *geo.Atlas, name string) (Layer, error) {
	l, err := Header(a, name)
	if err != nil {
		return Layer{}, err
	}
	switch name {
	case LayerEvents:
		l.Features = eventFeatures(a)
	case LayerCrossingStatus:
		if l.Features, err = statusFeatures(a); err != nil {
			return Layer{}, err
		}
	case LayerZones:
		if l.Features, err = zoneFeatures(a); err != nil {
			return Layer{}, err
		}
	default:
		if l.Features, err = a.Features(name); err != nil {
			return Layer{}, err
		}
	}
	return l, nil
}

// FileName returns the file name a layer is downloaded as, e.g.
// "durand-provinces.gpkg".
func FileName(layer string, f Format) string {
	return "durand-" + layer + "." + f.Ext()
}

// Write writes l to w in format f. A GeoPackage is built in a temporary
// file that is removed afterwards.
func Write(w io.Writer, l Layer, f Format) error {
	switch f {
	case GeoJSON:
		return writeGeoJSON(w, l)
	case KML:
		return writeKML(w, l)
	case CSV:
		return writeCSV(w, l)
	case GeoPackage:
		dir, err := os.MkdirTemp("", "durand-export-")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "out.gpkg")
		if err := writeGPKG(path, l); err != nil {
			return err
		}
		fh, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer fh.Close()
		if _, err := io.Copy(w, fh); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	return fmt.Errorf("%w %q", ErrUnknownFormat, string(f))
}

// WriteFile writes l to the file path in format f, replacing the file if
// it exists. Nothing is left at path when writing fails.
func WriteFile(path string, l Layer, f Format) (err error) {
	if f == GeoPackage {
		// SQLite writes the file itself; build it beside the target and
		// rename it into place.
		tmp := path + ".tmp"
		_ = os.Remove(tmp)
		if err := writeGPKG(tmp, l); err != nil {
			_ = os.Remove(tmp)
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			_ = os.Remove(tmp)
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	if _, err := ParseFormat(string(f)); err != nil {
		return err
	}
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() {
		if cerr := fh.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("export: %w", cerr)
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	return Write(fh, l, f)
}
