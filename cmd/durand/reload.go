package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/server"
)

// DataVersionHeader is the response header naming the data version a
// response was built from (the content hash of the atlas files).
const DataVersionHeader = "Durand-Data-Version"

// reloadWarmZoom is the highest zoom warmed before a swap; the others up
// to the warm-up zoom are warmed after it (a zoom costs tens of ms).
const reloadWarmZoom = 3

// snapshot is one version of the data with the handler serving it. A
// snapshot is never modified: a reload builds a new one.
type snapshot struct {
	version string
	// versionHeader is version as a header value, shared by every
	// response (length and capacity one: a later Add copies).
	versionHeader []string
	atlas         *geo.Atlas
	handler       http.Handler
	stopWarm      context.CancelFunc // ends the snapshot's background tile warm-up
}

// reloader is the http.Handler of `durand serve`: it answers every request
// wholly from the current snapshot, and reload swaps in a new one
// atomically. Requests already running finish on the snapshot they
// started with; the old snapshot (and its tile cache) is freed after them.
type reloader struct {
	src atlasSource
	// newHandler builds the server of an atlas (server.New with the shared
	// registry and metrics).
	newHandler func(*geo.Atlas) (http.Handler, error)
	// warmZoom is the highest zoom WarmTiles fills after a swap; negative:
	// no warm-up.
	warmZoom int
	log      *slog.Logger
	// ctx bounds the background work of snapshots (tile warm-up).
	ctx context.Context

	cur   atomic.Pointer[snapshot]
	mu    sync.Mutex // serialises reloads
	state atomic.Pointer[server.Readiness]

	reloads  *prometheus.CounterVec
	degraded prometheus.Gauge
}

// newReloader registers the reload metrics in reg.
func newReloader(ctx context.Context, src atlasSource, newHandler func(*geo.Atlas) (http.Handler, error),
	warmZoom int, log *slog.Logger, reg prometheus.Registerer) (*reloader, error) {
	r := &reloader{src: src, newHandler: newHandler, warmZoom: warmZoom, log: log, ctx: ctx,
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "durand", Subsystem: "data", Name: "reloads_total",
			Help: "Data reloads by result: swapped (new data served), unchanged (same content version) or failed (old data kept).",
		}, []string{"result"}),
		degraded: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "durand", Subsystem: "data", Name: "degraded",
			Help: "1 while the data cannot be refreshed (the last good data is served), else 0.",
		}),
	}
	for _, c := range []prometheus.Collector{r.reloads, r.degraded} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("reload metrics: %w", err)
		}
	}
	r.state.Store(&server.Readiness{Since: time.Now()})
	return r, nil
}

// ServeHTTP answers from the current snapshot.
func (r *reloader) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	s := r.cur.Load()
	w.Header()[DataVersionHeader] = s.versionHeader // canonical already; allocates nothing
	s.handler.ServeHTTP(w, req)
}

// current returns the snapshot being served (nil before the first load).
func (r *reloader) current() *snapshot { return r.cur.Load() }

// ready is the server's Config.Ready.
func (r *reloader) ready() server.Readiness {
	rd := *r.state.Load()
	if s := r.cur.Load(); s != nil {
		rd.DataVersion = s.version
	}
	return rd
}

// setDegraded records that the data cannot be refreshed.
func (r *reloader) setDegraded(reason string) {
	old := r.state.Load()
	since := time.Now()
	if old.Degraded {
		since = old.Since
	}
	r.state.Store(&server.Readiness{Degraded: true, Reason: reason, Since: since})
	r.degraded.Set(1)
}

// setOK records that the data served is current.
func (r *reloader) setOK() {
	if old := r.state.Load(); old.Degraded {
		r.log.Info("data source healthy again", "source", r.src.String(), "degraded_for", time.Since(old.Since).Round(time.Millisecond))
		r.state.Store(&server.Readiness{Since: time.Now()})
	}
	r.degraded.Set(0)
}

// lost is called when the database connection failed.
func (r *reloader) lost(err error) {
	r.log.Warn("data source unreachable; serving the last good data, reconnecting", "source", r.src.String(), "err", err)
	r.setDegraded(fmt.Sprintf("data source unreachable (serving the last good data): %v", err))
}

// reload reads the source and, when its content version differs from the
// one served, builds a new snapshot (atlas, zones, server) off to the side
// and swaps it in. On error the current snapshot stays, the error is
// logged, /readyz turns degraded and reload returns the error. The first
// reload must succeed for the server to start.
func (r *reloader) reload(ctx context.Context, why string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	old := r.cur.Load()
	fail := func(err error) error {
		r.reloads.WithLabelValues("failed").Inc()
		if old != nil {
			r.log.Error("data reload failed; still serving the previous data", "why", why, "source", r.src.String(),
				"version", old.version, "err", err)
			r.setDegraded(fmt.Sprintf("last reload failed (serving data version %s): %v", old.version, err))
		}
		return err
	}
	version, parse, err := r.src.fetch(ctx)
	if err != nil {
		return fail(fmt.Errorf("reading the data from %s: %w", r.src, err))
	}
	if old != nil && old.version == version {
		r.reloads.WithLabelValues("unchanged").Inc()
		r.setOK()
		r.log.Info("data unchanged", "why", why, "version", version)
		return nil
	}
	fetched := time.Now()
	a, err := parse()
	if err != nil {
		return fail(err)
	}
	parsed := time.Now()
	if old == nil {
		// At start-up the server answers at once: the zones are computed
		// in the background (requests needing them wait).
		go func() {
			if err := a.PrepareZones(); err != nil {
				r.log.Error("computing the crisis zones", "err", err)
			}
		}()
	}
	zoned := time.Now()
	h, err := r.newHandler(a)
	if err != nil {
		return fail(err)
	}
	built := time.Now()
	wctx, stop := context.WithCancel(r.ctx)
	s := &snapshot{version: version, versionHeader: []string{version}[:1:1], atlas: a, handler: h, stopWarm: stop}
	tilesDone := built
	if old != nil && r.warmZoom >= 0 {
		// Build the new snapshot's tiles and fill the low zooms of its
		// empty cache before the swap; requests meanwhile get the old
		// snapshot. The layers computed on first use (zones: seconds) join
		// the tiles after the swap, as at start-up.
		if err := server.WarmTiles(wctx, h, min(r.warmZoom, reloadWarmZoom)); err != nil && wctx.Err() == nil {
			r.log.Error("tile warm-up failed", "err", err)
		}
		tilesDone = time.Now()
	}
	r.cur.Store(s)
	if old != nil {
		old.stopWarm()
	}
	r.reloads.WithLabelValues("swapped").Inc()
	r.setOK()
	if old != nil {
		r.log.Info("data reloaded", "why", why, "source", r.src.String(), "version", version,
			"previous", old.version, "duration", time.Since(start).Round(time.Millisecond),
			"read", fetched.Sub(start).Round(time.Millisecond), "parse", parsed.Sub(fetched).Round(time.Millisecond),
			"server", built.Sub(zoned).Round(time.Millisecond), "tiles", tilesDone.Sub(built).Round(time.Millisecond))
	}
	if old == nil && r.warmZoom >= 0 || r.warmZoom > reloadWarmZoom {
		// At start-up the server answers at once; the low zooms are
		// warmed in the background (requests meanwhile generate tiles on
		// demand). After a reload, the zooms above reloadWarmZoom.
		go func() {
			if err := server.WarmTiles(wctx, h, r.warmZoom); err != nil && wctx.Err() == nil {
				r.log.Error("tile warm-up failed", "err", err)
			}
		}()
	}
	return nil
}
