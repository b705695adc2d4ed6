package export

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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
)

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

// columns returns the attribute columns of the features: "id" first, then
// every property in the order first seen. Properties whose names clash,
// case-insensitively, with fid, geom, wkt, attribution or an earlier
// column are dropped. A text column whose values are all days
// (YYYY-MM-DD) or empty, with at least one day, is a date column.
func columns(fs []*geojson.Feature) []column {
	out := []column{{name: "id", kind: kindText}}
	seen := map[string]int{"id": 0}
	// Names the tabular formats use themselves.
	for _, r := range []string{"fid", "geom", "wkt", "attribution"} {
		seen[r] = -1
	}
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
// nil for a missing or null value or an empty date, float64, bool, or
// string.
func value(f *geojson.Feature, c column) any {
	if c.name == "id" {
		return layers.IDText(f)
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
