package postgis

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
)

// Report describes a completed Load.
type Report struct {
	Schema          string        `json:"schema"`
	DataVersion     string        `json:"data_version"`
	PreviousVersion string        `json:"previous_version,omitempty"` // "" on the first load
	Tables          []TableCount  `json:"tables"`
	Duration        time.Duration `json:"duration_ns"`
}

// TableCount is the number of rows written to one table.
type TableCount struct {
	Table string `json:"table"`
	File  string `json:"file,omitempty"` // "" for derived tables (zones)
	Rows  int    `json:"rows"`
}

// loadTable is one table's rows, ready for COPY.
type loadTable struct {
	name    string
	file    string
	columns []string
	rows    [][]any
}

// Load writes the atlas files of fsys (the fs.FS geo.Load reads, for
// example data.Merged(dir)) into the schema of opt, creating the schema
// first if needed. The files are checked with geo.Load before anything is
// written. Everything happens in one transaction: on any error, a
// cancelled ctx or a killed connection the previous content stays as it
// was. Loading the same files again gives the same rows and data version.
func Load(ctx context.Context, db DB, fsys fs.FS, opt Options) (Report, error) {
	start := time.Now()
	rep := Report{Schema: opt.schema()}
	atlas, err := geo.Load(fsys)
	if err != nil {
		return rep, fmt.Errorf("%w: %w", ErrData, err)
	}
	if opt.Buffers != nil {
		atlas.UseBufferCache(opt.Buffers)
	}
	if rep.DataVersion, err = geo.DataVersion(fsys); err != nil {
		return rep, err
	}
	// Zones take most of the CPU time of a load: derive them meanwhile.
	zch := make(chan zoneResult, 1)
	go func() {
		lt, err := zoneRows(atlas)
		zch <- zoneResult{lt, err}
	}()
	in, err := prepareLoad(fsys, atlas)
	if err != nil {
		return rep, err
	}

	tx, err := db.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return rep, connError(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := prepareSchema(ctx, tx, opt); err != nil {
		return rep, err
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT data_version FROM durand_meta), '')`).Scan(&rep.PreviousVersion); err != nil {
		return rep, connError(err)
	}
	if rep.Tables, err = copyTables(ctx, tx, opt, append(in.tables, loadTable{name: "zones"}), zch); err != nil {
		return rep, err
	}
	if err := finishLoad(ctx, tx, opt, rep.DataVersion, in); err != nil {
		return rep, err
	}
	if err := tx.Commit(ctx); err != nil {
		return rep, connError(err)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// zoneResult is the zones table derived beside a load, or why not.
type zoneResult struct {
	lt  loadTable
	err error
}

// loadInput is what a load writes, read and checked before the
// transaction starts: the tables of the files, the provenance documents
// and the record of which files were present (with their CSV headers).
type loadInput struct {
	tables    []loadTable
	prov      []byte
	distProv  *string // nil without installed districts
	filesJSON []byte
}

// prepareLoad reads the files of fsys into the rows of their tables.
func prepareLoad(fsys fs.FS, atlas *geo.Atlas) (loadInput, error) {
	var in loadInput
	meta := map[string]any{}
	for _, t := range tables {
		lt, header, present, err := prepare(fsys, atlas, t)
		if err != nil {
			return in, fmt.Errorf("%w: %s: %w", ErrData, t.file, err)
		}
		if present {
			if header != nil {
				meta[t.file] = header
			} else {
				meta[t.file] = nil
			}
		}
		in.tables = append(in.tables, lt)
	}
	var err error
	if in.prov, err = fs.ReadFile(fsys, geo.FileProvenance); err != nil {
		return in, fmt.Errorf("%w: %w", ErrData, err)
	}
	if b, err := fs.ReadFile(fsys, geo.FileDistrictsProvenance); err == nil {
		s := string(b)
		in.distProv = &s
		meta[geo.FileDistrictsProvenance] = nil
	}
	meta[geo.FileProvenance] = nil
	in.filesJSON, err = json.Marshal(meta)
	return in, err
}

// prepareSchema sets the transaction's statement timeout, takes the
// schema's advisory lock, and creates the PostGIS extension, the schema
// and its tables where missing; a schema written by another version of
// durand is refused (ErrSchemaVersion), never altered.
func prepareSchema(ctx context.Context, tx pgx.Tx, opt Options) error {
	ident := pgx.Identifier{opt.schema()}.Sanitize()
	ms := max(opt.timeout().Milliseconds(), 0)
	steps := []struct {
		sql  string
		args []any
	}{
		{`SELECT set_config('statement_timeout', $1, true)`, []any{fmt.Sprint(ms)}},
		{`SELECT pg_advisory_xact_lock(hashtext('durand.pgstore:' || $1))`, []any{opt.schema()}},
	}
	for _, s := range steps {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return connError(err)
		}
	}
	if err := ensurePostGIS(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+ident); err != nil {
		return connError(err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('search_path', quote_ident($1) || ', ' || current_setting('search_path'), true)`, opt.schema()); err != nil {
		return connError(err)
	}
	// A schema of another version is not touched: CREATE ... IF NOT EXISTS
	// would leave its tables as they are.
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, ident+".durand_meta").Scan(&exists); err != nil {
		return connError(err)
	}
	if exists {
		var have int32
		err := tx.QueryRow(ctx, `SELECT schema_version FROM durand_meta`).Scan(&have)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return connError(err)
		}
		if err == nil && have != SchemaVersion {
			return fmt.Errorf("%w: schema %s has version %d, this durand writes %d; drop it (DROP SCHEMA %s CASCADE) and load again",
				ErrSchemaVersion, opt.schema(), have, SchemaVersion, ident)
		}
	}
	if _, err := tx.Exec(ctx, schemaSQL); err != nil {
		return fmt.Errorf("pgstore: creating the schema: %w", err)
	}
	return registerGeometry(ctx, tx)
}

// copyTables replaces the rows of every table of lts by its rows, with
// COPY; the table named zones takes its rows from zch when its turn comes.
func copyTables(ctx context.Context, tx pgx.Tx, opt Options, lts []loadTable, zch <-chan zoneResult) ([]TableCount, error) {
	var counts []TableCount
	for _, lt := range lts {
		if lt.name == "zones" {
			zr := <-zch
			if zr.err != nil {
				return counts, fmt.Errorf("%w: zones: %w", ErrData, zr.err)
			}
			lt = zr.lt
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{lt.name}.Sanitize()); err != nil {
			return counts, connError(err)
		}
		if len(lt.rows) > 0 {
			n, err := tx.CopyFrom(ctx, pgx.Identifier{opt.schema(), lt.name}, lt.columns, pgx.CopyFromRows(lt.rows))
			if err != nil {
				return counts, fmt.Errorf("pgstore: copying %s into %s: %w", lt.file, lt.name, err)
			}
			if int(n) != len(lt.rows) {
				return counts, fmt.Errorf("pgstore: copied %d of %d rows into %s", n, len(lt.rows), lt.name)
			}
		}
		counts = append(counts, TableCount{Table: lt.name, File: lt.file, Rows: len(lt.rows)})
		if opt.Progress != nil {
			opt.Progress(lt.name, len(lt.rows))
		}
	}
	return counts, nil
}

// finishLoad moves the identity sequences past the loaded rows, so that
// rows added later (QGIS) get keys after them, and records the load in
// durand_meta.
func finishLoad(ctx context.Context, tx pgx.Tx, opt Options, version string, in loadInput) error {
	for _, t := range []string{"crossing_status", "altnames"} {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'ord'), coalesce((SELECT max(ord) FROM `+
			pgx.Identifier{t}.Sanitize()+`), 0) + 1, false)`, opt.schema()+"."+t); err != nil {
			return connError(err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO durand_meta (singleton, schema_version, data_version, provenance, districts_provenance, files, loaded_at)
		VALUES (true, $1, $2, $3::jsonb, $4::jsonb, $5::jsonb, now())
		ON CONFLICT (singleton) DO UPDATE SET schema_version = excluded.schema_version, data_version = excluded.data_version,
			provenance = excluded.provenance, districts_provenance = excluded.districts_provenance,
			files = excluded.files, loaded_at = excluded.loaded_at`,
		SchemaVersion, version, string(in.prov), in.distProv, string(in.filesJSON)); err != nil {
		return connError(err)
	}
	return nil
}

// ensurePostGIS creates the postgis extension if it is missing.
func ensurePostGIS(ctx context.Context, tx pgx.Tx) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')`).Scan(&ok); err != nil {
		return connError(err)
	}
	if ok {
		return nil
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT postgis`); err != nil {
		return connError(err)
	}
	if _, err := tx.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		return fmt.Errorf("%w (CREATE EXTENSION postgis: %v); install PostGIS or ask the database owner to create the extension", ErrNoPostGIS, err)
	}
	return nil
}

// registerGeometry lets COPY send geometries as EWKB: PostGIS' binary
// input of geometry reads (E)WKB, which is what pgx's bytea codec writes.
func registerGeometry(ctx context.Context, tx pgx.Tx) error {
	var oid uint32
	if err := tx.QueryRow(ctx, `SELECT 'geometry'::regtype::oid`).Scan(&oid); err != nil {
		return fmt.Errorf("%w: %v", ErrNoPostGIS, err)
	}
	tx.Conn().TypeMap().RegisterType(&pgtype.Type{Name: "geometry", OID: oid, Codec: pgtype.ByteaCodec{}})
	return nil
}

// prepare turns the file of t into rows: GeoJSON layers from the features
// atlas parsed (in the atlas's order: crossings by chainage), CSV files
// from fsys. present is false when the optional file is absent (no rows).
// header is the CSV header.
func prepare(fsys fs.FS, atlas *geo.Atlas, t table) (lt loadTable, header []string, present bool, err error) {
	lt = loadTable{name: t.name, file: t.file}
	if t.geojson {
		if _, err := fs.Stat(fsys, t.file); errors.Is(err, fs.ErrNotExist) {
			return lt, nil, false, nil
		}
		feats, err := atlas.Features(t.name)
		if err != nil {
			return lt, nil, false, err
		}
		lt.columns, lt.rows, err = geojsonRows(t, feats)
		return lt, nil, true, err
	}
	b, err := fs.ReadFile(fsys, t.file)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if err != nil || b == nil {
		return lt, nil, false, err
	}
	header, lt.columns, lt.rows, err = csvRows(t, b)
	return lt, header, true, err
}

func geojsonRows(t table, feats []*geojson.Feature) ([]string, [][]any, error) {
	cols := []string{"id", "ord"}
	for _, c := range t.cols {
		cols = append(cols, c.sql)
	}
	cols = append(cols, "properties", "geom")
	rows := make([][]any, 0, len(feats))
	for i, f := range feats {
		props := map[string]any{}
		for k, v := range f.Properties {
			props[k] = v
		}
		id := ""
		switch v := f.ID.(type) {
		case string:
			id = v
		case float64:
			id = fmt.Sprint(v)
		default:
			id, _ = props["id"].(string)
		}
		row := []any{id, int32(i)}
		for _, c := range t.cols {
			var val any
			switch c.kind {
			case kFloat:
				if x, ok := props[c.prop].(float64); ok {
					val = x
					delete(props, c.prop)
				}
			default:
				if s, ok := props[c.prop].(string); ok {
					val = s
					delete(props, c.prop)
				}
			}
			row = append(row, val)
		}
		pj, err := json.Marshal(props)
		if err != nil {
			return nil, nil, fmt.Errorf("feature %s: %w", id, err)
		}
		g := f.Geometry
		if p, ok := g.(orb.Polygon); ok && t.multi {
			g = orb.MultiPolygon{p}
		}
		wkb, err := ewkb.Marshal(g, 4326)
		if err != nil {
			return nil, nil, fmt.Errorf("feature %s: %w", id, err)
		}
		rows = append(rows, append(row, string(pj), wkb))
	}
	return cols, rows, nil
}

func csvRows(t table, b []byte) (header, cols []string, rows [][]any, err error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.Comment = '#'
	var recs [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, err
		}
		recs = append(recs, rec)
	}
	typed := map[string]column{}
	for _, c := range t.cols {
		typed[c.prop] = c
		cols = append(cols, c.sql)
	}
	if len(recs) > 0 && len(recs[0]) > 0 && recs[0][0] == t.cols[0].prop {
		header, recs = recs[0], recs[1:]
	} else {
		for _, c := range t.cols {
			header = append(header, c.prop)
		}
	}
	for _, c := range t.cols {
		if !contains(header, c.prop) {
			return nil, nil, nil, fmt.Errorf("missing column %q", c.prop)
		}
	}
	cols = append([]string{"ord"}, cols...)
	if t.props {
		cols = append(cols, "properties")
	}
	if t.point {
		cols = append(cols, "geom")
	}
	for i, rec := range recs {
		if len(rec) != len(header) {
			return nil, nil, nil, fmt.Errorf("row %d: %d fields, header has %d", i+2, len(rec), len(header))
		}
		row := []any{int32(i + 1)}
		vals := map[string]string{}
		for j, h := range header {
			vals[h] = rec[j]
		}
		for _, c := range t.cols {
			v := vals[c.prop]
			delete(vals, c.prop)
			switch {
			case c.kind == kDate && v == "":
				row = append(row, nil)
			case c.kind == kDate:
				d, err := time.Parse(time.DateOnly, v)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("row %d: %s %q is not a YYYY-MM-DD date", i+2, c.prop, v)
				}
				row = append(row, d)
			case v == "":
				row = append(row, nil)
			default:
				row = append(row, v)
			}
		}
		var geom any
		if t.point {
			lon, err1 := strconv.ParseFloat(vals["lon"], 64)
			lat, err2 := strconv.ParseFloat(vals["lat"], 64)
			if err1 == nil && err2 == nil {
				if geom, err = ewkb.Marshal(orb.Point{lon, lat}, 4326); err != nil {
					return nil, nil, nil, fmt.Errorf("row %d: %w", i+2, err)
				}
				delete(vals, "lon")
				delete(vals, "lat")
			}
		}
		if t.props {
			pj, err := json.Marshal(vals)
			if err != nil {
				return nil, nil, nil, err
			}
			row = append(row, string(pj))
		}
		if t.point {
			row = append(row, geom)
		}
		rows = append(rows, row)
	}
	return header, cols, rows, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// zoneRows derives the zones table from the atlas.
func zoneRows(a *geo.Atlas) (loadTable, error) {
	lt := loadTable{name: "zones", columns: []string{"id", "ord", "kind", "name", "country", "severity",
		"valid_from", "valid_to", "properties", "geom"}}
	zs, err := a.Zones()
	if err != nil {
		return lt, err
	}
	date := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	for i, z := range zs {
		pj, err := json.Marshal(z)
		if err != nil {
			return lt, err
		}
		var geom any
		if len(z.Geometry) > 0 {
			if geom, err = ewkb.Marshal(z.Geometry, 4326); err != nil {
				return lt, fmt.Errorf("zone %s: %w", z.ID, err)
			}
		}
		lt.rows = append(lt.rows, []any{z.ID, int32(i), string(z.Kind), z.Name, z.Country, int32(z.Severity),
			date(z.ValidFrom), date(z.ValidTo), string(pj), geom})
	}
	return lt, nil
}
