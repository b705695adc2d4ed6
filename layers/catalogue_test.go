package layers_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
	"github.com/paulmach/orb/geojson"
)

// installedAtlas is the embedded atlas with the fixture districts installed.
func installedAtlas(t *testing.T) *geo.Atlas {
	t.Helper()
	src, dir := t.TempDir(), t.TempDir()
	if err := geotest.WriteDistrictSources(src); err != nil {
		t.Fatal(err)
	}
	if _, err := data.Install(context.Background(), data.InstallOptions{From: src, Dir: dir, Provinces: data.FS()}); err != nil {
		t.Fatal(err)
	}
	a, err := data.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSchemaDeclared: every property of every feature of every catalogue
// layer (districts installed, crossings with their status) is declared in
// the layer's schema, and the declared types are those the values have:
// converting with the schema gives the same attribute types as typing
// each property by inference over the layer, so tiles are unchanged.
func TestSchemaDeclared(t *testing.T) {
	a := installedAtlas(t)
	names := layers.Layers(a)
	if want := []string{"border", "countries", "provinces", "districts", "crossings", "events", "zones", "crossing_status"}; !slices.Equal(names, want) {
		t.Fatalf("Layers = %v, want %v", names, want)
	}
	for _, name := range names {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		if name == geo.LayerCrossings {
			if l.Features, err = layers.CrossingsOn(a, l.Features, time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
		}
		if l.Schema == nil || l.Title == "" || l.Description == "" || l.Attribution == "" || l.Licence == "" {
			t.Errorf("%s: incomplete catalogue entry: title %q, attribution %q, licence %q, %d fields", name, l.Title, l.Attribution, l.Licence, len(l.Schema))
		}
		for _, f := range l.Features {
			for k, v := range f.Properties {
				if _, ok := l.Field(k); !ok && v != nil {
					t.Errorf("%s feature %v: property %q (%T) not in the schema", name, f.ID, k, v)
				}
			}
		}
		l.Features = slices.DeleteFunc(slices.Clone(l.Features), func(f *geojson.Feature) bool { return f.Geometry == nil })
		typed, err := l.ToTiles()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		untyped := layers.Spec{MinZoom: l.Tiles.MinZoom, Labels: l.Tiles.Labels, LabelFields: l.Tiles.LabelFields, Omit: l.Tiles.Omit}
		var inferred []tiles.Layer
		if l.Tiles.SplitKinds {
			inferred, err = layers.ConvertByKind(name, l.Features, untyped)
		} else {
			var il tiles.Layer
			il, err = layers.Convert(name, l.Features, untyped)
			inferred = []tiles.Layer{il}
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(typed) != len(inferred) {
			t.Fatalf("%s: %d tile layers typed, %d inferred", name, len(typed), len(inferred))
		}
		for k := range typed {
			if len(typed[k].Features) != len(inferred[k].Features) {
				t.Fatalf("%s: %d features typed, %d inferred", typed[k].Name, len(typed[k].Features), len(inferred[k].Features))
			}
			for i, f := range typed[k].Features {
				if !sameValues(f.Properties, inferred[k].Features[i].Properties) {
					t.Errorf("%s feature %d: declared types give %v, inference %v", typed[k].Name, f.ID, types(f.Properties), types(inferred[k].Features[i].Properties))
				}
			}
		}
	}
}

// sameValues reports whether declared and inferred attributes agree: the
// same values of the same types, except that a number declared Float may
// be inferred Int where every value of a layer split by kind is integral
// (the declared type keeps it a double there too).
func sameValues(declared, inferred map[string]any) bool {
	if len(declared) != len(inferred) {
		return false
	}
	for k, d := range declared {
		i := inferred[k]
		if f, ok := d.(float64); ok {
			if n, ok := i.(int64); ok && float64(n) == f {
				continue
			}
		}
		if !reflect.DeepEqual(d, i) {
			return false
		}
	}
	return true
}

func types(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = fmt.Sprintf("%T", v)
	}
	return out
}

// TestTimeRange: the events, zones and status periods span the days of
// their features, within the record; the undated layers have none.
func TestTimeRange(t *testing.T) {
	a := defaultAtlas(t)
	last, _, err := layers.LastDay(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range layers.Layers(a) {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		switch name {
		case layers.LayerEvents, layers.LayerZones, layers.LayerCrossingStatus:
			crisis := name != layers.LayerCrossingStatus // the status record reaches back before the crisis
			if l.Start.IsZero() || l.End.Before(l.Start) || l.End.After(last) || crisis && l.Start.Year() != 2025 {
				t.Errorf("%s: %v to %v (record ends %v)", name, l.Start, l.End, last)
			}
			for _, f := range l.Features {
				if s, _ := f.Properties["start_date"].(string); s != "" && s < l.Start.Format(time.DateOnly) {
					t.Errorf("%s %v starts %s, before the layer's start %v", name, f.ID, s, l.Start)
				}
			}
		default:
			if !l.Start.IsZero() || !l.End.IsZero() {
				t.Errorf("%s: time range %v to %v, want none", name, l.Start, l.End)
			}
		}
	}
}

// TestSchemaValues: every property of every feature of every catalogue
// layer, districts installed, is declared in the layer's schema and holds
// a value of the declared kind (Kind.Check); the crossings on every day
// from the first day of any dated layer to the day after the record ends.
// The writers, the collections and the tables take the types from the
// schema alone, so a producer that drifts from it fails here.
func TestSchemaValues(t *testing.T) {
	a := installedAtlas(t)
	var first time.Time
	check := func(l layers.Layer, when string) {
		for _, f := range l.Features {
			for k, v := range f.Properties {
				fd, ok := l.Field(k)
				if !ok {
					t.Errorf("%s %s feature %v: property %q (%T) not in the schema", l.Name, when, f.ID, k, v)
					continue
				}
				if err := fd.Kind.Check(v); err != nil {
					t.Errorf("%s %s feature %v: %s: %v", l.Name, when, f.ID, k, err)
				}
			}
		}
	}
	ls := map[string]layers.Layer{}
	for _, name := range layers.Layers(a) {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Features) == 0 {
			t.Errorf("%s: no features", name)
		}
		for _, fd := range l.Schema {
			if fd.Kind == layers.Infer {
				t.Errorf("%s: field %s declared Infer", name, fd.Name)
			}
		}
		check(l, "")
		ls[name] = l
		if !l.Start.IsZero() && (first.IsZero() || l.Start.Before(first)) {
			first = l.Start
		}
	}
	last, _, err := layers.LastDay(a)
	if err != nil {
		t.Fatal(err)
	}
	if first.IsZero() || !first.Before(last) {
		t.Fatalf("record from %v to %v", first, last)
	}
	days := 0
	for d := first; !d.After(last.AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
		l := ls[geo.LayerCrossings]
		if l.Features, err = layers.CrossingsOn(a, l.Features, d); err != nil {
			t.Fatal(err)
		}
		check(l, d.Format(time.DateOnly))
		days++
	}
	t.Logf("%d layers, crossings on %d days (%s to %s)", len(ls), days, first.Format(time.DateOnly), last.Format(time.DateOnly))
}

// TestKindCheck: what each kind accepts and refuses.
func TestKindCheck(t *testing.T) {
	tests := []struct {
		name string
		kind layers.Kind
		v    any
		ok   bool
	}{
		{"nil string", layers.String, nil, true},
		{"string", layers.String, "x", true},
		{"number as string", layers.String, 1.0, false},
		{"int", layers.Int, 3.0, true},
		{"fraction as int", layers.Int, 3.5, false},
		{"float", layers.Float, 3.0, true},
		{"NaN", layers.Float, math.NaN(), false},
		{"text as float", layers.Float, "3", false},
		{"bool", layers.Bool, false, true},
		{"list", layers.List, []any{"a", 1.0, true}, true},
		{"list of objects", layers.List, []any{map[string]any{}}, false},
		{"string as list", layers.List, "a", false},
		{"date", layers.Date, "2025-10-12", true},
		{"no date", layers.Date, "", true},
		{"month as date", layers.Date, "2025-10", false},
		{"bad day", layers.Date, "2025-02-30", false},
		{"infer", layers.Infer, map[string]any{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.kind.Check(tc.v)
			if (err == nil) != tc.ok {
				t.Fatalf("%v.Check(%v) = %v, want ok %v", tc.kind, tc.v, err, tc.ok)
			}
			if err != nil && !errors.Is(err, layers.ErrProperty) {
				t.Errorf("error %v is not ErrProperty", err)
			}
		})
	}
}
