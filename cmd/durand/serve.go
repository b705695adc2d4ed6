package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/server"
	"github.com/durandline/durand/server/accesslog"
	"github.com/durandline/durand/server/coalesce"
)

// HTTP server limits of `durand serve`.
const (
	serveReadHeaderTimeout = 5 * time.Second
	serveReadTimeout       = 30 * time.Second
	serveWriteTimeout      = 2 * time.Minute // downloads of large layers
	serveIdleTimeout       = 2 * time.Minute
	serveMaxHeaderBytes    = 12 << 10 // request line and headers; net/http adds 4 KiB of slack: 16 KiB in all
)

const serveUsage = `usage: durand serve [flags]

Serves the atlas over HTTP (OGC API Features, GeoJSON, vector tiles, the
map) on --addr until SIGINT or SIGTERM.

Data source and reloads:
  By default the data are the embedded files merged with --data-dir.
  SIGHUP re-reads them. With --source postgres://… the data are read from
  PostgreSQL/PostGIS (written by 'durand db load', edited in QGIS or SQL);
  a trigger sends NOTIFY on every change, and each replica reloads the
  tables that changed (bursts of changes are collected for 25 ms; the
  reload log line gives the time of each phase: read, parse, server; a
  second line when the new tiles are served).
  A reload builds the new data and its server off to the side (atlas,
  handler), then swaps them in atomically: every request is answered
  wholly from the old or wholly from the new data, none fails. The new
  tiles follow as soon as their tilesets are built, each tile then made
  on demand: until then tile requests are answered from the previous
  data, marked no-store. The
  zones (computed in seconds) join the tiles shortly after, as at
  start-up. A reload that fails keeps the previous data and logs why.
  Every response carries the Durand-Data-Version header (a hash of the
  data's content); ETags are hashes of the bodies, so replicas on the
  same data answer with identical bytes and ETags.

Health:
  /healthz  200 while the process serves.
  /readyz   200 {"status":"ok"}, or 200 {"status":"degraded","reason":…}
            while PostgreSQL is unreachable or the last reload failed: the
            server then answers from the last good data (and reconnects with
            backoff from 200 ms to 5 s), so it stays in the load balancer;
            alert on the status (or the durand_data_degraded metric).

Flags:
`

// notifyDebounce is how long a reload waits after a change notification
// for more (a load or a QGIS save notifies several tables).
const notifyDebounce = 25 * time.Millisecond

// runServe implements `durand serve`: the HTTP server of package server on
// --addr until ctx is done or SIGINT/SIGTERM arrives; in-flight requests
// then get --shutdown-timeout to finish.
//
// The data come from a server.Source: the embedded files merged with the
// data directory (data.Source), or PostgreSQL (postgis.Source). A
// server.Live serves every request wholly from one snapshot (atlas and
// server) and swaps in a new snapshot, built off to the side, when the
// source changes: on SIGHUP, and with PostgreSQL on every change
// notification and reconnection.
//
// Its length (about 170 lines) is the flag set and one check per flag,
// then the wiring in the order it must happen (log, source, listener,
// server.Live, signals, http.Server); the work itself is in the packages
// it wires.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, host:port (port 0: any free port)")
	dataDir := fs.String("data-dir", "", "data directory with installed districts (default: see 'durand data path')")
	cors := fs.String("cors", "*", "comma-separated origins that browsers may read responses from (GET and HEAD only), or * for any")
	baseURL := fs.String("base-url", "", "public URL of the server root for links, e.g. https://example.org/durand behind a proxy (default: from each request's Host)")
	logFormat := fs.String("log-format", "text", "access and error log format on stderr: text or json")
	shutdown := fs.Duration("shutdown-timeout", 30*time.Second, "how long in-flight requests may run after SIGINT/SIGTERM")
	maplibre := fs.String("maplibre", "", "serve this local copy of MapLibre GL JS (the dist folder of the maplibre-gl npm package, 6.x) under /vendor/maplibre/ for the map page /map (default: node_modules/maplibre-gl/dist of the working directory or a parent, as `npm ci` in the repository installs it; else the page loads MapLibre from its public CDN)")
	asJSON := fs.Bool("json", false, "once listening, print the addresses and what is served as one JSON object on standard output (the log stays on stderr)")
	cacheMB := fs.Int("tile-cache-mb", 256, "memory for cached vector tiles, in MiB (0: no cache)")
	noWarmup := fs.Bool("no-warmup", false, "do not generate the vector tiles of zooms 0-6 into the cache at start-up (and after each reload)")
	skipInvalid := fs.Bool("skip-invalid-layers", false, "start (and reload) even when an installed layer of --data-dir (the districts) is missing, truncated or invalid: warn and serve without it (default: such a layer is an error naming its file)")
	source := fs.String("source", "", "where the data comes from: empty for the embedded data merged with --data-dir (SIGHUP re-reads it), or a PostgreSQL URL postgres://user:password@host:port/db loaded by 'durand db load' (changes are picked up live through LISTEN/NOTIFY)")
	dbSchema := fs.String("db-schema", "durand", "with --source postgres://: the schema holding the durand tables")
	dbStatementTimeout := fs.Duration("db-statement-timeout", 30*time.Second, "with --source postgres://: statement_timeout of the pool's connections")
	dbConnectTimeout := fs.Duration("db-connect-timeout", 5*time.Second, "with --source postgres://: timeout of each connection attempt (reconnection then backs off from 200 ms to 5 s)")
	dbMaxConns := fs.Int("db-max-conns", 4, "with --source postgres://: connections in the pool (plus one for LISTEN)")
	dbPasswordFile := fs.String("db-password-file", "", "with --source postgres://: read the database password from this file (its first line), so that it appears neither in the URL nor in ps; the PGPASSWORD environment variable works too")
	maxConns := fs.Int("max-conns", 0, "most open client connections; beyond it the connection idle the longest is closed to make room (default: from the file descriptor limit, at most 10000)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *maxConns < 0 {
		return &usageError{fmt.Sprintf("--max-conns %d: want a positive number (or 0 for the default)", *maxConns)}
	}
	if *maxConns == 0 {
		*maxConns = defaultMaxConns()
	}
	logw := accesslog.NewBuffer(ctx, stderr, 200*time.Millisecond)
	defer logw.Close()
	var logger *slog.Logger
	switch *logFormat {
	case "text", "json": // slog handlers with a fast access log
		logger = slog.New(accesslog.NewHandler(logw, *logFormat == "json"))
	default:
		return &usageError{fmt.Sprintf("--log-format %q: want text or json", *logFormat)}
	}
	var origins []string
	for _, o := range strings.Split(*cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}

	if *cacheMB < 0 || *cacheMB > 1<<20 {
		return &usageError{fmt.Sprintf("--tile-cache-mb %d: want 0 to %d", *cacheMB, 1<<20)}
	}
	cacheBytes := int64(*cacheMB) << 20
	if cacheBytes == 0 {
		cacheBytes = -1 // no cache
	}
	mapLibreFrom := "the public CDN (" + server.DefaultMapLibreURL + "); run `npm ci` in the repository for a local copy"
	if *maplibre != "" {
		mapLibreFrom = *maplibre
	} else if wd, err := os.Getwd(); err == nil {
		if dist, version, ok := server.FindMapLibre(wd); ok {
			*maplibre = dist
			mapLibreFrom = fmt.Sprintf("%s (maplibre-gl %s)", dist, version)
		}
	}
	cfg := server.Config{BaseURL: *baseURL, CORSOrigins: origins, Logger: logger,
		TileCacheBytes: cacheBytes, MapLibreDir: *maplibre}
	if err := cfg.Validate(); err != nil {
		return &usageError{err.Error()}
	}
	var src server.Source
	src, err := dirSource(*dataDir, *skipInvalid, logger)
	if err != nil {
		return err
	}
	var pg *postgis.Source
	switch {
	case *source == "":
	case isPostgresURL(*source):
		if *dataDir != "" || *skipInvalid {
			return &usageError{"--data-dir and --skip-invalid-layers are for the embedded source; with --source postgres://… the data comes from the database (load it with durand db load --data-dir)"}
		}
		if *dbSchema == "" || *dbStatementTimeout <= 0 || *dbConnectTimeout <= 0 || *dbMaxConns < 1 || *dbMaxConns > 1000 {
			return &usageError{"--db-schema must not be empty, --db-statement-timeout and --db-connect-timeout must be positive and --db-max-conns 1 to 1000"}
		}
		dsn, err := withPasswordFile(*source, *dbPasswordFile)
		if err != nil {
			return err
		}
		if u, err := url.Parse(*source); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				logger.Warn("the --source URL holds a password, which other users of this machine can read in ps; use --db-password-file or PGPASSWORD instead")
			}
		}
		pg, err = postgis.NewSource(postgis.SourceConfig{DSN: dsn, Schema: *dbSchema, StatementTimeout: *dbStatementTimeout,
			ConnectTimeout: *dbConnectTimeout, MaxConns: int32(*dbMaxConns)})
		if errors.Is(err, postgis.ErrDSN) {
			return &usageError{fmt.Sprintf("invalid --source: %v", err)}
		}
		if err != nil {
			return err
		}
		defer pg.Close()
		src = pg
	default:
		return &usageError{fmt.Sprintf("--source %q: want a postgres:// URL (or nothing for the embedded data and --data-dir)", redactURL(*source))}
	}
	if *dbPasswordFile != "" && !isPostgresURL(*source) {
		return &usageError{"--db-password-file is for --source postgres://…"}
	}
	// Listen first: a port in use is reported before the atlas is loaded.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	warmZoom := -1
	if !*noWarmup && *cacheMB > 0 {
		warmZoom = server.DefaultWarmZoom
	}
	live, err := server.NewLive(ctx, src, server.LiveConfig{Server: cfg, WarmZoom: warmZoom, Buffers: zoneCache()})
	if err != nil {
		return invalidLayerHint(err)
	}
	// SIGHUP: read the source again (the data directory, or the database).
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP: reloading the data", "source", src.String())
				_ = live.Reload(ctx, "SIGHUP")
			}
		}
	}()
	if pg != nil {
		go pg.Watch(ctx, notifyDebounce, live.Reload, live.SourceLost)
	}
	conns := newConnLimiter(*maxConns)
	srv := &http.Server{
		Handler:           live,
		ConnState:         conns.connState,
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      serveWriteTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	open := browseURL(ln.Addr(), *baseURL)
	banner := serveBanner{Listen: "http://" + ln.Addr().String() + "/", Landing: open + "/?f=html", Map: open + "/map",
		API: open + "/api", Collections: len(layers.Layers(live.Atlas())), MapLibre: mapLibreFrom}
	fmt.Fprintf(stderr, "durand: serving %d collections on %s\ndurand: open %s in a browser; the map: %s (MapLibre from %s); API: %s\n",
		banner.Collections, banner.Listen, banner.Landing, banner.Map, banner.MapLibre, banner.API)
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(banner); err != nil {
			return err
		}
	}
	// Responses larger than net/http's 4 KiB write buffer (most tiles) leave
	// in one system call rather than two (package coalesce); at most
	// --max-conns connections are open (connlimit.go).
	return serveUntilDone(ctx, srv, limitListener{coalesce.NewListener(ln), conns}, *shutdown, stderr)
}

// serveBanner is what `durand serve --json` prints once it listens.
type serveBanner struct {
	Listen      string `json:"listen"`      // the address listened on, as a URL
	Landing     string `json:"landing"`     // the HTML landing page
	Map         string `json:"map"`         // the map page
	API         string `json:"api"`         // the OpenAPI document
	Collections int    `json:"collections"` // OGC API collections served
	MapLibre    string `json:"maplibre"`    // where the map page loads MapLibre GL JS from
}

// dirSource is the source of the embedded data merged with dataDir (the
// default data directory, when it exists, for ""); warnings of layers
// skipped with skipInvalid go to log.
func dirSource(dataDir string, skipInvalid bool, log *slog.Logger) (data.Source, error) {
	dir, err := resolveDataDir(dataDir)
	if err != nil {
		return data.Source{}, err
	}
	return data.Source{Dir: dir, Optional: dataDir == "", Options: data.OpenOptions{SkipInvalidLayers: skipInvalid,
		Warn: func(err error) { log.Warn(fmt.Sprintf("warning: %v; serving without it", err)) }}}, nil
}

// isPostgresURL reports whether s names a PostgreSQL source.
func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// serveUntilDone serves ln until ctx is done, then shuts srv down within
// timeout: it stops accepting, then drains the keep-alive connections
// without losing a request already sent on one: for a grace period
// (drainGrace) every answer carries Connection: close, so a client that
// sends its next request on an idle connection is answered and then sees
// the connection close, rather than having it closed under the request
// it just sent. Then (or once no connection is left) srv.Shutdown closes
// the idle connections and waits for the requests in flight; those still
// running when timeout ends are cut off (srv.Close) and the error says
// so. It returns nil once every request was answered.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, stderr io.Writer) error {
	var draining atomic.Bool
	open := newConnCounter(srv)
	next := srv.Handler
	if next == nil {
		next = http.DefaultServeMux
	}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "durand: shutting down; waiting for in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	draining.Store(true)
	ln.Close() // no new connections; Serve returns
	open.waitNone(sctx, min(drainGrace, timeout/2))
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// drainGrace is how long at most a shutdown lets keep-alive clients send
// their next request (answered with Connection: close) before the idle
// connections are closed.
const drainGrace = time.Second

// connCounter counts the open connections of a server through its
// ConnState hook (chaining the hook already set).
type connCounter struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed and replaced whenever n drops to 0
}

func newConnCounter(srv *http.Server) *connCounter {
	c := &connCounter{zero: make(chan struct{})}
	prev := srv.ConnState
	srv.ConnState = func(conn net.Conn, s http.ConnState) {
		c.mu.Lock()
		switch s {
		case http.StateNew:
			c.n++
		case http.StateClosed, http.StateHijacked:
			if c.n--; c.n == 0 {
				close(c.zero)
				c.zero = make(chan struct{})
			}
		}
		c.mu.Unlock()
		if prev != nil {
			prev(conn, s)
		}
	}
	return c
}

// waitNone returns once no connection is open, after d, or when ctx is
// done, whichever comes first.
func (c *connCounter) waitNone(ctx context.Context, d time.Duration) {
	c.mu.Lock()
	n, zero := c.n, c.zero
	c.mu.Unlock()
	if n == 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-zero:
	case <-t.C:
	case <-ctx.Done():
	}
}

// withPasswordFile returns the database URL dsn with the password read
// from the first line of file (none when file is ""). The password never
// needs to be on the command line, where ps shows it.
func withPasswordFile(dsn, file string) (string, error) {
	if file == "" {
		return dsn, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--db-password-file: %w", err)
	}
	pw, _, _ := strings.Cut(string(b), "\n")
	pw = strings.TrimSuffix(pw, "\r")
	if pw == "" {
		return "", fmt.Errorf("--db-password-file %s: the first line is empty", file)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", &usageError{"--source: not a postgres:// URL"}
	}
	user := ""
	if u.User != nil {
		user = u.User.Username()
	}
	u.User = url.UserPassword(user, pw)
	return u.String(), nil
}

// redactURL returns s with the password of a URL replaced.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}

// browseURL is the URL to open: the base URL, or the listening address
// with an unspecified host replaced by localhost.
func browseURL(addr net.Addr, base string) string {
	if base != "" {
		return strings.TrimRight(base, "/")
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
