package export

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/durandline/durand/geo"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// GeoPackage constants (OGC 12-128r18, GeoPackage 1.3).
const (
	gpkgApplicationID = 0x47504B47 // "GPKG"
	gpkgUserVersion   = 10300      // 1.3.0
	rtreeDefinition   = "http://www.geopackage.org/spec120/#extension_rtree"
	wgs84Definition   = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],` +
		`AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],` +
		`UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],` +
		`AUTHORITY["EPSG","4326"]]`
)

// gpkgSchema creates the GeoPackage core tables (spec Annex C) and the
// extensions table.
const gpkgSchema = `
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
`

// rtreeTriggers are the spatial index triggers of the GeoPackage 1.3 R-tree
// extension (spec Annex F.3); <t>, <c> and <i> are replaced by the table,
// geometry column and primary key names. They call ST_* functions that
// SQLite does not define: they are created after the rows are written, and
// readers such as GDAL define the functions when they modify the table.
const rtreeTriggers = `
CREATE TRIGGER "rtree_<t>_<c>_insert" AFTER INSERT ON "<t>"
  WHEN (new."<c>" NOT NULL AND NOT ST_IsEmpty(NEW."<c>"))
BEGIN
  INSERT OR REPLACE INTO "rtree_<t>_<c>" VALUES (
    NEW."<i>",
    ST_MinX(NEW."<c>"), ST_MaxX(NEW."<c>"),
    ST_MinY(NEW."<c>"), ST_MaxY(NEW."<c>")
  );
END;
CREATE TRIGGER "rtree_<t>_<c>_update1" AFTER UPDATE OF "<c>" ON "<t>"
  WHEN OLD."<i>" = NEW."<i>" AND
       (NEW."<c>" NOTNULL AND NOT ST_IsEmpty(NEW."<c>"))
BEGIN
  INSERT OR REPLACE INTO "rtree_<t>_<c>" VALUES (
    NEW."<i>",
    ST_MinX(NEW."<c>"), ST_MaxX(NEW."<c>"),
    ST_MinY(NEW."<c>"), ST_MaxY(NEW."<c>")
  );
END;
CREATE TRIGGER "rtree_<t>_<c>_update2" AFTER UPDATE OF "<c>" ON "<t>"
  WHEN OLD."<i>" = NEW."<i>" AND
       (NEW."<c>" ISNULL OR ST_IsEmpty(NEW."<c>"))
BEGIN
  DELETE FROM "rtree_<t>_<c>" WHERE id = OLD."<i>";
END;
CREATE TRIGGER "rtree_<t>_<c>_update3" AFTER UPDATE ON "<t>"
  WHEN OLD."<i>" != NEW."<i>" AND
       (NEW."<c>" NOTNULL AND NOT ST_IsEmpty(NEW."<c>"))
BEGIN
  DELETE FROM "rtree_<t>_<c>" WHERE id = OLD."<i>";
  INSERT OR REPLACE INTO "rtree_<t>_<c>" VALUES (
    NEW."<i>",
    ST_MinX(NEW."<c>"), ST_MaxX(NEW."<c>"),
    ST_MinY(NEW."<c>"), ST_MaxY(NEW."<c>")
  );
END;
CREATE TRIGGER "rtree_<t>_<c>_update4" AFTER UPDATE ON "<t>"
  WHEN OLD."<i>" != NEW."<i>" AND
       (NEW."<c>" ISNULL OR ST_IsEmpty(NEW."<c>"))
BEGIN
  DELETE FROM "rtree_<t>_<c>" WHERE id IN (OLD."<i>", NEW."<i>");
END;
CREATE TRIGGER "rtree_<t>_<c>_delete" AFTER DELETE ON "<t>"
  WHEN old."<c>" NOT NULL
BEGIN
  DELETE FROM "rtree_<t>_<c>" WHERE id = OLD."<i>";
END;
`

// writeGPKG writes l as a GeoPackage 1.3 at path, which must not exist.
// The feature table is named after the layer, with an integer primary key
// fid, a geometry column geom (GeoPackage binary: header with an XY
// envelope, then ISO WKB) in EPSG:4326, and the attribute columns. It is
// written in one transaction: the core tables, the feature table and its
// rows, the metadata, then the R-tree index.
func writeGPKG(path string, l layers.Layer) error {
	if !validTableName(l.Name) {
		return fmt.Errorf("export: %q is not usable as a GeoPackage table name", l.Name)
	}
	if strings.ContainsAny(path, "?#") {
		return fmt.Errorf("export: GeoPackage path %q must not contain ? or #", path)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA application_id = %d; PRAGMA user_version = %d;",
		gpkgApplicationID, gpkgUserVersion)); err != nil {
		return gpkgError("header", err)
	}
	tx, err := db.Begin()
	if err != nil {
		return gpkgError("begin", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(gpkgSchema); err != nil {
		return gpkgError("schema", err)
	}
	if _, err := tx.Exec(`INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?, ?)`,
		wgs84Definition, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"); err != nil {
		return gpkgError("spatial reference", err)
	}
	geomType, promote := geometryTypeName(l.Features)
	bounds, err := writeFeatureTable(tx, l, geomType, promote)
	if err != nil {
		return err
	}
	if err := writeContents(tx, l, geomType, bounds); err != nil {
		return err
	}
	if err := writeRTree(tx, l, bounds); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return gpkgError("commit", err)
	}
	if err := db.Close(); err != nil {
		return gpkgError("close", err)
	}
	return nil
}

// gpkgError says which step of writing a GeoPackage failed.
func gpkgError(step string, err error) error {
	return fmt.Errorf("export: geopackage %s: %w", step, err)
}

// writeFeatureTable creates the feature table of l and writes its rows
// (Polygons as MultiPolygons when promote is set). It returns the
// envelope of each feature, empty for one without geometry.
func writeFeatureTable(tx *sql.Tx, l layers.Layer, geomType string, promote bool) ([]orb.Bound, error) {
	cols := columns(l)
	var ddl strings.Builder
	fmt.Fprintf(&ddl, `CREATE TABLE %s (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom %s`, quote(l.Name), geomType)
	for _, c := range cols {
		fmt.Fprintf(&ddl, ", %s %s", quote(c.name), columnTypes[c.kind].gpkg)
	}
	ddl.WriteString(")")
	if _, err := tx.Exec(ddl.String()); err != nil {
		return nil, gpkgError("feature table", err)
	}
	ins, err := tx.Prepare(fmt.Sprintf("INSERT INTO %s VALUES (?, ?%s)", quote(l.Name), strings.Repeat(", ?", len(cols))))
	if err != nil {
		return nil, gpkgError("insert", err)
	}
	defer ins.Close()
	bounds := make([]orb.Bound, len(l.Features))
	args := make([]any, 2+len(cols))
	for i, f := range l.Features {
		args[0], args[1] = i+1, nil // a feature without geometry has a NULL geom
		if g := f.Geometry; g != nil {
			if p, ok := g.(orb.Polygon); ok && promote {
				g = orb.MultiPolygon{p}
			}
			blob, fb, err := gpkgGeometry(g)
			if err != nil {
				return nil, gpkgError(fmt.Sprintf("feature %d", i), err)
			}
			args[1], bounds[i] = blob, fb
		}
		for j, c := range cols {
			v := value(f, c)
			if x, ok := v.(bool); ok { // SQLite has no booleans: 1 and 0
				v = 0
				if x {
					v = 1
				}
			}
			args[2+j] = v
		}
		if _, err := ins.Exec(args...); err != nil {
			return nil, gpkgError(fmt.Sprintf("feature %d", i), err)
		}
	}
	return bounds, nil
}

// writeContents registers the feature table in gpkg_contents, with the
// layer's title, description, attribution, licence and the extent of the
// features (bounds, of those with a geometry), and in
// gpkg_geometry_columns.
func writeContents(tx *sql.Tx, l layers.Layer, geomType string, bounds []orb.Bound) error {
	var b orb.Bound
	located := 0
	for i, fb := range bounds {
		if l.Features[i].Geometry == nil {
			continue
		}
		if located == 0 {
			b = fb
		} else {
			b = b.Union(fb)
		}
		located++
	}
	lastChange := unknownChange
	if !l.Updated.IsZero() {
		lastChange = l.Updated.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	identifier := l.Title
	if identifier == "" {
		identifier = l.Name
	}
	var minx, miny, maxx, maxy any
	if located > 0 {
		minx, miny, maxx, maxy = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	}
	if _, err := tx.Exec(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,
		min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 4326)`,
		l.Name, identifier, describe(l, " "), lastChange, minx, miny, maxx, maxy); err != nil {
		return gpkgError("contents", err)
	}
	if _, err := tx.Exec(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)`, l.Name, geomType); err != nil {
		return gpkgError("geometry columns", err)
	}
	return nil
}

// writeRTree writes the R-tree spatial index: the virtual table filled
// with the envelopes of the features with a geometry, then the triggers
// that keep it current, and its row in gpkg_extensions.
func writeRTree(tx *sql.Tx, l layers.Layer, bounds []orb.Bound) error {
	rt := quote("rtree_" + l.Name + "_geom")
	if _, err := tx.Exec(fmt.Sprintf("CREATE VIRTUAL TABLE %s USING rtree(id, minx, maxx, miny, maxy)", rt)); err != nil {
		return gpkgError("rtree", err)
	}
	rins, err := tx.Prepare(fmt.Sprintf("INSERT INTO %s VALUES (?, ?, ?, ?, ?)", rt))
	if err != nil {
		return gpkgError("rtree", err)
	}
	defer rins.Close()
	for i, fb := range bounds {
		if l.Features[i].Geometry == nil {
			continue
		}
		if _, err := rins.Exec(i+1, fb.Min[0], fb.Max[0], fb.Min[1], fb.Max[1]); err != nil {
			return gpkgError("rtree", err)
		}
	}
	trig := strings.NewReplacer("<t>", l.Name, "<c>", "geom", "<i>", "fid").Replace(rtreeTriggers)
	if _, err := tx.Exec(trig); err != nil {
		return gpkgError("rtree triggers", err)
	}
	if _, err := tx.Exec(`INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', ?, 'write-only')`, l.Name, rtreeDefinition); err != nil {
		return gpkgError("extensions", err)
	}
	return nil
}

// validTableName reports whether s can be a table name: letters, digits
// and underscores, not starting with a digit or "gpkg_".
func validTableName(s string) bool {
	if s == "" || strings.HasPrefix(strings.ToLower(s), "gpkg_") || strings.HasPrefix(strings.ToLower(s), "sqlite_") {
		return false
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// quote quotes an SQL identifier.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// geometryTypeName returns the GeoPackage geometry type of the features'
// geometries, and whether Polygons are to be written as MultiPolygons
// (a layer mixing the two is declared MULTIPOLYGON).
func geometryTypeName(fs []*geojson.Feature) (string, bool) {
	types := map[string]bool{}
	for _, f := range fs {
		if f.Geometry != nil {
			types[f.Geometry.GeoJSONType()] = true
		}
	}
	if len(types) == 2 && types["Polygon"] && types["MultiPolygon"] {
		return "MULTIPOLYGON", true
	}
	if len(types) != 1 {
		return "GEOMETRY", false
	}
	for t := range types {
		switch t {
		case "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon":
			return strings.ToUpper(t), false
		case "GeometryCollection":
			return "GEOMETRYCOLLECTION", false
		}
	}
	return "GEOMETRY", false
}

// gpkgGeometry encodes g as a GeoPackage binary geometry (spec 2.1.3): the
// header "GP", version 0, flags (little-endian, XY envelope), the SRS id
// and the envelope minx, maxx, miny, maxy, followed by the geometry as
// little-endian ISO WKB. It also returns the envelope.
func gpkgGeometry(g orb.Geometry) ([]byte, orb.Bound, error) {
	gg, err := geo.ToGeom(g)
	if err != nil {
		return nil, orb.Bound{}, err
	}
	body, err := wkb.Marshal(gg, wkb.NDR)
	if err != nil {
		return nil, orb.Bound{}, err
	}
	b := g.Bound()
	const envelopeXY = 1
	flags := byte(envelopeXY<<1) | 1 // bit 0: little-endian header values
	out := make([]byte, 8, 8+32+len(body))
	out[0], out[1], out[2], out[3] = 'G', 'P', 0, flags
	binary.LittleEndian.PutUint32(out[4:], uint32(geo.SRID))
	for _, v := range []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return append(out, body...), b, nil
}

// unknownChange is the last_change written when Layer.Updated is zero:
// the Unix epoch, a fixed value rather than the time of writing, so that
// the same features always give the same bytes (replicas serving one data
// version answer identical GeoPackages and ETags).
const unknownChange = "1970-01-01T00:00:00.000Z"
