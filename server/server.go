package server

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/durandline/durand/geo"
)

// Config is what New needs. Only Atlas is required.
type Config struct {
	// Atlas is the data served.
	Atlas *geo.Atlas
	// BaseURL is the public URL of the server's root, used in links, for
	// example "https://maps.example.org/durand" behind a proxy that strips
	// the /durand prefix. Empty: links are built from each request's Host.
	BaseURL string
	// CORSOrigins are the origins allowed to read responses from a
	// browser: "*" (the default when empty) or exact origins such as
	// "https://example.org". Only GET and HEAD are ever allowed.
	CORSOrigins []string
	// Logger receives one access-log line a request (level Info) and
	// internal errors (level Error). Nil discards them.
	Logger *slog.Logger
	// Registry receives the request metrics; nil creates one for this
	// server with the Go and process collectors. /metrics serves it.
	Registry *prometheus.Registry
	// Metrics, when set, are the request metrics to record into, made by
	// NewMetrics on Registry: handlers built one after another on the same
	// Registry (a server that reloads its data) share them, since a
	// metric registers only once. Nil registers new ones in Registry.
	Metrics *Metrics
	// Ready, when set, tells /readyz whether the data served is current
	// (see Readiness); nil: always ready.
	Ready func() Readiness
	// Title is the title of the landing page.
	Title string
	// ExtraLayers are served as collections after the atlas's layers, with
	// queryables, downloads and, when their features carry dates
	// (start_date/end_date, start/end, date or datetime), a temporal
	// extent and datetime filtering, and in the vector tiles: the way in
	// for a layer of the user's own, beside the catalogue's (package
	// layers). A layer with a Schema is typed by it, as the catalogue's
	// are; without one (the usual case) the types of its properties in
	// queryables, downloads and tiles are inferred from the values.
	// Their names must be unique and usable in URLs ([a-z0-9_]).
	ExtraLayers []layers.Layer
	// TileCacheBytes bounds the memory of the vector tile cache: encoded
	// and gzipped tiles with their headers, in bytes. Zero selects
	// DefaultTileCacheBytes; a negative value caches nothing.
	TileCacheBytes int64
	// MapLibreURL is the base URL the map page (/map) loads MapLibre GL JS
	// from: the folder holding maplibre-gl.mjs, as an absolute http(s) URL
	// or a path on this server. Empty selects DefaultMapLibreURL.
	MapLibreURL string
	// MapLibreDir, when set, is a local copy of the dist folder of the
	// maplibre-gl npm package (6.x), served under /vendor/maplibre/ and
	// loaded by the map page instead of MapLibreURL.
	MapLibreDir string
	// MaxBusy bounds the expensive computations running at once (the
	// tiles of a day not yet served, downloads built on first request,
	// large HTML pages of items); a request that finds them all taken for
	// BusyWait is answered 503 with Retry-After. Large answers are
	// compressed within it too, a chunk at a time. Zero selects one per
	// CPU but one (at least one), so that a CPU stays free for the cheap
	// answers.
	MaxBusy int
	// BusyWait is how long a request waits for one of the MaxBusy slots;
	// zero selects DefaultBusyWait.
	BusyWait time.Duration
	// WriteProgress is how long one write of a response may block (the
	// client reading nothing) before the connection is dropped; zero
	// selects DefaultWriteProgress, a negative value sets no such limit.
	// Tiles, small and written at once, are left to the server's
	// WriteTimeout.
	WriteProgress time.Duration
}

// Metrics are the request metrics of a server, registered once in a
// Prometheus registry (Config.Metrics).
type Metrics struct{ m *metrics }

// NewMetrics registers the request metrics in reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	return &Metrics{m: m}, nil
}

// Readiness is what /readyz reports. /readyz answers 200 in both states:
// a degraded server still answers every request from the last data it
// loaded, so a load balancer should keep sending it traffic; monitoring
// reads Status.
type Readiness struct {
	// Degraded is set while the data cannot be refreshed (for example the
	// database is unreachable); Reason says what is wrong, in words safe
	// to show anyone who can reach /readyz: no file path, database user,
	// name or host (the log has the details).
	Degraded bool
	Reason   string
	// DataVersion identifies the data served (a content hash), if known.
	DataVersion string
	// Since is when the current state began, if known.
	Since time.Time
}

// ErrConfig is matched by errors New returns for an unusable Config.
var ErrConfig = errors.New("server: invalid configuration")

// server holds the dependencies every handler uses.
type server struct {
	atlas    *geo.Atlas
	colls    *registry
	base     string // BaseURL without a trailing slash, or ""
	cors     corsPolicy
	log      *slog.Logger
	registry *prometheus.Registry
	metrics  *metrics
	ready    func() Readiness
	title    string
	router   *mux.Router
	routes   []route
	pages    map[string]*template.Template
	tiles    *tileService
	mapView  *mapView
	vendor   map[string]*staticFile // the local MapLibre copy, or nil
	gzPool   gzipPool               // fast: per-request answers
	budget   *workBudget
	// writeProgress is Config.WriteProgress with its default applied.
	writeProgress time.Duration
	// Pieces of bodies written in parts (never modified).
	comma, closeFC []byte
}

// New returns the HTTP handler serving cfg.Atlas: OGC API – Features
// Part 1 (core, GeoJSON, HTML, OpenAPI 3.0), the border and place queries,
// downloads, /healthz, /readyz and /metrics. See the package documentation.
func New(cfg Config) (http.Handler, error) { return newFrom(cfg, nil) }

// newFrom is New for a new version of the data served by prev (a
// handler New returned, or nil): the features prev's collections have
// unchanged keep their encoding, and the tilesets reuse what prev's
// prepared for the layers that did not change.
func newFrom(cfg Config, prev *handler) (*handler, error) {
	var prevColls *registry
	if prev != nil {
		prevColls = prev.s.colls
	}
	s, err := newServerFrom(cfg, prevColls)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		from := prev.s.tiles.state.Load()
		if from == nil {
			from = prev.s.tiles.from.Load()
		}
		s.tiles.from.Store(from)
	}
	return &handler{Handler: s.handler(), s: s}, nil
}

// Validate checks BaseURL and CORSOrigins, so that a command can report
// bad flags before it loads the atlas; New checks Atlas too. Its errors
// match ErrConfig.
func (c Config) Validate() error {
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("%w: BaseURL %q is not an absolute http(s) URL without query", ErrConfig, c.BaseURL)
		}
	}
	if _, err := newCORSPolicy(c.CORSOrigins); err != nil {
		return err
	}
	return validateMapLibre(c)
}

func newServer(cfg Config) (*server, error) { return newServerFrom(cfg, nil) }

// newServerFrom is newServer reusing the feature encodings of prev, the
// collections of an earlier version of the data (or nil).
func newServerFrom(cfg Config, prev *registry) (*server, error) {
	if cfg.Atlas == nil {
		return nil, fmt.Errorf("%w: Atlas is nil", ErrConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &server{atlas: cfg.Atlas, log: cfg.Logger, title: cfg.Title, ready: cfg.Ready,
		base: strings.TrimRight(cfg.BaseURL, "/"), comma: []byte(","), closeFC: []byte("]}\n")}
	s.gzPool.fast = true
	s.budget = newWorkBudget(cfg.MaxBusy, cfg.BusyWait)
	if s.writeProgress = cfg.WriteProgress; s.writeProgress == 0 {
		s.writeProgress = DefaultWriteProgress
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.title == "" {
		s.title = "Durand Line atlas"
	}
	var err error
	if s.cors, err = newCORSPolicy(cfg.CORSOrigins); err != nil {
		return nil, err
	}
	if err := cfg.setUpMetrics(); err != nil {
		return nil, err
	}
	s.registry, s.metrics = cfg.Registry, cfg.Metrics.m
	if s.colls, err = newRegistry(cfg.Atlas, prev); err != nil {
		return nil, err
	}
	for _, l := range cfg.ExtraLayers {
		if !validCollectionID(l.Name) {
			return nil, fmt.Errorf("%w: extra layer name %q is not [a-z0-9_]+", ErrConfig, l.Name)
		}
		if _, dup := s.colls.byID[l.Name]; dup {
			return nil, fmt.Errorf("%w: extra layer %q is already a collection", ErrConfig, l.Name)
		}
		c, err := newCollection(l)
		if err != nil {
			return nil, err
		}
		s.colls.list = append(s.colls.list, c)
		s.colls.byID[c.id] = c
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.tiles, err = newTileService(s.colls, cfg.TileCacheBytes, s.log); err != nil {
		return nil, err
	}
	if err := s.newMapView(cfg); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	s.router = s.newRouter()
	return s, nil
}

// handler is the router wrapped in the middleware: panic recovery, access
// log and metrics, security headers, CORS; plain tile requests skip the
// router (fastTiles); the others drop clients that stop reading (progress).
func (s *server) handler() http.Handler {
	return s.observe(s.recoverPanics(s.secure(s.corsHandler(s.fastTiles(s.progress(s.router))))))
}

// baseURL returns the URL of the server root for links: the configured
// BaseURL, else the scheme and Host of the request.
func (s *server) baseURL(r *http.Request) string {
	if s.base != "" {
		return s.base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// newRouter registers every route of the route table for GET and HEAD.
func (s *server) newRouter() *mux.Router {
	// SkipClean: a path with .. or // is not redirected to its cleaned
	// form (which would send /downloads/../../etc/passwd to /etc/passwd):
	// it matches no route and gets a JSON 404.
	r := mux.NewRouter().SkipClean(true)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s.writeError(w, req, notFound("no resource at %s; the landing page / lists what is served", truncate(req.URL.Path, 200)))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s.writeError(w, req, &apiError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
			description: fmt.Sprintf("method %s is not allowed here; use GET or HEAD", truncate(req.Method, 32)), allow: "GET, HEAD, OPTIONS"})
	})
	for _, rt := range s.routes {
		var h http.Handler
		if rt.raw != nil {
			h = s.checkQuery(rt, rt.raw)
		} else {
			h = s.adapt(rt)
		}
		r.Handle(rt.path, h).Methods(http.MethodGet, http.MethodHead).Name(rt.name)
	}
	r.Use(labelRoute)
	return r
}

// adapt validates the query parameters of a route, then runs its handler.
func (s *server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed := rt.params
		if rt.moreParams != nil {
			more, err := rt.moreParams(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			allowed = append(append([]string(nil), allowed...), more...)
		}
		q, err := parseQuery(r, allowed)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp, err := rt.handler(r, q)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.respond(w, r, resp)
	})
}

// checkQuery validates the query of a route served by a raw handler.
func (s *server) checkQuery(rt route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" { // the common case, without allocating
			next.ServeHTTP(w, r)
			return
		}
		if _, err := parseQuery(r, rt.params); err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// validCollectionID reports whether s is a non-empty run of lower-case
// letters, digits and underscores.
func validCollectionID(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// setUpMetrics is the one set-up of the server's metrics, for New and
// NewLive: without a Registry it creates one with the Go runtime's and the
// process's collectors, and without Metrics it registers the request
// metrics in the Registry. Metrics without their Registry are refused.
func (c *Config) setUpMetrics() error {
	if c.Metrics != nil && c.Registry == nil {
		return fmt.Errorf("%w: Metrics without the Registry they are registered in", ErrConfig)
	}
	if c.Registry == nil {
		reg := prometheus.NewRegistry()
		for _, col := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
			if err := reg.Register(col); err != nil {
				return fmt.Errorf("server: metrics: %w", err)
			}
		}
		c.Registry = reg
	}
	if c.Metrics == nil {
		m, err := NewMetrics(c.Registry)
		if err != nil {
			return err
		}
		c.Metrics = m
	}
	return nil
}
