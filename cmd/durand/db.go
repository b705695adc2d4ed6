package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers"
)

const dbUsage = `usage:
  durand db load --dsn DSN [--schema durand] [--data-dir DIR] [--timeout 60s] [--json]
  durand db dump --dsn DSN [--schema durand] --out DIR [--timeout 60s] [--json]

load writes the atlas (the embedded layers, the crisis files and the
districts installed in the data directory) into PostgreSQL/PostGIS: one
table per file in the schema (created if needed), which serve --source
reads and watches, in one transaction, so a failed or interrupted load
leaves the previous data in place. Then it writes every layer of the
catalogue (the crossings with their status on the last day of the record,
or today if earlier) into the schema S_layers, one table per layer with
the columns its schema declares, typed (text, bigint, double precision,
boolean, jsonb, date), for GIS clients; again in one transaction.
dump reads the tables back and writes the atlas files into DIR (for
debugging and comparing; geo.Load reads them).
  --dsn DSN     PostgreSQL connection string, e.g. postgres://user@host/db
                (default: $DURAND_DSN)
  --schema S    schema holding the tables (default durand)
`

// runDB implements `durand db load` and `durand db dump`.
func runDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, args, stdout, stderr, dbUsage, []subcommand{{"load", runDBLoad}, {"dump", runDBDump}})
}

// dbFlags are the flags shared by the db subcommands.
type dbFlags struct {
	dsn, schema string
	timeout     time.Duration
	asJSON      bool
}

func (f *dbFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&f.dsn, "dsn", os.Getenv("DURAND_DSN"), "PostgreSQL connection string (default $DURAND_DSN)")
	fset.StringVar(&f.schema, "schema", "durand", "schema holding the durand tables")
	fset.DurationVar(&f.timeout, "timeout", 60*time.Second, "statement timeout")
	fset.BoolVar(&f.asJSON, "json", false, "print a JSON summary on stdout")
}

func (f *dbFlags) check(fset *flag.FlagSet) error {
	if fset.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fset.Arg(0))}
	}
	if f.dsn == "" {
		return &usageError{"need --dsn (or $DURAND_DSN), e.g. postgres://user@localhost/db"}
	}
	if f.schema == "" {
		return &usageError{"--schema must not be empty"}
	}
	if f.timeout <= 0 {
		return &usageError{"--timeout must be positive"}
	}
	return nil
}

func (f *dbFlags) options() postgis.Options {
	return postgis.Options{Schema: f.schema, StatementTimeout: f.timeout}
}

// connectDB opens one connection; the errors never contain the password.
func connectDB(ctx context.Context, dsn string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, &usageError{fmt.Sprintf("invalid --dsn: %v", err)}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL at %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	return conn, nil
}

// dbLoadReport is what `durand db load --json` prints.
type dbLoadReport struct {
	postgis.Report
	// LayerSchema holds the catalogue's layers (postgis.WriteLayers).
	LayerSchema string               `json:"layer_schema"`
	Layers      []postgis.TableCount `json:"layers"`
	DataDir     string               `json:"data_dir,omitempty"`
	DurationMs  float64              `json:"duration_ms"`
}

func runDBLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("db load", stderr)
	var f dbFlags
	f.register(fset)
	dataDir := fset.String("data-dir", "", "data directory with the installed districts (default: see 'durand data path')")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if err := f.check(fset); err != nil {
		return err
	}
	dir, err := resolveDataDir(*dataDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err != nil && *dataDir == "" {
		dir = "" // no default directory yet: embedded data only
	}
	fsys, err := data.Merged(dir)
	if err != nil {
		return err
	}
	conn, err := connectDB(ctx, f.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	opt := f.options()
	opt.Buffers = zoneCache()
	opt.Progress = func(table string, rows int) {
		fmt.Fprintf(stderr, "durand db load: %-16s %6d rows\n", table, rows)
	}
	start := time.Now()
	fmt.Fprintf(stderr, "durand db load: checking the atlas files and loading into schema %s\n", f.schema)
	rep, err := postgis.Load(ctx, conn, fsys, opt)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("interrupted, nothing changed in the database: %w", err)
		}
		return fmt.Errorf("%w (nothing changed in the database)", err)
	}
	out := dbLoadReport{Report: rep, LayerSchema: postgis.LayerSchema(opt), DataDir: dir}
	fmt.Fprintf(stderr, "durand db load: writing the catalogue's layers into schema %s\n", out.LayerSchema)
	if out.Layers, err = loadLayers(ctx, conn, fsys, opt); err != nil {
		return fmt.Errorf("%w (the atlas tables are loaded; the layer tables are unchanged)", err)
	}
	d := time.Since(start)
	if f.asJSON {
		out.DurationMs = float64(d.Microseconds()) / 1000
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "loaded data version %s into schema %s and %d layers into %s in %v\n", rep.DataVersion, rep.Schema,
		len(out.Layers), out.LayerSchema, d.Round(time.Millisecond))
	return nil
}

// loadLayers writes the catalogue's layers of the atlas in fsys with
// postgis.WriteLayers, the crossings with their status on the default day
// (the last day of the record, or today if earlier), as the server's
// downloads carry them.
func loadLayers(ctx context.Context, conn *pgx.Conn, fsys fs.FS, opt postgis.Options) ([]postgis.TableCount, error) {
	a, err := geo.Load(fsys)
	if err != nil {
		return nil, err
	}
	if opt.Buffers != nil {
		a.UseBufferCache(opt.Buffers)
	}
	last, _, err := layers.LastDay(a)
	if err != nil {
		return nil, err
	}
	ls, err := layers.All(a, layers.DefaultDay(last, time.Now()))
	if err != nil {
		return nil, err
	}
	return postgis.WriteLayers(ctx, conn, ls, opt)
}

// dbDumpReport is what `durand db dump --json` prints.
type dbDumpReport struct {
	Schema  string     `json:"schema"`
	Out     string     `json:"out"`
	Version string     `json:"content_version"`
	Files   []dumpFile `json:"files"`
}

type dumpFile struct {
	Name  string `json:"name"`
	Bytes int    `json:"bytes"`
}

func runDBDump(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("db dump", stderr)
	var f dbFlags
	f.register(fset)
	out := fset.String("out", "", "directory to write the files into (created if needed)")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if err := f.check(fset); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"need --out DIR"}
	}
	conn, err := connectDB(ctx, f.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	fsys, err := postgis.Read(ctx, conn, f.options())
	if err != nil {
		return err
	}
	version, err := geo.DataVersion(fsys)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	rep := dbDumpReport{Schema: f.schema, Out: *out, Version: version}
	for _, name := range postgis.Files() {
		b, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(*out, name), b); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "durand db dump: %-26s %9d bytes\n", name, len(b))
		rep.Files = append(rep.Files, dumpFile{name, len(b)})
	}
	if f.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "wrote %d files to %s (content version %s)\n", len(rep.Files), *out, version)
	return nil
}

// writeFileAtomic writes b to a temporary file beside path and renames it.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
