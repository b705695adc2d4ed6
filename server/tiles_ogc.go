package server

import (
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/durandline/durand/tiles"
)

// OGC API – Tiles Part 1 (OGC 20-057) over the same tiles, with the tile
// matrix set of the OGC Two Dimensional Tile Matrix Set and Tile Set
// Metadata standard 2.0 (OGC 17-083r4).
const (
	tmsWebMercatorQuad = "WebMercatorQuad"
	tmsURI             = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	crsWebMercator     = "http://www.opengis.net/def/crs/EPSG/0/3857"
	relTilesetsVector  = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relTileset         = "http://www.opengis.net/def/rel/ogc/1.0/tileset"
	relTilingScheme    = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relTilingSchemes   = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	// webMercatorHalf is half the width of the Web Mercator world in metres.
	webMercatorHalf = 20037508.3427892
	// tmsMaxMatrix is the deepest tile matrix of WebMercatorQuad's definition.
	tmsMaxMatrix = 24
)

// tileConformanceClasses are the OGC API – Tiles and tile matrix set
// classes implemented, added to /conformance.
func tileConformanceClasses() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
		"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
	}
}

// tlink is a link that may be a URI template (OGC API – Tiles links to
// tiles with templated: true).
type tlink struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// collectionTileLinks are the links a collection document gets to its
// tiles.
func collectionTileLinks(base string, c *collection) []link {
	p := base + "/collections/" + url.PathEscape(c.id) + "/tiles"
	return []link{
		{Href: p, Rel: relTilesetsVector, Type: mediaJSON, Title: c.title + " as vector tiles (OGC API – Tiles)"},
		{Href: base + "/tiles/" + url.PathEscape(c.id) + ".json", Rel: "related", Type: mediaJSON, Title: c.title + " as vector tiles (TileJSON)"},
	}
}

// landingTileLinks are the links of the landing page to the tiles, the
// style and the map.
func landingTileLinks(base string) []link {
	return []link{
		{Href: base + "/tileMatrixSets", Rel: relTilingSchemes, Type: mediaJSON, Title: "tile matrix sets (tiling schemes)"},
		{Href: base + "/tiles/" + allTiles + ".json", Rel: "related", Type: mediaJSON, Title: "vector tiles of every layer (TileJSON)"},
		{Href: base + "/styles/durand.json", Rel: "related", Type: mediaJSON, Title: "MapLibre style of the vector tiles"},
		{Href: base + "/map", Rel: "related", Type: "text/html", Title: "map viewer"},
		pmtilesLink(base),
	}
}

// tileMatrix is one matrix of a tile matrix set (TMS 2.0 JSON).
type tileMatrix struct {
	ID               string     `json:"id"`
	ScaleDenominator float64    `json:"scaleDenominator"`
	CellSize         float64    `json:"cellSize"`
	CornerOfOrigin   string     `json:"cornerOfOrigin"`
	PointOfOrigin    [2]float64 `json:"pointOfOrigin"`
	TileWidth        int        `json:"tileWidth"`
	TileHeight       int        `json:"tileHeight"`
	MatrixWidth      int        `json:"matrixWidth"`
	MatrixHeight     int        `json:"matrixHeight"`
	// Identifier and TopLeftCorner repeat ID and PointOfOrigin under
	// their TMS 1.0 (OGC 17-083r2) names, which GDAL 3.6 reads.
	Identifier    string     `json:"identifier"`
	TopLeftCorner [2]float64 `json:"topLeftCorner"`
}

// webMercatorQuad returns the definition of WebMercatorQuad: 256-pixel
// tiles of 0.28 mm pixels, zoom z has 2^z × 2^z tiles.
func webMercatorQuad(base string) map[string]any {
	var ms []tileMatrix
	for z := 0; z <= tmsMaxMatrix; z++ {
		n := 1 << z
		cell := 2 * webMercatorHalf / 256 / float64(n)
		ms = append(ms, tileMatrix{ID: strconv.Itoa(z), ScaleDenominator: cell / 0.00028, CellSize: cell,
			CornerOfOrigin: "topLeft", PointOfOrigin: [2]float64{-webMercatorHalf, webMercatorHalf},
			TileWidth: 256, TileHeight: 256, MatrixWidth: n, MatrixHeight: n,
			Identifier: strconv.Itoa(z), TopLeftCorner: [2]float64{-webMercatorHalf, webMercatorHalf}})
	}
	// The TMS 2.0 document also carries the members of TMS 1.0 that
	// GDAL 3.6 needs (its TileMatrixSet::parse recognises a definition by
	// "type": "TileMatrixSetType", reads the CRS from supportedCRS and
	// each matrix's identifier and topLeftCorner); TMS 2.0 allows
	// additional members.
	return map[string]any{
		"type":         "TileMatrixSetType",
		"identifier":   tmsWebMercatorQuad,
		"supportedCRS": crsWebMercator,
		"boundingBox": map[string]any{"type": "BoundingBoxType", "crs": crsWebMercator,
			"lowerCorner": []float64{-webMercatorHalf, -webMercatorHalf}, "upperCorner": []float64{webMercatorHalf, webMercatorHalf},
			"lowerLeft": []float64{-webMercatorHalf, -webMercatorHalf}, "upperRight": []float64{webMercatorHalf, webMercatorHalf}},
		"id":                tmsWebMercatorQuad,
		"title":             "Google Maps Compatible for the World",
		"uri":               tmsURI,
		"crs":               crsWebMercator,
		"orderedAxes":       []string{"X", "Y"},
		"wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		"tileMatrices":      ms,
		"links":             []tlink{{Href: base + "/tileMatrixSets/" + tmsWebMercatorQuad, Rel: "self", Type: mediaJSON}},
	}
}

// tileMatrixSets serves /tileMatrixSets.
func (s *server) tileMatrixSets(r *http.Request, q query) (*response, error) {
	if _, err := q.format("json"); err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	return jsonResponse(map[string]any{
		"tileMatrixSets": []map[string]any{{
			"id": tmsWebMercatorQuad, "title": "Google Maps Compatible for the World", "uri": tmsURI, "crs": crsWebMercator,
			"links": []tlink{{Href: base + "/tileMatrixSets/" + tmsWebMercatorQuad, Rel: "self", Type: mediaJSON, Title: "WebMercatorQuad"}},
		}},
		"links": []tlink{{Href: base + "/tileMatrixSets", Rel: "self", Type: mediaJSON}},
	}, mediaJSON)
}

// tileMatrixSetOf checks the tileMatrixSetId path variable.
func tileMatrixSetOf(r *http.Request) error {
	if id := mux.Vars(r)["tileMatrixSetId"]; id != tmsWebMercatorQuad {
		return notFound("no tile matrix set %q; tiles are offered in %s", truncate(id, 100), tmsWebMercatorQuad)
	}
	return nil
}

// tileMatrixSet serves /tileMatrixSets/{tileMatrixSetId}.
func (s *server) tileMatrixSet(r *http.Request, q query) (*response, error) {
	if err := tileMatrixSetOf(r); err != nil {
		return nil, err
	}
	if _, err := q.format("json"); err != nil {
		return nil, err
	}
	return jsonResponse(webMercatorQuad(s.baseURL(r)), mediaJSON)
}

// tilesetSummary is the part of the tileset metadata that the tileset
// list repeats.
func tilesetSummary(base string, c *collection) map[string]any {
	p := base + "/collections/" + url.PathEscape(c.id) + "/tiles/" + tmsWebMercatorQuad
	return map[string]any{
		"title":            c.title + " (vector tiles, " + tmsWebMercatorQuad + ")",
		"dataType":         "vector",
		"crs":              crsWebMercator,
		"tileMatrixSetURI": tmsURI,
		// tileMatrixSetDefinition (of a draft of OGC API – Tiles) is
		// where GDAL 3.6 looks for the definition of the matrix set.
		"tileMatrixSetDefinition": base + "/tileMatrixSets/" + tmsWebMercatorQuad,
		"links": []tlink{
			{Href: p, Rel: "self", Type: mediaJSON, Title: "tileset metadata"},
			{Href: p, Rel: relTileset, Type: mediaJSON, Title: "tileset metadata"},
			{Href: base + "/tileMatrixSets/" + tmsWebMercatorQuad, Rel: relTilingScheme, Type: mediaJSON, Title: "the tile matrix set"},
		},
	}
}

// tilesets serves /collections/{collectionId}/tiles.
func (s *server) tilesets(r *http.Request, q query) (*response, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	if _, err := q.format("json"); err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	return jsonResponse(map[string]any{
		"tilesets": []map[string]any{tilesetSummary(base, c)},
		"links": []tlink{
			{Href: base + "/collections/" + url.PathEscape(c.id) + "/tiles", Rel: "self", Type: mediaJSON},
			{Href: base + "/collections/" + url.PathEscape(c.id), Rel: "collection", Type: mediaJSON, Title: c.title},
		},
	}, mediaJSON)
}

// tileset serves /collections/{collectionId}/tiles/{tileMatrixSetId}: the
// tileset metadata with its layers and their properties.
func (s *server) tileset(r *http.Request, q query) (*response, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	if err := tileMatrixSetOf(r); err != nil {
		return nil, err
	}
	if _, err := q.format("json"); err != nil {
		return nil, err
	}
	set := s.tiles.byID[c.id]
	base := s.baseURL(r)
	tj, err := s.tileJSONDoc(r.Context(), base, set)
	if err != nil {
		return nil, err
	}
	st, err := s.tiles.current()
	if err != nil {
		return nil, err
	}
	geom := map[string]int{}
	for _, li := range st.layers {
		geom[li.Name] = map[string]int{"point": 0, "line": 1, "polygon": 2}[li.Geometry]
	}
	var layers []map[string]any
	for _, v := range tj.VectorLayers {
		props := map[string]any{}
		for name, typ := range v.Fields {
			t := "string"
			switch typ {
			case tiles.FieldNumber:
				t = "number"
			case tiles.FieldBoolean:
				t = "boolean"
			}
			props[name] = map[string]any{"type": t}
		}
		layers = append(layers, map[string]any{
			"id": v.ID, "title": v.ID, "description": v.Description, "dataType": "vector",
			"geometryDimension": geom[v.ID],
			"minTileMatrix":     strconv.Itoa(v.MinZoom), "maxTileMatrix": strconv.Itoa(v.MaxZoom),
			"propertiesSchema": map[string]any{"type": "object", "properties": props},
		})
	}
	var limits []map[string]any
	for z := 0; z <= tj.MaxZoom; z++ {
		limits = append(limits, map[string]any{"tileMatrix": strconv.Itoa(z),
			"minTileRow": 0, "maxTileRow": 1<<z - 1, "minTileCol": 0, "maxTileCol": 1<<z - 1})
	}
	doc := tilesetSummary(base, c)
	p := base + "/collections/" + url.PathEscape(c.id) + "/tiles/" + tmsWebMercatorQuad
	doc["description"] = c.description
	doc["attribution"] = c.attribution
	doc["links"] = append(doc["links"].([]tlink),
		tlink{Href: p + "/{tileMatrix}/{tileRow}/{tileCol}", Rel: "item", Type: mediaMVT, Title: "a tile (Mapbox Vector Tile)", Templated: true},
		tlink{Href: base + "/tiles/" + url.PathEscape(c.id) + ".json", Rel: "describedby", Type: mediaJSON, Title: "TileJSON of these tiles"},
		tlink{Href: base + "/collections/" + url.PathEscape(c.id), Rel: "collection", Type: mediaJSON, Title: c.title},
	)
	doc["mediaTypes"] = []string{mediaMVT}
	doc["tileMatrixSetLimits"] = limits
	doc["layers"] = layers
	doc["boundingBox"] = map[string]any{"lowerLeft": []float64{tj.Bounds[0], tj.Bounds[1]},
		"upperRight": []float64{tj.Bounds[2], tj.Bounds[3]}, "crs": crs84}
	doc["centerPoint"] = map[string]any{"coordinates": []float64{tj.Center[0], tj.Center[1]}, "crs": crs84,
		"tileMatrix": strconv.Itoa(int(math.Round(tj.Center[2])))}
	return jsonResponse(doc, mediaJSON)
}

// serveTileOGC serves
// /collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}:
// the tile at zoom tileMatrix, row tileRow (y, from the north) and column
// tileCol (x, from the antimeridian).
func (s *server) serveTileOGC(w http.ResponseWriter, r *http.Request) {
	set, err := s.tileSetOf(r)
	if err == nil {
		err = tileMatrixSetOf(r)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := mux.Vars(r)
	s.serveTile(w, r, set, v["tileMatrix"], v["tileCol"], v["tileRow"])
}
