package server

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// TestTileRoutesOpenAPI validates requests to the tile, style and map
// routes and their responses (statuses included) against /api, with the
// local MapLibre copy configured so that its route is documented too.
func TestTileRoutesOpenAPI(t *testing.T) {
	for _, typ := range []string{mediaMVT, "text/javascript", "text/css", "image/x-icon"} {
		openapi3filter.RegisterBodyDecoder(typ, openapi3filter.FileBodyDecoder)
	}
	s, h := tileServer(t, Config{MapLibreDir: fakeMapLibre(t)})
	doc := loadAPI(t, h)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	id := tileAt(t, s, 66, 31, 5)
	targets := []string{
		"/tiles/durand.json", "/tiles/crossings.json", "/tiles/durand/" + id.String() + ".mvt", "/tiles/provinces/" + id.String() + ".pbf",
		"/tiles/durand/5/0/0.mvt", "/tiles/durand/15/0/0.mvt", "/tiles/durand/z/0/0.mvt",
		"/tileMatrixSets", "/tileMatrixSets/WebMercatorQuad", "/collections/districts/tiles", "/collections/districts/tiles/WebMercatorQuad",
		"/collections/provinces/tiles/WebMercatorQuad/5/" + itoa(id.Y) + "/" + itoa(id.X), "/collections/provinces/tiles/WebMercatorQuad/5/0/0",
		"/styles/durand.json", "/map", "/map/map.js", "/map/map.css", "/favicon.ico",
		"/vendor/maplibre/maplibre-gl.mjs", "/vendor/maplibre/maplibre-gl-worker.mjs?v=6.17.0", "/vendor/maplibre/maplibre-gl.css",
		"/tiles/nowhere.json", "/map/other.js",
	}
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
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: w.Code, Header: w.Header(),
				Body: io.NopCloser(strings.NewReader(w.Body.String())), Options: opts}
			if strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				out.Options = &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true}
			}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("response %d %s does not validate: %v", w.Code, w.Header().Get("Content-Type"), err)
			}
		})
	}
}
