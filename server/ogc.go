package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/durandline/durand/layers/crs"
	"github.com/durandline/durand/layers/export"
)

// OGC identifiers.
const (
	crs84          = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	gregorian      = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
	relQueryables  = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	relConformance = "http://www.opengis.net/def/rel/ogc/1.0/conformance"
	relData        = "http://www.opengis.net/def/rel/ogc/1.0/data"
)

// conformanceClasses are the OGC API – Features Part 1 classes implemented.
func conformanceClasses() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	}
}

// link is a web link as OGC API resources carry them.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// marshal encodes v as JSON without escaping <, > and & (links carry
// query strings), with a final newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("server: encoding %T: %w", v, err)
	}
	return buf.Bytes(), nil
}

// jsonResponse encodes v as the body of a response of media type typ.
func jsonResponse(v any, typ string) (*response, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	return &response{contentType: typ, body: b}, nil
}

// selfLinks returns the self and alternate links of a resource at path
// that exists as JSON (of media type jsonType) and HTML.
func selfLinks(base, path string, fm format, jsonType string, extra url.Values) []link {
	u := func(f string) string {
		v := url.Values{}
		for k, x := range extra {
			v[k] = x
		}
		v.Set("f", f)
		return base + path + "?" + v.Encode()
	}
	js := link{Href: u("json"), Type: jsonType, Title: "this document as JSON"}
	ht := link{Href: u("html"), Type: "text/html", Title: "this document as HTML"}
	if fm == formatHTML {
		ht.Rel, js.Rel = "self", "alternate"
		return []link{ht, js}
	}
	js.Rel, ht.Rel = "self", "alternate"
	return []link{js, ht}
}

func (s *server) landing(r *http.Request, q query) (*response, error) {
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	links := append(selfLinks(base, "/", fm, mediaJSON, nil),
		link{Href: base + "/api", Rel: "service-desc", Type: mediaOpenAPI, Title: "the API definition (OpenAPI 3.0)"},
		link{Href: base + "/api?f=html", Rel: "service-doc", Type: "text/html", Title: "the API documentation"},
		link{Href: base + "/conformance", Rel: "conformance", Type: mediaJSON, Title: "conformance classes implemented"},
		link{Href: base + "/conformance", Rel: relConformance, Type: mediaJSON, Title: "conformance classes implemented"},
		link{Href: base + "/collections", Rel: "data", Type: mediaJSON, Title: "the feature collections"},
		link{Href: base + "/collections", Rel: relData, Type: mediaJSON, Title: "the feature collections"},
		link{Href: base + "/border", Rel: "related", Type: mediaJSON, Title: "the border: length, tripoints, chainage queries"},
		link{Href: base + "/locate?lon=66.4&lat=30.9", Rel: "related", Type: mediaJSON, Title: "where a point is (example)"},
		link{Href: base + "/downloads", Rel: "related", Type: mediaJSON, Title: "downloads: GeoJSON, GeoPackage, KML, CSV"},
	)
	links = append(links, crisisLinks(base)...)
	links = append(links, landingTileLinks(base)...)
	doc := map[string]any{
		"title":       s.title,
		"description": "The Afghanistan–Pakistan border (Durand Line), its countries, provinces, districts and crossings as OGC API – Features collections, with border and place queries and downloads.",
		"attribution": s.atlas.Provenance().Attribution(""),
		"links":       links,
	}
	if fm == formatHTML {
		doc["map"] = s.overviewMap(base)
		return s.page(r, "landing", s.title, doc, links)
	}
	return jsonResponse(doc, mediaJSON)
}

func (s *server) conformance(r *http.Request, q query) (*response, error) {
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	links := selfLinks(s.baseURL(r), "/conformance", fm, mediaJSON, nil)
	classes := append(conformanceClasses(), confCRS)
	classes = append(classes, filterClasses()...)
	doc := map[string]any{"conformsTo": append(classes, tileConformanceClasses()...), "links": links}
	if fm == formatHTML {
		return s.page(r, "conformance", "Conformance", doc, links)
	}
	return jsonResponse(doc, mediaJSON)
}

// negotiateQ validates f (json or html) and negotiates the format.
func (s *server) negotiateQ(r *http.Request, q query, html bool) (format, error) {
	allowed := []string{"json"}
	if html {
		allowed = append(allowed, "html")
	}
	f, err := q.format(allowed...)
	if err != nil {
		return 0, err
	}
	return negotiate(r, f, html)
}

// collectionDoc is the JSON description of a collection.
func (s *server) collectionDoc(c *collection, base string, fm format, self bool) map[string]any {
	path := "/collections/" + url.PathEscape(c.id)
	var links []link
	if self {
		links = selfLinks(base, path, fm, mediaJSON, nil)
	} else {
		links = []link{
			{Href: base + path, Rel: "self", Type: mediaJSON, Title: c.title},
			{Href: base + path + "?f=html", Rel: "alternate", Type: "text/html", Title: c.title + " (HTML)"},
		}
	}
	links = append(links,
		link{Href: base + path + "/items", Rel: "items", Type: mediaGeoJSON, Title: c.title + " as GeoJSON"},
		link{Href: base + path + "/items?f=html", Rel: "items", Type: "text/html", Title: c.title + " as HTML"},
		link{Href: base + path + "/queryables", Rel: relQueryables, Type: mediaJSON, Title: "properties to filter on"},
	)
	links = append(links, collectionTileLinks(base, c)...)
	for _, f := range export.Formats() {
		links = append(links, link{Href: base + "/downloads/" + url.PathEscape(c.id) + "." + f.Ext(), Rel: "enclosure",
			Type: strings.Split(f.ContentType(), ";")[0], Title: c.title + " (" + formatTitle(f) + " download)"})
	}
	extent := map[string]any{
		"spatial": map[string]any{
			"bbox": [][4]float64{{c.extent().Min[0], c.extent().Min[1], c.extent().Max[0], c.extent().Max[1]}},
			"crs":  crs84,
		},
	}
	if c.temporal != nil {
		var end any = c.temporal.max.UTC().Format(time.RFC3339)
		if c.temporal.open {
			end = nil // some feature has no known end
		}
		extent["temporal"] = map[string]any{
			"interval": [][2]any{{c.temporal.min.UTC().Format(time.RFC3339), end}},
			"trs":      gregorian,
		}
	}
	doc := map[string]any{
		"id":               c.id,
		"title":            c.title,
		"description":      c.description,
		"attribution":      c.attribution,
		"license":          c.licence,
		"itemType":         "feature",
		"crs":              crs.URIs(),
		"storageCrs":       crs84,
		"extent":           extent,
		"links":            links,
		"numberOfFeatures": len(c.features),
	}
	if c.geomType != "" {
		doc["geometryType"] = c.geomType
	}
	return doc
}

func formatTitle(f export.Format) string {
	switch f {
	case export.GeoJSON:
		return "GeoJSON"
	case export.GeoPackage:
		return "GeoPackage"
	case export.KML:
		return "KML"
	case export.CSV:
		return "CSV with WKT"
	}
	return string(f)
}

func (s *server) collections(r *http.Request, q query) (*response, error) {
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	links := selfLinks(base, "/collections", fm, mediaJSON, nil)
	list := make([]map[string]any, len(s.colls.list))
	for i, c := range s.colls.list {
		if err := c.ready(); err != nil {
			return nil, fmt.Errorf("server: collection %s: %w", c.id, err)
		}
		list[i] = s.collectionDoc(c, base, fm, false)
	}
	doc := map[string]any{"links": links, "collections": list}
	if fm == formatHTML {
		return s.page(r, "collections", "Collections", doc, links)
	}
	return jsonResponse(doc, mediaJSON)
}

func (s *server) collection(r *http.Request, q query) (*response, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	doc := s.collectionDoc(c, s.baseURL(r), fm, true)
	if fm == formatHTML {
		return s.page(r, "collection", c.title, map[string]any{"doc": doc, "c": c.view(), "map": s.mapOf(s.baseURL(r), c, nil, "")}, doc["links"].([]link))
	}
	return jsonResponse(doc, mediaJSON)
}

func (s *server) queryables(r *http.Request, q query) (*response, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	path := "/collections/" + url.PathEscape(c.id) + "/queryables"
	props := map[string]any{}
	for _, x := range c.queryables {
		p := map[string]any{"type": x.typ, "title": x.name}
		if x.format != "" {
			p["format"] = x.format
		}
		props[x.name] = p
	}
	props["geometry"] = map[string]any{"title": "geometry", "format": geometryFormat(c.geomType),
		"description": "The feature's geometry, for S_INTERSECTS in filter (CRS84)."}
	links := selfLinks(base, path, fm, mediaJSON, nil)
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  base + path,
		"type":                 "object",
		"title":                c.title,
		"description":          "Properties of " + c.id + " that /items filters on: in a CQL2 filter (filter=, with filter-lang cql2-text or cql2-json), in sortby, and by equality as parameters, e.g. ?name=value (text compared ignoring case and diacritics).",
		"properties":           props,
		"additionalProperties": false,
		"links":                links,
	}
	if fm == formatHTML {
		return s.page(r, "queryables", c.title+": queryables", map[string]any{"c": c.view(), "doc": doc}, links)
	}
	return jsonResponse(doc, mediaJSON)
}

// maxExactInt is the largest magnitude a number filter accepts (2^53).
const maxExactInt = 1 << 53

// itemsFilter reads the selection parameters of an items request.
func itemsFilter(c *collection, q query) (*filter, error) {
	flt := &filter{}
	b, ok, err := bboxInCRS(q)
	if err != nil {
		return nil, err
	}
	if ok {
		flt.bbox = &b
	}
	iv, ok, err := q.datetime()
	if err != nil {
		return nil, err
	}
	if ok && c.states == nil { // on the crossings, datetime selects the day of their status
		flt.datetime = &iv
	}
	for _, x := range c.queryables {
		v, ok := q[x.name]
		if !ok {
			continue
		}
		switch x.typ {
		case "number", "integer":
			n, err := parseNumber(x.name, v)
			if err != nil {
				return nil, err
			}
			if math.Abs(n) > maxExactInt {
				return nil, badRequest("parameter %q: %q is beyond ±2^53, where numbers stop being exact", x.name, v)
			}
		case "boolean":
			if v != "true" && v != "false" {
				return nil, badRequest("parameter %q: %q is not true or false", x.name, v)
			}
		}
		if flt.equals == nil {
			flt.equals = map[string]string{}
		}
		flt.equals[x.name] = v
	}
	if flt.cql, err = cqlFilter(c, q); err != nil {
		return nil, err
	}
	return flt, nil
}

// pageURL returns the URL of path with the query q, some values replaced
// (an empty replacement removes the parameter); parameters are sorted.
func pageURL(base, path string, q query, set map[string]string) string {
	v := url.Values{}
	for k, x := range q {
		v.Set(k, x)
	}
	for k, x := range set {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return base + path
	}
	return base + path + "?" + v.Encode()
}

// htmlItemsCheap is the largest HTML page of items made outside the work
// budget (the default page has 100).
const htmlItemsCheap = 500

func (s *server) items(r *http.Request, q query) (*response, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	limit, offset, err := q.limitOffset()
	if err != nil {
		return nil, err
	}
	flt, err := itemsFilter(c, q)
	if err != nil {
		return nil, err
	}
	keys, err := sortKeys(c, q)
	if err != nil {
		return nil, err
	}
	if c, err = s.stateView(c, q); err != nil {
		return nil, err
	}
	props, err := propertyList(c, q)
	if err != nil {
		return nil, err
	}
	out, err := outputCRS(q)
	if err != nil {
		return nil, err
	}
	sel := c.selectItems(flt)
	sortItems(c, sel, keys)
	matched := len(sel)
	lo, hi := min(offset, matched), min(offset+limit, matched)
	if offset+limit < offset { // overflow
		hi = matched
	}
	page := sel[lo:hi]

	links := itemsLinks(s.baseURL(r), c, q, fm, matched, offset, limit, hi)

	if fm == formatHTML {
		if len(page) > htmlItemsCheap { // a large page: expensive work, within the budget
			release, err := s.budget.acquire(r.Context(), "a large page of items")
			if err != nil {
				return nil, err
			}
			defer release()
		}
		return s.itemsPage(r, c, page, matched, offset, limit, links)
	}
	return s.itemsGeoJSON(c, page, matched, links, props, out)
}

func (s *server) item(r *http.Request, q query) (*response, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	if c, err = s.stateView(c, q); err != nil {
		return nil, err
	}
	id := mux.Vars(r)["featureId"]
	i, ok := c.index[id]
	if !ok {
		return nil, notFound("collection %s has no feature %q", c.id, truncate(id, 100))
	}
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	path := "/collections/" + url.PathEscape(c.id) + "/items/" + url.PathEscape(id)
	links := append(selfLinks(base, path, fm, mediaGeoJSON, nil),
		link{Href: base + "/collections/" + url.PathEscape(c.id), Rel: "collection", Type: mediaJSON, Title: c.title})
	if fm == formatHTML {
		return s.itemPage(r, c, i, links)
	}
	lb, err := marshal(links)
	if err != nil {
		return nil, err
	}
	out, err := outputCRS(q)
	if err != nil {
		return nil, err
	}
	enc := c.encoded[i]
	if !out.IsCRS84() {
		if enc, _, err = c.encodedIn(i, out); err != nil {
			return nil, err
		}
	}
	open := enc[:len(enc)-1] // without the closing brace
	body := make([]byte, 0, len(open)+len(lb)+16)
	body = append(body, open...)
	body = append(body, `,"links":`...)
	body = append(body, bytes.TrimRight(lb, "\n")...)
	body = append(body, "}\n"...)
	return &response{contentType: mediaGeoJSON, body: body, header: contentCRS(out)}, nil
}

// sortedProps returns the properties of a feature as sorted key/value
// pairs, values as text.
func sortedProps(p map[string]any) [][2]string {
	out := make([][2]string, 0, len(p))
	for k, v := range p {
		var s string
		switch x := v.(type) {
		case nil:
			s = ""
		case string:
			s = x
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		case []any:
			parts := make([]string, len(x))
			for i, e := range x {
				if str, ok := e.(string); ok {
					parts[i] = str
				} else {
					b, _ := marshal(e)
					parts[i] = strings.TrimSpace(string(b))
				}
			}
			s = strings.Join(parts, "; ")
		default:
			b, _ := marshal(x)
			s = strings.TrimSpace(string(b))
		}
		out = append(out, [2]string{k, s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// itemsLinks returns the links of a page of items: self and its
// alternate in the other format, next and prev where there are such pages
// (in the format asked for), and the collection. hi is the index after the
// page's last item, matched the number of items the query selects.
func itemsLinks(base string, c *collection, q query, fm format, matched, offset, limit, hi int) []link {
	path := "/collections/" + url.PathEscape(c.id) + "/items"
	jsonF, htmlF := map[string]string{"f": "json"}, map[string]string{"f": "html"}
	self, alt := link{Href: pageURL(base, path, q, jsonF), Rel: "self", Type: mediaGeoJSON, Title: "this page as GeoJSON"},
		link{Href: pageURL(base, path, q, htmlF), Rel: "alternate", Type: "text/html", Title: "this page as HTML"}
	if fm == formatHTML {
		self.Rel, alt.Rel = "alternate", "self"
	}
	fType := mediaGeoJSON
	fmt1 := "json"
	if fm == formatHTML {
		fType, fmt1 = "text/html", "html"
	}
	links := []link{self, alt}
	if hi < matched {
		links = append(links, link{Href: pageURL(base, path, q, map[string]string{"f": fmt1, "offset": strconv.Itoa(hi), "limit": strconv.Itoa(limit)}),
			Rel: "next", Type: fType, Title: "next page"})
	}
	if offset > 0 {
		prev := max(0, min(offset, matched)-limit)
		links = append(links, link{Href: pageURL(base, path, q, map[string]string{"f": fmt1, "offset": strconv.Itoa(prev), "limit": strconv.Itoa(limit)}),
			Rel: "prev", Type: fType, Title: "previous page"})
	}
	return append(links, link{Href: base + "/collections/" + url.PathEscape(c.id), Rel: "collection", Type: mediaJSON, Title: c.title})
}

// itemsGeoJSON writes a page of items as a GeoJSON FeatureCollection with
// numberMatched, numberReturned and links, in output CRS out, with only
// the properties props when they are given (nil: all).
func (s *server) itemsGeoJSON(c *collection, page []int, matched int, links []link, props []string, out crs.CRS) (*response, error) {
	var head bytes.Buffer
	fmt.Fprintf(&head, `{"type":"FeatureCollection","numberMatched":%d,"numberReturned":%d,"links":`, matched, len(page))
	lb, err := marshal(links)
	if err != nil {
		return nil, err
	}
	head.Write(bytes.TrimRight(lb, "\n"))
	head.WriteString(`,"features":[`)
	// The body is written part by part from the encoded features, and its
	// entity tag hashes the head and the digests of the features, which
	// stand for their bytes: the same as hashing the body, without copying
	// or reading a megabyte per page.
	parts := make([][]byte, 0, 2*len(page)+2)
	parts = append(parts, head.Bytes())
	h := sha256.New()
	h.Write(head.Bytes())
	for k, i := range page {
		if k > 0 {
			parts = append(parts, s.comma)
		}
		if props == nil && out.IsCRS84() {
			parts = append(parts, c.encoded[i])
			h.Write(c.digests[i][:])
			continue
		}
		if props == nil {
			b, d, err := c.encodedIn(i, out)
			if err != nil {
				return nil, err
			}
			parts = append(parts, b)
			h.Write(d[:])
			continue
		}
		b, err := c.encodeSelected(i, props, out)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b)
		d := sha256.Sum256(b)
		h.Write(d[:])
	}
	parts = append(parts, s.closeFC)
	return &response{contentType: mediaGeoJSON, parts: parts, etag: `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`, header: contentCRS(out)}, nil
}
