package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"
)

func runLocate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("locate", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	dataDir := fs.String("data-dir", "", "data directory with installed districts (default: see 'durand data path')")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: durand locate [--json] [--data-dir DIR] LON LAT")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return &usageError{"want two arguments: LON LAT (WGS84 degrees)"}
	}
	lon, err1 := strconv.ParseFloat(fs.Arg(0), 64)
	lat, err2 := strconv.ParseFloat(fs.Arg(1), 64)
	if err1 != nil || err2 != nil {
		return &usageError{fmt.Sprintf("LON and LAT must be numbers, got %q %q", fs.Arg(0), fs.Arg(1))}
	}
	a, err := openAtlas(*dataDir)
	if err != nil {
		return err
	}
	loc, err := a.Locate(orb.Point{lon, lat})
	if err != nil {
		return &usageError{err.Error()}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(loc)
	}
	country := loc.CountryName
	if country == "" {
		country = "outside Afghanistan and Pakistan"
	}
	fmt.Fprintf(stdout, "point:     %.5f E %.5f N\ncountry:   %s\n", lon, lat, country)
	if loc.Province != "" {
		fmt.Fprintf(stdout, "province:  %s\n", loc.Province)
	}
	switch {
	case loc.District != "" && loc.DistrictDistanceM > 0:
		fmt.Fprintf(stdout, "district:  %s (nearest, %.0f m outside its polygon)\n", loc.District, loc.DistrictDistanceM)
	case loc.District != "":
		fmt.Fprintf(stdout, "district:  %s\n", loc.District)
	}
	fmt.Fprintf(stdout, "border:    %.3f km away, nearest border point %.5f E %.5f N at km %.3f\n",
		loc.Border.Metres/1000, loc.Border.Point[0], loc.Border.Point[1], loc.Border.ChainageKm)
	if c := loc.NearestCrossing; c != nil {
		fmt.Fprintf(stdout, "crossing:  %s, %.3f km away\n", c.Name, c.Metres/1000)
	}
	return nil
}
