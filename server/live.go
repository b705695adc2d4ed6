package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/durandline/durand/geo"
)

// DataVersionHeader is the response header in which a Live server names
// the data version a response was built from (the content hash of the
// atlas files, geo.DataVersion).
const DataVersionHeader = "Durand-Data-Version"

// Source is where a Live server reads its data: the embedded files merged
// with a data directory (data.Source) or a PostGIS database
// (postgis.Source). Each Fetch reads the current data anew.
type Source interface {
	// Fetch reads the current data: its content version (equal for equal
	// data, on every replica) and a function that parses it into an atlas.
	Fetch(ctx context.Context) (version string, parse func() (*geo.Atlas, error), err error)
	// String describes the source for logs, without secrets.
	String() string
}

// LiveConfig configures NewLive.
type LiveConfig struct {
	// Server configures the handler of each version of the data. Live sets
	// its Atlas, Metrics and Ready. Its Registry (nil: a new one with the
	// Go and process collectors) receives the request metrics, shared by
	// every version, and the reload metrics durand_data_reloads_total and
	// durand_data_degraded.
	Server Config
	// WarmZoom is the highest zoom whose tiles are generated into the
	// cache after each load, in the background (a tile asked for before
	// is made on demand). Zero selects DefaultWarmZoom; negative warms
	// nothing.
	WarmZoom int
	// Buffers, when set, is the zone buffer cache of every atlas loaded
	// from the Source (geo.Atlas.UseBufferCache): with a cache kept on
	// disk (package zonecache), a restart on the same data serves its
	// zones without tracing them again. A reload also takes over the
	// buffers of the data it replaces (geo.Atlas.ReuseFrom).
	Buffers geo.BufferCache
}

// snapshot is one version of the data with the handler serving it. A
// snapshot is never modified: a reload builds a new one.
type snapshot struct {
	version string
	// versionHeader is version as a header value, shared by every
	// response (length and capacity one: a later Add copies).
	versionHeader []string
	atlas         *geo.Atlas
	handler       *handler
	stopWarm      context.CancelFunc // ends the snapshot's background tile warm-up
	// tilesFrom, while set, is the earlier snapshot that answers the tile
	// requests (see isTileRequest) until this one's tilesets are built: a
	// reload swaps the new data in as soon as it is parsed, so that an
	// edit shows in the items at once, and the tiles follow.
	tilesFrom atomic.Pointer[snapshot]
}

// isTileRequest reports whether r asks for tiles or what describes them
// (TileJSON, the OGC tilesets, the style, the PMTiles archive): what a
// snapshot whose tiles are not yet warm leaves to the one before it.
func isTileRequest(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/tiles/") || strings.HasPrefix(p, "/styles/") || p == "/downloads/durand.pmtiles" ||
		(strings.HasPrefix(p, "/collections/") && strings.Contains(p, "/tiles"))
}

// noStoreWriter sends an answer as not cacheable: the tiles of an older
// snapshot answered while the new one's are built.
type noStoreWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *noStoreWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.Header().Set("Cache-Control", cacheNone)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *noStoreWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer.
func (w *noStoreWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Live is an http.Handler serving the data of a Source that can change: it
// answers every request wholly from the current snapshot (an atlas and the
// handler New built for it), and Reload swaps in a new one atomically.
// Requests already running finish on the snapshot they started with; the
// old snapshot (and its tile cache) is freed after them. Every response
// carries DataVersionHeader.
type Live struct {
	src      Source
	cfg      Config
	warmZoom int             // negative: no warm-up
	buffers  geo.BufferCache // LiveConfig.Buffers; nil: none
	log      *slog.Logger
	// ctx bounds the background work of snapshots (tile warm-up).
	ctx context.Context

	cur   atomic.Pointer[snapshot]
	mu    sync.Mutex // serialises reloads
	state atomic.Pointer[Readiness]

	reloads  *prometheus.CounterVec
	degraded prometheus.Gauge
}

// NewLive reads src and builds the first snapshot; it fails when the
// first load does. ctx bounds the background work of every snapshot (tile
// warm-up and zone computation): cancel it when the server stops.
func NewLive(ctx context.Context, src Source, cfg LiveConfig) (*Live, error) {
	sc := cfg.Server
	if sc.Atlas != nil {
		return nil, fmt.Errorf("%w: LiveConfig.Server.Atlas is set; the data come from the Source", ErrConfig)
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if sc.Logger == nil {
		sc.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// One registry and one set of request metrics for every snapshot's
	// handler.
	if err := sc.setUpMetrics(); err != nil {
		return nil, err
	}
	warm := cfg.WarmZoom
	if warm == 0 {
		warm = DefaultWarmZoom
	}
	l := &Live{src: src, cfg: sc, warmZoom: warm, buffers: cfg.Buffers, log: sc.Logger, ctx: ctx,
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "durand", Subsystem: "data", Name: "reloads_total",
			Help: "Data reloads by result: swapped (new data served), unchanged (same content version) or failed (old data kept).",
		}, []string{"result"}),
		degraded: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "durand", Subsystem: "data", Name: "degraded",
			Help: "1 while the data cannot be refreshed (the last good data is served), else 0.",
		}),
	}
	l.cfg.Ready = l.Ready
	for _, c := range []prometheus.Collector{l.reloads, l.degraded} {
		if err := sc.Registry.Register(c); err != nil {
			return nil, fmt.Errorf("server: reload metrics: %w", err)
		}
	}
	l.state.Store(&Readiness{Since: time.Now()})
	if err := l.Reload(ctx, "start"); err != nil {
		return nil, err
	}
	return l, nil
}

// ServeHTTP answers from the current snapshot.
func (l *Live) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	s := l.cur.Load()
	if from := s.tilesFrom.Load(); from != nil && isTileRequest(req) {
		// The new snapshot's tiles are being built: the previous
		// snapshot answers, wholly, and not as cacheable.
		w.Header()[DataVersionHeader] = from.versionHeader
		from.handler.ServeHTTP(&noStoreWriter{ResponseWriter: w}, req)
		return
	}
	w.Header()[DataVersionHeader] = s.versionHeader // canonical already; allocates nothing
	s.handler.ServeHTTP(w, req)
}

// Atlas returns the atlas being served.
func (l *Live) Atlas() *geo.Atlas { return l.cur.Load().atlas }

// Version returns the content version of the data being served.
func (l *Live) Version() string { return l.cur.Load().version }

// Ready reports what /readyz reports: degraded while the source is
// unreachable (SourceLost) or after a failed reload, until a reload
// succeeds.
func (l *Live) Ready() Readiness {
	rd := *l.state.Load()
	if s := l.cur.Load(); s != nil {
		rd.DataVersion = s.version
	}
	return rd
}

// setDegraded records that the data cannot be refreshed.
func (l *Live) setDegraded(reason string) {
	old := l.state.Load()
	since := time.Now()
	if old.Degraded {
		since = old.Since
	}
	l.state.Store(&Readiness{Degraded: true, Reason: reason, Since: since})
	l.degraded.Set(1)
}

// setOK records that the data served is current.
func (l *Live) setOK() {
	if old := l.state.Load(); old.Degraded {
		l.log.Info("data source healthy again", "source", l.src.String(), "degraded_for", time.Since(old.Since).Round(time.Millisecond))
		l.state.Store(&Readiness{Since: time.Now()})
	}
	l.degraded.Set(0)
}

// SourceLost records that the source became unreachable (for example the
// database connection failed): the server keeps serving the last good
// data and reports degraded until the next successful Reload.
func (l *Live) SourceLost(err error) {
	l.log.Warn("data source unreachable; serving the last good data, reconnecting", "source", l.src.String(), "err", err)
	l.setDegraded("data source unreachable (serving the last good data); the log says why")
}

// Reload reads the source and, when its content version differs from the
// one served, builds a new snapshot (atlas, server) off to the side and
// swaps it in; why is logged. The new snapshot's tilesets are built after
// the swap: until they are, the previous snapshot answers the tile
// requests (not cacheable), so an edit reaches the items without waiting
// for the tiles (see tiles). On error the
// current snapshot stays, the error is logged, Ready turns degraded and
// Reload returns the error. Reloads are serialised.
func (l *Live) Reload(ctx context.Context, why string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := time.Now()
	old := l.cur.Load()
	fail := func(err error) error {
		l.reloads.WithLabelValues("failed").Inc()
		if old != nil {
			l.log.Error("data reload failed; still serving the previous data", "why", why, "source", l.src.String(),
				"version", old.version, "err", err)
			l.setDegraded(fmt.Sprintf("last reload failed (serving data version %s); the log says why", old.version))
		}
		return err
	}
	version, parse, err := l.src.Fetch(ctx)
	if err != nil {
		return fail(fmt.Errorf("reading the data from %s: %w", l.src, err))
	}
	if old != nil && old.version == version {
		l.reloads.WithLabelValues("unchanged").Inc()
		l.setOK()
		l.log.Info("data unchanged", "why", why, "version", version)
		return nil
	}
	fetched := time.Now()
	a, err := parse()
	if err != nil {
		return fail(err)
	}
	if l.buffers != nil {
		a.UseBufferCache(l.buffers)
	}
	if old != nil {
		// The zones (seconds of CPU) are cut from buffers of the border
		// that an edit seldom changes: take over those computed.
		a.ReuseFrom(old.atlas)
	}
	parsed := time.Now()
	if old == nil {
		// At start-up the server answers at once: the zones are computed
		// in the background (requests needing them wait).
		go func() {
			if err := a.PrepareZones(); err != nil {
				l.log.Error("computing the crisis zones", "err", err)
			}
		}()
	}
	c := l.cfg
	c.Atlas = a
	var prev *handler
	if old != nil {
		prev = old.handler
	}
	h, err := newFrom(c, prev)
	if err != nil {
		return fail(err)
	}
	built := time.Now()
	wctx, stop := context.WithCancel(l.ctx)
	s := &snapshot{version: version, versionHeader: []string{version}[:1:1], atlas: a, handler: h, stopWarm: stop}
	if old != nil {
		// The new data are served at once; the tiles of the previous
		// snapshot (whose own tiles may still come from the one before)
		// answer the tile requests until the new tilesets are built,
		// after the swap (tiles).
		from := old
		if p := old.tilesFrom.Load(); p != nil {
			from = p
		}
		s.tilesFrom.Store(from)
	}
	l.cur.Store(s)
	if old != nil {
		old.stopWarm()
	}
	l.reloads.WithLabelValues("swapped").Inc()
	l.setOK()
	if old != nil {
		l.log.Info("data reloaded", "why", why, "source", l.src.String(), "version", version,
			"previous", old.version, "duration", time.Since(start).Round(time.Millisecond),
			"read", fetched.Sub(start).Round(time.Millisecond), "parse", parsed.Sub(fetched).Round(time.Millisecond),
			"server", built.Sub(parsed).Round(time.Millisecond))
	}
	go l.tiles(wctx, s, old != nil, start)
	return nil
}

// tiles makes the tiles of a new snapshot follow its data, in the
// background until ctx ends. At start-up the server answers at once and
// the tiles are made on demand. After a reload the tiles are invalidated,
// not rebuilt: the tilesets are built (reusing what the previous ones
// prepared for the layers that did not change), the previous snapshot
// stops answering the tile requests and each tile is made on demand. The
// layers computed on first use (zones: seconds) join the tiles later, as
// at start-up. Then zooms 0 to warmZoom are warmed.
func (l *Live) tiles(ctx context.Context, s *snapshot, reload bool, start time.Time) {
	if reload && ctx.Err() == nil {
		t0 := time.Now()
		if _, err := s.handler.s.tiles.current(); err != nil {
			l.log.Error("building the tiles of the reloaded data", "err", err)
		}
		s.tilesFrom.Store(nil)
		l.log.Info("tiles of the reloaded data served", "version", s.version, "tiles", time.Since(t0).Round(time.Millisecond),
			"since_reload", time.Since(start).Round(time.Millisecond))
	}
	if l.warmZoom >= 0 && ctx.Err() == nil {
		if err := WarmTiles(ctx, s.handler, l.warmZoom); err != nil && ctx.Err() == nil {
			l.log.Error("tile warm-up failed", "err", err)
		}
	}
}
