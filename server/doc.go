// Package server is durand's HTTP API over gorilla/mux: OGC API – Features
// Part 1 (core, GeoJSON, HTML and OpenAPI 3.0 conformance classes) for the
// atlas's layers, border and place queries, downloads, /healthz and
// /metrics. New returns the http.Handler of one atlas; the caller owns the
// http.Server (timeouts, shutdown) and may mount the handler under a
// prefix of its own router (examples/mount: strip the prefix, put it in
// Config.BaseURL).
//
// NewLive serves a Source whose data can change (the embedded files merged
// with a data directory: data.Source; a PostGIS database:
// postgis.Source): every request is answered wholly from one snapshot (an
// atlas and the handler New built for it), Reload builds a new snapshot
// off to the side and swaps it in atomically, and every response names
// its data version in the Durand-Data-Version header. `durand serve` is
// NewLive with the access log of package accesslog and the listener of
// package coalesce.
//
// Resources (every one answers GET and HEAD; OPTIONS answers CORS
// preflights):
//
//	/                                             landing page
//	/conformance                                  conformance classes
//	/api                                          OpenAPI 3.0 document (f=html: a page)
//	/collections                                  the collections
//	/collections/{collectionId}                   one collection
//	/collections/{collectionId}/queryables        properties items filter on
//	/collections/{collectionId}/items             features: limit, offset, bbox (bbox-crs), datetime, queryables,
//	                                              filter (CQL2 text or JSON), sortby, properties, crs
//	/collections/{collectionId}/items/{featureId} one feature
//	/locate?lon=&lat=                             geo.Atlas.Locate
//	/border                                       length, vertices, tripoints, cited length
//	/border/point?km=                             the point at a chainage (GeoJSON Feature)
//	/border/segment?from_km=&to_km=               part of the border (GeoJSON Feature)
//	/downloads                                    the download files
//	/downloads/{collectionId}.{format}            geojson, gpkg, kml, csv
//	/healthz                                      liveness
//	/readyz                                       readiness: ok, or degraded with a reason (always 200)
//	/metrics                                      Prometheus metrics
//
// Vector tiles, the style and the map (tiles.go, tiles_ogc.go, style.go,
// mapview.go):
//
//	/tiles/durand.json                            TileJSON 3.0.0 of every layer
//	/tiles/{collectionId}.json                    TileJSON of one collection
//	/tiles/durand/{z}/{x}/{y}.mvt                 Mapbox Vector Tile of every layer (.pbf too)
//	/tiles/{collectionId}/{z}/{x}/{y}.mvt         the layer of one collection and its labels
//	/tileMatrixSets[/WebMercatorQuad]             OGC API – Tiles tiling scheme
//	/collections/{collectionId}/tiles[/WebMercatorQuad] tilesets list and tileset metadata
//	/collections/{collectionId}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}
//	                                              the same tiles, row (y) before column (x)
//	/styles/durand.json                           MapLibre style (spec v8)
//	/map                                          map viewer (MapLibre GL JS)
//	/downloads/durand.pmtiles                     the tiles of zooms 0-8 as a PMTiles archive, with HTTP range requests
//	/vendor/maplibre/{file}                       local MapLibre copy (Config.MapLibreDir)
//
// Tiles are application/vnd.mapbox-vector-tile, zooms 0 to 14, 204 when
// empty, gzip-coded when accepted, with a strong ETag; they are served
// from a cache bounded in bytes (Config.TileCacheBytes) that WarmTiles
// fills at start-up. ?datetime= on a tile or TileJSON URL selects a day
// (tiles_day.go): the crossings carry their status that day and the
// events and zones layers keep what is active that day; the day is part
// of the cache key. Without it, tiles have every event and zone and the
// crossings' status on the default day. The style colours crossings by
// status, zones by severity and events by kind; /map has a day slider.
//
// Collections are the layers of the catalogue, package layers (border,
// countries, provinces, districts when installed, crossings, and the
// events and zones the atlas computes), and the tiles are assembled by
// layers.TileLayers, as `durand tiles` assembles them;
// Config.ExtraLayers adds layers of the user's own. Every collection gets its scalar
// properties as queryables and, when its features carry start_date/end_date,
// start/end, date or datetime properties, a temporal extent and datetime
// filtering. The types of a catalogue layer's properties (queryables, the
// OpenAPI document, the downloads' columns, the tiles' attributes) are
// those its schema declares (layers.Schema), never guessed from the
// values; only the layers of Config.ExtraLayers, which have no schema,
// have them inferred. Feature
// ids in URLs are the ids of the data (crossings "torkham", provinces
// "AFG-1741").
//
// Behaviour: features are application/geo+json, other JSON
// application/json, pages text/html; the f parameter (json, html) wins over
// the Accept header. Any unknown, repeated, empty or invalid query
// parameter is a 400; errors are JSON {"code", "description"} with status
// 400, 404, 405, 406 (or 414 for a query string over 4 KiB, 500 for a bug,
// never with a stack trace). Every 200 carries a strong ETag (a SHA-256
// prefix of the body; "-gzip" appended for the gzip coding) and
// Cache-Control; If-None-Match answers 304; bodies of 1 KiB and more are
// gzip-compressed when the client accepts it. Every response carries
// X-Content-Type-Options: nosniff; HTML pages also a Content-Security-Policy,
// Referrer-Policy: no-referrer and X-Frame-Options: DENY (headers that
// concern documents only, left off tiles, JSON and downloads).
//
// Units: coordinates are WGS84 longitude/latitude in decimal degrees
// (CRS84 axis order), distances metres (fields ending _m) or kilometres
// (_km), chainage km from the Iran–Afghanistan–Pakistan tripoint; times
// RFC 3339 in UTC.
package server
