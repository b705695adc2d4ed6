package export

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/layers"
	"github.com/paulmach/orb/geojson"
)

// kind is the type of an attribute column.
type kind int

const (
	kindText kind = iota // strings, or values of mixed types
	kindReal             // numbers
	kindBool             // booleans
	kindJSON             // arrays and objects, written as JSON text
	kindDate             // calendar days, YYYY-MM-DD text ("" is null)
	kindInt              // integral numbers
)

// columnTypes are the names of each kind of column in the formats: the
// GeoPackage column type, the KML SimpleField type and the GDAL .csvt
// type.
var columnTypes = map[kind]struct{ gpkg, kml, csvt string }{
	kindText: {"TEXT", "string", "String"},
	kindReal: {"DOUBLE", "double", "Real"},
	kindBool: {"BOOLEAN", "bool", "Integer(Boolean)"},
	kindJSON: {"TEXT", "string", "String"},
	kindDate: {"DATE", "string", "Date"},
	kindInt:  {"INTEGER", "int", "Integer"},
}

// kindOfField is the column kind of a declared catalogue property.
func kindOfField(k layers.Kind) kind {
	switch k {
	case layers.Int:
		return kindInt
	case layers.Float:
		return kindReal
	case layers.Bool:
		return kindBool
	case layers.List:
		return kindJSON
	case layers.Date:
		return kindDate
	}
	return kindText
}

// isDay reports whether s is a calendar day written YYYY-MM-DD.
func isDay(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// column is one attribute column of a tabular format.
type column struct {
	name string
	kind kind
}

// columns returns the attribute columns of a layer: "id" first, then the
// properties, "name" first and the others sorted. Properties whose names
// clash, case-insensitively, with fid, geom, wkt, attribution or an
// earlier column are dropped.
//
// A catalogue layer's columns are its schema (layers.Layer.Schema), typed
// as declared, every declared column present even when no feature has a
// value; a property the schema does not declare (an edit in a data
// directory or database) is a text column. Only a layer without a schema
// (a user's own, see server.Config.ExtraLayers) has its columns inferred
// from the values (inferColumns).
func columns(l layers.Layer) []column {
	if l.Schema == nil {
		return inferColumns(l.Features)
	}
	declared := make(map[string]kind, len(l.Schema))
	props := geojson.Properties{}
	for _, f := range l.Schema {
		declared[f.Name] = kindOfField(f.Kind)
		props[f.Name] = nil
	}
	for _, f := range l.Features {
		for k := range f.Properties {
			props[k] = nil
		}
	}
	out := []column{{name: "id", kind: kindText}}
	seen := reservedColumns()
	for _, k := range sortedKeys(props) {
		lk := strings.ToLower(k)
		if _, dup := seen[lk]; dup {
			continue
		}
		seen[lk] = len(out)
		out = append(out, column{name: k, kind: declared[k]}) // kindText when undeclared
	}
	return out
}

// reservedColumns maps the lower-case names the tabular formats use
// themselves, and id, to their column (-1: not an attribute column).
func reservedColumns() map[string]int {
	return map[string]int{"id": 0, "fid": -1, "geom": -1, "wkt": -1, "attribution": -1}
}

// inferColumns returns the attribute columns of features without a
// schema, typed from their values: "id" first, then every property in
// the order of sortedKeys, numbers Real, booleans Boolean, arrays and
// objects JSON text, values of mixed types text. A text column whose
// values are all days (YYYY-MM-DD) or empty, with at least one day, is a
// date column.
func inferColumns(fs []*geojson.Feature) []column {
	out := []column{{name: "id", kind: kindText}}
	seen := reservedColumns()
	kinds := map[string]kind{}
	set := map[string]bool{}
	days := map[string]bool{}    // some value is a day
	notDays := map[string]bool{} // some value is neither a day nor ""
	for _, f := range fs {
		for _, k := range sortedKeys(f.Properties) {
			lk := strings.ToLower(k)
			if lk == "id" {
				continue
			}
			if _, ok := seen[lk]; !ok {
				seen[lk] = len(out)
				out = append(out, column{name: k})
			} else if i := seen[lk]; i < 0 || out[i].name != k {
				continue
			}
			v := f.Properties[k]
			if v == nil {
				continue
			}
			vk := kindOf(v)
			if s, ok := v.(string); ok && isDay(s) {
				days[k] = true
			} else if !ok || s != "" {
				notDays[k] = true
			}
			if !set[k] {
				kinds[k], set[k] = vk, true
			} else if kinds[k] != vk {
				kinds[k] = kindText
			}
		}
	}
	for i := 1; i < len(out); i++ {
		k := out[i].name
		out[i].kind = kinds[k] // kindText when always null
		if out[i].kind == kindText && days[k] && !notDays[k] {
			out[i].kind = kindDate
		}
	}
	return out
}

func kindOf(v any) kind {
	switch v.(type) {
	case float64, float32, int, int64, json.Number:
		return kindReal
	case bool:
		return kindBool
	case string:
		return kindText
	}
	return kindJSON
}

// sortedKeys returns the keys of m in a stable order: "id", "name" first,
// then the rest as they sort.
func sortedKeys(m geojson.Properties) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch k {
		case "id":
			return 0
		case "name":
			return 1
		}
		return 2
	}
	// insertion sort: property maps are small
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0; j-- {
			a, b := keys[j-1], keys[j]
			if rank(a) < rank(b) || (rank(a) == rank(b) && a <= b) {
				break
			}
			keys[j-1], keys[j] = b, a
		}
	}
	return keys
}

// value returns the value of column c of feature f for a tabular format:
// nil for a missing or null value or an empty date, float64, int64, bool,
// or string (a value that does not fit the column's kind is written as
// text).
func value(f *geojson.Feature, c column) any {
	if c.name == "id" {
		return geojsonio.FeatureID(f)
	}
	v, ok := f.Properties[c.name]
	if !ok || v == nil {
		return nil
	}
	switch c.kind {
	case kindReal:
		if x, ok := toFloat(v); ok {
			return x
		}
	case kindInt:
		if x, ok := toFloat(v); ok && x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case kindBool:
		if b, ok := v.(bool); ok {
			return b
		}
	case kindDate:
		if v == "" {
			return nil
		}
	}
	return text(v)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// text returns v as text: strings as they are, numbers in their shortest
// form, everything else as JSON.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	if f, ok := toFloat(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// cell returns a value of value as the text of a CSV cell or KML
// SimpleData, and false for nil (no value).
func cell(v any) (string, bool) {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	case string:
		return v, true
	}
	return "", false
}
