package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/layers"
)

// ErrLayer is returned (wrapped) by WriteLayers for a layer that cannot
// be written as its schema declares it, and by ReadLayer for a layer the
// schema does not hold.
var ErrLayer = errors.New("pgstore: layer")

// LayerSchema returns the PostgreSQL schema WriteLayers writes into:
// Options.Schema followed by "_layers" (default durand_layers), beside the
// tables Load fills and Read reads.
func LayerSchema(opt Options) string { return opt.schema() + "_layers" }

// The columns every layer table has besides the declared properties.
var layerColumns = []string{"ord", "fid", "properties", "geom"}

// pgType is the column type of a declared property.
func pgType(k layers.Kind) string {
	switch k {
	case layers.Int:
		return "bigint"
	case layers.Float:
		return "double precision"
	case layers.Bool:
		return "boolean"
	case layers.List:
		return "jsonb"
	case layers.Date:
		return "date"
	}
	return "text"
}

// WriteLayers writes catalogue layers (package layers) into LayerSchema:
// one table per layer, named after it, with the layer's schema as typed
// columns (String text, Int bigint, Float double precision, Bool boolean,
// List jsonb, Date date), and besides them ord (the feature's position,
// primary key), fid (its id as text), properties (jsonb: the properties
// the schema does not declare, null when none) and geom (any geometry in
// EPSG:4326, null for a feature without one, with a GiST index). The
// table "layers" lists them with their title, description, attribution,
// licence, time range and schema; every table carries its description
// and attribution as its comment (QGIS shows it).
//
// Each layer's table is dropped and created again, everything in one
// transaction: on an error the previous tables stay as they were. A value
// that does not fit its declared kind (layers.Kind.Check) is an error: the
// tables have the types the catalogue declares, nothing is guessed.
func WriteLayers(ctx context.Context, db DB, ls []layers.Layer, opt Options) ([]TableCount, error) {
	schema := LayerSchema(opt)
	rows := make([][][]any, len(ls))
	for i, l := range ls {
		var err error
		if rows[i], err = layerRows(l); err != nil {
			return nil, err
		}
	}
	o := opt
	o.Schema = schema
	tx, err := begin(ctx, db, o, pgx.TxOptions{})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('durand.layers:' || $1))`, schema); err != nil {
		return nil, connError(err)
	}
	if err := ensurePostGIS(ctx, tx); err != nil {
		return nil, err
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+ident); err != nil {
		return nil, connError(err)
	}
	if err := registerGeometry(ctx, tx); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS layers (
		name text PRIMARY KEY, ord integer NOT NULL, title text, description text, attribution text, licence text,
		start_day date, end_day date, fields jsonb NOT NULL)`); err != nil {
		return nil, connError(err)
	}
	var out []TableCount
	for i, l := range ls {
		if err := createLayerTable(ctx, tx, i, l); err != nil {
			return nil, err
		}
		cols := append([]string{"ord", "fid", "properties", "geom"}, fieldNames(l.Schema)...)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{schema, l.Name}, cols, pgx.CopyFromRows(rows[i])); err != nil {
			return nil, fmt.Errorf("pgstore: copying layer %s: %w", l.Name, err)
		}
		out = append(out, TableCount{Table: l.Name, Rows: len(rows[i])})
		if opt.Progress != nil {
			opt.Progress(l.Name, len(rows[i]))
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, connError(err)
	}
	return out, nil
}

// createLayerTable (re)creates the table of l and its row in layers.
func createLayerTable(ctx context.Context, tx pgx.Tx, ord int, l layers.Layer) error {
	t := pgx.Identifier{l.Name}.Sanitize()
	var ddl strings.Builder
	fmt.Fprintf(&ddl, `DROP TABLE IF EXISTS %s; CREATE TABLE %s (ord integer PRIMARY KEY, fid text, properties jsonb, geom geometry(Geometry, 4326)`, t, t)
	for _, f := range l.Schema {
		fmt.Fprintf(&ddl, `, %s %s`, pgx.Identifier{f.Name}.Sanitize(), pgType(f.Kind))
	}
	fmt.Fprintf(&ddl, `); CREATE INDEX ON %s USING gist (geom)`, t)
	if _, err := tx.Exec(ctx, ddl.String()); err != nil {
		return fmt.Errorf("pgstore: creating layer table %s: %w", l.Name, err)
	}
	comment := strings.TrimSpace(l.Description + " Attribution: " + l.Attribution + ". Licence: " + l.Licence + ".")
	// COMMENT takes no parameters: the text as a literal (standard
	// conforming strings, the default since PostgreSQL 9.1).
	if _, err := tx.Exec(ctx, `COMMENT ON TABLE `+t+` IS `+quoteLiteral(comment)); err != nil {
		return connError(err)
	}
	fields, err := json.Marshal(schemaDoc(l.Schema))
	if err != nil {
		return err
	}
	day := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	_, err = tx.Exec(ctx, `INSERT INTO layers VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (name) DO UPDATE SET ord = excluded.ord, title = excluded.title, description = excluded.description,
			attribution = excluded.attribution, licence = excluded.licence, start_day = excluded.start_day,
			end_day = excluded.end_day, fields = excluded.fields`,
		l.Name, int32(ord), l.Title, l.Description, l.Attribution, l.Licence, day(l.Start), day(l.End), string(fields))
	if err != nil {
		return connError(err)
	}
	return nil
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// fieldDoc is one declared property as the layers table lists it.
type fieldDoc struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

func schemaDoc(fs []layers.Field) []fieldDoc {
	out := make([]fieldDoc, len(fs))
	for i, f := range fs {
		out[i] = fieldDoc{f.Name, f.Kind.String()}
	}
	return out
}

// kindNamed is the kind whose String is s.
func kindNamed(s string) (layers.Kind, bool) {
	for k := layers.String; k <= layers.Date; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return layers.Infer, false
}

func fieldNames(fs []layers.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// layerRows returns the rows of l for COPY, in the column order ord, fid,
// properties, geom, then the schema's fields.
func layerRows(l layers.Layer) ([][]any, error) {
	if l.Schema == nil {
		return nil, fmt.Errorf("%w %s: no schema (only catalogue layers are written)", ErrLayer, l.Name)
	}
	if !validName(l.Name) {
		return nil, fmt.Errorf("%w %q: not usable as a table name", ErrLayer, l.Name)
	}
	for _, f := range l.Schema {
		if slices.Contains(layerColumns, f.Name) || !validName(f.Name) {
			return nil, fmt.Errorf("%w %s: property %q is not usable as a column", ErrLayer, l.Name, f.Name)
		}
	}
	out := make([][]any, len(l.Features))
	for i, f := range l.Features {
		fail := func(err error) error {
			return fmt.Errorf("%w %s feature %s: %w", ErrLayer, l.Name, geojsonio.FeatureID(f), err)
		}
		row := make([]any, 4+len(l.Schema))
		row[0], row[1] = int32(i), geojsonio.FeatureID(f)
		extra := map[string]any{}
		for k, v := range f.Properties {
			if _, ok := l.Field(k); !ok && v != nil {
				extra[k] = v
			}
		}
		if len(extra) > 0 {
			b, err := json.Marshal(extra)
			if err != nil {
				return nil, fail(err)
			}
			row[2] = json.RawMessage(b)
		}
		if f.Geometry != nil {
			g, err := ewkb.Marshal(f.Geometry, 4326)
			if err != nil {
				return nil, fail(err)
			}
			row[3] = g
		}
		for j, fd := range l.Schema {
			v, err := columnValue(fd, f.Properties[fd.Name])
			if err != nil {
				return nil, fail(fmt.Errorf("property %s: %w", fd.Name, err))
			}
			row[4+j] = v
		}
		out[i] = row
	}
	return out, nil
}

// columnValue is the value of property v, declared fd, for its column.
func columnValue(fd layers.Field, v any) (any, error) {
	if err := fd.Kind.Check(v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	switch fd.Kind {
	case layers.Int:
		return int64(v.(float64)), nil
	case layers.List:
		b, err := json.Marshal(v)
		return json.RawMessage(b), err
	case layers.Date:
		if v == "" {
			return nil, nil
		}
		return time.Parse(time.DateOnly, v.(string))
	}
	return v, nil
}

// validName reports whether s is a lower-case SQL name: [a-z_][a-z0-9_]*.
func validName(s string) bool {
	for i, r := range s {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return s != "" && len(s) < 64
}

// ReadLayer reads the layer name written by WriteLayers back from
// LayerSchema: its title, description, attribution, licence, time range
// and schema from the layers table, its features in their order with the
// declared properties typed as the catalogue has them (numbers float64,
// lists []any, dates YYYY-MM-DD). A null column, and a null date, is an
// absent property: a Date property that was "" comes back absent. The
// feature ids come back as text. Tile settings are not stored.
func ReadLayer(ctx context.Context, db DB, name string, opt Options) (layers.Layer, error) {
	o := opt
	o.Schema = LayerSchema(opt)
	tx, err := begin(ctx, db, o, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return layers.Layer{}, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	l := layers.Layer{Name: name}
	var fieldsJSON []byte
	var start, end *time.Time
	err = tx.QueryRow(ctx, `SELECT title, description, attribution, licence, start_day, end_day, fields::text FROM layers WHERE name = $1`, name).
		Scan(&l.Title, &l.Description, &l.Attribution, &l.Licence, &start, &end, &fieldsJSON)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, fmt.Errorf("%w %q: not in schema %s", ErrLayer, name, o.Schema)
	}
	if err != nil {
		return l, connError(err)
	}
	if start != nil {
		l.Start = *start
	}
	if end != nil {
		l.End = *end
	}
	var docs []fieldDoc
	if err := json.Unmarshal(fieldsJSON, &docs); err != nil {
		return l, fmt.Errorf("%w %s: fields: %w", ErrLayer, name, err)
	}
	l.Schema = make([]layers.Field, len(docs))
	for i, d := range docs {
		k, ok := kindNamed(d.Kind)
		if !ok {
			return l, fmt.Errorf("%w %s: field %s of unknown kind %q", ErrLayer, name, d.Name, d.Kind)
		}
		l.Schema[i] = layers.Field{Name: d.Name, Kind: k}
	}
	sel := []string{"fid", "properties", "ST_AsBinary(geom)"}
	for _, f := range l.Schema {
		sel = append(sel, pgx.Identifier{f.Name}.Sanitize())
	}
	rows, err := tx.Query(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+pgx.Identifier{name}.Sanitize()+` ORDER BY ord`)
	if err != nil {
		return l, connError(err)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return l, connError(err)
		}
		f, err := layerFeature(l.Schema, vals)
		if err != nil {
			return l, fmt.Errorf("%w %s: %w", ErrLayer, name, err)
		}
		l.Features = append(l.Features, f)
	}
	if err := rows.Err(); err != nil {
		return l, connError(err)
	}
	return l, nil
}

// layerFeature makes a feature of one row of ReadLayer's query.
func layerFeature(schema []layers.Field, vals []any) (*geojson.Feature, error) {
	var g orb.Geometry
	if b, ok := vals[2].([]byte); ok {
		var err error
		if g, err = wkb.Unmarshal(b); err != nil {
			return nil, err
		}
	}
	f := geojson.NewFeature(g)
	f.Geometry = g // nil stays nil
	f.ID, _ = vals[0].(string)
	if extra, ok := vals[1].(map[string]any); ok {
		for k, v := range extra {
			f.Properties[k] = v
		}
	}
	for i, fd := range schema {
		switch v := vals[3+i].(type) {
		case nil:
		case int64:
			f.Properties[fd.Name] = float64(v)
		case time.Time:
			f.Properties[fd.Name] = v.Format(time.DateOnly)
		default:
			f.Properties[fd.Name] = v
		}
	}
	return f, nil
}
