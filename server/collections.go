package server

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	sf "github.com/peterstace/simplefeatures/geom"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers/cql2"
	"github.com/durandline/durand/layers/export"
)

// queryable is a property that items can be filtered on by equality.
type queryable struct {
	name   string
	typ    string // JSON Schema type: string, integer, number or boolean
	format string // JSON Schema format of text: "date", "date-time" or ""
}

// maxQueryableText is the longest text value a queryable property may
// hold; longer text (descriptions, notes) is not offered for filtering.
const maxQueryableText = 100

// temporal describes the dates the features of a collection carry.
type temporal struct {
	startProp, endProp string         // property names; endProp may be ""
	spans              [][2]time.Time // per feature; zero start: no date
	min, max           time.Time      // max: the latest date given
	// open is set when some feature has no known end (an end property
	// that is null or ""): its span ends at openEnd, and the extent has
	// no end.
	open bool
}

// openEnd ends the span of a feature whose end is not known.
var openEnd = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// collection is one OGC API feature collection, built from an atlas layer.
//
// The fields after load are set by fill: at once for most collections, on
// first use for a collection with load set (the zones, which take a second
// or more to compute). Whoever reads them first calls ready, which waits
// for a fill in progress; collectionOf does.
type collection struct {
	id, title, description, attribution string
	licence                             string
	load                                func() (layers.Layer, error)
	once                                sync.Once
	loadErr                             error

	features []*geojson.Feature // a feature without geometry has an empty orb.Collection here
	// layer is what the collection was filled from: its features as the
	// layer has them (a feature without geometry has a nil one), as the
	// downloads and tiles take them.
	layer layers.Layer
	// encoded holds each feature's GeoJSON; without its last byte (the
	// closing brace) links can be appended to it.
	encoded [][]byte
	digests [][sha256.Size]byte // SHA-256 of each encoded feature
	bounds  []orb.Bound         // bounding box of each feature
	index   map[string]int      // feature id -> position
	bbox    orb.Bound           // of every feature
	// region is the border region (geo.Atlas.Region) that extent clips
	// bbox to.
	region     orb.Bound
	geomType   string // GeoJSON geometry type, or "Geometry" when mixed
	queryables []queryable
	temporal   *temporal
	downloads  map[export.Format]*download

	// states, set on the crossings when the atlas has crossing status
	// data, makes views of the crossings with their status on a day: on
	// this collection datetime selects that day rather than filtering
	// (see crisis.go).
	states *crossingStates

	// sfGeoms are the geometries converted for spatial filters, on the
	// first one (see featureView.PreparedGeometry).
	sfOnce  sync.Once
	sfGeoms []sf.Geometry
	sfErrs  []error
	// crsEnc holds the features encoded in other CRSs than CRS84, by
	// CRS URI (*crsEncoding), each built on its first request.
	crsEnc sync.Map
}

// registry is the set of collections, in a fixed order.
type registry struct {
	list []*collection
	byID map[string]*collection
	// crisis is what the crisis resources share (see crisis.go).
	crisis *crisisData
}

// newRegistry builds a collection for every layer layers.Layers names:
// border, countries, provinces, districts (when installed), crossings and,
// when the atlas has crisis data, events and zones (computed on first
// use). Layers are described by layers.Describe, filtered on their scalar
// properties and given a temporal extent when their features carry dates.
// The crossings get their status by day (see crossingStates).
func newRegistry(a *geo.Atlas, prev *registry) (*registry, error) {
	reg := &registry{byID: map[string]*collection{}}
	for _, name := range layers.Layers(a) {
		var c *collection
		if name == layers.LayerZones {
			h, err := layers.Header(a, name)
			if err != nil {
				return nil, err
			}
			c = &collection{id: h.Name, title: h.Title, description: h.Description, attribution: h.Attribution, licence: h.Licence,
				load: func() (layers.Layer, error) { return layers.FromAtlas(a, name) }}
		} else {
			l, err := layers.FromAtlas(a, name)
			if err != nil {
				return nil, err
			}
			var old *collection
			if prev != nil {
				old = prev.byID[name]
			}
			if c, err = newCollectionFrom(l, old); err != nil {
				return nil, err
			}
		}
		c.region = a.Region()
		reg.list = append(reg.list, c)
		reg.byID[c.id] = c
	}
	var err error
	if reg.crisis, err = newCrisisData(a, reg); err != nil {
		return nil, err
	}
	return reg, nil
}

// extent is the spatial extent the collection advertises: the bounding box
// of its features clipped to the border region, so that a feature far
// away (the venues of talks abroad) does not stretch it (see
// geo.Atlas.Region). The features themselves are all served.
func (c *collection) extent() orb.Bound { return geo.ClipBound(c.bbox, c.region) }

func newCollection(l layers.Layer) (*collection, error) { return newCollectionFrom(l, nil) }

// newCollectionFrom is newCollection taking the encoding of the features
// that prev (the collection of an earlier version, or nil) has unchanged.
func newCollectionFrom(l layers.Layer, prev *collection) (*collection, error) {
	c := &collection{id: l.Name, title: l.Title, description: l.Description, attribution: l.Attribution, licence: l.Licence}
	if prev != nil && prev.load != nil {
		prev = nil // filled on first use, maybe not yet
	}
	if err := c.fill(l, prev); err != nil {
		return nil, err
	}
	return c, nil
}

// ready fills a collection computed on first use, waiting for a fill in
// progress; an error is the server's (the zones could not be computed).
func (c *collection) ready() error {
	if c.load == nil {
		return nil
	}
	c.once.Do(func() {
		l, err := c.load()
		if err == nil {
			err = c.fill(l, nil)
		}
		c.loadErr = err
	})
	return c.loadErr
}

// fill sets the features of the layer and what is derived from them. A
// feature without geometry keeps a null geometry in GeoJSON, has an empty
// bounding box (no bbox selects it) and an empty GeometryCollection for the
// pages. The features that prev (a filled collection of an earlier
// version, or nil) has with the same id and content keep its encoding.
func (c *collection) fill(l layers.Layer, prev *collection) error {
	c.layer = l
	c.features = slices.Clone(l.Features)
	c.encoded = make([][]byte, len(l.Features))
	c.digests = make([][sha256.Size]byte, len(l.Features))
	c.bounds = make([]orb.Bound, len(l.Features))
	c.index = make(map[string]int, len(l.Features))
	c.downloads = map[export.Format]*download{}
	types := map[string]bool{}
	located := 0
	for i, f := range l.Features {
		id := geojsonio.FeatureID(f)
		if j, ok := prev.unchanged(id, f); ok {
			c.encoded[i], c.digests[i] = prev.encoded[j], prev.digests[j]
		} else {
			b, err := f.MarshalJSON()
			if err != nil {
				return fmt.Errorf("server: collection %s feature %d: %w", c.id, i, err)
			}
			c.encoded[i] = bytes.TrimRight(b, " \n")
			c.digests[i] = sha256.Sum256(c.encoded[i])
		}
		if _, dup := c.index[id]; !dup {
			c.index[id] = i
		}
		if f.Geometry == nil {
			g := *f
			g.Geometry = orb.Collection{}
			c.features[i] = &g
			c.bounds[i] = orb.Collection{}.Bound() // empty
			continue
		}
		fb := f.Geometry.Bound()
		c.bounds[i] = fb
		if located == 0 {
			c.bbox = fb
		} else {
			c.bbox = c.bbox.Union(fb)
		}
		located++
		types[f.Geometry.GeoJSONType()] = true
	}
	c.geomType = "Geometry"
	if len(types) == 1 {
		for t := range types {
			c.geomType = t
		}
	} else if len(types) == 2 && types["Polygon"] && types["MultiPolygon"] {
		c.geomType = "MultiPolygon"
	}
	c.queryables = queryablesOf(l)
	c.temporal = temporalOf(l)
	for _, f := range export.Formats() {
		c.downloads[f] = &download{layer: l, format: f}
	}
	return nil
}

// queryablesOf returns the properties of a layer that items can be
// filtered on, sorted by name. For a catalogue layer they are typed by its
// schema (layers.Layer.Schema): every declared String, Date, Int, Float
// and Bool property, declared ones no feature has included, except text
// with a value longer than maxQueryableText (descriptions, notes). Only a
// layer without a schema (Config.ExtraLayers) has them inferred from the
// values (inferQueryables).
func queryablesOf(l layers.Layer) []queryable {
	if l.Schema == nil {
		return inferQueryables(l.Features)
	}
	var out []queryable
	for _, f := range l.Schema {
		if !validParamName(f.Name) {
			continue
		}
		q := queryable{name: f.Name}
		switch f.Kind {
		case layers.String:
			q.typ = "string"
			if longText(l.Features, f.Name) {
				continue
			}
		case layers.Date:
			q.typ, q.format = "string", "date"
		case layers.Int:
			q.typ = "integer"
		case layers.Float:
			q.typ = "number"
		case layers.Bool:
			q.typ = "boolean"
		default:
			continue // lists: no equality on a whole array
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// longText reports whether some feature holds text longer than
// maxQueryableText in property k.
func longText(fs []*geojson.Feature, k string) bool {
	for _, f := range fs {
		if s, ok := f.Properties[k].(string); ok && len(s) > maxQueryableText {
			return true
		}
	}
	return false
}

// inferQueryables returns the properties of features without a schema
// whose values are all scalars of one type (or null), with text no longer
// than maxQueryableText, sorted by name.
func inferQueryables(fs []*geojson.Feature) []queryable {
	typ := map[string]string{}
	bad := map[string]bool{}
	for _, f := range fs {
		for k, v := range f.Properties {
			if bad[k] || v == nil {
				continue
			}
			t := ""
			switch x := v.(type) {
			case string:
				t = "string"
				if len(x) > maxQueryableText {
					bad[k] = true
					continue
				}
			case float64:
				t = "number"
			case bool:
				t = "boolean"
			default:
				bad[k] = true
				continue
			}
			if old, ok := typ[k]; ok && old != t {
				bad[k] = true
				continue
			}
			typ[k] = t
		}
	}
	var out []queryable
	for k, t := range typ {
		if !bad[k] && validParamName(k) {
			q := queryable{name: k, typ: t}
			if t == "string" {
				q.format = textFormat(fs, k)
			}
			out = append(out, q)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// textFormat returns "date" when every value of the text property k is a
// date (YYYY-MM-DD), "date-time" when every one is an RFC 3339 date-time,
// and "" otherwise.
func textFormat(fs []*geojson.Feature, k string) string {
	dates, times, n := 0, 0, 0
	for _, f := range fs {
		s, ok := f.Properties[k].(string)
		if !ok || s == "" {
			continue
		}
		n++
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			dates++
		} else if _, err := time.Parse(time.RFC3339, s); err == nil {
			times++
		}
	}
	switch {
	case n == 0:
		return ""
	case dates == n:
		return "date"
	case times == n:
		return "date-time"
	}
	return ""
}

// validParamName reports whether a property name can be a query parameter
// without clashing with the parameters of the items resource.
func validParamName(k string) bool {
	switch k {
	case "", "limit", "offset", "bbox", "datetime", "f", "bbox-crs", "crs", "filter", "filter-lang", "filter-crs", "properties", "sortby", "geometry":
		return false
	}
	return true
}

// temporalPairs are the date property conventions, start and end, in the
// order they are looked for.
var temporalPairs = [][2]string{{"start_date", "end_date"}, {"start", "end"}, {"date", ""}, {"datetime", ""}}

// temporalOf returns the dates of a layer's features: for a catalogue
// layer from the first convention (temporalPairs) whose start property
// its schema declares a Date (and its end, if any, too); for a layer
// without a schema from the first one its features use (inferTemporal).
func temporalOf(l layers.Layer) *temporal {
	if l.Schema == nil {
		return inferTemporal(l.Features, temporalPairs)
	}
	isDate := func(k string) bool {
		f, ok := l.Field(k)
		return ok && f.Kind == layers.Date
	}
	var pairs [][2]string
	for _, p := range temporalPairs {
		if isDate(p[0]) && (p[1] == "" || isDate(p[1])) {
			pairs = append(pairs, p)
		}
	}
	return inferTemporal(l.Features, pairs)
}

// inferTemporal finds the first of the date property pairs that the
// features use. A feature without the end property lasts as long as its
// start; one whose end is null or "" has no known end and lasts from its
// start on.
func inferTemporal(fs []*geojson.Feature, pairs [][2]string) *temporal {
	for _, pair := range pairs {
		t := &temporal{startProp: pair[0], endProp: pair[1], spans: make([][2]time.Time, len(fs))}
		found := false
		for i, f := range fs {
			s, _ := f.Properties[pair[0]].(string)
			a, err := parseTime(s, false)
			if err != nil {
				continue
			}
			// A date stands for its whole day; without an end, the
			// feature lasts as long as its start.
			b, _ := parseTime(s, true)
			if !found || a.Before(t.min) {
				t.min = a
			}
			if pair[1] != "" {
				if e, ok := f.Properties[pair[1]]; ok && (e == nil || e == "") {
					t.open = true
					t.spans[i] = [2]time.Time{a, openEnd}
					if !found || b.After(t.max) {
						t.max = b
					}
					found = true
					continue
				}
				if e, ok := f.Properties[pair[1]].(string); ok {
					if x, err := parseTime(e, true); err == nil && !x.Before(a) {
						b = x
					}
				}
			}
			t.spans[i] = [2]time.Time{a, b}
			if !found || b.After(t.max) {
				t.max = b
			}
			found = true
		}
		if found {
			return t
		}
	}
	return nil
}

// filter is what selects the items of a collection.
type filter struct {
	bbox     *orb.Bound
	datetime *interval
	equals   map[string]string // queryable -> value
	cql      *cql2.Filter      // the filter parameter
}

// matches reports whether feature i passes the filter.
func (c *collection) matches(i int, flt *filter) bool {
	f := c.features[i]
	if flt.bbox != nil {
		fb, b := c.bounds[i], *flt.bbox
		switch {
		case fb.IsEmpty(): // no geometry
			return false
		case !fb.Intersects(b):
			return false
		case b.Contains(fb.Min) && b.Contains(fb.Max):
			// inside the box
		case !intersects(f.Geometry, b):
			return false
		}
	}
	if flt.datetime != nil {
		if c.temporal == nil {
			return false // a feature without a date has no date in the interval
		}
		sp := c.temporal.spans[i]
		if sp[0].IsZero() || !flt.datetime.intersects(sp[0], sp[1]) {
			return false
		}
	}
	for k, want := range flt.equals {
		if !equalValue(f.Properties[k], want) {
			return false
		}
	}
	if flt.cql != nil && !flt.cql.Match(featureView{c, i}) {
		return false
	}
	return true
}

// equalValue compares a property value with a query value: text by
// geo.Fold (case, diacritics and punctuation ignored), numbers
// numerically, booleans as true/false.
func equalValue(v any, want string) bool {
	switch x := v.(type) {
	case string:
		return x == want || geo.Fold(x) == geo.Fold(want)
	case float64:
		w, err := parseNumber("", want)
		return err == nil && (x == w || math.Abs(x-w) <= 1e-9*math.Max(1, math.Abs(x)))
	case bool:
		return strings.EqualFold(want, fmt.Sprint(x))
	}
	return false
}

// selectItems returns the positions of the features passing the filter,
// in collection order.
func (c *collection) selectItems(flt *filter) []int {
	out := make([]int, 0, len(c.features))
	for i := range c.features {
		if c.matches(i, flt) {
			out = append(out, i)
		}
	}
	return out
}

// download is one collection in one download format, built on first use.
type download struct {
	layer  layers.Layer
	format export.Format
	once   sync.Once
	built  atomic.Bool // once has run
	body   []byte
	etag   string
	gz     []byte
	err    error
}
