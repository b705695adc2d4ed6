package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gorilla/mux"
)

// loadAPI fetches /api and loads it with kin-openapi.
func loadAPI(t *testing.T, h http.Handler) *openapi3.T {
	t.Helper()
	w := get(t, h, "GET", "/api")
	if w.Code != 200 {
		t.Fatalf("/api: %d", w.Code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	return doc
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadAPI(t, newTest(t, Config{}))
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	if doc.OpenAPI != "3.0.3" || doc.Servers[0].URL != "http://example.com/" {
		t.Errorf("openapi %s, servers %v", doc.OpenAPI, doc.Servers)
	}
}

// exampleValues fill the path parameters of documented paths.
func exampleValues() *strings.Replacer {
	return strings.NewReplacer("{collectionId}", "crossings", "{featureId}", "torkham", "{format}", "csv")
}

// TestOpenAPIMatchesRouter checks that every route is documented, every
// documented path is served by the route it documents, and the documented
// query parameters are exactly those the route accepts.
func TestOpenAPIMatchesRouter(t *testing.T) {
	s, err := newServer(Config{Atlas: fixtureAtlas(t, 3)})
	if err != nil {
		t.Fatal(err)
	}
	doc := loadAPI(t, s.handler())
	documented := doc.Paths.Map()

	// Every route of the router is documented, for GET only.
	n := 0
	err = s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, _ := route.GetMethods()
		if !slices.Equal(methods, []string{"GET", "HEAD"}) {
			t.Errorf("route %s serves %v, want GET and HEAD", tpl, methods)
		}
		item, ok := documented[tpl]
		if !ok || item.Get == nil {
			t.Errorf("route %s is not documented", tpl)
		} else if item.Get.OperationID != route.GetName() {
			t.Errorf("route %s: operationId %s, route name %s", tpl, item.Get.OperationID, route.GetName())
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(s.routes) || n < 16 {
		t.Errorf("walked %d routes, table has %d", n, len(s.routes))
	}

	byName := map[string]route{}
	for _, rt := range s.routes {
		byName[rt.name] = rt
	}
	for path, item := range documented {
		op := item.Get
		if op == nil || len(item.Operations()) != 1 {
			t.Errorf("%s: documented operations %v, want GET only", path, item.Operations())
			continue
		}
		// The path is served by the route documented.
		req := httptest.NewRequest("GET", exampleValues().Replace(path), nil)
		var m mux.RouteMatch
		if !s.router.Match(req, &m) || m.MatchErr != nil || m.Route == nil {
			t.Errorf("documented path %s is not served", path)
			continue
		}
		name, _, _ := strings.Cut(op.OperationID, "_")
		if m.Route.GetName() != name {
			t.Errorf("%s is served by %s, documented as %s", path, m.Route.GetName(), op.OperationID)
		}
		// The query parameters documented are those accepted.
		var docParams []string
		for _, p := range op.Parameters {
			if p.Value.In == "query" {
				docParams = append(docParams, p.Value.Name)
			}
			if p.Value.In == "path" && !strings.Contains(path, "{"+p.Value.Name+"}") {
				t.Errorf("%s documents path parameter %s", path, p.Value.Name)
			}
		}
		accepted := slices.Clone(byName[name].params)
		if coll, ok := strings.CutPrefix(path, "/collections/"); ok && strings.HasSuffix(coll, "/items") && !strings.Contains(path, "{") {
			for _, q := range s.colls.byID[strings.TrimSuffix(coll, "/items")].queryables {
				accepted = append(accepted, q.name)
			}
		}
		sort.Strings(docParams)
		sort.Strings(accepted)
		if !slices.Equal(docParams, accepted) {
			t.Errorf("%s: documented query parameters %v, accepted %v", path, docParams, accepted)
		}
		// Documented response media types are what the route produces.
		var types []string
		for typ := range op.Responses.Value("200").Value.Content {
			types = append(types, typ)
		}
		for _, p := range byName[name].produces {
			base := strings.Split(p, ";")[0]
			if !slices.Contains(types, base) && !slices.Contains(types, p) {
				t.Errorf("%s produces %s, not documented (documented %v)", path, p, types)
			}
		}
	}
	// Every collection's items are documented with its queryables.
	for _, c := range s.colls.list {
		if _, ok := documented["/collections/"+c.id+"/items"]; !ok {
			t.Errorf("items of %s are not documented", c.id)
		}
	}
}

// TestOpenAPIValidatesTraffic validates real requests and responses
// against the document, statuses included.
func TestOpenAPIValidatesTraffic(t *testing.T) {
	h := newTest(t, Config{})
	doc := loadAPI(t, h)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	targets := []string{
		"/", "/?f=html", "/conformance", "/api?f=html", "/collections", "/collections?f=html",
		"/collections/provinces", "/collections/districts/queryables",
		"/collections/crossings/items", "/collections/crossings/items?limit=1&offset=1",
		"/collections/districts/items?country=AFG&province=Kandahar", "/collections/provinces/items?bbox=60,29,70,35",
		"/collections/provinces/items?f=html", "/collections/crossings/items?chainage_km=700",
		"/collections/crossings/items/torkham", "/collections/provinces/items/AFG-1741?f=html",
		"/locate?lon=67&lat=34", "/border", "/border/point?km=12.5", "/border/segment?from_km=1&to_km=2",
		"/downloads", "/downloads/crossings.geojson", "/downloads/provinces.gpkg", "/healthz",
		// Errors documented by the operations.
		"/collections/crossings/items/nowhere", "/collections/crossings/items?limit=0", "/locate?lon=500&lat=0",
		"/downloads/crossings.shp",
	}
	validateTraffic(t, h, router, targets)
}

// validateTraffic sends each target to h and validates the request and
// the response against the OpenAPI document behind router, statuses
// included. HTML responses are checked for status and media type only
// (kin-openapi decodes no HTML).
func validateTraffic(t *testing.T, h http.Handler, router routers.Router, targets []string) {
	t.Helper()
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://example.com"+target, nil)
			rt, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("no documented operation: %v", err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: rt, Options: opts}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code < 400 {
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("request does not validate: %v", err)
				}
			}
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: w.Code, Header: w.Header(),
				Body: io.NopCloser(strings.NewReader(w.Body.String())), Options: opts,
			}
			if strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				// kin-openapi decodes no HTML: check status and media type only.
				out.Options = &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true}
				if rt.Operation.Responses.Status(w.Code).Value.Content.Get("text/html") == nil {
					t.Errorf("text/html is not documented for status %d", w.Code)
				}
			}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("response %d %s does not validate: %v", w.Code, w.Header().Get("Content-Type"), err)
			}
		})
	}
}
