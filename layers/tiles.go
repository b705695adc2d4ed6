package layers

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/tiles"
)

// Kind is the MVT attribute type a property is written as.
type Kind uint8

// The attribute kinds.
const (
	// Infer types a property from its values over the whole layer.
	Infer Kind = iota
	// String writes a string value.
	String
	// Int writes an integral number as an MVT sint value.
	Int
	// Float writes a number as an MVT double value.
	Float
	// Bool writes a boolean value.
	Bool
	// List writes an array of scalars as one string, the elements joined
	// with ListSeparator.
	List
	// Date is a calendar day written YYYY-MM-DD ("" for none), written
	// as a string in tiles, as a date column in the tabular formats.
	Date
)

// ListSeparator joins the elements of array properties (List).
const ListSeparator = "|"

func (k Kind) String() string {
	switch k {
	case Infer:
		return "infer"
	case String:
		return "string"
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case List:
		return "list"
	case Date:
		return "date"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Spec says how one atlas layer becomes a tile layer.
type Spec struct {
	// MinZoom is the lowest zoom at which the layer appears.
	MinZoom int
	// Labels adds a "<name>_label" point layer for a polygon layer.
	Labels bool
	// LabelFields are the properties copied to the label points (those a
	// feature has); nil copies all of them.
	LabelFields []string
	// Fields declares property types (Layer.TileSpec fills it from the
	// layer's schema).
	Fields map[string]Kind
	// Undeclared is the kind of the properties Fields does not list:
	// Infer (the zero value) types them from their values over the whole
	// layer, for layers from outside the catalogue; catalogue layers
	// write them as String.
	Undeclared Kind
	// SplitKinds makes one tile layer per kind of geometry of a layer
	// that mixes them (the events: see ConvertByKind).
	SplitKinds bool
	// Omit lists properties left out of the tiles.
	Omit []string
}

// Errors returned by this package.
var (
	// ErrUnknownLayer is returned by Filter for a layer name the list does
	// not hold.
	ErrUnknownLayer = errors.New("layers: unknown layer")
	// ErrProperty reports a property value that does not fit its declared
	// kind, or that cannot be written at all.
	ErrProperty = errors.New("layers: bad property")
	// ErrGeometry reports a geometry that cannot go into a tile layer
	// (missing, a GeometryCollection, or of another kind than the rest of
	// the layer).
	ErrGeometry = errors.New("layers: bad geometry")
	// ErrID reports two features of a layer with the same tile feature id.
	ErrID = errors.New("layers: duplicate feature id")
)

// FeatureError locates an error at one feature of an atlas layer.
type FeatureError struct {
	Layer string
	ID    string // the feature's id, or "#index" when it has none
	Err   error
}

func (e *FeatureError) Error() string {
	return fmt.Sprintf("layers: layer %s feature %s: %v", e.Layer, e.ID, e.Err)
}

func (e *FeatureError) Unwrap() error { return e.Err }

// Specs returns the tile settings of the catalogue's layers, by layer
// name, with the declared property types of their schemas (Schema). The
// returned map is a fresh copy.
func Specs() map[string]Spec {
	specs := map[string]Spec{
		geo.LayerBorder:    {MinZoom: 0},
		geo.LayerCountries: {MinZoom: 0, Labels: true, LabelFields: []string{"id", "name", "iso3"}},
		geo.LayerProvinces: {MinZoom: 2, Labels: true, LabelFields: []string{"id", "name", "country"},
			Omit: []string{"note", "history"}},
		geo.LayerDistricts:  {MinZoom: 6, Labels: true, LabelFields: []string{"id", "name", "province", "country"}},
		geo.LayerCrossings:  {MinZoom: 0},
		LayerEvents:         {MinZoom: 0, Labels: true, LabelFields: []string{"id", "name"}, SplitKinds: true},
		LayerZones:          {MinZoom: 0, Labels: true, LabelFields: []string{"id", "name"}},
		LayerCrossingStatus: {MinZoom: 0},
	}
	for name, spec := range specs {
		specs[name] = Layer{Schema: Schema(name), Tiles: spec}.TileSpec()
	}
	return specs
}

// DefaultSpec is the setting of a layer Specs does not know: visible from
// zoom 0, every property typed by inference, and for a polygon layer a
// label layer carrying its id and name.
func DefaultSpec() Spec {
	return Spec{MinZoom: 0, Labels: true, LabelFields: []string{"id", "name"}}
}

// SpecFor returns the settings of an atlas layer: its entry in Specs, or
// DefaultSpec.
func SpecFor(layer string) Spec {
	if s, ok := Specs()[layer]; ok {
		return s
	}
	return DefaultSpec()
}

// AtlasTileLayers converts every layer the atlas loads (not the crisis
// layers: see TileLayers), in the atlas's order, with the
// settings of SpecFor. An empty layer is left out.
func AtlasTileLayers(a *geo.Atlas) ([]tiles.Layer, error) {
	var out []tiles.Layer
	for _, name := range a.Layers() {
		fs, err := a.Features(name)
		if err != nil {
			return nil, err
		}
		l, err := Convert(name, fs, SpecFor(name))
		if err != nil {
			return nil, err
		}
		if len(l.Features) > 0 {
			out = append(out, l)
		}
	}
	return out, nil
}

// NewAtlasTileset builds a tileset of every atlas layer (see
// AtlasTileLayers). Layers whose
// MinZoom is above the tileset's maximum zoom are left out.
func NewAtlasTileset(a *geo.Atlas, opt tiles.Options) (*tiles.Tileset, error) {
	ls, err := AtlasTileLayers(a)
	if err != nil {
		return nil, err
	}
	maxZoom := opt.MaxZoom
	if maxZoom == 0 {
		maxZoom = tiles.DefaultMaxZoom
	}
	ls = slices.DeleteFunc(ls, func(l tiles.Layer) bool { return l.MinZoom > maxZoom })
	return tiles.NewTileset(ls, opt)
}

// FilterTileLayers returns the layers named in names, in the order of layers. A name
// that no layer has is an error wrapping ErrUnknownLayer that lists the
// names available. An empty names returns layers unchanged.
func FilterTileLayers(layers []tiles.Layer, names []string) ([]tiles.Layer, error) {
	if len(names) == 0 {
		return layers, nil
	}
	have := make([]string, len(layers))
	for i, l := range layers {
		have[i] = l.Name
	}
	for _, n := range names {
		if !slices.Contains(have, n) {
			return nil, fmt.Errorf("%w %q (layers: %s)", ErrUnknownLayer, n, strings.Join(have, ", "))
		}
	}
	var out []tiles.Layer
	for _, l := range layers {
		if slices.Contains(names, l.Name) {
			out = append(out, l)
		}
	}
	return out, nil
}

// Convert turns the GeoJSON features of one layer into a tiles.Layer with
// the settings of spec. Features without a geometry (events whose place
// is not known) are left out. The features are not modified.
func Convert(name string, features []*geojson.Feature, spec Spec) (tiles.Layer, error) {
	l := tiles.Layer{Name: name, MinZoom: spec.MinZoom}
	inferred := inferKinds(features, spec)
	var kind string
	ids := make(map[uint64]string, len(features))
	for i, f := range features {
		sid := featureName(f, i)
		fail := func(err error) error { return &FeatureError{Layer: name, ID: sid, Err: err} }
		if f == nil || f.Geometry == nil {
			continue // nothing to draw (an event with no known place)
		}
		k, g, err := geometry(f.Geometry)
		if err != nil {
			return l, fail(err)
		}
		if kind == "" {
			kind = k
		} else if k != kind {
			return l, fail(fmt.Errorf("%w: %s in a layer of %ss", ErrGeometry, k, kind))
		}
		props := make(map[string]any, len(f.Properties))
		for key, v := range f.Properties {
			if v == nil || slices.Contains(spec.Omit, key) {
				continue
			}
			kd, declared := spec.Fields[key]
			if !declared {
				kd = spec.Undeclared
			}
			if kd == Infer {
				kd = inferred[key]
			}
			cv, err := convert(v, kd)
			if err != nil {
				return l, fail(fmt.Errorf("%w %q: %v", ErrProperty, key, err))
			}
			if cv != nil {
				props[key] = cv
			}
		}
		if s, ok := f.ID.(string); ok && s != "" {
			if _, has := props["id"]; !has {
				props["id"] = s
			}
		}
		id := featureID(f.ID, i)
		if prev, dup := ids[id]; dup {
			return l, fail(fmt.Errorf("%w: %d (also %s)", ErrID, id, prev))
		}
		ids[id] = sid
		l.Features = append(l.Features, tiles.Feature{ID: id, Geometry: g, Properties: props})
	}
	if kind == "polygon" && spec.Labels {
		l.Labels = true
		l.LabelFields = spec.LabelFields
	}
	return l, nil
}

// Suffixes of the layers ConvertByKind splits a layer of mixed geometry
// into: points keep the layer's name.
const (
	LinesSuffix = "_lines"
	AreasSuffix = "_areas"
)

// KindNames returns the names of the layers ConvertByKind may make of the
// layer name: name (points), name+LinesSuffix, name+AreasSuffix.
func KindNames(name string) []string {
	return []string{name, name + LinesSuffix, name + AreasSuffix}
}

// ConvertByKind converts a layer whose features mix points, lines and
// polygons (the events: exact places, border stretches and approximate
// units) into one tile layer per kind, as a vector tile layer holds one
// kind (see KindNames); kinds without a feature are left out. Features
// without a geometry are left out too.
func ConvertByKind(name string, features []*geojson.Feature, spec Spec) ([]tiles.Layer, error) {
	byKind := map[string][]*geojson.Feature{}
	for _, f := range features {
		if f == nil || f.Geometry == nil {
			continue
		}
		k, _, err := geometry(f.Geometry)
		if err != nil {
			return nil, &FeatureError{Layer: name, ID: featureName(f, 0), Err: err}
		}
		byKind[k] = append(byKind[k], f)
	}
	var out []tiles.Layer
	for i, k := range []string{"point", "line", "polygon"} {
		if len(byKind[k]) == 0 {
			continue
		}
		sp := spec
		sp.Labels = false // an event's label is its point; units are outlines
		l, err := Convert(KindNames(name)[i], byKind[k], sp)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// featureName is the feature's id as text, for error messages.
func featureName(f *geojson.Feature, i int) string {
	if f != nil {
		switch id := f.ID.(type) {
		case string:
			if id != "" {
				return id
			}
		case float64:
			return strconv.FormatFloat(id, 'f', -1, 64)
		}
	}
	return "#" + strconv.Itoa(i)
}

// FeatureID is the MVT id Convert gives f when it is features[i]: from
// its id as the package documentation says, else i+1. It lets a server pick the features of an
// encoded tile by the GeoJSON features they come from.
func FeatureID(f *geojson.Feature, i int) uint64 {
	if f == nil {
		return uint64(i) + 1
	}
	return featureID(f.ID, i)
}

// featureID is the MVT id of a feature: see the package documentation.
func featureID(id any, i int) uint64 {
	switch id := id.(type) {
	case string:
		if id != "" {
			return tiles.StringID(id)
		}
	case float64:
		if id >= 0 && id < 1<<53 && id == math.Trunc(id) {
			return uint64(id)
		}
	}
	return uint64(i) + 1
}

// geometry checks a feature geometry and names its kind.
func geometry(g orb.Geometry) (string, orb.Geometry, error) {
	switch g := g.(type) {
	case orb.Point, orb.MultiPoint:
		return "point", g, nil
	case orb.LineString, orb.MultiLineString:
		return "line", g, nil
	case orb.Polygon, orb.MultiPolygon, orb.Ring:
		return "polygon", g, nil
	}
	return "", nil, fmt.Errorf("%w: unsupported geometry type %s", ErrGeometry, g.GeoJSONType())
}

// inferKinds types the undeclared properties of a layer from all their
// values: bools stay bools, numbers that are all integral become Int,
// other numbers Float, arrays of scalars List, anything else (strings,
// objects, mixed types) String.
func inferKinds(features []*geojson.Feature, spec Spec) map[string]Kind {
	seen := map[string]Kind{}
	for _, f := range features {
		if f == nil {
			continue
		}
		for key, v := range f.Properties {
			if v == nil {
				continue
			}
			if _, declared := spec.Fields[key]; declared {
				continue
			}
			var k Kind
			switch v := v.(type) {
			case bool:
				k = Bool
			case float64:
				k = Float
				if isInt(v) {
					k = Int
				}
			case []any:
				k = String
				if scalars(v) {
					k = List
				}
			default:
				k = String
			}
			old, ok := seen[key]
			switch {
			case !ok || old == k:
				seen[key] = k
			case (old == Int && k == Float) || (old == Float && k == Int):
				seen[key] = Float
			default:
				seen[key] = String
			}
		}
	}
	return seen
}

func isInt(v float64) bool { return v == math.Trunc(v) && math.Abs(v) < 1<<53 }

func scalars(vs []any) bool {
	for _, v := range vs {
		switch v.(type) {
		case string, float64, bool, nil:
		default:
			return false
		}
	}
	return true
}

// convert turns one GeoJSON property value into the Go value package tiles
// writes as an attribute of kind k. A nil result leaves the property out.
func convert(v any, k Kind) (any, error) {
	switch k {
	case String, Date:
		switch v := v.(type) {
		case string:
			return v, nil
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), nil
		case bool:
			return strconv.FormatBool(v), nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case Int:
		f, ok := v.(float64)
		if !ok || !isInt(f) {
			return nil, fmt.Errorf("%v (%T) is not an integer", v, v)
		}
		return int64(f), nil
	case Float:
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%v (%T) is not a number", v, v)
		}
		return f, nil
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%v (%T) is not a boolean", v, v)
		}
		return b, nil
	case List:
		vs, ok := v.([]any)
		if !ok {
			if s, isStr := v.(string); isStr {
				return s, nil // a single value
			}
			return nil, fmt.Errorf("%v (%T) is not an array", v, v)
		}
		parts := make([]string, 0, len(vs))
		for _, e := range vs {
			switch e := e.(type) {
			case nil:
				continue
			case string:
				parts = append(parts, e)
			case float64:
				parts = append(parts, strconv.FormatFloat(e, 'f', -1, 64))
			case bool:
				parts = append(parts, strconv.FormatBool(e))
			default:
				return nil, fmt.Errorf("array element %v (%T) is not a scalar", e, e)
			}
		}
		if len(parts) == 0 {
			return nil, nil
		}
		return strings.Join(parts, ListSeparator), nil
	}
	return nil, fmt.Errorf("unknown kind %v", k)
}

// LayerLister describes tile layers: *tiles.Tileset and *Tiles.
type LayerLister interface {
	Layers() []tiles.LayerInfo
}

// VectorLayers describes the layers of a tileset for TileJSON, with the
// zoom range cut to [minZoom, maxZoom] (layers outside it are left out).
// Fields map attribute names to String, Number or Boolean.
func VectorLayers(ts LayerLister, minZoom, maxZoom int) []tiles.VectorLayer {
	out := []tiles.VectorLayer{}
	for _, li := range ts.Layers() {
		lo, hi := max(li.MinZoom, minZoom), min(li.MaxZoom, maxZoom)
		if lo > hi {
			continue
		}
		fields := li.Fields
		if fields == nil {
			fields = map[string]string{}
		}
		out = append(out, tiles.VectorLayer{ID: li.Name, Description: TileDescription(li.Name), MinZoom: lo, MaxZoom: hi, Fields: fields})
	}
	return out
}

// TileDescription returns a one-line description of a tile layer.
func TileDescription(layer string) string {
	if base, ok := strings.CutSuffix(layer, "_label"); ok {
		return "Label points of " + base + ": one point per feature, inside it."
	}
	switch layer {
	case geo.LayerBorder:
		return "The Durand Line (Afghanistan–Pakistan border), south-west to north-east."
	case geo.LayerCountries:
		return "Afghanistan and Pakistan, land polygons."
	case geo.LayerProvinces:
		return "Provinces of Afghanistan and Pakistan (first-level units)."
	case geo.LayerDistricts:
		return "Districts (second-level units), when installed."
	case geo.LayerCrossings:
		return "Border crossings, on the border line; chainage_km from the south-west tripoint."
	case "events":
		return "Events of the border crisis located at a point (a coordinate, a crossing, a town), with dates, severity and sources."
	case "events" + LinesSuffix:
		return "Events of the border crisis located only as a stretch of the border (a sector), as lines along the border."
	case "events" + AreasSuffix:
		return "Events of the border crisis located only as a district or province (approximate)."
	case "zones":
		return "Zones of the border crisis (polygons) with their period of validity."
	}
	return ""
}

// TileLayerNames returns the names of tile layers in order (for messages).
func TileLayerNames(layers []tiles.Layer) []string {
	out := make([]string, len(layers))
	for i, l := range layers {
		out[i] = l.Name
	}
	return out
}

// TileStat describes one layer in the "tilestats" object of MBTiles and
// PMTiles metadata (the mapbox-geostats layout, without feature counts).
type TileStat struct {
	Layer          string          `json:"layer"`
	Geometry       string          `json:"geometry"` // Point, LineString or Polygon
	AttributeCount int             `json:"attributeCount"`
	Attributes     []TileStatField `json:"attributes"`
}

// TileStatField is one attribute of a TileStat.
type TileStatField struct {
	Attribute string `json:"attribute"`
	Type      string `json:"type"` // string, number or boolean
}

// TileStats describes the geometry type and attribute types of each layer
// of the tileset visible in [minZoom, maxZoom], as the "tilestats" member
// of tileset metadata: {"layerCount": n, "layers": [...]}. GDAL's MVT
// driver (and so QGIS) reads layer geometry types from it.
func TileStats(ts LayerLister, minZoom, maxZoom int) map[string]any {
	geom := map[string]string{"point": "Point", "line": "LineString", "polygon": "Polygon"}
	var layers []TileStat
	for _, li := range ts.Layers() {
		if max(li.MinZoom, minZoom) > min(li.MaxZoom, maxZoom) {
			continue
		}
		st := TileStat{Layer: li.Name, Geometry: geom[li.Geometry], Attributes: []TileStatField{}}
		names := make([]string, 0, len(li.Fields))
		for k := range li.Fields {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			st.Attributes = append(st.Attributes, TileStatField{Attribute: k, Type: strings.ToLower(li.Fields[k])})
		}
		st.AttributeCount = len(st.Attributes)
		layers = append(layers, st)
	}
	return map[string]any{"layerCount": len(layers), "layers": layers}
}
