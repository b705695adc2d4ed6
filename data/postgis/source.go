package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/durandline/durand/geo"
)

// ErrDSN is matched by the error NewSource returns for a connection
// string that does not parse.
var ErrDSN = errors.New("pgstore: invalid connection string")

// SourceConfig configures NewSource.
type SourceConfig struct {
	// DSN is the connection string, postgres://user:password@host:port/db.
	DSN string
	// Schema holds the tables (see Options.Schema).
	Schema string
	// StatementTimeout bounds every statement of the pool's connections.
	StatementTimeout time.Duration
	// ConnectTimeout bounds each connection attempt.
	ConnectTimeout time.Duration
	// MaxConns is the size of the pool; 0 keeps pgxpool's default.
	MaxConns int32
	// ApplicationName is reported to the server unless the DSN sets one;
	// default "durand serve".
	ApplicationName string
}

// Source reads the atlas loaded by Load from a connection pool, anew at
// every Fetch, and watches the schema for changes (Watch). It is the
// server.Source of a server that serves the database's current content.
type Source struct {
	pool *pgxpool.Pool
	cfg  *pgxpool.Config
	opt  Options
}

// NewSource parses the DSN and creates the pool; connections are opened
// on first use. A DSN that does not parse is an error matching ErrDSN,
// without the password.
func NewSource(c SourceConfig) (*Source, error) {
	cfg, err := pgxpool.ParseConfig(c.DSN)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrDSN, redactDSNError(err, c.DSN))
	}
	cfg.ConnConfig.ConnectTimeout = c.ConnectTimeout
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(c.StatementTimeout.Milliseconds())
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		name := c.ApplicationName
		if name == "" {
			name = "durand serve"
		}
		cfg.ConnConfig.RuntimeParams["application_name"] = name
	}
	if c.MaxConns > 0 {
		cfg.MaxConns = c.MaxConns
	}
	cfg.MinConns = 0
	cfg.HealthCheckPeriod = 10 * time.Second
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: pool: %w", err)
	}
	return &Source{pool: pool, cfg: cfg, opt: Options{Schema: c.Schema, StatementTimeout: c.StatementTimeout}}, nil
}

// Fetch reads the tables (Read) and returns their content version
// (geo.DataVersion, equal on every replica) and a function parsing them.
func (s *Source) Fetch(ctx context.Context) (string, func() (*geo.Atlas, error), error) {
	fsys, err := Read(ctx, s.pool, s.opt)
	if err != nil {
		return "", nil, err
	}
	version, err := geo.DataVersion(fsys)
	if err != nil {
		return "", nil, err
	}
	return version, func() (*geo.Atlas, error) { return geo.Load(fsys) }, nil
}

// dial opens a connection outside the pool, for LISTEN.
func (s *Source) dial(ctx context.Context) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, s.cfg.ConnConfig.Copy())
}

// Watch runs Watch on a connection of its own until ctx is done: after
// each (re)connection and each burst of change notifications (collected
// for debounce) it calls reload with the reason, retrying a failed reload
// up to three times with a growing wait (a pooled connection may still be
// a dead one from before a restart); connection errors go to lost.
func (s *Source) Watch(ctx context.Context, debounce time.Duration, reload func(ctx context.Context, why string) error, lost func(error)) {
	_ = Watch(ctx, s.dial, WatchOptions{Options: s.opt, Debounce: debounce,
		MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second, OnError: lost},
		func(c Change) {
			why := "database (re)connected"
			if !c.All() {
				why = "tables changed: " + strings.Join(c.Layers, ", ")
			}
			for try, wait := 0, 250*time.Millisecond; reload(ctx, why) != nil && try < 3 && ctx.Err() == nil; try, wait = try+1, 2*wait {
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
		})
}

// String describes the source for logs, without secrets.
func (s *Source) String() string {
	cc := s.cfg.ConnConfig
	return fmt.Sprintf("PostgreSQL %s:%d database %s schema %s", cc.Host, cc.Port, cc.Database, s.opt.Schema)
}

// Close closes the pool.
func (s *Source) Close() { s.pool.Close() }

// redactDSNError removes the password of dsn from err's text.
func redactDSNError(err error, dsn string) string {
	msg := err.Error()
	if cfg, perr := pgx.ParseConfig(dsn); perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return msg
}
