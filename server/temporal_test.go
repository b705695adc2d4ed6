package server

import (
	"errors"
	"strings"
	"testing"

	"github.com/durandline/durand/layers"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// TestLaterLayer serves a dated extra layer, as events will be, and checks
// its temporal extent, queryables and the datetime filter.
func TestLaterLayer(t *testing.T) {
	event := func(id, start, end, kind string, lon float64) *geojson.Feature {
		f := geojson.NewFeature(orb.Point{lon, 31})
		f.ID = id
		f.Properties = geojson.Properties{"id": id, "name": id, "start_date": start, "kind": kind}
		if end != "" {
			f.Properties["end_date"] = end
		}
		return f
	}
	events := layers.Layer{Name: "events", Title: "Events", Attribution: "test", Features: []*geojson.Feature{
		event("closure_2017", "2017-02-16", "2017-03-20", "closure", 66),
		event("clash_2023", "2023-09-06", "", "clash", 67),
		event("closure_2025", "2025-10-12", "2025-11-01", "closure", 68),
	}}
	a := fixtureAtlas(t, 0)
	h := newTest(t, Config{Atlas: a, ExtraLayers: []layers.Layer{events}})
	for _, bad := range []layers.Layer{{Name: "crossings"}, {Name: "Events"}, {Name: ""}, {Name: "a/b"}} {
		if _, err := New(Config{Atlas: a, ExtraLayers: []layers.Layer{bad}}); !errors.Is(err, ErrConfig) {
			t.Errorf("extra layer %q: %v, want ErrConfig", bad.Name, err)
		}
	}

	doc := decode(t, get(t, h, "GET", "/collections/events"))
	tmp, ok := doc["extent"].(map[string]any)["temporal"].(map[string]any)
	if !ok {
		t.Fatalf("no temporal extent: %v", doc["extent"])
	}
	iv := tmp["interval"].([]any)[0].([]any)
	if iv[0] != "2017-02-16T00:00:00Z" || iv[1] != "2025-11-01T23:59:59Z" {
		t.Errorf("interval %v", iv)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"datetime=2017-03-01", []string{"closure_2017"}},
		{"datetime=2017-03-21", nil},
		{"datetime=2023-01-01/..", []string{"clash_2023", "closure_2025"}},
		{"datetime=../2023-09-06", []string{"closure_2017", "clash_2023"}},
		{"datetime=2023-09-06T12:00:00Z", []string{"clash_2023"}},
		{"datetime=2020-01-01T00:00:00Z/2024-01-01T00:00:00Z", []string{"clash_2023"}},
		{"kind=closure", []string{"closure_2017", "closure_2025"}},
		{"kind=closure&datetime=2025-10-20", []string{"closure_2025"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			w := get(t, h, "GET", "/collections/events/items?"+tc.query)
			if w.Code != 200 {
				t.Fatalf("%d %s", w.Code, w.Body.String())
			}
			got := itemIDs(t, decode(t, w))
			if len(got) != len(tc.want) {
				t.Fatalf("ids %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("ids %v, want %v", got, tc.want)
				}
			}
		})
	}
	// The new collection is in /collections, /api and the downloads.
	if w := get(t, h, "GET", "/downloads/events.gpkg"); w.Code != 200 {
		t.Errorf("download: %d", w.Code)
	}
	if w := get(t, h, "GET", "/api"); !strings.Contains(w.Body.String(), `"/collections/events/items"`) {
		t.Error("/api does not document the events items")
	}
}
