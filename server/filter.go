package server

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"

	"github.com/durandline/durand/layers/cql2"
	"github.com/durandline/durand/layers/crs"
)

// Filtering (OGC API – Features Part 3), sorting and property selection
// on the items of a collection.

// filterLangs are the values of filter-lang: the two CQL2 encodings, and
// cql-text, the name GDAL 3.6 gives the text encoding (its draft; read as
// CQL2 text with ILIKE).
var filterLangs = []string{"cql2-text", "cql2-json", "cql-text"}

// filterClasses are the conformance classes of filtering.
func filterClasses() []string {
	return append([]string{
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	}, cql2.Classes()...)
}

// featureView is feature i of a collection as a CQL2 filter sees it.
type featureView struct {
	c *collection
	i int
}

func (v featureView) Property(name string) any { return v.c.features[v.i].Properties[name] }

// PreparedGeometry returns the feature's geometry as simplefeatures
// holds it, converted once per collection on the first spatial filter.
func (v featureView) PreparedGeometry() (sf.Geometry, error) {
	c := v.c
	c.sfOnce.Do(func() {
		c.sfGeoms = make([]sf.Geometry, len(c.features))
		c.sfErrs = make([]error, len(c.features))
		for i, f := range c.layer.Features {
			if f.Geometry != nil {
				c.sfGeoms[i], c.sfErrs[i] = cql2.ToSimple(f.Geometry)
			}
		}
	})
	return c.sfGeoms[v.i], c.sfErrs[v.i]
}

func (v featureView) Geometry() (orb.Geometry, orb.Bound) {
	if v.c.bounds[v.i].IsEmpty() && v.c.layer.Features[v.i].Geometry == nil {
		return nil, orb.Bound{}
	}
	return v.c.features[v.i].Geometry, v.c.bounds[v.i]
}

// cqlQueryables are the queryables of c as package cql2 types them, with
// its geometry as "geometry".
func cqlQueryables(c *collection) cql2.Queryables {
	q := cql2.Queryables{"geometry": cql2.TypeGeometry}
	for _, x := range c.queryables {
		switch {
		case x.typ == "number", x.typ == "integer":
			q[x.name] = cql2.TypeNumber
		case x.typ == "boolean":
			q[x.name] = cql2.TypeBoolean
		case x.format == "date":
			q[x.name] = cql2.TypeDate
		case x.format == "date-time":
			q[x.name] = cql2.TypeTimestamp
		default:
			q[x.name] = cql2.TypeString
		}
	}
	return q
}

// cqlFilter reads filter, filter-lang and filter-crs; nil without a
// filter.
func cqlFilter(c *collection, q query) (*cql2.Filter, error) {
	text, ok := q["filter"]
	lang, hasLang := q["filter-lang"]
	crs, hasCRS := q["filter-crs"]
	if !ok {
		if hasLang || hasCRS {
			return nil, badRequest("parameters \"filter-lang\" and \"filter-crs\" need a \"filter\"")
		}
		return nil, nil
	}
	if !hasLang {
		lang = "cql2-text"
	}
	if !slices.Contains(filterLangs, lang) {
		return nil, badRequest("parameter \"filter-lang\": %q is not offered (allowed: %s)", truncate(lang, 64), strings.Join(filterLangs, ", "))
	}
	if hasCRS && crs != crs84 {
		return nil, badRequest("parameter \"filter-crs\": %q is not offered; geometries in filters are in %s", truncate(crs, 100), crs84)
	}
	var e cql2.Expr
	var err error
	if lang == "cql2-json" {
		e, err = cql2.ParseJSON([]byte(text))
	} else {
		e, err = cql2.ParseText(text)
	}
	if err == nil {
		var flt *cql2.Filter
		if flt, err = cql2.Compile(e, cqlQueryables(c)); err == nil {
			return flt, nil
		}
	}
	var se *cql2.SyntaxError
	if errors.As(err, &se) && lang != "cql2-json" {
		return nil, badRequest("parameter \"filter\": %s\n  %s\n  %s^", strings.TrimPrefix(err.Error(), "cql2: "), text, caretPad(text, se.Pos))
	}
	return nil, badRequest("parameter \"filter\": %s", strings.TrimPrefix(err.Error(), "cql2: "))
}

// caretPad returns the spaces that put a caret under byte pos of s.
func caretPad(s string, pos int) string {
	if pos > len(s) {
		pos = len(s)
	}
	return strings.Repeat(" ", len([]rune(s[:pos])))
}

// sortKey is one key of sortby.
type sortKey struct {
	name string
	desc bool
}

// sortKeys reads sortby: queryables, each with an optional + (ascending,
// the default) or - (descending).
func sortKeys(c *collection, q query) ([]sortKey, error) {
	s, ok := q["sortby"]
	if !ok {
		return nil, nil
	}
	var keys []sortKey
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		k := sortKey{name: part}
		switch {
		case strings.HasPrefix(part, "-"):
			k = sortKey{name: part[1:], desc: true}
		case strings.HasPrefix(part, "+"):
			k.name = part[1:]
		}
		if !slices.ContainsFunc(c.queryables, func(x queryable) bool { return x.name == k.name }) {
			return nil, badRequest("parameter \"sortby\": %q is not a queryable of %s (sortable: %s)", truncate(k.name, 64), c.id, queryableNames(c))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func queryableNames(c *collection) string {
	n := make([]string, len(c.queryables))
	for i, x := range c.queryables {
		n[i] = x.name
	}
	return strings.Join(n, ", ")
}

// sortItems orders the positions sel by the keys, stably (ties keep the
// collection's order); a missing or null value sorts after every value
// in either direction.
func sortItems(c *collection, sel []int, keys []sortKey) {
	if len(keys) == 0 {
		return
	}
	sort.SliceStable(sel, func(a, b int) bool {
		pa, pb := c.features[sel[a]].Properties, c.features[sel[b]].Properties
		for _, k := range keys {
			va, vb := pa[k.name], pb[k.name]
			switch {
			case va == nil && vb == nil:
				continue
			case va == nil:
				return false
			case vb == nil:
				return true
			}
			r := compareValues(va, vb)
			if r == 0 {
				continue
			}
			if k.desc {
				return r > 0
			}
			return r < 0
		}
		return false
	})
}

// compareValues compares two property values of one queryable: numbers
// numerically, text (and dates, written in ISO 8601) by bytes, false
// before true.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case float64:
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// propertyList reads properties: the names of the properties the
// features keep, each one that some feature of c has; nil keeps all.
func propertyList(c *collection, q query) ([]string, error) {
	s, ok := q["properties"]
	if !ok {
		return nil, nil
	}
	known := c.propertyNames()
	names := []string{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(known, n) {
			return nil, badRequest("parameter \"properties\": %s has no property %q (properties: %s)", c.id, truncate(n, 64), strings.Join(known, ", "))
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names, nil
}

// propertyNames returns the sorted names of the properties of c's
// features.
func (c *collection) propertyNames() []string {
	seen := map[string]bool{}
	for _, f := range c.features {
		for k := range f.Properties {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// encodeSelected encodes feature i of c with only the named properties
// (all when names is nil) and its geometry in the CRS to, as c.encoded
// holds it.
func (c *collection) encodeSelected(i int, names []string, to crs.CRS) ([]byte, error) {
	f := *c.layer.Features[i]
	if names != nil {
		props := make(map[string]any, len(names))
		for _, n := range names {
			if v, ok := f.Properties[n]; ok {
				props[n] = v
			}
		}
		f.Properties = props
	}
	f.Geometry = to.Geometry(f.Geometry)
	b, err := f.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("server: collection %s feature %d: %w", c.id, i, err)
	}
	return []byte(strings.TrimRight(string(b), " \n")), nil
}

// geometryFormat is the JSON Schema format OGC API – Features Part 3
// gives a geometry queryable of a GeoJSON geometry type.
func geometryFormat(geomType string) string {
	switch geomType {
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
		return "geometry-" + strings.ToLower(geomType)
	}
	return "geometry-any"
}
