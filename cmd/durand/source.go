package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/geo"
)

// atlasSource is where `durand serve` reads its data from: the embedded
// files merged with the data directory (dirSource), or PostgreSQL/PostGIS
// (pgSource). Each fetch reads the current data anew.
type atlasSource interface {
	// fetch reads the current data: its content version (equal for equal
	// data, on every replica) and a function that parses it into an atlas.
	fetch(ctx context.Context) (version string, parse func() (*geo.Atlas, error), err error)
	// String describes the source for logs, without secrets.
	String() string
}

// dirSource reads the embedded atlas merged with a data directory.
type dirSource struct {
	dataDir string // "" for the default directory
	opt     atlasOptions
}

func (d dirSource) fetch(ctx context.Context) (string, func() (*geo.Atlas, error), error) {
	dir, err := resolveDataDir(d.dataDir)
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(dir); err != nil && d.dataDir == "" {
		dir = "" // no default directory yet: embedded data only
	}
	fsys, err := data.Merged(dir)
	if err != nil {
		return "", nil, err
	}
	version, err := postgis.Version(fsys)
	if err != nil {
		return "", nil, err
	}
	return version, func() (*geo.Atlas, error) { return openAtlasWith(d.dataDir, d.opt) }, nil
}

func (d dirSource) String() string {
	if d.dataDir == "" {
		return "embedded data and the default data directory"
	}
	return "embedded data and data directory " + d.dataDir
}

// pgSource reads the atlas from PostgreSQL/PostGIS (loaded by `durand db
// load`) through a connection pool.
type pgSource struct {
	pool *pgxpool.Pool
	cfg  *pgxpool.Config
	opt  postgis.Options
}

// pgSourceConfig configures newPGSource.
type pgSourceConfig struct {
	DSN              string
	Schema           string
	StatementTimeout time.Duration // every statement of the pool's connections
	ConnectTimeout   time.Duration // each connection attempt
	MaxConns         int32
}

// newPGSource parses the DSN and creates the pool (connections are opened
// on first use). A DSN that does not parse is a *usageError.
func newPGSource(c pgSourceConfig) (*pgSource, error) {
	cfg, err := pgxpool.ParseConfig(c.DSN)
	if err != nil {
		return nil, &usageError{fmt.Sprintf("invalid --source: %v", redactDSNError(err, c.DSN))}
	}
	cfg.ConnConfig.ConnectTimeout = c.ConnectTimeout
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(c.StatementTimeout.Milliseconds())
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "durand serve"
	}
	if c.MaxConns > 0 {
		cfg.MaxConns = c.MaxConns
	}
	cfg.MinConns = 0
	cfg.HealthCheckPeriod = 10 * time.Second
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL pool: %w", err)
	}
	return &pgSource{pool: pool, cfg: cfg,
		opt: postgis.Options{Schema: c.Schema, StatementTimeout: c.StatementTimeout}}, nil
}

func (p *pgSource) fetch(ctx context.Context) (string, func() (*geo.Atlas, error), error) {
	fsys, err := postgis.Read(ctx, p.pool, p.opt)
	if err != nil {
		return "", nil, err
	}
	version, err := postgis.Version(fsys)
	if err != nil {
		return "", nil, err
	}
	return version, func() (*geo.Atlas, error) { return geo.Load(fsys) }, nil
}

// dial opens a connection outside the pool, for LISTEN.
func (p *pgSource) dial(ctx context.Context) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, p.cfg.ConnConfig.Copy())
}

// watch runs postgis.Watch until ctx is done: the full reload after each
// (re)connection and the reload after each burst of notifications go to
// reload; connection errors to lost.
func (p *pgSource) watch(ctx context.Context, debounce time.Duration, reload func(ctx context.Context, why string), lost func(error)) {
	_ = postgis.Watch(ctx, p.dial, postgis.WatchOptions{Options: p.opt, Debounce: debounce,
		MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second, OnError: lost},
		func(c postgis.Change) {
			why := "database (re)connected"
			if !c.All() {
				why = "tables changed: " + strings.Join(c.Layers, ", ")
			}
			reload(ctx, why)
		})
}

func (p *pgSource) String() string {
	cc := p.cfg.ConnConfig
	return fmt.Sprintf("PostgreSQL %s:%d database %s schema %s", cc.Host, cc.Port, cc.Database, p.opt.Schema)
}

func (p *pgSource) Close() { p.pool.Close() }

// redactDSNError removes the password of dsn from err's text.
func redactDSNError(err error, dsn string) string {
	msg := err.Error()
	if cfg, perr := pgx.ParseConfig(dsn); perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return msg
}

// isPostgresURL reports whether s names a PostgreSQL source.
func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}
