package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/durandline/durand/layers"

	"github.com/twpayne/go-geom/encoding/wkt"

	"github.com/durandline/durand/geo"
)

// writeCSV writes one row a feature: the geometry as WKT in the first
// column (named WKT, which GDAL recognises), the attribute columns, and the
// attribution in a last column.
func writeCSV(w io.Writer, l layers.Layer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cols := columns(l)
	head := make([]string, 0, len(cols)+2)
	head = append(head, "WKT")
	for _, c := range cols {
		head = append(head, c.name)
	}
	head = append(head, "attribution")
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	rec := make([]string, len(head))
	for i, f := range l.Features {
		rec[0] = "" // no geometry
		if f.Geometry != nil {
			g, err := geo.ToGeom(f.Geometry)
			if err != nil {
				return fmt.Errorf("export: feature %d: %w", i, err)
			}
			if rec[0], err = wkt.Marshal(g); err != nil {
				return fmt.Errorf("export: feature %d: %w", i, err)
			}
		}
		for j, c := range cols {
			rec[j+1], _ = cell(value(f, c))
		}
		rec[len(rec)-1] = l.Attribution
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// CSVTypes returns the .csvt sidecar of the CSV of l: one line naming the
// type of each column as GDAL's CSV driver reads it (WKT, String, Real,
// Integer, Integer(Boolean), Date). GDAL reads it when it lies beside the .csv
// with the same base name, also over HTTP (/vsicurl/).
func CSVTypes(l layers.Layer) string {
	cols := columns(l)
	types := make([]string, 0, len(cols)+2)
	types = append(types, "WKT")
	for _, c := range cols {
		types = append(types, columnTypes[c.kind].csvt)
	}
	types = append(types, "String")
	return strings.Join(types, ",") + "\n"
}

// PRJ is the .prj sidecar of the CSV files: their coordinates are WGS 84
// longitude, latitude in degrees, written as the ESRI WKT that GDAL's CSV
// driver reads beside a .csv.
const PRJ = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]` + "\n"
