package server

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
)

// maxRawQuery bounds the query string; longer ones get 414.
const maxRawQuery = 4096

// metrics are the request counters and latency histograms, by route.
// The series of a route, method and status are resolved once and kept
// (resolved), so that observing a request is a map lookup and two atomic
// updates rather than a label hash per request.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge

	mu       sync.Mutex // serialises additions to resolved
	resolved atomic.Pointer[map[seriesKey]*series]
}

// seriesKey names the series of one route template, method and status.
type seriesKey struct {
	route, method string
	code          int
}

// series are the metrics of one seriesKey.
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "durand", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "durand", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer HTTP requests, in seconds, by route template and method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "durand", Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("server: metrics: %w", err)
		}
	}
	m.resolved.Store(&map[seriesKey]*series{})
	return m, nil
}

// series returns the metrics of a route, method and status, resolving
// them on first use. Route templates, methods (see boundedMethod) and
// status codes are bounded, so the map is too.
func (m *metrics) series(k seriesKey) *series {
	if s := (*m.resolved.Load())[k]; s != nil {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.resolved.Load()
	if s := old[k]; s != nil {
		return s
	}
	s := &series{
		requests: m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.code)),
		duration: m.duration.WithLabelValues(k.route, k.method),
	}
	next := make(map[seriesKey]*series, len(old)+1)
	maps.Copy(next, old)
	next[k] = s
	m.resolved.Store(&next)
	return s
}

// boundedMethod is the method label of a request: the standard methods
// durand may see, everything else "other" (bounded label values).
func boundedMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPut,
		http.MethodDelete, http.MethodPatch:
		return m
	}
	return "other"
}

// recorder remembers the status and size of a response, and the route
// template that answered it (set by labelRoute, fastTiles or the CORS
// preflight through setRoute).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	route  string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// setRoute records the route template answering a request in the
// recorder of observe, found by unwrapping w.
func setRoute(w http.ResponseWriter, template string) {
	for range 8 { // observe's recorder is at most a few wrappers away
		if rec, ok := w.(*recorder); ok {
			rec.route = template
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// labelRoute records the matched route's template (runs inside mux).
func labelRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt := mux.CurrentRoute(r); rt != nil {
			if t, err := rt.GetPathTemplate(); err == nil {
				setRoute(w, t)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// AccessEntry is one line of the access log: what observe knows of a
// request once it is answered.
type AccessEntry struct {
	Method    string        // the request method, at most 16 bytes (truncate)
	Path      string        // the request URI, at most 512 bytes
	Route     string        // the route template, or "unmatched"
	Status    int           // the status code sent
	Bytes     int           // the body bytes written
	Duration  time.Duration // from the start of the handler to its end
	Remote    string        // the client's address
	UserAgent string        // at most 128 bytes
}

// Record returns the entry as the slog record of its access-log line, at
// time t: message "request", level Info, the fields as attributes, and no
// caller (pc 0: the source would be the logging code, not the request).
func (e AccessEntry) Record(t time.Time) slog.Record {
	rec := slog.NewRecord(t, slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("method", e.Method),
		slog.String("path", e.Path),
		slog.String("route", e.Route),
		slog.Int("status", e.Status),
		slog.Int("bytes", e.Bytes),
		slog.Duration("duration", e.Duration),
		slog.String("remote", e.Remote),
		slog.String("user_agent", e.UserAgent),
	)
	return rec
}

// AccessLogger is a slog.Handler that can also write access-log lines
// directly, without building an slog.Record. observe uses LogAccess when
// the Config's Logger has such a handler (durand serve's has); the line
// must be the one the handler would write for the record observe
// otherwise logs: message "request" at level Info with the attributes
// method, path, route, status, bytes, duration, remote and user_agent, in
// that order. LogAccess is called only when the handler is enabled for
// level Info.
type AccessLogger interface {
	slog.Handler
	LogAccess(e AccessEntry)
}

// observe counts, times and logs every request: one access-log line each.
func (s *server) observe(next http.Handler) http.Handler {
	pool := sync.Pool{New: func() any { return new(recorder) }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := pool.Get().(*recorder)
		*rec = recorder{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			d := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			route := rec.route
			if route == "" {
				route = "unmatched"
			}
			ser := s.metrics.series(seriesKey{route: route, method: boundedMethod(r.Method), code: status})
			ser.requests.Inc()
			ser.duration.Observe(d.Seconds())
			s.logAccess(r, AccessEntry{
				Method:    truncate(r.Method, 16),
				Path:      truncate(r.URL.RequestURI(), 512),
				Route:     route,
				Status:    status,
				Bytes:     rec.bytes,
				Duration:  d,
				Remote:    r.RemoteAddr,
				UserAgent: truncate(r.Header.Get("User-Agent"), 128),
			})
			*rec = recorder{}
			pool.Put(rec)
		}()
		next.ServeHTTP(rec, r)
	})
}

// logAccess writes the access-log line of a request: through the
// handler's LogAccess when it has one, else as an slog record.
func (s *server) logAccess(r *http.Request, e AccessEntry) {
	h := s.log.Handler()
	if al, ok := h.(AccessLogger); ok {
		if al.Enabled(r.Context(), slog.LevelInfo) {
			al.LogAccess(e)
		}
		return
	}
	if !h.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	h.Handle(r.Context(), e.Record(time.Now())) // errors: nowhere better to report them
}

// recoverPanics turns a panic into a 500 JSON error and logs the stack; the
// client never sees it.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// secure sets the security header every response carries (nosniff) and
// bounds the query string. The headers that concern documents only
// (Referrer-Policy, X-Frame-Options, beside the Content-Security-Policy of
// each page) are set by respond on HTML pages: a tile, a JSON document or
// a download is not framed and makes no requests of its own, and sending
// them on every tile cost measurable time (see bench/README.md). The
// header value is a shared slice of length and capacity one (a later Add
// copies rather than writes into it).
func (s *server) secure(next http.Handler) http.Handler {
	nosniff := one("nosniff")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = nosniff
		if len(r.URL.RawQuery) > maxRawQuery {
			s.writeError(w, r, &apiError{status: http.StatusRequestURITooLong, code: "URITooLong",
				description: fmt.Sprintf("the query string is longer than %d bytes", maxRawQuery)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// corsPolicy says which origins may read responses.
type corsPolicy struct {
	any     bool
	origins []string
}

func newCORSPolicy(origins []string) (corsPolicy, error) {
	if len(origins) == 0 {
		return corsPolicy{any: true}, nil
	}
	var p corsPolicy
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o == "*" {
			p.any = true
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return p, fmt.Errorf("%w: CORS origin %q is not * or scheme://host[:port]", ErrConfig, o)
		}
		p.origins = append(p.origins, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return p, nil
}

func (p corsPolicy) allows(origin string) bool {
	return p.any || slices.Contains(p.origins, strings.ToLower(origin))
}

// corsHandler answers CORS preflights and adds the CORS headers to
// responses for allowed origins. Only GET and HEAD are allowed.
func (s *server) corsHandler(next http.Handler) http.Handler {
	anyOrigin, expose := one("*"), one("ETag, Content-Disposition, Content-Length, Content-Range, Content-Crs")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		origin := r.Header.Get("Origin")
		if !s.cors.any {
			h.Add("Vary", "Origin")
		}
		allowed := origin != "" && s.cors.allows(origin)
		if allowed {
			if s.cors.any {
				h["Access-Control-Allow-Origin"] = anyOrigin
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			h["Access-Control-Expose-Headers"] = expose
		}
		if r.Method != http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		// OPTIONS: answered here for every path the router serves.
		var match mux.RouteMatch
		asGet := r.Clone(r.Context())
		asGet.Method = http.MethodGet
		if !s.router.Match(asGet, &match) || match.MatchErr != nil || match.Route == nil {
			s.writeError(w, r, notFound("no resource at %s", truncate(r.URL.Path, 200)))
			return
		}
		if t, err := match.Route.GetPathTemplate(); err == nil {
			setRoute(w, t)
		}
		h.Set("Allow", "GET, HEAD, OPTIONS")
		reqMethod := r.Header.Get("Access-Control-Request-Method")
		if origin != "" && reqMethod != "" { // a preflight
			if !allowed {
				s.writeError(w, r, &apiError{status: http.StatusForbidden, code: "Forbidden",
					description: fmt.Sprintf("origin %q may not read from this server", truncate(origin, 100))})
				return
			}
			if reqMethod != http.MethodGet && reqMethod != http.MethodHead {
				s.writeError(w, r, &apiError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed",
					description: fmt.Sprintf("method %s is not allowed; use GET or HEAD", truncate(reqMethod, 32)), allow: "GET, HEAD, OPTIONS"})
				return
			}
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
				h.Set("Access-Control-Allow-Headers", truncate(rh, 512))
			}
			h.Set("Access-Control-Max-Age", "86400")
			h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
		}
		h.Set("Cache-Control", cacheNone)
		w.WriteHeader(http.StatusNoContent)
	})
}
