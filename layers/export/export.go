package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/durandline/durand/layers"
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

// FileName returns the file name a layer is downloaded as, e.g.
// "durand-provinces.gpkg".
func FileName(layer string, f Format) string {
	return "durand-" + layer + "." + f.Ext()
}

// Write writes l to w in format f. A GeoPackage is built in a temporary
// file that is removed afterwards.
func Write(w io.Writer, l layers.Layer, f Format) error {
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
func WriteFile(path string, l layers.Layer, f Format) (err error) {
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

// describe returns the description of l followed by its attribution and
// licence ("Attribution: …", "Licence: …"), joined with sep, as the
// GeoPackage and KML documents carry them.
func describe(l layers.Layer, sep string) string {
	parts := make([]string, 0, 3)
	if l.Description != "" {
		parts = append(parts, l.Description)
	}
	if l.Attribution != "" {
		parts = append(parts, "Attribution: "+l.Attribution)
	}
	if l.Licence != "" {
		parts = append(parts, "Licence: "+l.Licence)
	}
	return strings.Join(parts, sep)
}
