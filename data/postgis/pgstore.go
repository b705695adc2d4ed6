package postgis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/durandline/durand/geo"
)

// SchemaVersion is the version of schema.sql, stored in durand_meta.
const SchemaVersion = 1

// Channel is the NOTIFY channel the change triggers send on.
const Channel = "durand_changed"

// MetaTable is the name of the metadata table; Listen reports it as the
// layer when a load committed (every other table is reported too).
const MetaTable = "durand_meta"

//go:embed schema.sql
var schemaSQL string

// Schema returns the DDL that Load runs (schema.sql), for documentation and
// for administrators who create the schema themselves.
func Schema() string { return schemaSQL }

// Errors.
var (
	// ErrNotLoaded is returned by Read when the schema holds no loaded atlas.
	ErrNotLoaded = errors.New("pgstore: no atlas loaded in this schema (run durand db load)")
	// ErrSchemaVersion is returned when the schema was created by another
	// version of durand.
	ErrSchemaVersion = errors.New("pgstore: schema version mismatch")
	// ErrNoPostGIS is returned when the database lacks the PostGIS
	// extension and it cannot be created.
	ErrNoPostGIS = errors.New("pgstore: PostGIS is not available in this database")
	// ErrData is returned (wrapped) when the files do not form an atlas.
	ErrData = errors.New("pgstore: atlas files invalid")
)

// DB is what Load and Read need from a connection: *pgx.Conn, *pgxpool.Pool
// and pgx.Tx all satisfy it.
type DB interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// Options configure Load, Read and Listen. The zero value is ready to use.
type Options struct {
	// Schema is the PostgreSQL schema holding the tables; default "durand".
	Schema string
	// StatementTimeout bounds every statement (SET LOCAL
	// statement_timeout); default 60 s. Negative disables it.
	StatementTimeout time.Duration
	// Progress, when set, is called by Load after each table is written
	// with the table name and its row count.
	Progress func(table string, rows int)
	// Buffers, when set, is where Load takes the buffers of the zones
	// from and puts those it traces (geo.Atlas.UseBufferCache).
	Buffers geo.BufferCache
}

func (o Options) schema() string {
	if o.Schema == "" {
		return "durand"
	}
	return o.Schema
}

func (o Options) timeout() time.Duration {
	if o.StatementTimeout == 0 {
		return 60 * time.Second
	}
	return o.StatementTimeout
}

// begin starts a transaction with the statement timeout and the schema at
// the front of search_path.
func begin(ctx context.Context, db DB, opt Options, txo pgx.TxOptions) (pgx.Tx, error) {
	tx, err := db.BeginTx(ctx, txo)
	if err != nil {
		return nil, connError(err)
	}
	ms := opt.timeout().Milliseconds()
	if ms < 0 {
		ms = 0
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', $1, true),
		set_config('search_path', quote_ident($2) || ', ' || current_setting('search_path'), true)`,
		fmt.Sprint(ms), opt.schema()); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, connError(err)
	}
	return tx, nil
}

// connError adds context to errors of the connection itself.
func connError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Errorf("pgstore: %w", err)
	}
	return fmt.Errorf("pgstore: database: %w", err)
}

// Files returns the names of the files Load reads and Read writes (those
// present), in a fixed order: geo.DataFiles.
func Files() []string { return geo.DataFiles() }
