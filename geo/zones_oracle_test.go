package geo_test

// The band oracle: points sampled on the outer edge of the border bands,
// measured by PostGIS ST_Distance on geography (spheroid) to the border.
// Needs PostgreSQL and PostGIS: skipped outside CI when missing, a failure
// under CI (see geotest.StartPostGIS).

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
)

func TestBorderBandPostGISOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("the PostGIS oracle does not run in -short mode")
	}
	pg := geotest.StartPostGIS(t)
	dir := atlasDir(t, geo.FileBorder, geo.FileCountries, geo.FileProvinces, geo.FileCrossings, geo.FileProvenance)
	a, err := geo.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	line := readBorder(t, dir)
	var sql strings.Builder
	fmt.Fprintf(&sql, "CREATE TABLE border AS SELECT ST_GeomFromGeoJSON(%s)::geography AS g;\n", geoJSONLiteral(t, line))
	sql.WriteString("CREATE TABLE pts (band text, id int, p geography);\n")
	type sample struct {
		km float64
		n  int
	}
	samples := []sample{{5, 1000}, {10, 1000}, {25, 1000}, {50, 1000}}
	var keys []string
	for _, s := range samples {
		zs, err := a.BorderBand(s.km)
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range zs {
			ctry, err := a.Country(z.Country)
			if err != nil {
				t.Fatal(err)
			}
			outer, _ := bandEdges(z, ctry.Geometry)
			pts := samplePoints(outer, s.n)
			keys = append(keys, z.ID)
			sql.WriteString("INSERT INTO pts VALUES\n")
			for i, p := range pts {
				if i > 0 {
					sql.WriteString(",\n")
				}
				fmt.Fprintf(&sql, "('%s', %d, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)", z.ID, i, fmtFloat(p[0]), fmtFloat(p[1]))
			}
			sql.WriteString(";\n")
		}
	}
	sql.WriteString("SELECT band, id, ST_Distance(pts.p, border.g, true) FROM pts, border ORDER BY band, id;\n")
	script := filepath.Join(t.TempDir(), "bands.sql")
	if err := os.WriteFile(script, []byte(sql.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := pg.ExecFile(t, script)
	worst := map[string]float64{}
	count := map[string]int{}
	for _, row := range rows {
		if len(row) != 3 {
			continue
		}
		band := row[0]
		km, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(band, "km-", 2)[0], "band-"), "km"), 64)
		if err != nil {
			continue
		}
		d := parseFloat(t, row[2])
		rel := (d - km*1000) / (km * 1000)
		count[band]++
		if math.Abs(rel) > math.Abs(worst[band]) {
			worst[band] = rel
		}
		if math.Abs(rel) > 0.01 {
			t.Errorf("%s point %s: ST_Distance %.1f m, want %.0f m ± 1 %%", band, row[1], d, km*1000)
		}
	}
	for _, k := range keys {
		if count[k] == 0 {
			t.Errorf("%s: PostGIS returned no distances", k)
		}
		t.Logf("%s: %d points, worst relative error %+.4f (PostGIS ST_Distance(geography))", k, count[k], worst[k])
	}
}
