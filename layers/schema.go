package layers

import (
	"fmt"
	"math"
	"time"

	"github.com/durandline/durand/geo"
)

// Schema returns the declared properties of a catalogue layer, in the
// order of the layer's files or of the code that produces its features
// (eventFeatures, zoneFeatures, CrossingsOn); nil for a layer the
// catalogue does not know. A property a feature lacks or holds as null is
// simply absent; one a feature has beyond the schema (an edit in a data
// directory or database) is written as a string. A Date property holds
// YYYY-MM-DD or "" (no date).
//
// The properties the catalogue's own code sets are declared beside that
// code (crossingStatusFields by CrossingsOn, statusSchema by
// statusFeatures); those of the atlas's files, events and zones (whose
// features package geo makes, and geo imports nothing of the project) are
// declared here. TestSchemaValues checks every feature of every layer on
// every day against them, so a producer cannot drift from its schema.
func Schema(layer string) []Field {
	str := func(names ...string) []Field {
		out := make([]Field, len(names))
		for i, n := range names {
			out[i] = Field{n, String}
		}
		return out
	}
	dates := func(fs []Field) []Field {
		for i, f := range fs {
			switch f.Name {
			case "start_date", "end_date", "source_date":
				fs[i].Kind = Date
			}
		}
		return fs
	}
	switch layer {
	case geo.LayerBorder:
		return str("id", "name", "from", "to")
	case geo.LayerCountries:
		return str("id", "name", "iso3")
	case geo.LayerProvinces:
		return append(str("id", "name", "country", "iso_3166_2"),
			Field{"alt_names", List}, Field{"note", String}, Field{"history", String})
	case geo.LayerDistricts:
		return str("id", "name", "province", "country", "source", "source_id", "administration")
	case geo.LayerCrossings:
		return append(append(str("id", "name", "afg_province", "afg_district", "pak_province", "pak_district", "method", "description"),
			Field{"alt_names", List}, Field{"sources", List},
			Field{"chainage_km", Float}, Field{"source_lon", Float}, Field{"source_lat", Float},
			Field{"uncertainty_m", Int}),
			crossingStatusFields()...)
	case LayerEvents:
		return dates(append(str("id", "name", "kind", "start_date", "end_date", "summary", "countries", "provinces",
			"district", "district_id", "district_as_reported", "district_mapping", "crossing_id", "place_id",
			"location_precision", "location_rule", "location_note", "unit_ids", "casualty_group", "casualty_note",
			"casualty_sources", "source_publisher", "source_url", "source_date"),
			Field{"location_approximate", Bool}, Field{"border_stretch_km", Float}, Field{"uncertainty_m", Int},
			Field{"severity", Int}, Field{"killed", Int}, Field{"injured", Int},
			Field{"killed_min", Int}, Field{"killed_max", Int}, Field{"injured_min", Int}, Field{"injured_max", Int}))
	case LayerZones:
		return dates(append(str("id", "kind", "name", "country", "start_date", "end_date", "event_ids", "rule", "sources"),
			Field{"severity", Int}, Field{"border_km", Float}, Field{"from_km", Float}, Field{"to_km", Float},
			Field{"area_km2", Float}))
	case LayerCrossingStatus:
		return statusSchema()
	}
	return nil
}

// Check reports whether v is a value of kind k, as the writers and the
// tiles take it: nil (no value) for every kind; a string for String; an
// integral float64 for Int; a finite float64 for Float; a bool for Bool;
// an array of strings, numbers and booleans for List; "" or a day
// written YYYY-MM-DD for Date. Infer accepts anything.
func (k Kind) Check(v any) error {
	if v == nil || k == Infer {
		return nil
	}
	ok := false
	switch k {
	case String:
		_, ok = v.(string)
	case Int:
		f, isF := v.(float64)
		ok = isF && isInt(f)
	case Float:
		f, isF := v.(float64)
		ok = isF && !math.IsNaN(f) && !math.IsInf(f, 0)
	case Bool:
		_, ok = v.(bool)
	case List:
		vs, isList := v.([]any)
		ok = isList && scalars(vs)
	case Date:
		s, isS := v.(string)
		ok = isS && (s == "" || isDay(s))
	}
	if !ok {
		return fmt.Errorf("%w: %v (%T) is not a %v value", ErrProperty, v, v, k)
	}
	return nil
}

// isDay reports whether s is a calendar day written YYYY-MM-DD.
func isDay(s string) bool {
	if len(s) != len(time.DateOnly) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
