package layers

import (
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
)

// The layers of the border crisis, which the atlas computes from its
// crisis files rather than loads (see geo.Atlas.Events and geo.Atlas.Zones).
const (
	LayerEvents = "events"
	LayerZones  = "zones"
)

// Layers returns the names of the layers FromAtlas builds from a: the
// atlas's layers (districts only when installed), then events and zones
// when the atlas has crisis data, and crossing_status when a crossing has
// a status period.
func Layers(a *geo.Atlas) []string {
	var out []string
	for _, name := range a.Layers() {
		if name == geo.LayerDistricts && !a.HasDistricts() {
			continue
		}
		out = append(out, name)
	}
	if HasCrisis(a) {
		out = append(out, LayerEvents, LayerZones)
	}
	if hasStatus(a) {
		out = append(out, LayerCrossingStatus)
	}
	return out
}

// HasCrisis reports whether the atlas has crisis data: events or crossing
// status periods.
func HasCrisis(a *geo.Atlas) bool {
	return len(a.Events()) > 0 || len(a.Timeline()) > 0
}

// Header returns the layer name of an atlas without its features: name,
// title, description and attribution. Unlike FromAtlas it never computes
// the zones.
func Header(a *geo.Atlas, name string) (Layer, error) {
	info := Describe(name)
	l := Layer{Name: name, Title: info.Title, Description: info.Description, Schema: Schema(name), Tiles: SpecFor(name)}
	switch name {
	case LayerCrossingStatus:
		l.Attribution = "Status periods curated by the durand project from the public sources cited on each feature; " +
			a.Provenance().Attribution(geo.LayerCrossings)
		l.Licence = licences(a, geo.LayerCrossings)
		return l, nil
	case LayerEvents, LayerZones:
		l.Attribution = crisisAttribution(a, name)
		base := []string{geo.LayerCountries, geo.LayerBorder}
		if name == LayerEvents {
			base = []string{geo.LayerProvinces}
		}
		if a.HasDistricts() {
			base = append(base, geo.LayerDistricts)
		}
		l.Licence = licences(a, base...)
		l.Deferred = name == LayerZones
		return l, nil
	}
	if _, err := a.Features(name); err != nil {
		return Layer{}, err
	}
	l.Attribution = a.Provenance().Attribution(name)
	l.Licence = licences(a, name)
	return l, nil
}

// licences joins the distinct licences of the named layers' sources, as
// the provenance states them (a crisis layer is placed with, or cut
// from, the layers it names).
func licences(a *geo.Atlas, names ...string) string {
	var out []string
	seen := map[string]bool{}
	for _, p := range a.Provenance().Layers {
		for _, name := range names {
			if p.Layer == name && p.Licence != "" && !seen[p.Licence] {
				seen[p.Licence] = true
				out = append(out, p.Licence)
			}
		}
	}
	return strings.Join(out, "; ")
}

// crisisAttribution credits the project's curation and the layers the
// events are placed with and the zones are cut from.
func crisisAttribution(a *geo.Atlas, name string) string {
	parts := []string{"Events curated by the durand project from the public sources cited on each feature"}
	base := geo.LayerCountries
	if name == LayerEvents {
		base = geo.LayerProvinces
	}
	parts = append(parts, a.Provenance().Attribution(base))
	if a.HasDistricts() {
		parts = append(parts, a.Provenance().Attribution(geo.LayerDistricts))
	}
	return strings.Join(parts, "; ")
}

// eventFeatures returns the events as features (see geo.Event.Feature),
// numbers as float64 as in decoded GeoJSON.
func eventFeatures(a *geo.Atlas) []*geojson.Feature {
	evs := a.Events()
	out := make([]*geojson.Feature, len(evs))
	for i, e := range evs {
		out[i] = plain(e.Feature())
	}
	return out
}

// zoneFeatures returns every zone as a feature (see geo.Zone.Feature),
// computing the zones on the first call. A date that is not known
// (start_date of a band never active, end_date of a zone with no known
// end) is null rather than "", so that readers such as GDAL type the
// columns as dates.
func zoneFeatures(a *geo.Atlas) ([]*geojson.Feature, error) {
	zs, err := a.Zones()
	if err != nil {
		return nil, err
	}
	out := make([]*geojson.Feature, len(zs))
	for i, z := range zs {
		f := plain(z.Feature())
		for _, k := range []string{"start_date", "end_date"} {
			if f.Properties[k] == "" {
				f.Properties[k] = nil
			}
		}
		out[i] = f
	}
	return out, nil
}

// plain turns integer property values into float64, the type numbers
// have in features decoded from GeoJSON.
func plain(f *geojson.Feature) *geojson.Feature {
	for k, v := range f.Properties {
		switch x := v.(type) {
		case int:
			f.Properties[k] = float64(x)
		case int64:
			f.Properties[k] = float64(x)
		}
	}
	return f
}
