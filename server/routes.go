package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// route is one resource: its path, its query parameters, its handler and
// what the OpenAPI document says about it. The router and /api are both
// built from the route table, so they cannot disagree.
type route struct {
	name        string // mux route name and OpenAPI operationId
	path        string // gorilla/mux template, also the OpenAPI path
	summary     string
	description string
	tag         string
	// params are the query parameters accepted (any other is a 400).
	params []string
	// moreParams adds parameters that depend on the request (the
	// queryables of a collection); its error is the response.
	moreParams func(r *http.Request) ([]string, error)
	handler    func(r *http.Request, q query) (*response, error)
	// raw, when set, serves the route instead of handler (no parameter
	// validation, no ETag): /metrics.
	raw http.Handler
	// produces are the media types of the 200 response.
	produces []string
	// schema, when set, is the OpenAPI schema of the 200 response (for
	// routes responseSchema does not know).
	schema obj
	// responses are further OpenAPI responses by status code (204).
	responses obj
	// paramDoc names the OpenAPI parameter component documenting a query
	// parameter, where it is not the parameter's own name (the datetime of
	// /summary is one day).
	paramDoc map[string]string
}

// Tags grouping the operations in /api.
const (
	tagCapabilities = "Capabilities"
	tagData         = "Data"
	tagBorder       = "Border and places"
	tagDownloads    = "Downloads"
	tagOperations   = "Operations"
	tagCrisis       = "Crisis"
)

func (s *server) routeTable() []route {
	table := []route{
		page("getLandingPage", "/", tagCapabilities, "Landing page",
			"Links to the API definition, the conformance declaration, the collections, the border queries and the downloads.",
			s.landing),
		page("getConformanceDeclaration", "/conformance", tagCapabilities, "Conformance declaration",
			"The OGC API – Features Part 1 conformance classes this server implements.",
			s.conformance),
		{name: "getAPIDefinition", path: "/api", tag: tagCapabilities,
			summary:     "API definition",
			description: "This OpenAPI 3.0 document; f=html gives a page for people.",
			params:      []string{"f"}, handler: s.apiDefinition, produces: []string{mediaOpenAPI, mediaJSON, mediaHTML}},
		page("getCollections", "/collections", tagCapabilities, "Feature collections",
			"The collections: border, countries, provinces, districts (when installed) and crossings.",
			s.collections),
		page("describeCollection", "/collections/{collectionId}", tagCapabilities, "Describe a feature collection",
			"Title, description, attribution, spatial (and temporal) extent and links of one collection.",
			s.collection),
		page("getQueryables", "/collections/{collectionId}/queryables", tagCapabilities, "Queryables of a feature collection",
			"A JSON Schema of the properties that items can be filtered on by equality (e.g. ?country=AFG).",
			s.queryables),
		{name: "getFeatures", path: "/collections/{collectionId}/items", tag: tagData,
			summary: "Features of a collection",
			description: "A page of features (limit, default 100, at most 10,000; offset), selected by bbox, datetime and " +
				"equality on the collection's queryables, and by a CQL2 filter (filter, filter-lang cql2-text or cql2-json, filter-crs CRS84); " +
				"sortby orders them (+date,-killed), properties keeps only the named properties; numberMatched is exact, and next/prev links page through.",
			params: []string{"f", "limit", "offset", "bbox", "datetime", "filter", "filter-lang", "filter-crs", "sortby", "properties", "crs", "bbox-crs"}, moreParams: s.queryableParams,
			handler: s.items, produces: []string{mediaGeoJSON, mediaHTML}},
		{name: "getFeature", path: "/collections/{collectionId}/items/{featureId}", tag: tagData,
			summary:     "One feature",
			description: "A feature by its id, e.g. /collections/crossings/items/torkham or /collections/provinces/items/AFG-1741.",
			params:      []string{"f", "crs"}, handler: s.item, produces: []string{mediaGeoJSON, mediaHTML}},
		{name: "locate", path: "/locate", tag: tagBorder,
			summary: "Where a point is",
			description: "Country, province and district (when installed) containing the point, its geodesic distance to the " +
				"border with the nearest border point and its chainage, and the nearest crossing with how it was placed, its " +
				"uncertainty and its status on the day of datetime (default: the default day of the crisis layers).",
			params: []string{"lon", "lat", "datetime", "f"}, handler: s.locate, produces: []string{mediaJSON, mediaHTML}},
		{name: "getBorder", path: "/border", tag: tagBorder,
			summary: "The border line",
			description: "Measured geodesic length, vertex count, tripoints, the commonly cited 2,611 km and a note on why " +
				"lengths differ.",
			params: []string{"f"}, handler: s.border, produces: []string{mediaJSON}},
		{name: "getBorderPoint", path: "/border/point", tag: tagBorder,
			summary:     "Point at a chainage",
			description: "The point of the border km kilometres from the Iran–Afghanistan–Pakistan tripoint, as a GeoJSON Feature.",
			params:      []string{"km", "f"}, handler: s.borderPoint, produces: []string{mediaGeoJSON}},
		{name: "getBorderSegment", path: "/border/segment", tag: tagBorder,
			summary:     "Part of the border",
			description: "The border between two chainages in km (in either order), as a GeoJSON Feature with a LineString.",
			params:      []string{"from_km", "to_km", "f"}, handler: s.borderSegment, produces: []string{mediaGeoJSON}},
		page("getDownloads", "/downloads", tagDownloads, "Downloads",
			"Every collection as GeoJSON, GeoPackage, KML and CSV (WKT geometry), with attribution.",
			s.downloads),
		s.pmtilesRoute(), // before getDownload, which would match it
		{name: "getDownload", path: "/downloads/{collectionId}.{format}", tag: tagDownloads,
			summary:     "Download a collection",
			description: "The whole collection as a file: geojson, gpkg (GeoPackage 1.3 with an R-tree index), kml or csv.",
			handler:     s.download,
			produces:    []string{mediaGeoJSON, "application/geopackage+sqlite3", "application/vnd.google-earth.kml+xml", "text/csv; charset=utf-8"}},
		{name: "getTimeline", path: "/timeline", tag: tagCrisis,
			summary: "Crisis timeline",
			description: "The dated events of the 2025–2026 border crisis and the changes of the crossings' status, in date order " +
				"(on one day, events first), with their sources; datetime keeps the entries whose days meet an instant or interval.",
			params: []string{"f", "datetime"}, paramDoc: map[string]string{"datetime": "datetime-timeline"},
			handler: s.timeline, produces: []string{mediaJSON}, schema: ref("schemas", "timeline")},
		{name: "getSummary", path: "/summary", tag: tagCrisis,
			summary: "The crisis on one day",
			description: "On the day of datetime (default: today, or the last day of the crisis record when that is earlier): " +
				"the crossings closed or restricted, the districts affected, the zones active, the km of border inside affected " +
				"zones (by side) and the casualty totals so far, with their sources.",
			params: []string{"f", "datetime"}, paramDoc: map[string]string{"datetime": "datetime-day"},
			handler: s.summary, produces: []string{mediaJSON}, schema: ref("schemas", "summary")},
		{name: "getHealth", path: "/healthz", tag: tagOperations,
			summary:     "Health check",
			description: "200 with {\"status\":\"ok\"} while the server is serving.",
			handler:     s.healthz, produces: []string{mediaJSON}},
		{name: "getReadiness", path: "/readyz", tag: tagOperations,
			summary: "Readiness check",
			description: "200 with {\"status\":\"ok\"}, or {\"status\":\"degraded\"} and a reason while the data cannot be " +
				"refreshed (the database is unreachable): the server then still answers from the last data it loaded, " +
				"so it stays in rotation. data_version identifies the data served.",
			handler: s.readyz, produces: []string{mediaJSON}},
		{name: "getMetrics", path: "/metrics", tag: tagOperations,
			summary:     "Prometheus metrics",
			description: "Request counts and latency histograms by route, in the Prometheus text format.",
			raw:         noStore(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})),
			produces:    []string{"text/plain; version=0.0.4; charset=utf-8"}},
	}
	return append(table, s.tileRoutes()...)
}

// page is a route of the f parameter only that answers JSON or HTML.
func page(name, path, tag, summary, description string, h func(r *http.Request, q query) (*response, error)) route {
	return route{name: name, path: path, tag: tag, summary: summary, description: description,
		params: []string{"f"}, handler: h, produces: []string{mediaJSON, mediaHTML}}
}

// readyz reports Config.Ready: always 200 (see Readiness).
func (s *server) readyz(r *http.Request, q query) (*response, error) {
	var rd Readiness
	if s.ready != nil {
		rd = s.ready()
	}
	body := map[string]any{"status": "ok"}
	if rd.Degraded {
		body["status"] = "degraded"
		body["reason"] = rd.Reason
	}
	if rd.DataVersion != "" {
		body["data_version"] = rd.DataVersion
	}
	if !rd.Since.IsZero() {
		body["since"] = rd.Since.UTC().Format(time.RFC3339)
	}
	resp, err := jsonResponse(body, mediaJSON)
	if err != nil {
		return nil, err
	}
	resp.cache = cacheNone
	return resp, nil
}

// collectionOf returns the collection named by the collectionId path
// variable, or a 404 error.
func (s *server) collectionOf(r *http.Request) (*collection, error) {
	id := mux.Vars(r)["collectionId"]
	c, ok := s.colls.byID[id]
	if !ok {
		return nil, notFound("no collection %q (see /collections)", truncate(id, 100))
	}
	if err := c.ready(); err != nil {
		return nil, fmt.Errorf("server: collection %s: %w", c.id, err)
	}
	return c, nil
}

// queryableParams returns the queryables of the request's collection.
func (s *server) queryableParams(r *http.Request) ([]string, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(c.queryables))
	for i, q := range c.queryables {
		out[i] = q.name
	}
	return out, nil
}

// noStore marks the responses of h as not to be cached.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", cacheNone)
		h.ServeHTTP(w, r)
	})
}
