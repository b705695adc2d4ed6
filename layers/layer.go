package layers

import (
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/tiles"
)

// Layer is one layer of the catalogue: its features with everything a
// writer, a collection or a tileset needs to know about them.
type Layer struct {
	// Name is the layer (collection, tile layer and GeoPackage table)
	// name, e.g. "provinces".
	Name        string
	Title       string
	Description string
	// Attribution is the credit line every format carries.
	Attribution string
	// Licence names the licences the data are used under (from the
	// atlas's provenance, joined with "; "); every format carries it
	// beside Attribution.
	Licence string
	// Schema declares the properties of the features and their types
	// (see Field). Nil for a layer from outside the catalogue, whose
	// properties are typed by inference where a type is needed.
	Schema []Field
	// Features are GeoJSON features in WGS84 lon/lat; each has a string
	// or numeric ID. They are not modified.
	Features []*geojson.Feature
	// Start and End are the first and last day the features' dates
	// cover (start_date to end_date, UTC days); zero for an undated
	// layer.
	Start, End time.Time
	// Tiles are the layer's vector tile settings.
	Tiles Spec
	// Deferred is set on a layer the atlas computes on first use (the
	// zones: seconds), which servers add once it is ready.
	Deferred bool
	// Updated is written as the GeoPackage last_change; zero writes
	// 1970-01-01T00:00:00.000Z (not the time of writing, so that the same
	// layer always gives the same bytes).
	Updated time.Time
}

// Field is one declared property of a layer.
type Field struct {
	Name string
	Kind Kind
}

// Field returns the declared field name, if any.
func (l Layer) Field(name string) (Field, bool) {
	for _, f := range l.Schema {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// TileSpec returns the layer's tile settings with the declared schema as
// the property types: an undeclared property of a catalogue layer is
// written as a string, never typed by guessing.
func (l Layer) TileSpec() Spec {
	spec := l.Tiles
	if l.Schema == nil {
		return spec
	}
	spec.Fields = make(map[string]Kind, len(l.Schema))
	for _, f := range l.Schema {
		spec.Fields[f.Name] = f.Kind
	}
	spec.Undeclared = String
	return spec
}

// ToTiles converts the layer's features into tile layers with its tile
// settings and schema: one layer (see Convert), or with Tiles.SplitKinds
// one per kind of geometry (see ConvertByKind).
func (l Layer) ToTiles() ([]tiles.Layer, error) {
	spec := l.TileSpec()
	if spec.SplitKinds {
		return ConvertByKind(l.Name, l.Features, spec)
	}
	tl, err := Convert(l.Name, l.Features, spec)
	if err != nil {
		return nil, err
	}
	return []tiles.Layer{tl}, nil
}

// Info is the title and description of an atlas layer.
type Info struct {
	Title       string
	Description string
}

// Describe returns the title and description of an atlas layer name; a
// name it does not know gets its own name as title.
func Describe(layer string) Info {
	switch layer {
	case geo.LayerBorder:
		return Info{"Durand Line (Afghanistan–Pakistan border)",
			"The Afghanistan–Pakistan border as one line from the Iran–Afghanistan–Pakistan tripoint " +
				"(south-west) to the China–Afghanistan–Pakistan tripoint (north-east)."}
	case geo.LayerCountries:
		return Info{"Countries", "Afghanistan and Pakistan as land polygons, inland water cut out as holes."}
	case geo.LayerProvinces:
		return Info{"Provinces", "First-level administrative units of Afghanistan and Pakistan " +
			"(Natural Earth admin-1, corrected by the data pipeline; see the note and history properties)."}
	case geo.LayerDistricts:
		return Info{"Districts", "Second-level administrative units, installed with `durand data install` " +
			"from geoBoundaries (Afghanistan) and OCHA COD-AB (Pakistan)."}
	case geo.LayerCrossings:
		return Info{"Border crossings", "Crossings of the Afghanistan–Pakistan border, placed on the border line, " +
			"with their chainage (km from the south-west tripoint), method and sources."}
	case LayerEvents:
		return Info{"Crisis events", "Dated, sourced events of the Afghanistan–Pakistan border crisis of October 2025 – " +
			"February 2026: clashes, airstrikes, closures and reopenings of crossings, ceasefires, talks and displacement. " +
			"start_date and end_date are the first and last day (UTC calendar days, both included). Each event is located " +
			"by the most precise rule its facts allow, never at an arbitrary interior point " +
			"(location_precision: exact, crossing, site, border_stretch (a line), district or province (the polygon, " +
			"approximate), none (null geometry); location_rule says which rule placed it). Casualty " +
			"figures are as reported (null: not reported), conflicting figures as a min–max range with their sources; " +
			"severity (0–5) is the weight of the kind plus the order of magnitude of the people killed or injured."}
	case LayerCrossingStatus:
		return Info{"Crossing status history", "Every status period of every border crossing as the crisis record dates " +
			"it: status (open, closed, refugees_only, trade_only, pedestrians_only), start_date and end_date (first and last " +
			"day, both included; null when the period began before the record or has no known end; from_text and to_text " +
			"keep the record's own precision, a month or a year), a note and the source, at the crossing's point."}
	case LayerZones:
		return Info{"Affected zones", "Stretches of the border affected by the crisis, day by day: one zone per " +
			"harmful event and side, the land within 10 km of the stretch of border the event affects (its location " +
			"rule and the stretch are in rule, event_ids, border_km, from_km, to_km), active from the event's first " +
			"day to 7 days after its last (start_date, end_date: UTC days, both included), with the event's severity " +
			"(0–5, from its kind and reported casualties); area_km2 is its area. The rules and why are in geo/ZONES.md."}
	}
	return Info{Title: layer}
}

// FromAtlas returns the layer name of an atlas with its title, description
// and attribution: a layer of the atlas, or one of the crisis layers
// events and zones (see Layers), the zones being computed on the first
// call for the atlas (about a second with the districts installed).
func FromAtlas(a *geo.Atlas, name string) (Layer, error) {
	l, err := Header(a, name)
	if err != nil {
		return Layer{}, err
	}
	switch name {
	case LayerEvents:
		l.Features = eventFeatures(a)
	case LayerCrossingStatus:
		if l.Features, err = statusFeatures(a); err != nil {
			return Layer{}, err
		}
	case LayerZones:
		if l.Features, err = zoneFeatures(a); err != nil {
			return Layer{}, err
		}
	default:
		if l.Features, err = a.Features(name); err != nil {
			return Layer{}, err
		}
	}
	l.Start, l.End = dayRange(l.Features)
	return l, nil
}

// dayRange returns the first start_date and the last end_date (or
// start_date) of the features, as UTC days; zero when none has one.
func dayRange(fs []*geojson.Feature) (start, end time.Time) {
	day := func(f *geojson.Feature, key string) time.Time {
		s, _ := f.Properties[key].(string)
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return time.Time{}
		}
		return d
	}
	for _, f := range fs {
		if f == nil {
			continue
		}
		s, e := day(f, "start_date"), day(f, "end_date")
		if e.IsZero() {
			e = s
		}
		if !s.IsZero() && (start.IsZero() || s.Before(start)) {
			start = s
		}
		if e.After(end) {
			end = e
		}
	}
	return start, end
}

// All returns every layer of the catalogue for a (see Layers), in order,
// the crossings carrying their status on day (see CrossingsOn; a zero day
// leaves them without status), as the downloads and `durand db load`
// take them. The zones are computed if they are not yet.
func All(a *geo.Atlas, day time.Time) ([]Layer, error) {
	var out []Layer
	for _, name := range Layers(a) {
		l, err := FromAtlas(a, name)
		if err != nil {
			return nil, err
		}
		if name == geo.LayerCrossings && !day.IsZero() {
			if l.Features, err = CrossingsOn(a, l.Features, day); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	return out, nil
}
