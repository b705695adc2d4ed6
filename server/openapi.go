package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/durandline/durand/layers/crs"
	"github.com/durandline/durand/layers/export"
)

// obj is a JSON object under construction.
type obj = map[string]any

func ref(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }

// paramDocs are the OpenAPI parameter objects by query or path parameter
// name; routes refer to them by name.
func (s *server) paramDocs() obj {
	ids := make([]any, len(s.colls.list))
	for i, c := range s.colls.list {
		ids[i] = c.id
	}
	formats := []any{}
	for _, f := range export.Formats() {
		formats = append(formats, f.Ext())
	}
	num := func(name, desc string) obj {
		return obj{"name": name, "in": "query", "required": true, "description": desc,
			"schema": obj{"type": "number"}, "style": "form", "explode": false}
	}
	docs := obj{
		"collectionId": obj{"name": "collectionId", "in": "path", "required": true,
			"description": "The id of a collection.", "schema": obj{"type": "string", "enum": ids}},
		"featureId": obj{"name": "featureId", "in": "path", "required": true,
			"description": "The id of a feature, as in the data (e.g. torkham, AFG-1741).", "schema": obj{"type": "string"}},
		"format": obj{"name": "format", "in": "path", "required": true,
			"description": "The file format.", "schema": obj{"type": "string", "enum": formats}},
		"f": obj{"name": "f", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The representation: json or html; overrides the Accept header.",
			"schema":      obj{"type": "string", "enum": []any{"json", "html"}}},
		"f-json": obj{"name": "f", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The representation; only json is offered.",
			"schema":      obj{"type": "string", "enum": []any{"json"}}},
		"limit": obj{"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The number of features on a page; values above 10,000 are treated as 10,000.",
			"schema":      obj{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}},
		"offset": obj{"name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The number of matching features skipped before the page starts.",
			"schema":      obj{"type": "integer", "minimum": 0, "default": 0}},
		"bbox": obj{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "Only features whose geometry intersects the box minLon,minLat,maxLon,maxLat (CRS84; 6 numbers with heights are accepted, heights ignored; boxes across the antimeridian are not supported).",
			"schema":      obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}},
		"day": obj{"name": "day", "in": "query", "required": false,
			"description": "The day the map opens on (YYYY-MM-DD); the page keeps the day shown in its address.",
			"schema":      obj{"type": "string", "format": "date"}},
		"datetime": obj{"name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "Only features with a date in this RFC 3339 instant, date or interval (start/end, .. for an open end). Collections without dates match nothing.",
			"schema":      obj{"type": "string"}},
		"filter": obj{"name": "filter", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "A CQL2 filter on the collection's queryables (OGC API – Features Part 3): comparisons, AND/OR/NOT, LIKE, BETWEEN, IN, IS NULL, " +
				"DATE('2025-10-12') and TIMESTAMP(...) values, and S_INTERSECTS(geometry, POINT/LINESTRING/POLYGON/BBOX(...)) in CRS84. " +
				"E.g. kind = 'airstrike' AND killed > 5 AND date BETWEEN DATE('2025-10-10') AND DATE('2025-10-20'). At most 4,096 bytes.",
			"schema": obj{"type": "string", "maxLength": maxFilterLen}},
		"filter-lang": obj{"name": "filter-lang", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The encoding of filter: cql2-text (the default) or cql2-json; cql-text, the draft's name that GDAL sends, is read as cql2-text.",
			"schema":      obj{"type": "string", "enum": toAny(filterLangs), "default": "cql2-text"}},
		"filter-crs": obj{"name": "filter-crs", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The coordinate reference system of geometries in filter; only CRS84 (longitude, latitude) is offered.",
			"schema":      obj{"type": "string", "format": "uri", "enum": []any{crs84}, "default": crs84}},
		"sortby": obj{"name": "sortby", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "Queryables to order the features by, comma-separated, each with + (ascending, the default) or - (descending), e.g. +date,-killed. Null values come last; ties keep the collection's order.",
			"schema":      obj{"type": "array", "minItems": 1, "items": obj{"type": "string", "pattern": "^[+-]?[^,]+$"}}},
		"properties": obj{"name": "properties", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The properties the features keep, comma-separated (the others are left out); the geometry and id are always kept.",
			"schema":      obj{"type": "array", "minItems": 1, "items": obj{"type": "string"}}},
		"crs": obj{"name": "crs", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The coordinate reference system of the geometries in the response (OGC API – Features Part 2); the Content-Crs header names it. EPSG:4326 is latitude first; EPSG:3857 and the UTM zones are in metres.",
			"schema":      obj{"type": "string", "format": "uri", "enum": toAny(crs.URIs()), "default": crs84}},
		"bbox-crs": obj{"name": "bbox-crs", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The coordinate reference system of bbox, in its axis order (EPSG:4326: minLat,minLon,maxLat,maxLon; projected: metres).",
			"schema":      obj{"type": "string", "format": "uri", "enum": toAny(crs.URIs()), "default": crs84}},
		"lon":     num("lon", "Longitude in decimal degrees (WGS84), -180 to 180."),
		"lat":     num("lat", "Latitude in decimal degrees (WGS84), -90 to 90."),
		"km":      num("km", "Chainage in km from the Iran–Afghanistan–Pakistan tripoint, 0 to the border length."),
		"from_km": num("from_km", "Chainage in km where the part starts."),
		"to_km":   num("to_km", "Chainage in km where the part ends."),
	}
	for k, v := range crisisParamDocs() {
		docs[k] = v
	}
	for k, v := range s.tileParamDocs() {
		docs[k] = v
	}
	return docs
}

// schemaDocs are the OpenAPI schemas of the responses.
func schemaDocs() obj {
	str := obj{"type": "string"}
	number := obj{"type": "number"}
	links := obj{"type": "array", "items": ref("schemas", "link")}
	point := obj{"type": "array", "minItems": 2, "items": number}
	docs := obj{
		"exception": obj{"type": "object", "required": []any{"code", "description"},
			"properties": obj{"code": str, "description": str}},
		"link": obj{"type": "object", "required": []any{"href", "rel"},
			"properties": obj{"href": str, "rel": str, "type": str, "title": str}},
		"landingPage": obj{"type": "object", "required": []any{"links"},
			"properties": obj{"title": str, "description": str, "attribution": str, "links": links}},
		"confClasses": obj{"type": "object", "required": []any{"conformsTo"},
			"properties": obj{"conformsTo": obj{"type": "array", "items": str}, "links": links}},
		"extent": obj{"type": "object", "properties": obj{
			"spatial": obj{"type": "object", "properties": obj{
				"bbox": obj{"type": "array", "minItems": 1, "items": obj{"type": "array", "minItems": 4, "maxItems": 6, "items": number}},
				"crs":  str}},
			"temporal": obj{"type": "object", "properties": obj{
				"interval": obj{"type": "array", "items": obj{"type": "array", "minItems": 2, "maxItems": 2,
					"items": obj{"type": "string", "nullable": true}}},
				"trs": str}}}},
		"collection": obj{"type": "object", "required": []any{"id", "links"}, "properties": obj{
			"id": str, "title": str, "description": str, "attribution": str, "itemType": str,
			"crs": obj{"type": "array", "items": str}, "storageCrs": str, "geometryType": str,
			"numberOfFeatures": obj{"type": "integer"},
			"extent":           ref("schemas", "extent"), "links": links}},
		"collections": obj{"type": "object", "required": []any{"links", "collections"}, "properties": obj{
			"links": links, "collections": obj{"type": "array", "items": ref("schemas", "collection")}}},
		"geometryGeoJSON": obj{"type": "object", "required": []any{"type"}, "properties": obj{
			"type":        obj{"type": "string", "enum": []any{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}},
			"coordinates": obj{"type": "array", "items": obj{}}, "geometries": obj{"type": "array", "items": obj{"type": "object"}}}},
		"featureGeoJSON": obj{"type": "object", "required": []any{"type", "geometry", "properties"}, "properties": obj{
			"type":       obj{"type": "string", "enum": []any{"Feature"}},
			"id":         obj{"oneOf": []any{str, number}},
			"geometry":   ref("schemas", "geometryGeoJSON"),
			"properties": obj{"type": "object", "nullable": true},
			"links":      links}},
		"featureCollectionGeoJSON": obj{"type": "object", "required": []any{"type", "features"}, "properties": obj{
			"type":           obj{"type": "string", "enum": []any{"FeatureCollection"}},
			"features":       obj{"type": "array", "items": ref("schemas", "featureGeoJSON")},
			"links":          links,
			"numberMatched":  obj{"type": "integer", "minimum": 0},
			"numberReturned": obj{"type": "integer", "minimum": 0}}},
		"queryables": obj{"type": "object", "required": []any{"type", "properties"}, "properties": obj{
			"$schema": str, "$id": str, "type": str, "title": str, "description": str,
			"properties": obj{"type": "object"}, "additionalProperties": obj{"type": "boolean"}, "links": links}},
		"borderDistance": obj{"type": "object", "properties": obj{
			"distance_m": number, "border_point": point, "chainage_km": number}},
		"location": obj{"type": "object", "required": []any{"lon", "lat", "country", "border"}, "properties": obj{
			"lon": number, "lat": number, "country": str, "country_name": str,
			"province": str, "province_id": str, "district": str, "district_id": str, "district_distance_m": number,
			"border":           ref("schemas", "borderDistance"),
			"nearest_crossing": obj{"type": "object", "properties": obj{"id": str, "name": str, "distance_m": number}}}},
		"border": obj{"type": "object", "required": []any{"length_km", "vertices", "tripoints", "cited_length_km"}, "properties": obj{
			"id": str, "name": str, "length_m": number, "length_km": number, "vertices": obj{"type": "integer"},
			"cited_length_km": number, "length_note": str, "method": str, "attribution": str,
			"tripoints": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
				"id": str, "name": str, "lon": number, "lat": number, "chainage_km": number}}},
			"links": links}},
		"downloads": obj{"type": "object", "required": []any{"downloads"}, "properties": obj{
			"attribution": str, "links": links,
			"downloads": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
				"collection": str, "format": str, "href": str, "type": str, "title": str}}}}},
		"health": obj{"type": "object", "required": []any{"status"}, "properties": obj{
			"status": str, "collections": obj{"type": "integer"}}},
	}
	for k, v := range crisisSchemaDocs() {
		docs[k] = v
	}
	for k, v := range tileSchemaDocs() {
		docs[k] = v
	}
	return docs
}

// responseSchema is the schema of the 200 response of each route.
func responseSchema(name string) obj {
	m := map[string]string{
		"getLandingPage": "landingPage", "getConformanceDeclaration": "confClasses", "getCollections": "collections",
		"describeCollection": "collection", "getQueryables": "queryables", "getFeatures": "featureCollectionGeoJSON",
		"getFeature": "featureGeoJSON", "locate": "location", "getBorder": "border", "getBorderPoint": "featureGeoJSON",
		"getBorderSegment": "featureGeoJSON", "getDownloads": "downloads", "getHealth": "health",
	}
	if s, ok := m[name]; ok {
		return ref("schemas", s)
	}
	if name == "getAPIDefinition" {
		return obj{"type": "object"}
	}
	return obj{"type": "string"}
}

// operation returns the OpenAPI operation of a route; extraParams are
// added query parameter objects (the queryables of a collection).
func (s *server) operation(rt route, opID string, pathParams bool, extraParams []any) obj {
	var params []any
	if pathParams {
		for _, p := range append([]string{"collectionId", "featureId", "format"}, tilePathParams()...) {
			if strings.Contains(rt.path, "{"+p+"}") {
				params = append(params, ref("parameters", p))
			}
		}
	}
	for _, p := range rt.params {
		if p == "f" && !slices.Contains(rt.produces, mediaHTML) {
			p = "f-json"
		}
		if d, ok := rt.paramDoc[p]; ok {
			p = d
		}
		params = append(params, ref("parameters", p))
	}
	params = append(params, extraParams...)
	content := obj{}
	for _, t := range rt.produces {
		if t == mediaHTML {
			content["text/html"] = obj{"schema": obj{"type": "string"}}
		} else {
			content[strings.Split(t, ";")[0]] = obj{"schema": responseSchema(rt.name)}
		}
	}
	if rt.name == "getAPIDefinition" {
		content[mediaOpenAPI] = obj{"schema": obj{"type": "object"}}
		delete(content, "application/vnd.oai.openapi+json")
	}
	if rt.schema != nil {
		for k := range content {
			if k != "text/html" {
				content[k] = obj{"schema": rt.schema}
			}
		}
	}
	if rt.name == "getDownload" {
		for k := range content {
			content[k] = obj{"schema": obj{"type": "string", "format": "binary"}}
		}
	}
	responses := obj{
		"200": obj{"description": rt.summary, "content": content},
		"304": obj{"description": "Not modified: the If-None-Match header matched the ETag."},
		"400": ref("responses", "InvalidParameter"),
		"406": ref("responses", "NotAcceptable"),
		"500": ref("responses", "ServerError"),
	}
	if strings.Contains(rt.path, "{") {
		responses["404"] = ref("responses", "NotFound")
	}
	for code, r := range rt.responses {
		responses[code] = r
	}
	op := obj{
		"operationId": opID,
		"summary":     rt.summary,
		"description": rt.description,
		"tags":        []any{rt.tag},
		"responses":   responses,
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	return op
}

// openAPI builds the OpenAPI 3.0 document from the route table: every
// route is a path, and the items of every collection also get their own
// path listing its queryables.
func (s *server) openAPI(base string) obj {
	paths := obj{}
	for _, rt := range s.routes {
		paths[rt.path] = obj{"get": s.operation(rt, rt.name, true, nil)}
	}
	for _, rt := range s.routes {
		if rt.name != "getFeatures" {
			continue
		}
		for _, c := range s.colls.list {
			// A collection that cannot be computed is documented without
			// queryables; requesting it reports the error.
			_ = c.ready()
			var extra []any
			for _, q := range c.queryables {
				extra = append(extra, obj{"name": q.name, "in": "query", "required": false, "style": "form", "explode": false,
					"description": "Only features whose " + q.name + " equals this value (text compared ignoring case, diacritics and punctuation).",
					"schema":      obj{"type": q.typ}})
			}
			if c.states != nil {
				rt.paramDoc = map[string]string{"datetime": "datetime-crossings"}
			}
			op := s.operation(rt, rt.name+"_"+c.id, false, extra)
			rt.paramDoc = nil
			op["summary"] = c.title + ": features"
			paths["/collections/"+c.id+"/items"] = obj{"get": op}
		}
	}
	errResp := func(desc string) obj {
		return obj{"description": desc, "content": obj{mediaJSON: obj{"schema": ref("schemas", "exception")}}}
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       s.title,
			"version":     "1.0.0",
			"description": "OGC API – Features (Part 1: core, GeoJSON, HTML, OpenAPI 3.0) for the Afghanistan–Pakistan border, with border and place queries and downloads. Every operation answers GET and HEAD, sends a strong ETag and honours If-None-Match; errors are JSON {code, description}.",
			"license":     obj{"name": "Data: see the attribution of each collection"},
		},
		"servers": []any{obj{"url": base + "/"}},
		"tags": []any{
			obj{"name": tagCapabilities, "description": "What the API offers"},
			obj{"name": tagData, "description": "Features"},
			obj{"name": tagBorder, "description": "Questions about the border and places"},
			obj{"name": tagDownloads, "description": "Whole collections as files"},
			obj{"name": tagOperations, "description": "Health and metrics"},
			obj{"name": tagCrisis, "description": "The 2025–2026 border crisis: timeline and state by day"},
			obj{"name": tagTiles, "description": "Mapbox Vector Tiles, TileJSON and OGC API – Tiles"},
			obj{"name": tagMap, "description": "The MapLibre style and the map viewer"},
		},
		"paths": paths,
		"components": obj{
			"parameters": s.paramDocs(),
			"schemas":    schemaDocs(),
			"responses": obj{
				"InvalidParameter": errResp("A parameter is unknown, repeated, empty or has an invalid value."),
				"NotFound":         errResp("The resource does not exist."),
				"NotAcceptable":    errResp("None of the media types accepted is offered."),
				"ServerError":      errResp("The server could not answer."),
			},
		},
	}
}

// routeView is a route as the HTML API page shows it.
type routeView struct {
	Path, Summary, Description string
	Params, Produces           []string
}

func (s *server) apiDefinition(r *http.Request, q query) (*response, error) {
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	if fm == formatHTML {
		var rows []routeView
		for _, rt := range s.routes {
			rows = append(rows, routeView{rt.path, rt.summary, rt.description, rt.params, rt.produces})
		}
		return s.page(r, "api", "API", obj{"routes": rows}, []link{{Href: base + "/api", Rel: "alternate", Type: mediaOpenAPI}})
	}
	typ := mediaJSON
	if wantsOpenAPIType(r) {
		typ = mediaOpenAPI
	}
	return jsonResponse(s.openAPI(base), typ)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
