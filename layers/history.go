package layers

import (
	"fmt"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
)

// LayerCrossingStatus is the crossing status history: one feature per
// status period of a crossing, at the crossing.
const LayerCrossingStatus = "crossing_status"

// hasStatus reports whether some crossing of a has a status period.
func hasStatus(a *geo.Atlas) bool {
	_, has, err := LastDay(a)
	return err == nil && has
}

// statusFeatures returns every status period of every crossing, in
// border order then period order: id (crossing_id-n), crossing_id,
// name (the crossing's), status, start_date and end_date (the first and
// last day, null when the record gives none: since before the record, or
// no end known), from_text and to_text as the record writes them (a month
// or year where the record is that precise), note and the source. The
// geometry is the crossing's point (null for a crossing known only to the
// status table).
func statusFeatures(a *geo.Atlas) ([]*geojson.Feature, error) {
	// The properties are those of statusSchema, beside.
	crossings, err := a.Features(geo.LayerCrossings)
	if err != nil {
		return nil, err
	}
	byID := map[string]*geojson.Feature{}
	for _, f := range crossings {
		if id, ok := f.Properties["id"].(string); ok {
			byID[id] = f
		}
	}
	states, err := a.CrossingStates(time.Now())
	if err != nil {
		return nil, err
	}
	var out []*geojson.Feature
	day := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Format(time.DateOnly)
	}
	for _, st := range states {
		ps, err := a.StatusHistory(st.ID)
		if err != nil {
			return nil, err
		}
		for n, p := range ps {
			f := geojson.NewFeature(nil)
			f.ID = fmt.Sprintf("%s-%d", p.CrossingID, n+1)
			name := ""
			if c := byID[p.CrossingID]; c != nil {
				f.Geometry = c.Geometry
				name, _ = c.Properties["name"].(string)
			}
			f.Properties = geojson.Properties{
				"id": f.ID, "crossing_id": p.CrossingID, "name": name, "status": string(p.Status),
				"start_date": day(p.From), "end_date": day(p.To), "from_text": p.FromText, "to_text": p.ToText,
				"note": p.Note, "source_publisher": p.Source.Publisher, "source_url": p.Source.URL, "source_date": p.Source.Date,
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// statusSchema declares the properties statusFeatures sets, in its order.
func statusSchema() []Field {
	return []Field{{"id", String}, {"crossing_id", String}, {"name", String}, {"status", String},
		{"start_date", Date}, {"end_date", Date}, {"from_text", String}, {"to_text", String}, {"note", String},
		{"source_publisher", String}, {"source_url", String}, {"source_date", Date}}
}
