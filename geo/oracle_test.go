package geo_test

// The PostGIS oracle: the geodesy and the atlas queries of package geo
// checked against PostGIS's geography type (spheroidal distances after
// GeographicLib, spherical edges) on a throwaway server. The test needs
// PostgreSQL and PostGIS: outside CI it is skipped when they are missing,
// under CI it fails (see geotest.StartPostGIS).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// oracleTolerance is the relative difference allowed between a distance
// computed by package geo and by PostGIS: 0.01 %.
const oracleTolerance = 1e-4

// The region the random points are drawn from: Afghanistan, Pakistan and
// the border between them.
const (
	regionMinLon, regionMaxLon = 60.0, 75.5
	regionMinLat, regionMaxLat = 29.0, 37.5
)

func TestPostGISOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("the PostGIS oracle does not run in -short mode")
	}
	pg := geotest.StartPostGIS(t)
	if rows := pg.Query(t, "SELECT postgis_full_version();"); len(rows) == 1 {
		t.Logf("oracle: %s", rows[0][0])
	}
	t.Run("point distance", func(t *testing.T) { oraclePointDistance(t, pg) })
	t.Run("border length", func(t *testing.T) { oracleBorderLength(t, pg) })
	t.Run("atlas", func(t *testing.T) { oracleAtlas(t, pg) })
}

// fmtFloat prints v so that PostgreSQL reads back the same float64.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// parseFloat parses a float printed by psql; an error fails the test.
func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("PostGIS printed %q: %v", s, err)
	}
	return v
}

func randomRegionPoint(rng *rand.Rand) orb.Point {
	return orb.Point{
		regionMinLon + (regionMaxLon-regionMinLon)*rng.Float64(),
		regionMinLat + (regionMaxLat-regionMinLat)*rng.Float64(),
	}
}

// relErr is |got-want| relative to want; for want == 0 it is |got|.
func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// oraclePointDistance compares geo.Distance with ST_Distance on geography
// (spheroid) for seeded random pairs in the region and long-haul pairs.
func oraclePointDistance(t *testing.T, pg *geotest.PostGIS) {
	rng := rand.New(rand.NewPCG(1893, 11)) // 1893: the Durand Line agreement
	var pairs [][2]orb.Point
	for i := 0; i < 5000; i++ {
		pairs = append(pairs, [2]orb.Point{randomRegionPoint(rng), randomRegionPoint(rng)})
	}
	kabul := orb.Point{69.1723, 34.5281}
	pairs = append(pairs,
		[2]orb.Point{kabul, kabul},                             // identical
		[2]orb.Point{kabul, {69.1723, 34.52811}},               // about a metre
		[2]orb.Point{kabul, {-74.006, 40.7128}},                // New York
		[2]orb.Point{{67.0011, 24.8607}, {151.2093, -33.8688}}, // Karachi – Sydney
		[2]orb.Point{{73.0479, 33.6844}, {-58.3816, -34.6037}}, // Islamabad – Buenos Aires
		[2]orb.Point{kabul, {-110.5, -34.2}},                   // near-antipodal
		[2]orb.Point{{-73.8, 40.6}, {-0.5, 51.6}},              // GeographicLib's JFK – Heathrow
		[2]orb.Point{{0, 0}, {179.5, 0}},                       // equator, beyond (1-f)*180 deg
		[2]orb.Point{{0, 89.9}, {180, 89.9}},                   // over the pole
		[2]orb.Point{{179.9, -16.5}, {-179.9, -16.6}},          // across the antimeridian
	)

	var b strings.Builder
	b.WriteString("SELECT id, ST_Distance(ST_SetSRID(ST_MakePoint(x1, y1), 4326)::geography, " +
		"ST_SetSRID(ST_MakePoint(x2, y2), 4326)::geography, true)\nFROM (VALUES\n")
	for i, p := range pairs {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "(%d, %s::float8, %s::float8, %s::float8, %s::float8)", i,
			fmtFloat(p[0][0]), fmtFloat(p[0][1]), fmtFloat(p[1][0]), fmtFloat(p[1][1]))
	}
	b.WriteString(") AS v(id, x1, y1, x2, y2) ORDER BY id;\n")
	rows := pg.Query(t, b.String())
	if len(rows) != len(pairs) {
		t.Fatalf("PostGIS returned %d rows for %d pairs", len(rows), len(pairs))
	}

	var maxRel, maxAbs float64
	worst := -1
	failures := 0
	for i, row := range rows {
		want := parseFloat(t, row[1])
		got := geo.Distance(pairs[i][0], pairs[i][1])
		rel := relErr(got, want)
		if want < 1 { // identical points: judge in metres
			rel = math.Abs(got - want)
		}
		if rel > maxRel {
			maxRel, worst = rel, i
		}
		maxAbs = max(maxAbs, math.Abs(got-want))
		if rel > oracleTolerance {
			failures++
			if failures <= 10 {
				t.Errorf("pair %d %v–%v: geo.Distance %.6f m, PostGIS %.6f m (relative error %.3g)",
					i, pairs[i][0], pairs[i][1], got, want, rel)
			}
		}
	}
	if failures > 10 {
		t.Errorf("… %d pairs out of tolerance in all", failures)
	}
	t.Logf("geo.Distance vs ST_Distance(geography): %d pairs, max relative error %.3g (pair %d), max absolute error %.3g m",
		len(pairs), maxRel, worst, maxAbs)
}

// atlasDir returns the directory of the atlas files, or skips the test
// naming the files that are not there yet.
func atlasDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := filepath.Join(geotest.RepoRoot(t), "data")
	var missing []string
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		t.Skipf("atlas not built yet: data/%s missing", strings.Join(missing, ", data/"))
	}
	return dir
}

// readFeatures reads a GeoJSON FeatureCollection file.
func readFeatures(t *testing.T, path string) []*geojson.Feature {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return fc.Features
}

// readBorder returns the border LineString of border.geojson.
func readBorder(t *testing.T, dir string) orb.LineString {
	t.Helper()
	for _, f := range readFeatures(t, filepath.Join(dir, geo.FileBorder)) {
		if ls, ok := f.Geometry.(orb.LineString); ok {
			return ls
		}
	}
	t.Fatalf("%s holds no LineString", geo.FileBorder)
	return nil
}

// geoJSONLiteral returns g as GeoJSON in a dollar-quoted SQL literal.
func geoJSONLiteral(t *testing.T, g orb.Geometry) string {
	t.Helper()
	b, err := geojson.NewGeometry(g).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "$g$") {
		t.Fatal("GeoJSON contains the SQL quote $g$")
	}
	return "$g$" + string(b) + "$g$"
}

// oracleBorderLength compares geo.LineLength of the border with
// ST_Length on geography (spheroid).
func oracleBorderLength(t *testing.T, pg *geotest.PostGIS) {
	dir := atlasDir(t, geo.FileBorder)
	line := readBorder(t, dir)
	rows := pg.Query(t, fmt.Sprintf(
		"SELECT ST_Length(g::geography, true), ST_NPoints(g) FROM (SELECT ST_GeomFromGeoJSON(%s) AS g) s;",
		geoJSONLiteral(t, line)))
	want := parseFloat(t, rows[0][0])
	if n, _ := strconv.Atoi(rows[0][1]); n != len(line) {
		t.Fatalf("PostGIS read %d vertices, the file has %d", n, len(line))
	}
	got := geo.LineLength(line)
	rel := relErr(got, want)
	t.Logf("border: %d vertices, geo.LineLength %.3f m, ST_Length(geography) %.3f m, relative error %.3g",
		len(line), got, want, rel)
	if rel > oracleTolerance {
		t.Errorf("border length: geo.LineLength %.3f m, PostGIS %.3f m (relative error %.3g > %g)",
			got, want, rel, oracleTolerance)
	}
}

// oraclePoint is a test point and what the atlas says about it.
type oraclePoint struct {
	p        orb.Point
	metres   float64 // Atlas.DistanceToBorder
	country  string  // Atlas.Locate
	nearLine bool    // drawn near the border on purpose
}

// oracleAtlas checks the atlas's distance to the border and its country
// containment against PostGIS for seeded random points.
func oracleAtlas(t *testing.T, pg *geotest.PostGIS) {
	dir := atlasDir(t, geo.FileBorder, geo.FileCountries, geo.FileProvinces, geo.FileCrossings, geo.FileProvenance)
	a, err := geo.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("geo.Load(data): %v", err)
	}
	line := readBorder(t, dir)

	// Load the border and the countries, and the countries with their
	// holes filled (the sovereign area: inland water belongs to the
	// country), into PostGIS.
	var sql strings.Builder
	fmt.Fprintf(&sql, "CREATE TABLE border AS SELECT ST_GeomFromGeoJSON(%s)::geography AS g;\n", geoJSONLiteral(t, line))
	sql.WriteString("CREATE TABLE country (iso3 text PRIMARY KEY, g geometry);\n")
	countries := 0
	for _, f := range readFeatures(t, filepath.Join(dir, geo.FileCountries)) {
		iso3 := f.Properties.MustString("iso3", fmt.Sprint(f.ID))
		if iso3 != "AFG" && iso3 != "PAK" {
			continue
		}
		fmt.Fprintf(&sql, "INSERT INTO country VALUES ('%s', ST_GeomFromGeoJSON(%s));\n", iso3, geoJSONLiteral(t, f.Geometry))
		countries++
	}
	if countries != 2 {
		t.Fatalf("%s: found %d of the countries AFG and PAK", geo.FileCountries, countries)
	}
	// The water notches: faces of the country's outline noded with the
	// border line that lie outside both countries' filled polygons (the
	// border runs across the mouth of water the outline goes round).
	sql.WriteString(`CREATE TABLE filled AS
  SELECT iso3, ST_Multi(ST_Collect(ST_MakePolygon(ST_ExteriorRing(d.geom)))) AS g
  FROM country, LATERAL ST_Dump(country.g) AS d GROUP BY iso3;
CREATE TABLE notch AS
  SELECT f.iso3, (ST_Dump(ST_Polygonize(ST_Union(ST_Boundary(f.g), b.g::geometry)))).geom AS g
  FROM filled f, border b GROUP BY f.iso3;
DELETE FROM notch n USING filled f WHERE ST_Covers(f.g, ST_PointOnSurface(n.g));
CREATE TABLE sovereign AS
  SELECT f.iso3, ST_Multi(ST_Union(f.g, COALESCE((SELECT ST_Union(n.g) FROM notch n WHERE n.iso3 = f.iso3), 'POLYGON EMPTY'::geometry))) AS g
  FROM filled f;
SELECT iso3, ST_NumGeometries(g), ST_NPoints(g), (SELECT count(*) FROM notch n WHERE n.iso3 = s.iso3) FROM sovereign s ORDER BY iso3;
`)
	script := filepath.Join(t.TempDir(), "atlas.sql")
	if err := os.WriteFile(script, []byte(sql.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, row := range pg.ExecFile(t, script) {
		t.Logf("PostGIS sovereign %s: %s polygons, %s vertices, %s water notches along the border", row[0], row[1], row[2], row[3])
	}

	// 1,000 points across the region and 300 within 3 km of a random
	// border vertex, where containment decisions are close.
	rng := rand.New(rand.NewPCG(1893, 2))
	var pts []oraclePoint
	for i := 0; i < 1000; i++ {
		pts = append(pts, oraclePoint{p: randomRegionPoint(rng)})
	}
	for i := 0; i < 300; i++ {
		v := line[rng.IntN(len(line))]
		pts = append(pts, oraclePoint{p: geo.Destination(v, 360*rng.Float64(), 3000*rng.Float64()), nearLine: true})
	}
	for i := range pts {
		d, err := a.DistanceToBorder(pts[i].p)
		if err != nil {
			t.Fatalf("DistanceToBorder(%v): %v", pts[i].p, err)
		}
		loc, err := a.Locate(pts[i].p)
		if err != nil {
			t.Fatalf("Locate(%v): %v", pts[i].p, err)
		}
		pts[i].metres, pts[i].country = d.Metres, loc.Country
	}

	var q strings.Builder
	q.WriteString("CREATE TABLE pts (id int PRIMARY KEY, p geometry);\nINSERT INTO pts VALUES\n")
	for i, pt := range pts {
		if i > 0 {
			q.WriteString(",\n")
		}
		fmt.Fprintf(&q, "(%d, ST_SetSRID(ST_MakePoint(%s, %s), 4326))", i, fmtFloat(pt.p[0]), fmtFloat(pt.p[1]))
	}
	q.WriteString(`;
SELECT id, ST_Distance(pts.p::geography, border.g, true), ST_Covers(afg.g, pts.p), ST_Covers(pak.g, pts.p)
FROM pts, border,
  (SELECT g FROM sovereign WHERE iso3 = 'AFG') AS afg,
  (SELECT g FROM sovereign WHERE iso3 = 'PAK') AS pak
ORDER BY id;
`)
	rows := pg.Query(t, q.String())
	if len(rows) != len(pts) {
		t.Fatalf("PostGIS returned %d rows for %d points", len(rows), len(pts))
	}

	t.Run("border length", func(t *testing.T) {
		want := parseFloat(t, pg.Query(t, "SELECT ST_Length(g, true) FROM border;")[0][0])
		if rel := relErr(a.BorderLength(), want); rel > oracleTolerance {
			t.Errorf("Atlas.BorderLength %.3f m, PostGIS %.3f m (relative error %.3g)", a.BorderLength(), want, rel)
		}
	})

	t.Run("distance to border", func(t *testing.T) {
		var maxRel, maxAbs float64
		var suspects []int
		for i, row := range rows {
			want := parseFloat(t, row[1])
			got := pts[i].metres
			diff := math.Abs(got - want)
			if diff > oracleTolerance*want+1 {
				suspects = append(suspects, i)
				continue
			}
			maxAbs = max(maxAbs, diff)
			if want > 1000 { // relative errors of tiny distances say little
				maxRel = max(maxRel, diff/want)
			}
		}
		t.Logf("DistanceToBorder vs ST_Distance(geography): %d of %d points agree, max relative error %.3g (distances > 1 km), max absolute error %.3g m",
			len(pts)-len(suspects), len(pts), maxRel, maxAbs)
		if len(suspects) == 0 {
			return
		}
		// PostGIS picks the nearest point of a line on the sphere and
		// measures the spheroidal distance to it. When two parts of the
		// border are almost equally far, the sphere and the ellipsoid can
		// disagree on which is nearer, and PostGIS then overstates the
		// distance by up to the flattening (0.3 %). Settle those points with
		// a brute-force minimum, still in PostGIS: spheroidal distances to
		// every vertex of the border segmentized to 50 m (error below
		// (25 m)^2 / 2d, under 0.1 m beyond 5 km).
		ids := make([]string, len(suspects))
		for k, i := range suspects {
			ids[k] = strconv.Itoa(i)
		}
		dense := pg.Query(t, fmt.Sprintf(`
CREATE TEMP TABLE dense AS SELECT (ST_DumpPoints(ST_Segmentize(g, 50)::geometry)).geom::geography AS v FROM border;
SELECT pts.id, (SELECT min(ST_Distance(pts.p::geography, dense.v, true)) FROM dense)
FROM pts WHERE pts.id IN (%s) ORDER BY pts.id;`, strings.Join(ids, ",")))
		failures := 0
		for k, row := range dense {
			i := suspects[k]
			sphere := parseFloat(t, rows[i][1])
			brute := parseFloat(t, row[1])
			got := pts[i].metres
			diff := math.Abs(got - brute)
			if diff <= oracleTolerance*brute+1 && got <= sphere+1 {
				t.Logf("point %d %v: DistanceToBorder %.3f m; ST_Distance %.3f m picks a farther part of the border on the sphere; brute-force minimum %.3f m (agrees, off by %.3f m)",
					i, pts[i].p, got, sphere, brute, diff)
				continue
			}
			if failures++; failures <= 10 {
				t.Errorf("point %d %v: DistanceToBorder %.3f m, PostGIS ST_Distance %.3f m, brute-force minimum %.3f m (off by %.3f m)",
					i, pts[i].p, got, sphere, brute, diff)
			}
		}
		if failures > 10 {
			t.Errorf("… %d points out of tolerance in all", failures)
		}
	})

	t.Run("country", func(t *testing.T) {
		counts := map[string]int{}
		var suspects []int
		for i, row := range rows {
			inAFG, inPAK := row[2] == "t", row[3] == "t"
			want := ""
			switch {
			case inAFG && inPAK: // on the shared boundary: either answer
				if pts[i].country == "AFG" || pts[i].country == "PAK" {
					counts[pts[i].country]++
					continue
				}
				want = "AFG or PAK"
			case inAFG:
				want = "AFG"
			case inPAK:
				want = "PAK"
			}
			if pts[i].country != want {
				suspects = append(suspects, i)
				continue
			}
			counts[want]++
		}
		excused := 0
		if len(suspects) > 0 {
			// A point within a metre of a country's outline may fall
			// either way (planar and spherical edges, rounding).
			var ids []string
			for _, i := range suspects {
				ids = append(ids, strconv.Itoa(i))
			}
			near := pg.Query(t, fmt.Sprintf(`SELECT id, min(ST_Distance(pts.p::geography, ST_Boundary(s.g)::geography, true))
FROM pts, sovereign s WHERE id IN (%s) GROUP BY id ORDER BY id;`, strings.Join(ids, ",")))
			failures := 0
			for k, row := range near {
				i := suspects[k]
				if d := parseFloat(t, row[1]); d <= 1 {
					excused++
					continue
				} else if failures++; failures <= 10 {
					want := map[[2]bool]string{{true, false}: "AFG", {false, true}: "PAK", {false, false}: `""`}[[2]bool{rows[i][2] == "t", rows[i][3] == "t"}]
					t.Errorf("point %d %v (near-border sample %v): Locate says %q, PostGIS ST_Covers says %s; %.1f m from the outline",
						i, pts[i].p, pts[i].nearLine, pts[i].country, want, d)
				}
			}
			if failures > 10 {
				t.Errorf("… %d points disagree in all", failures)
			}
		}
		t.Logf("Locate vs ST_Covers(sovereign polygons): %d points (AFG %d, PAK %d, neither %d), %d excused within 1 m of an outline",
			len(pts), counts["AFG"], counts["PAK"], counts[""], excused)
	})
}
