package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/durandline/durand/layers"

	"github.com/durandline/durand/geo"
)

// infoReport is what `durand info --json` prints.
type infoReport struct {
	Layers           []layerInfo           `json:"layers"`
	BorderLengthKm   float64               `json:"border_length_km"`
	BorderVertices   int                   `json:"border_vertices"`
	CitedLengthKm    float64               `json:"cited_length_km"`
	LengthNote       string                `json:"length_note"`
	DistrictsPresent bool                  `json:"districts_installed"`
	Sources          []geo.LayerProvenance `json:"sources"`
}

type layerInfo struct {
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Features int    `json:"features"`
	Licence  string `json:"licence,omitempty"`
	Error    string `json:"error,omitempty"` // a layer that could not be built (the zones)
}

func runInfo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("info", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	dataDir := fs.String("data-dir", "", "data directory with installed districts (default: see 'durand data path')")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	a, err := openAtlas(*dataDir)
	if err != nil {
		return err
	}
	r := buildInfo(a)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tFEATURES\tTITLE")
	for _, l := range r.Layers {
		if l.Error != "" {
			fmt.Fprintf(tw, "%s\t-\t%s\n", l.Name, l.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", l.Name, l.Features, l.Title)
	}
	if !r.DistrictsPresent {
		fmt.Fprintln(tw, "districts\tnot installed (durand data install --from DIR)")
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nBorder length: %.1f km measured (%d vertices) vs %.0f km commonly cited.\n%s\n",
		r.BorderLengthKm, r.BorderVertices, r.CitedLengthKm, r.LengthNote)
	fmt.Fprintln(stdout, "\nSources and licences:")
	for _, s := range r.Sources {
		fmt.Fprintf(stdout, "  %-10s %s (%s) — %s\n", s.Layer, s.Package, s.Licence, s.Attribution)
	}
	return nil
}

func buildInfo(a *geo.Atlas) infoReport {
	r := infoReport{
		BorderLengthKm:   math.Round(a.BorderLength()/100) / 10,
		BorderVertices:   a.Border().Vertices(),
		CitedLengthKm:    geo.CitedBorderLengthKm,
		LengthNote:       geo.BorderLengthNote,
		DistrictsPresent: a.HasDistricts(),
		Sources:          a.Provenance().Layers,
	}
	// Every layer served and downloadable: the atlas's, then the crisis
	// layers (events, zones, computed here, and the crossing status
	// history) with their licences.
	for _, name := range layers.Layers(a) {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			r.Layers = append(r.Layers, layerInfo{Name: name, Features: -1, Error: err.Error()})
			continue
		}
		r.Layers = append(r.Layers, layerInfo{Name: name, Title: l.Title, Features: len(l.Features), Licence: l.Licence})
	}
	return r
}
