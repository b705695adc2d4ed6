package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers/export"
)

// runExport implements `durand export --layer L --format F --out FILE`.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	layer := fs.String("layer", "", "layer to export: border, countries, provinces, districts (when installed), crossings, events or zones")
	format := fs.String("format", "", "geojson, gpkg, kml or csv (default: from the extension of --out)")
	out := fs.String("out", "", "file to write, replaced if it exists; - writes to standard output")
	dataDir := fs.String("data-dir", "", "data directory with installed districts (default: see 'durand data path')")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *layer == "" || *out == "" {
		return &usageError{"--layer and --out are required (durand export --layer L --format F --out FILE)"}
	}
	fname := *format
	if fname == "" {
		fname = strings.TrimPrefix(filepath.Ext(*out), ".")
		if fname == "" {
			return &usageError{"--format is required when --out has no extension"}
		}
	}
	f, err := export.ParseFormat(fname)
	if err != nil {
		return &usageError{err.Error()}
	}
	a, err := openAtlas(*dataDir)
	if err != nil {
		return err
	}
	if *layer == geo.LayerDistricts && !a.HasDistricts() {
		return errors.New("districts are not installed: run durand data install first")
	}
	l, err := export.FromAtlas(a, *layer)
	if errors.Is(err, geo.ErrUnknownLayer) {
		return &usageError{fmt.Sprintf("unknown layer %q (layers: %s)", *layer, strings.Join(export.Layers(a), ", "))}
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		return export.Write(stdout, l, f)
	}
	if err := export.WriteFile(*out, l, f); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "durand: wrote %d %s features to %s (%s)\n", len(l.Features), l.Name, *out, f)
	return nil
}
