package server

import (
	"context"
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
	validateTraffic(t, h, router, targets)
}
