package geojsonio

import (
	"fmt"
	"strconv"

	"github.com/paulmach/orb/geojson"
)

// FeatureID returns the id of a feature as text: its string id, its
// numeric id written in full (1000000, never 1e+06), else its "id"
// property when that is a string, else "".
func FeatureID(f *geojson.Feature) string {
	switch v := f.ID.(type) {
	case nil:
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
	if s, ok := f.Properties["id"].(string); ok {
		return s
	}
	return ""
}
