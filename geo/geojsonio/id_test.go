package geojsonio

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestFeatureID(t *testing.T) {
	for _, tc := range []struct {
		name  string
		id    any
		props geojson.Properties
		want  string
	}{
		{"string id", "AF2401", nil, "AF2401"},
		{"string id wins over the property", "a", geojson.Properties{"id": "b"}, "a"},
		{"integral number in full", float64(1000000), nil, "1000000"},
		{"fraction", 2.5, nil, "2.5"},
		{"negative", float64(-7), nil, "-7"},
		{"no id: the id property", nil, geojson.Properties{"id": "chaman"}, "chaman"},
		{"no id: a numeric property is not an id", nil, geojson.Properties{"id": 3.0}, ""},
		{"no id at all", nil, nil, ""},
		{"other type", int64(42), nil, "42"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := geojson.NewFeature(orb.Point{66, 31})
			f.ID = tc.id
			if tc.props != nil {
				f.Properties = tc.props
			}
			if got := FeatureID(f); got != tc.want {
				t.Errorf("FeatureID = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSamePoints(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		a, b orb.LineString
		want bool
	}{
		{"equal", orb.LineString{{66, 31}, {67, 32}}, orb.LineString{{66, 31}, {67, 32}}, true},
		{"both empty", nil, orb.LineString{}, true},
		{"other length", orb.LineString{{66, 31}}, orb.LineString{{66, 31}, {67, 32}}, false},
		{"last bit of a coordinate", orb.LineString{{66, 31}}, orb.LineString{{math.Nextafter(66, 67), 31}}, false},
		{"negative zero differs", orb.LineString{{0, 0}}, orb.LineString{{math.Copysign(0, -1), 0}}, false},
		{"the same NaN", orb.LineString{{nan, 1}}, orb.LineString{{nan, 1}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SamePoints(tc.a, tc.b); got != tc.want {
				t.Errorf("SamePoints = %v, want %v", got, tc.want)
			}
		})
	}
}
