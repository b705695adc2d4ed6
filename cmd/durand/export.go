package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/durandline/durand/layers"

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
	asJSON := fs.Bool("json", false, "print what was written (file, layer, format, features, bytes) as JSON on standard output")
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
	l, err := layers.FromAtlas(a, *layer)
	if errors.Is(err, geo.ErrUnknownLayer) {
		return &usageError{fmt.Sprintf("unknown layer %q (layers: %s)", *layer, strings.Join(layers.Layers(a), ", "))}
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		if *asJSON {
			return &usageError{"--json needs --out FILE: with --out - the layer itself goes to standard output"}
		}
		return export.Write(stdout, l, f)
	}
	if err := export.WriteFile(*out, l, f); err != nil {
		return err
	}
	rep := exportReport{Out: *out, Layer: l.Name, Format: f.Ext(), Features: len(l.Features)}
	if fi, err := os.Stat(*out); err == nil {
		rep.Bytes = fi.Size()
	}
	fmt.Fprintf(stderr, "durand export: wrote %d %s features to %s (%s, %s)\n", rep.Features, rep.Layer, rep.Out, rep.Format, humanBytes(rep.Bytes))
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return nil
}

// exportReport is what `durand export --json` prints.
type exportReport struct {
	Out      string `json:"out"`
	Layer    string `json:"layer"`
	Format   string `json:"format"`
	Features int    `json:"features"`
	Bytes    int64  `json:"bytes"`
}
