// Command locate-csv reads points from a CSV file (columns name,lon,lat with
// a header row; WGS84 degrees) and prints, for each, the country, province,
// district (when installed), the distance to the Durand Line and the nearest
// border crossing, as CSV on standard output.
//
//	go run ./examples/locate-csv < examples/locate-csv/places.csv
//	go run ./examples/locate-csv -data-dir DIR < places.csv
//
// It shows the whole library API a Go program needs: data.OpenDefault to
// load the embedded atlas plus the districts installed by `durand data
// install` (in the default data directory; -data-dir names another one),
// Atlas.Locate for each point.
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

func main() {
	dataDir := flag.String("data-dir", "", "directory with installed districts (default: the default data directory of `durand data path`, if it exists)")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "locate-csv:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, dataDir string) error {
	open := data.OpenDefault // the embedded atlas plus whatever is installed
	if dataDir != "" {
		open = func() (*geo.Atlas, error) { return data.Open(dataDir) }
	}
	atlas, err := open()
	if err != nil {
		return err
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = 3
	w := csv.NewWriter(out)
	defer w.Flush()
	if err := w.Write([]string{"name", "lon", "lat", "country", "province", "district", "border_km", "border_chainage_km", "nearest_crossing", "crossing_km"}); err != nil {
		return err
	}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return w.Error()
		}
		if err != nil {
			return err
		}
		if line == 1 && rec[1] == "lon" {
			continue // header
		}
		lon, err1 := strconv.ParseFloat(rec[1], 64)
		lat, err2 := strconv.ParseFloat(rec[2], 64)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		loc, err := atlas.Locate(orb.Point{lon, lat})
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := w.Write(row(rec[0], loc)); err != nil {
			return err
		}
	}
}

func row(name string, loc geo.Location) []string {
	crossing, crossingKm := "", ""
	if c := loc.NearestCrossing; c != nil {
		crossing, crossingKm = c.Name, strconv.FormatFloat(c.Metres/1000, 'f', 1, 64)
	}
	return []string{
		name,
		strconv.FormatFloat(loc.Lon, 'f', 5, 64),
		strconv.FormatFloat(loc.Lat, 'f', 5, 64),
		loc.Country, loc.Province, loc.District,
		strconv.FormatFloat(loc.Border.Metres/1000, 'f', 1, 64),
		strconv.FormatFloat(loc.Border.ChainageKm, 'f', 1, 64),
		crossing, crossingKm,
	}
}
