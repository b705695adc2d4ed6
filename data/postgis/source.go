package postgis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing/fstest"
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

	// mu guards what the next Fetch reads: after a full read, only the
	// tables Watch reported changed since (see changes).
	mu      sync.Mutex
	changes changeSet
}

// changeSet records the tables changed since the files of the last Fetch
// were read, so that the next Fetch reads only those. Each mark carries a
// generation, so that a Fetch forgets only the marks made before it
// started reading.
type changeSet struct {
	// listening is set while Watch is connected: without it a change
	// could go unreported, so Fetch reads everything.
	listening bool
	files     fstest.MapFS      // the files of the last Fetch; nil: read everything
	gen       uint64            // generation of the latest mark
	allGen    uint64            // generation of the latest "everything" mark (0: none since files)
	changed   map[string]uint64 // table -> generation of its latest mark
}

// mark records a change: the tables of c, or everything.
func (s *Source) mark(c Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := &s.changes
	cs.listening = true
	cs.gen++
	if c.All() {
		cs.allGen = cs.gen
		return
	}
	if cs.changed == nil {
		cs.changed = map[string]uint64{}
	}
	for _, l := range c.Layers {
		cs.changed[l] = cs.gen
	}
}

// plan returns what Fetch must read: nil only (every table) or the
// tables changed, with the files to take the others from and the
// generation the read covers.
func (s *Source) plan() (prev fstest.MapFS, only map[string]bool, gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := &s.changes
	if !cs.listening || cs.files == nil || cs.allGen > 0 {
		return nil, nil, cs.gen
	}
	only = map[string]bool{}
	for l := range cs.changed {
		if !slices.ContainsFunc(tables, func(t table) bool { return t.name == l }) && l != "zones" {
			// The metadata (a load) or a table this version does not
			// read: read everything.
			return nil, nil, cs.gen
		}
		only[l] = true
	}
	return cs.files, only, cs.gen
}

// done records the files of a successful read covering the marks up to
// gen.
func (s *Source) done(files fstest.MapFS, gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := &s.changes
	cs.files = files
	if cs.allGen <= gen {
		cs.allGen = 0
	}
	for l, g := range cs.changed {
		if g <= gen {
			delete(cs.changed, l)
		}
	}
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
// After the first read it reads only the tables Watch reported changed
// since (all of them after a load or a reconnection), taking the others
// from the previous read: every change is notified after its commit, and
// Watch listens before its first reload, so a table not reported is
// unchanged.
func (s *Source) Fetch(ctx context.Context) (string, func() (*geo.Atlas, error), error) {
	prev, only, gen := s.plan()
	fsys, err := readFiles(ctx, s.pool, s.opt, prev, only)
	if err != nil {
		return "", nil, err
	}
	s.done(fsys, gen)
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
		MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second, OnError: func(err error) {
			s.mu.Lock()
			s.changes.listening = false
			s.mu.Unlock()
			lost(err)
		}},
		func(c Change) {
			s.mark(c)
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
