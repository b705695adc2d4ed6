package server

import (
	"net/http"
)

// Tags of the tile, style and map operations in /api.
const (
	tagTiles = "Vector tiles"
	tagMap   = "Map"
)

// tileRoutes are the routes of the vector tiles, the style and the map
// viewer, appended to the route table (so /api documents them).
func (s *server) tileRoutes() []route {
	binary := obj{"type": "string", "format": "binary"}
	noContent := obj{"204": obj{"description": "The tile is empty: no layer has a feature in it (or in its buffer)."}}
	tileDesc := " Tiles are Mapbox Vector Tiles 2.1 (extent 4096, buffer 64), zooms 0 to 14; clients overzoom beyond. " +
		"An empty tile is a 204; a malformed address a 400; a zoom above 14 or x, y not below 2^z a 404. " +
		"gzip-coded when the client accepts it; strong ETag (If-None-Match gives 304)."
	routes := []route{
		{name: "getTileJSONAll", path: "/tiles/" + allTiles + ".json", tag: tagTiles,
			summary:     "TileJSON of every layer",
			description: "TileJSON 3.0.0 of the tiles of every layer: tile URL template, vector_layers with their fields and zoom ranges, bounds, center, attribution.",
			params:      []string{"f", "datetime"}, paramDoc: map[string]string{"datetime": "datetime-tiles"}, handler: s.tileJSON, produces: []string{mediaJSON}, schema: ref("schemas", "tileJSON")},
		{name: "getTileJSON", path: "/tiles/{collectionId}.json", tag: tagTiles,
			summary:     "TileJSON of one collection",
			description: "TileJSON 3.0.0 of the tiles of one collection (its layer and its label layer).",
			params:      []string{"f", "datetime"}, paramDoc: map[string]string{"datetime": "datetime-tiles"}, handler: s.tileJSON, produces: []string{mediaJSON}, schema: ref("schemas", "tileJSON")},
		{name: "getTileAll", path: "/tiles/" + allTiles + "/{z}/{x}/{y}.{tileFormat}", tag: tagTiles,
			summary:     "A vector tile of every layer",
			description: "The tile z/x/y (XYZ scheme, y from the north) with every layer: border, countries, provinces, districts (zoom 6 and up, when installed), crossings and the label layers." + tileDesc,
			params:      []string{"datetime"}, paramDoc: map[string]string{"datetime": "datetime-tiles"}, raw: http.HandlerFunc(s.serveTileXYZ), produces: []string{mediaMVT}, schema: binary, responses: noContent},
		{name: "getTile", path: "/tiles/{collectionId}/{z}/{x}/{y}.{tileFormat}", tag: tagTiles,
			summary:     "A vector tile of one collection",
			description: "The tile z/x/y with the layer of one collection and its label layer, cut from the tile of every layer." + tileDesc,
			params:      []string{"datetime"}, paramDoc: map[string]string{"datetime": "datetime-tiles"}, raw: http.HandlerFunc(s.serveTileXYZ), produces: []string{mediaMVT}, schema: binary, responses: noContent},
		{name: "getTileMatrixSetsList", path: "/tileMatrixSets", tag: tagTiles,
			summary:     "Tile matrix sets",
			description: "The tiling schemes offered (OGC API – Tiles): WebMercatorQuad.",
			params:      []string{"f"}, handler: s.tileMatrixSets, produces: []string{mediaJSON}, schema: obj{"type": "object"}},
		{name: "getTileMatrixSet", path: "/tileMatrixSets/{tileMatrixSetId}", tag: tagTiles,
			summary:     "A tile matrix set",
			description: "The definition of a tile matrix set (OGC Two Dimensional Tile Matrix Set 2.0, JSON).",
			params:      []string{"f"}, handler: s.tileMatrixSet, produces: []string{mediaJSON}, schema: obj{"type": "object"}},
		{name: "getCollectionTileSetsList", path: "/collections/{collectionId}/tiles", tag: tagTiles,
			summary:     "Tilesets of a collection",
			description: "The vector tilesets of a collection (OGC API – Tiles): one, in WebMercatorQuad.",
			params:      []string{"f"}, handler: s.tilesets, produces: []string{mediaJSON}, schema: obj{"type": "object"}},
		{name: "getCollectionTileSet", path: "/collections/{collectionId}/tiles/{tileMatrixSetId}", tag: tagTiles,
			summary:     "Tileset metadata of a collection",
			description: "Tileset metadata (OGC Two Dimensional Tile Matrix Set and Tile Set Metadata 2.0): layers with their properties, zoom limits, bounding box, link template of the tiles.",
			params:      []string{"f"}, handler: s.tileset, produces: []string{mediaJSON}, schema: obj{"type": "object"}},
		{name: "getCollectionTile", path: "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", tag: tagTiles,
			summary:     "A vector tile of a collection (OGC API – Tiles)",
			description: "The tile at zoom tileMatrix, row tileRow (y, from the north) and column tileCol (x): row before column, as OGC API – Tiles orders them; the same tile as /tiles/{collectionId}/{z}/{x}/{y}.mvt." + tileDesc,
			params:      []string{"datetime"}, paramDoc: map[string]string{"datetime": "datetime-tiles"}, raw: http.HandlerFunc(s.serveTileOGC), produces: []string{mediaMVT}, schema: binary, responses: noContent},
		{name: "getStyle", path: "/styles/durand.json", tag: tagMap,
			summary:     "MapLibre style",
			description: "A MapLibre style (style specification v8) drawing every tile layer: the border, countries, provinces and districts with labels, crossings coloured by " + crossingStatusField + " (open green, closed red, refugees_only orange, trade_only amber, pedestrians_only yellow, unknown grey; by " + crossingMethodField + " when the atlas has no status data), zones filled by severity (0–5, pale yellow to dark brown) and events as circles coloured by kind.",
			params:      []string{"f"}, handler: s.style, produces: []string{mediaJSON}, schema: obj{"type": "object"}},
		{name: "getMap", path: "/map", tag: tagMap,
			summary:     "Map viewer",
			description: "A MapLibre GL JS page showing the style, with a legend, popups for crossings and districts, links to the downloads and, when the atlas has crisis data, a day slider over /timeline (from its first event to its last dated day; default: the default day of /summary) that redraws the tiles of the chosen day (?datetime=YYYY-MM-DD) and shows its /summary figures and what happened that day (the events of /timeline with their sources). ?day=YYYY-MM-DD opens that day, and the page keeps the day shown in its address.",
			params:      []string{"day"}, handler: s.mapPage, produces: []string{mediaHTML}},
		{name: "getMapAsset", path: "/map/{asset}", tag: tagMap,
			summary:     "Script and stylesheet of the map viewer",
			description: "map.js and map.css of the map viewer page.",
			handler:     s.mapAsset, produces: []string{mediaJS, mediaCSS}},
		{name: "getFavicon", path: "/favicon.ico", tag: tagMap,
			summary:     "No icon",
			description: "204: the server has no icon (so browsers do not log a missing one).",
			raw:         http.HandlerFunc(s.favicon), produces: []string{"image/x-icon"}, schema: binary, responses: obj{"204": obj{"description": "No icon."}}},
	}
	if s.vendor != nil {
		routes = append(routes, route{name: "getMapLibre", path: "/vendor/maplibre/{file}", tag: tagMap,
			summary:     "MapLibre GL JS",
			description: "The files of the local copy of MapLibre GL JS that the map viewer loads (durand serve --maplibre).",
			params:      []string{"v"}, handler: s.vendorFile, produces: []string{mediaJS, mediaCSS}})
	}
	return routes
}

// tileParamDocs are the OpenAPI parameter objects of the tile routes.
func (s *server) tileParamDocs() obj {
	path := func(name, desc string, schema obj) obj {
		return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
	}
	intSchema := obj{"type": "integer", "minimum": 0}
	p := obj{
		"z":               path("z", "Zoom, 0 to 14.", obj{"type": "integer", "minimum": 0, "maximum": 14}),
		"x":               path("x", "Column, 0 to 2^z − 1, from the antimeridian eastwards.", intSchema),
		"y":               path("y", "Row, 0 to 2^z − 1, from the north (XYZ, not TMS).", intSchema),
		"tileFormat":      path("tileFormat", "mvt (pbf is accepted too).", obj{"type": "string", "enum": []any{"mvt", "pbf"}}),
		"tileMatrixSetId": path("tileMatrixSetId", "The tile matrix set.", obj{"type": "string", "enum": []any{tmsWebMercatorQuad}}),
		"tileMatrix":      path("tileMatrix", "The tile matrix (zoom), 0 to 14.", obj{"type": "string", "pattern": "^[0-9]+$"}),
		"tileRow":         path("tileRow", "The row (y), from the north.", intSchema),
		"tileCol":         path("tileCol", "The column (x), from the antimeridian.", intSchema),
		"asset":           path("asset", "The file.", obj{"type": "string", "enum": []any{"map.js", "map.css"}}),
		"file":            path("file", "A file of MapLibre GL JS's dist folder, e.g. maplibre-gl.mjs.", obj{"type": "string"}),
		"datetime-tiles":  tileDayParamDoc(),
		"v": obj{"name": "v", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "A version tag MapLibre adds to its worker's URL; ignored.", "schema": obj{"type": "string"}},
	}
	return p
}

// tilePathParams are the path parameters of the tile and map routes, in
// the order OpenAPI lists them.
func tilePathParams() []string {
	return []string{"z", "x", "y", "tileFormat", "tileMatrixSetId", "tileMatrix", "tileRow", "tileCol", "asset", "file"}
}

// tileSchemaDocs are the OpenAPI schemas of the tile documents.
func tileSchemaDocs() obj {
	str := obj{"type": "string"}
	num := obj{"type": "number"}
	return obj{
		"tileJSON": obj{"type": "object", "required": []any{"tilejson", "tiles", "vector_layers"}, "properties": obj{
			"tilejson": str, "tiles": obj{"type": "array", "minItems": 1, "items": str},
			"vector_layers": obj{"type": "array", "items": obj{"type": "object", "required": []any{"id", "fields"}, "properties": obj{
				"id": str, "description": str, "minzoom": obj{"type": "integer"}, "maxzoom": obj{"type": "integer"},
				"fields": obj{"type": "object", "additionalProperties": str}}}},
			"name": str, "description": str, "version": str, "attribution": str, "scheme": str,
			"minzoom": obj{"type": "integer"}, "maxzoom": obj{"type": "integer"},
			"bounds": obj{"type": "array", "minItems": 4, "maxItems": 4, "items": num},
			"center": obj{"type": "array", "minItems": 3, "maxItems": 3, "items": num}}},
	}
}

// favicon answers /favicon.ico with 204.
func (s *server) favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", cacheDownload)
	w.WriteHeader(http.StatusNoContent)
}
