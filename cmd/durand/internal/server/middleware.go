package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
)

// maxRawQuery bounds the query string; longer ones get 414.
const maxRawQuery = 4096

// metrics are the request counters and latency histograms, by route.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
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
	return m, nil
}

// routeLabel carries the matched route template from inside the router
// out to the observing middleware.
type routeLabel struct{ template string }

type routeLabelKey struct{}

// labelRoute records the matched route's template (runs inside mux).
func labelRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l, ok := r.Context().Value(routeLabelKey{}).(*routeLabel); ok {
			if rt := mux.CurrentRoute(r); rt != nil {
				if t, err := rt.GetPathTemplate(); err == nil {
					l.template = t
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
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

// observe counts, times and logs every request.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		label := &routeLabel{}
		r = r.WithContext(context.WithValue(r.Context(), routeLabelKey{}, label))
		rec := &recorder{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			d := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			route := label.template
			if route == "" {
				route = "unmatched"
			}
			method := r.Method
			switch method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPut,
				http.MethodDelete, http.MethodPatch:
			default:
				method = "other" // bounded label values
			}
			s.metrics.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			s.metrics.duration.WithLabelValues(route, method).Observe(d.Seconds())
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", truncate(r.Method, 16)),
				slog.String("path", truncate(r.URL.RequestURI(), 512)),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", rec.bytes),
				slog.Duration("duration", d),
				slog.String("remote", r.RemoteAddr),
				slog.String("user_agent", truncate(r.UserAgent(), 128)),
			)
		}()
		next.ServeHTTP(rec, r)
	})
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

// secure sets the security headers every response carries and bounds the
// query string.
func (s *server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		origin := r.Header.Get("Origin")
		if !s.cors.any {
			h.Add("Vary", "Origin")
		}
		allowed := origin != "" && s.cors.allows(origin)
		if allowed {
			if s.cors.any {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			h.Set("Access-Control-Expose-Headers", "ETag, Content-Disposition, Content-Length")
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
		if l, ok := r.Context().Value(routeLabelKey{}).(*routeLabel); ok {
			if t, err := match.Route.GetPathTemplate(); err == nil {
				l.template = t
			}
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
