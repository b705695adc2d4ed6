package postgis

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/durandline/durand/geo"
)

// Read reads the atlas from the schema of opt into an in-memory fs.FS
// holding the files Load read (and any layer that has rows), ready for
// geo.Load. It reads in one REPEATABLE READ, READ ONLY transaction and
// formats deterministically: the same database content always gives the
// same bytes. A schema without a loaded atlas gives ErrNotLoaded.
//
// The files are equivalent to the loaded ones, not byte-identical:
// GeoJSON properties come out with sorted keys, coordinates with at most 7
// decimals (ST_AsGeoJSON), provenance re-indented, CSV quoting as
// encoding/csv writes it and comment lines dropped.
func Read(ctx context.Context, db DB, opt Options) (fs.FS, error) {
	return readFiles(ctx, db, opt, nil, nil)
}

// readFiles reads the files of the tables named in only (every table when
// only is nil) in one REPEATABLE READ, READ ONLY transaction, its
// statements sent as one batch (a round trip: a busy database answers
// each late); the files of the other tables are taken from prev. The
// provenance files always come from durand_meta.
func readFiles(ctx context.Context, db DB, opt Options, prev fstest.MapFS, only map[string]bool) (fstest.MapFS, error) {
	tx, err := db.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, connError(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	ms := max(opt.timeout().Milliseconds(), 0)
	batch := &pgx.Batch{}
	// The names are qualified: the batch's statements are prepared
	// before any runs.
	batch.Queue(`SELECT set_config('statement_timeout', $1, true)`, fmt.Sprint(ms))
	batch.Queue(`SELECT schema_version, provenance::text, districts_provenance::text, files::text FROM ` +
		pgx.Identifier{opt.schema(), MetaTable}.Sanitize())
	var read []table
	for _, t := range tables {
		if only == nil || only[t.name] {
			read = append(read, t)
			batch.Queue(tableQuery(t, opt.schema()))
		}
	}
	br := tx.SendBatch(ctx, batch)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && (pe.Code == "42P01" || pe.Code == "3F000") { // undefined_table, invalid_schema_name
			return nil, fmt.Errorf("%w: schema %q has no durand_meta table", ErrNotLoaded, opt.schema())
		}
		return nil, connError(err)
	}
	m, err := readMeta(br, opt)
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	put := func(name string, b []byte) { out[name] = &fstest.MapFile{Data: b, Mode: 0o444} }
	put(geo.FileProvenance, m.prov)
	if m.distProv != nil {
		put(geo.FileDistrictsProvenance, m.distProv)
	}
	for _, t := range tables {
		if f, ok := prev[t.file]; ok && only != nil && !only[t.name] {
			out[t.file] = f
		}
	}
	for _, t := range read {
		header, ok := m.loaded[t.file]
		rows, err := br.Query()
		var b []byte
		var n int
		if err == nil && t.geojson {
			b, n, err = scanGeoJSON(rows, t)
		} else if err == nil {
			b, n, err = scanCSV(rows, t, header)
		}
		if err != nil {
			return nil, fmt.Errorf("pgstore: reading %s: %w", t.name, err)
		}
		if ok || n > 0 {
			put(t.file, b)
		}
	}
	return out, nil
}

// meta is what durand_meta records of a load: the provenance files
// (indented) and the CSV headers of the files loaded.
type meta struct {
	prov, distProv []byte
	loaded         map[string][]string
}

// readMeta reads the answer to the query of durand_meta: ErrNotLoaded
// without a loaded atlas, ErrSchemaVersion for a schema of another
// version.
func readMeta(br pgx.BatchResults, opt Options) (meta, error) {
	var m meta
	var (
		version        int32
		prov, distProv []byte
		filesJSON      []byte
	)
	err := br.QueryRow().Scan(&version, &prov, &distProv, &filesJSON)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("%w: schema %q", ErrNotLoaded, opt.schema())
	}
	if err != nil {
		return m, connError(err)
	}
	if version != SchemaVersion {
		return m, fmt.Errorf("%w: schema %s has version %d, this durand reads %d", ErrSchemaVersion, opt.schema(), version, SchemaVersion)
	}
	if err := json.Unmarshal(filesJSON, &m.loaded); err != nil {
		return m, fmt.Errorf("pgstore: durand_meta.files: %w", err)
	}
	if m.prov, err = indentJSON(prov); err != nil {
		return m, fmt.Errorf("pgstore: durand_meta.provenance: %w", err)
	}
	if distProv != nil {
		if m.distProv, err = indentJSON(distProv); err != nil {
			return m, fmt.Errorf("pgstore: durand_meta.districts_provenance: %w", err)
		}
	}
	return m, nil
}

// tableQuery returns the query reading the rows of t (in schema) in file
// order.
func tableQuery(t table, schema string) string {
	from := ` FROM ` + pgx.Identifier{schema, t.name}.Sanitize() + ` ORDER BY ` + orderBy(t)
	if t.geojson {
		return `SELECT id, ` + selectList(t) + `, properties::text, ST_AsGeoJSON(geom, 7)` + from
	}
	q := `SELECT ` + selectList(t)
	if t.props {
		q += `, properties::text`
	}
	if t.point {
		q += `, ST_X(geom), ST_Y(geom)`
	}
	return q + from
}

func indentJSON(b []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	return append(out, '\n'), err
}

// selectList returns the typed columns, quoted.
func selectList(t table) string {
	var s []string
	for _, c := range t.cols {
		s = append(s, pgx.Identifier{c.sql}.Sanitize())
	}
	return strings.Join(s, ", ")
}

func orderBy(t table) string {
	switch {
	case t.geojson:
		return "ord NULLS LAST, id"
	case t.idOrder:
		return "ord"
	}
	return "ord NULLS LAST, " + t.sortBy
}

// scanGeoJSON formats the rows of tableQuery(t) as a FeatureCollection.
func scanGeoJSON(rows pgx.Rows, t table) ([]byte, int, error) {
	defer rows.Close()
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	n := 0
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, 0, err
		}
		id, _ := vals[0].(string)
		k := len(t.cols)
		propsText, _ := vals[k+1].(string)
		geom, _ := vals[k+2].(string)
		props := map[string]any{}
		dec := json.NewDecoder(strings.NewReader(propsText))
		dec.UseNumber()
		if err := dec.Decode(&props); err != nil {
			return nil, 0, fmt.Errorf("feature %s: properties: %w", id, err)
		}
		for i, c := range t.cols {
			if v := vals[1+i]; v != nil {
				props[c.prop] = v
			}
		}
		if geom == "" {
			geom = "null"
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n{\"type\":\"Feature\",\"id\":")
		if err := encodeJSON(&buf, id); err != nil {
			return nil, 0, err
		}
		buf.WriteString(`,"properties":`)
		if err := encodeJSON(&buf, props); err != nil {
			return nil, 0, fmt.Errorf("feature %s: %w", id, err)
		}
		buf.WriteString(`,"geometry":`)
		buf.WriteString(geom)
		buf.WriteByte('}')
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), n, nil
}

// encodeJSON appends v as JSON without HTML escaping or a newline.
func encodeJSON(buf *bytes.Buffer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return nil
}

// scanCSV formats the rows of tableQuery(t) as CSV with header (nil: the
// typed columns, then the other properties in key order).
func scanCSV(rows pgx.Rows, t table, header []string) ([]byte, int, error) {
	defer rows.Close()
	var recs []map[string]string
	extra := map[string]bool{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, 0, err
		}
		rec := map[string]string{}
		k := len(t.cols)
		if t.props {
			s, _ := vals[k].(string)
			var props map[string]any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if err := dec.Decode(&props); err != nil {
				return nil, 0, fmt.Errorf("row %d: properties: %w", len(recs)+1, err)
			}
			for key, v := range props {
				extra[key] = true
				switch v := v.(type) {
				case string:
					rec[key] = v
				case nil:
				default:
					var b bytes.Buffer
					if err := encodeJSON(&b, v); err != nil {
						return nil, 0, err
					}
					rec[key] = b.String()
				}
			}
			k++
		}
		if t.point {
			if x, ok := vals[k].(float64); ok {
				y, _ := vals[k+1].(float64)
				rec["lon"] = strconv.FormatFloat(x, 'f', -1, 64)
				rec["lat"] = strconv.FormatFloat(y, 'f', -1, 64)
				extra["lon"], extra["lat"] = true, true
			}
		}
		for i, c := range t.cols {
			switch v := vals[i].(type) {
			case nil:
				rec[c.prop] = ""
			case time.Time:
				rec[c.prop] = v.Format(time.DateOnly)
			case string:
				rec[c.prop] = v
			default:
				rec[c.prop] = fmt.Sprint(v)
			}
		}
		recs = append(recs, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if header == nil {
		for _, c := range t.cols {
			header = append(header, c.prop)
			delete(extra, c.prop)
		}
		keys := make([]string, 0, len(extra))
		for key := range extra {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		header = append(header, keys...)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	for _, rec := range recs {
		line := make([]string, len(header))
		for i, h := range header {
			line[i] = rec[h]
		}
		_ = w.Write(line)
	}
	w.Flush()
	return buf.Bytes(), len(recs), w.Error()
}
